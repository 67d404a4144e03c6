"""The diff, shown: `renkei diff --format html` (one file) and `renkei review OLD_BUILD NEW_BUILD` (a folder).
Every changed value as the crop of its cell in the old and in the new edition beside its old → new text, an
added or removed project as the crop of its table, a renamed or renumbered project with both numbers; pages
cited by their printed label (``page_label``; the diff JSON keeps the PDF page index).

Both are rendered from the diff JSON (docs/diff.md, format_version 3, 4 or 5), read through one function,
`read_edits`, so that a new shape of ``changes`` needs a change there only. The crops are made from the PDFs the
two manifests name, checked by SHA-256 (`pipeline.publish.sources`); when one is missing or different the
page says so in one line and shows that side's values as text.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from pipeline.diff.report import (BUDGET_AMOUNT, char_diff, derived_name, detail_items, fmt_amount, fmt_delta, fmt_no,
                                  fmt_value, key_text, summary_text, value_change)
from pipeline.inputs import InputError
from pipeline.publish.html import html_code, html_escape, render
from pipeline.publish.provenance import VALUE_FIELDS, Box, value_boxes
from pipeline.publish.render import Renderer
from pipeline.publish.review import BuildData, read_build
from pipeline.publish.sources import find_sources

# The diff JSON versions this adapter reads (pipeline.diff.compare.FORMAT_VERSION, docs/diff.md): 4 is 3 with
# `project_id` on every entry, which the page does not need to read a change; 5 counts edits as printed (a
# move, a merged cell, a reworded key are one edit: `old_key`, `spans`, `derived[].key`) and gives the printed
# page labels beside the page indexes (`old_page_labels`/`new_page_labels`).
FORMAT_VERSIONS = (3, 4, 5)


def printed_field(table: str, column: str | None) -> str:
    """The column whose cell shows an edit: the edited printed column itself (format_version 3 lists the
    derived ones inside it), or for a row added or removed the row's first printed value (`VALUE_FIELDS`:
    budgets raw, indicators item, kpis name, project_municipalities municipality …)."""
    if column is not None:
        return column
    fields = VALUE_FIELDS.get(table) or ("text",)
    return fields[0]


@dataclass
class Edit:
    """One edit of the diff JSON (``changes[index]``): a printed value that changed, with the columns read
    from it riding along (``derived``), or a row added or removed (``column`` None)."""

    index: int
    kind: str
    table: str
    name: str | None
    old_no: int | None
    new_no: int | None
    key: dict[str, Any]
    row: str  # changed, added, removed
    column: str | None
    field: str  # the printed column whose cell shows it (see printed_field)
    old: Any
    new: Any
    derived: list[tuple[str, Any, Any]]  # (column, old, new); "table.column" when of another table
    old_pages: list[int] | None
    new_pages: list[int] | None
    old_key: dict[str, Any] | None = None  # the row's key in OLD when its key text was reworded (version 5)
    old_page_labels: list[str | None] | None = None  # the pages' printed labels (version 5)
    new_page_labels: list[str | None] | None = None
    spans: list[dict[str, Any]] = field(default_factory=list)  # the rows a merged cell covers (version 5)
    projects: list[int] = field(default_factory=list)  # a heading edit: the projects under it (version 5)

    @property
    def columns(self) -> list[tuple[str, Any, Any]]:
        """(column, old, new) of the edited column and of each one riding along."""
        if self.column is None:
            return []
        return [(self.column, self.old, self.new), *self.derived]


def read_edits(diff: dict) -> list[Edit]:
    """The diff JSON's ``changes`` as edits, in its order (``municipalities[].changes`` index them). The one
    function that knows the shape of a change; a diff of another ``format_version`` is refused in one line."""
    version = diff.get("format_version")
    if version not in FORMAT_VERSIONS:
        raise InputError(f"a renkei diff of format_version {version!r}; this renkei reads "
                         f"{' or '.join(map(str, FORMAT_VERSIONS))} "
                         "(compare the builds again with `renkei diff`)")
    edits = []
    for index, c in enumerate(diff.get("changes", [])):
        table, column = c["table"], c["column"]
        derived = [(derived_name(table, d["column"], d.get("table", table), d.get("key")), d.get("old"), d.get("new"))
                   for d in c.get("derived") or []]
        edits.append(Edit(index, str(c.get("kind", table)), table, c.get("name"), c.get("old_no"), c.get("new_no"),
                          dict(c.get("key") or {}), str(c.get("row", "changed")), column,
                          printed_field(table, column), c["old"], c["new"], derived, c.get("old_pages"),
                          c.get("new_pages"), c.get("old_key"), c.get("old_page_labels"), c.get("new_page_labels"),
                          list(c.get("spans") or []), list(c.get("projects") or [])))
    return edits


@dataclass
class Crop:
    """A cropped region of one edition's page, as a PNG file of the review folder."""

    file: str
    page_label: str | None
    page: int

    @property
    def cite(self) -> str:
        return f"p. {self.page_label}" if self.page_label else f"PDF page {self.page}"


@dataclass
class Side:
    text: str | None
    crops: list[Crop] = field(default_factory=list)
    pages: str = ""  # "p. 61–62", by printed label


@dataclass
class EditView:
    edit: Edit
    title: str
    change: Markup  # the edited value, old → new (a character diff for text), escaped
    riding: list[Markup]  # the derived columns that rode along, one line each
    old: Side
    new: Side
    amount: str | None = None  # a budget edit's amount: "124,573 → 130,000 千円 (+5,427)"

    @property
    def anchor(self) -> str:
        return f"edit-{self.edit.index}"


@dataclass
class ProjectView:
    kind: str  # added, removed, renamed, renumbered
    old_no: int | None
    new_no: int | None
    name: Markup  # escaped; a renamed project's name as a character diff
    old: Side
    new: Side
    details: list[Markup] = field(default_factory=list)  # an added or removed project's content


@dataclass
class MunicipalityView:
    """What changed for one partner municipality: projects added, removed, renamed, and the edits of the
    projects it partners (``edits``: indexes into ShownDiff.edits)."""

    name: str
    lg_code: str | None
    lines: list[Markup]
    edits: list[int]

    @property
    def count(self) -> int:
        return len(self.lines) + len(self.edits)


class Edition:
    """One side of the diff: its build, its PDF (None when missing or different) and the crops made from it."""

    def __init__(self, side: str, build: BuildData, pdfs: Iterable[Path]) -> None:
        self.side, self.build = side, build
        plan = find_sources(build.manifest, pdfs).get("plan")
        self.file = plan.file if plan else "?"
        self.problem = None if plan is not None and plan.path is not None else (
            plan.problem if plan else "the manifest names no plan PDF")
        self.renderer = Renderer(plan.path) if self.problem is None else None
        self.files: dict[str, bytes] = {}
        self.labels = {b.page: b.page_label for b in build.cells.by_key.values() if b.source == "plan"}

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.close()

    def pages(self, pages: list[int] | None, labels: list[str | None] | None = None) -> str:
        """Pages by printed label ("p. 64", "p. 61–62": the diff's own, else the build's cells); the PDF page
        index where a page prints none."""
        if not pages:
            return ""
        given = list(labels or [None, None])
        first, last = (given[i] or self.labels.get(int(p)) or f"PDF page {p}"
                       for i, p in ((0, pages[0]), (-1, pages[-1])))
        return f"p. {first}" if first == last else f"p. {first}–{last}"

    def crop(self, boxes: list[Box]) -> list[Crop]:
        """One crop per page the boxes are on (their union there); none without the PDF."""
        if self.renderer is None:
            return []
        crops = []
        by_page: dict[int, list[Box]] = defaultdict(list)
        for b in boxes:
            if b.source == "plan":
                by_page[b.page].append(b)
        for page, bs in sorted(by_page.items()):
            region = (min(b.x0 for b in bs), min(b.top for b in bs), max(b.x1 for b in bs), max(b.bottom for b in bs))
            png = self.renderer.crop(page, *region)
            name = f"crops/{self.side}-{hashlib.sha256(png).hexdigest()[:16]}.png"
            self.files[name] = png
            crops.append(Crop(name, bs[0].page_label, page))
        return crops

    def rows(self, table: str, no: int | None, key: dict[str, Any]) -> dict | None:
        """The row of ``table`` with the project number and natural key (``occurrence`` n: the n-th)."""
        from schemas.tables import TABLES

        wanted = {k: v for k, v in key.items() if k != "occurrence"}
        if no is not None and "project_no" in TABLES[table].fields:
            wanted["project_no"] = no
        hits = [r for r in self.build.tables.get(table, []) if all(r.get(k) == v for k, v in wanted.items())]
        hits.sort(key=lambda r: tuple(str(r.get(k)) for k in TABLES[table].primary_key))
        index = int(key.get("occurrence", 1)) - 1
        return hits[index] if 0 <= index < len(hits) else None

    def project(self, no: int | None) -> dict | None:
        return None if no is None else self.rows("projects", no, {})

    def show(self, edit: Edit) -> Side:
        """This edition's cell of the edit (a row added or removed: the row's cells), cropped, with its text."""
        no = edit.old_no if self.side == "old" else edit.new_no
        pages = (self.pages(edit.old_pages, edit.old_page_labels) if self.side == "old"
                 else self.pages(edit.new_pages, edit.new_page_labels))
        table, column = edit.table, edit.field
        key = edit.old_key if self.side == "old" and edit.old_key is not None else edit.key
        row = self.rows(table, no, key) if table != "projects" else self.project(no)
        whole_row = edit.column is None
        if row is None and table == "project_municipalities":
            # the partner is in one edition only: show the other one's 連携市町村 cell
            table, column, row, whole_row = "projects", "municipalities_raw", self.project(no), False
        if row is None:
            return Side(None, [], pages)
        text = row.get(column)
        found = value_boxes(table, row, self.build.cells) if table in _BOXED else {}
        boxes = [b for bs in found.values() for b in bs] if whole_row else found.get(column, [])
        return Side(None if text is None else str(text), self.crop(boxes), pages)

    def table_crop(self, no: int | None) -> Side:
        p = self.project(no)
        if p is None:
            return Side(None)
        cells = self.build.cells
        boxes = list(cells.by_table.get(("plan", str(p["table_id"])), []))
        if (p.get("page_end") or 0) > (p.get("page_start") or 0):
            boxes += cells.continuation("plan", p["table_id"])
        return Side(str(p["name"]), self.crop(boxes), self.pages([p["page_start"], p["page_end"]]))

    def number_crop(self, no: int | None) -> Side:
        p = self.project(no)
        if p is None:
            return Side(None)
        boxes = [b for f in ("project_no", "name") for b in value_boxes("projects", p, self.build.cells)[f]]
        return Side(str(p["name"]), self.crop(boxes), self.pages([p["page_start"], p["page_end"]]))


_BOXED = {"projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis", "overview"}


def _title(edit: Edit) -> str:
    key = ", ".join(f"#{v}" if k == "occurrence" else str(v) for k, v in edit.key.items())
    if edit.spans:
        key = f"{key_text(edit.spans[0])}–{key_text(edit.spans[-1])}"
    who = edit.name or ("見出し" if edit.kind == "heading" else
                        {"kpis": "基本KPI", "footnotes": "脚注"}.get(edit.table, edit.table))
    numbers = ("" if edit.old_no is None and edit.new_no is None
               else f" (old No. {fmt_no(edit.old_no)}, new No. {fmt_no(edit.new_no)})")
    what = edit.field if edit.row == "changed" else f"row {edit.row}"
    return f"{who}{numbers} · {edit.kind} · {edit.table}{' · ' + key if key else ''} · {what}"


def _change(edit: Edit) -> Markup:
    """The edit, escaped: old → new of the printed value (text as a character diff), or the row's values."""
    if edit.column is None:
        values = edit.new if edit.row == "added" else edit.old
        mark = "ins" if edit.row == "added" else "del"
        return Markup("; ".join(f"{html_code(column)}: <{mark}>{html_escape(fmt_value(v))}</{mark}>"
                                for column, v in (values or {}).items()))
    return Markup(f"{html_code(edit.column)}: {value_change(edit.old, edit.new, html_escape)}")


def _amount(edit: Edit) -> str | None:
    """A budget edit's amount old → new with the change (千円), read from the column riding along."""
    for column, old, new in edit.derived:
        if edit.table == "budgets" and column == BUDGET_AMOUNT:
            return f"{fmt_amount(old)} → {fmt_amount(new)} 千円 ({fmt_delta(old, new)})"
    return None


def _riding(edit: Edit) -> list[Markup]:
    lines = [Markup(f"{html_code(column)}: {value_change(old, new, html_escape)}") for column, old, new in edit.derived]
    if edit.projects:  # a heading: the projects printed under it
        lines.append(Markup(html_escape("projects under it (new No.): " + ", ".join(map(str, edit.projects)))))
    return lines


def diff_document(old_dir: Path, new_dir: Path, diff: Path | None) -> dict:
    if diff is not None:
        try:
            return json.loads(Path(diff).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InputError(f"{diff}: not a diff JSON ({' '.join(str(error).split())[:120]})") from None
    from pipeline.diff.compare import DiffError, diff_builds

    try:
        return diff_builds(old_dir, new_dir).to_json()
    except DiffError as error:
        raise InputError(str(error)) from None


@dataclass
class ShownDiff:
    """A diff with its crops: what diff.html.j2 renders, as ``renkei diff --format html`` (one file, the
    crops inline) and as the diff review (a folder, the crops as files)."""

    edits: list[EditView]
    projects: list[ProjectView]
    municipalities: list[MunicipalityView]
    unchanged_municipalities: list[str]
    files: dict[str, bytes]  # crop file name → PNG
    notices: list[str]  # one line per edition whose PDF is missing or different
    old_file: str
    new_file: str
    totals: list[dict]
    summary: str  # the diff's summary line (edits by kind)
    numbering: str
    crops_line: str  # how many crops, how large
    members: list[dict] = field(default_factory=list)  # municipalities that joined or left (diff JSON "members")


def data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _project_views(projects: dict, old: Edition, new: Edition) -> list[ProjectView]:
    shown: list[ProjectView] = []
    e = html_escape
    for p in projects.get("added", []):
        shown.append(ProjectView("added", None, p.get("new_no"), Markup(e(p.get("name", ""))), Side(None),
                                 new.table_crop(p.get("new_no")), [Markup(i) for i in detail_items(p, e)]))
    for p in projects.get("removed", []):
        shown.append(ProjectView("removed", p.get("old_no"), None, Markup(e(p.get("name", ""))),
                                 old.table_crop(p.get("old_no")), Side(None), [Markup(i) for i in detail_items(p, e)]))
    for p in projects.get("renamed", []):
        shown.append(ProjectView("renamed", p.get("old_no"), p.get("new_no"),
                                 Markup(char_diff(str(p.get("old_name", "")), str(p.get("new_name", "")), e)),
                                 old.number_crop(p.get("old_no")), new.number_crop(p.get("new_no"))))
    for p in projects.get("renumbered", []):
        shown.append(ProjectView("renumbered", p.get("old_no"), p.get("new_no"), Markup(e(p.get("name", ""))),
                                 old.number_crop(p.get("old_no")), new.number_crop(p.get("new_no"))))
    return shown


def _municipality_views(document: dict, views: list[EditView]) -> tuple[list[MunicipalityView], list[str]]:
    projects = document.get("projects", {})
    added = {p.get("new_no"): p.get("name", "") for p in projects.get("added", [])}
    removed = {p.get("old_no"): p.get("name", "") for p in projects.get("removed", [])}
    renamed = {p.get("new_no"): p for p in projects.get("renamed", [])}
    e = html_escape
    shown, unchanged = [], []
    for entry in document.get("municipalities", []):
        lines = [Markup(f"project added: New No. {e(no)} {e(added.get(no, '?'))}") for no in entry["projects_added"]]
        lines += [Markup(f"project removed: Old No. {e(no)} {e(removed.get(no, '?'))}")
                  for no in entry["projects_removed"]]
        lines += [Markup(f"project renamed: New No. {e(no)} (old No. {e(renamed[no].get('old_no'))}) "
                         f"{char_diff(str(renamed[no].get('old_name', '')), str(renamed[no].get('new_name', '')), e)}")
                  for no in entry["projects_renamed"] if no in renamed]
        edits = [int(i) for i in entry["changes"] if 0 <= int(i) < len(views)]
        view = MunicipalityView(str(entry["municipality"]), entry.get("lg_code"), lines, edits)
        (shown.append(view) if view.count else unchanged.append(view.name))
    return shown, unchanged


def show_diff(old_dir: Path, new_dir: Path, document: dict, pdfs: Iterable[Path] = (),
              progress: bool | None = None) -> ShownDiff:
    """Every edit and added, removed, renamed or renumbered project of ``document`` (a diff JSON of the two
    builds) with the crops of its cells in both editions."""
    from extractors.progress import progress_bar

    try:
        edits = read_edits(document)
    except (KeyError, TypeError, AttributeError) as error:
        raise InputError(f"not a renkei diff (a change without {error})") from None
    pdfs = list(pdfs)
    old = Edition("old", read_build(old_dir), pdfs)
    new = Edition("new", read_build(new_dir), pdfs)
    try:
        notices = [f"{e.side} edition: {e.problem}: its values are shown as text" for e in (old, new) if e.problem]
        views = [EditView(e, _title(e), _change(e), _riding(e), old.show(e), new.show(e), _amount(e))
                 for e in progress_bar(edits, desc="diff crops", unit="edit", enabled=progress)]
        projects = _project_views(document.get("projects", {}), old, new)
        municipalities, unchanged = _municipality_views(document, views)
        files = {**old.files, **new.files}
        summary = document.get("summary", {})
        line = summary_text(int(document.get("old", {}).get("projects", 0)),
                            int(document.get("new", {}).get("projects", 0)),
                            {k: int(v) for k, v in summary.get("by_kind", {}).items()}, int(summary.get("renumbered", 0)))
        numbering = (f"Numbering: “Old No.” is a project's number as printed in the old edition ({old.file}), "
                     f"“New No.” as printed in the new one ({new.file}); pages are cited by the label printed "
                     "on them (the diff JSON keeps the PDF page index).")
        crops_line = f"{len(files)} crops ({sum(map(len, files.values())) / 1e3:.0f} KB)"
        return ShownDiff(views, projects, municipalities, unchanged, files, notices, old.file, new.file,
                         document.get("totals", {}).get("budget_thousand_yen_by_fiscal_year", []), line, numbering,
                         crops_line, _member_views(document.get("members", [])))
    finally:
        old.close()
        new.close()


def _member_views(members: list[dict]) -> list[dict]:
    """Each member edit as the page shows it: what, who, where printed, the 全市町村 projects riding along."""
    from pipeline.diff.report import KIND_LABELS, member_pages
    return [{"change": KIND_LABELS.get(m.get("kind"), str(m.get("kind"))), "municipality": str(m.get("municipality")),
             "pages": member_pages(m), "projects": ", ".join(map(str, m.get("projects", []))) or "none"}
            for m in members]


def render_diff_page(shown: ShownDiff, inline: bool) -> str:
    """diff.html.j2 for ``shown``: with ``inline`` one file, every crop a data URI (``diff --format html``),
    else the crops are files beside it (the diff review)."""
    def src(name: str) -> str:
        return data_uri(shown.files[name]) if inline else name

    return render("diff.html.j2", title=f"Diff: {shown.old_file} → {shown.new_file}", shown=shown, src=src,
                  kinds=("added", "removed", "renamed", "renumbered"))


def build_diff_review(old_dir: Path, new_dir: Path, pdfs: Iterable[Path] = (), diff: Path | None = None,
                      progress: bool | None = None) -> tuple[dict[str, bytes], str, list[str]]:
    """The files of the diff review, its summary line and the notices (a PDF missing or different)."""
    shown = show_diff(old_dir, new_dir, diff_document(old_dir, new_dir, diff), pdfs, progress)
    html = render_diff_page(shown, inline=False)
    summary = f"diff review: {shown.old_file} → {shown.new_file}: {shown.summary} {shown.crops_line}"
    return {"index.html": html.encode("utf-8"), **shown.files}, summary, shown.notices


def run_diff_review(old_dir: Path, new_dir: Path, out: Path, pdfs: Iterable[Path] = (), diff: Path | None = None,
                    progress: bool | None = None) -> int:
    from pipeline.publish.output import check_review_out, write_review

    check_review_out(out)
    files, summary, notices = build_diff_review(old_dir, new_dir, pdfs, diff, progress)
    write_review(out, files)
    for notice in notices:
        print(f"note: {notice}", file=sys.stderr)
    print(f"{summary} → {Path(out) / 'index.html'}", file=sys.stderr)
    return 0
