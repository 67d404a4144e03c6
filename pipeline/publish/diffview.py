"""`renkei review OLD_BUILD NEW_BUILD`: the diff, shown. Every changed value as the crop of its cell in the old
and in the new edition, an added or removed project as the crop of its table, a renamed or renumbered
project with both numbers; pages cited by their printed label (``page_label``).

The diff JSON is read through one function, `read_edits`, so that a new shape of ``changes`` (one entry per
edit with its derived columns riding along) needs a change there only. The crops are made from the PDFs the
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

from pipeline.inputs import InputError
from pipeline.publish.html import render
from pipeline.publish.provenance import Box, value_boxes
from pipeline.publish.render import Renderer
from pipeline.publish.review import BuildData, read_build
from pipeline.publish.sources import find_sources

# A changed column → the printed column whose cell shows it (derived columns are read from that cell).
_PRINTED_PREFIXES = ("baseline", "target", "current")


def printed_field(table: str, column: str) -> str:
    """The column whose cell printed ``column``: amount_thousand_yen → raw, target_value → target_raw …"""
    if table == "budgets":
        return "raw"
    if table in ("indicators", "kpis"):
        prefix = column.split("_", 1)[0]
        return f"{prefix}_raw" if prefix in _PRINTED_PREFIXES else column
    if table == "project_municipalities":
        return "municipality"
    return column


@dataclass
class Edit:
    """One edit of a matched row's printed value, with the columns derived from it (which ride along)."""

    table: str
    name: str | None
    old_no: int | None
    new_no: int | None
    key: dict[str, Any]
    field: str  # the printed column (see printed_field)
    columns: list[tuple[str, Any, Any]]  # (column, old, new) as the diff reports them
    old_pages: list[int] | None
    new_pages: list[int] | None


def read_edits(diff: dict) -> list[Edit]:
    """The diff JSON's ``changes`` as edits, one per changed printed value. ``format_version`` 2 lists each
    changed column on its own (amount_thousand_yen beside raw); they are grouped here by row and printed
    column. A later version that lists each edit once with its derived columns (``derived``: {column:
    {old, new}} or [{column, old, new}]) reads the same: this is the one function that knows the shape."""
    edits: dict[tuple, Edit] = {}
    for c in diff.get("changes", []):
        table, column = c["table"], c["column"]
        key = dict(c.get("key") or {})
        group = (table, c.get("old_no"), c.get("new_no"), json.dumps(key, sort_keys=True, ensure_ascii=False),
                 printed_field(table, column))
        edit = edits.get(group)
        if edit is None:
            edit = edits[group] = Edit(table, c.get("name"), c.get("old_no"), c.get("new_no"), key, group[-1], [],
                                       c.get("old_pages"), c.get("new_pages"))
        edit.columns.append((column, c.get("old"), c.get("new")))
        derived = c.get("derived") or []
        if isinstance(derived, dict):
            derived = [{"column": k, **v} for k, v in sorted(derived.items())]
        edit.columns += [(d["column"], d.get("old"), d.get("new")) for d in derived]
    for edit in edits.values():  # the printed column first, then the derived ones as the diff lists them
        edit.columns.sort(key=lambda col: col[0] != edit.field)
    return list(edits.values())


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
    old: Side
    new: Side


@dataclass
class ProjectView:
    kind: str  # added, removed, renamed, renumbered
    old_no: int | None
    new_no: int | None
    name: str
    old: Side
    new: Side


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

    def pages(self, pages: list[int] | None) -> str:
        if not pages:
            return ""
        first, last = (self.labels.get(int(p)) or f"PDF page {p}" for p in (pages[0], pages[-1]))
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
        no = edit.old_no if self.side == "old" else edit.new_no
        pages = self.pages(edit.old_pages if self.side == "old" else edit.new_pages)
        table, column = edit.table, edit.field
        row = self.rows(table, no, edit.key) if table != "projects" else self.project(no)
        if row is None and table == "project_municipalities":
            # the partner is on one side only: show that side's 連携市町村 cell
            table, column, row = "projects", "municipalities_raw", self.project(no)
        if row is None:
            return Side(None, [], pages)
        text = row.get(column)
        boxes = value_boxes(table, row, self.build.cells).get(column, []) if table in _BOXED else []
        return Side(None if text is None else str(text), self.crop(boxes), pages)

    def table_crop(self, no: int | None) -> Side:
        p = self.project(no)
        if p is None:
            return Side(None)
        cells = self.build.cells
        boxes = list(cells.by_table.get(("plan", str(p["table_id"])), []))
        if (p.get("page_end") or 0) > (p.get("page_start") or 0):
            boxes += cells.continuation("plan", p["table_id"])
        return Side(str(p["name"]), self.crop(boxes),
                    self.pages([p["page_start"], p["page_end"]]))

    def number_crop(self, no: int | None) -> Side:
        p = self.project(no)
        if p is None:
            return Side(None)
        boxes = [b for f in ("project_no", "name") for b in value_boxes("projects", p, self.build.cells)[f]]
        return Side(str(p["name"]), self.crop(boxes), self.pages([p["page_start"], p["page_end"]]))


_BOXED = {"projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis", "overview"}


def _title(edit: Edit) -> str:
    key = ", ".join(f"#{v}" if k == "occurrence" else str(v) for k, v in edit.key.items())
    who = edit.name or {"kpis": "基本KPI", "footnotes": "脚注"}.get(edit.table, edit.table)
    numbers = ("" if edit.old_no is None and edit.new_no is None
               else f" (old No. {edit.old_no}, new No. {edit.new_no})")
    return f"{who}{numbers} · {edit.table}{' · ' + key if key else ''} · {edit.field}"


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
    """A diff with its crops: what the diff review renders, and what ``diff --format html`` can embed
    (`data_uri` turns a crop's file into an inline image)."""

    edits: list[EditView]
    projects: list[ProjectView]
    files: dict[str, bytes]  # crop file name → PNG
    notices: list[str]  # one line per edition whose PDF is missing or different
    old_file: str
    new_file: str
    totals: list[dict]
    summary: str


def data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def show_diff(old_dir: Path, new_dir: Path, document: dict, pdfs: Iterable[Path] = (),
              progress: bool | None = None) -> ShownDiff:
    """Every edit and added, removed, renamed or renumbered project of ``document`` (a diff JSON of the two
    builds) with the crops of its cells in both editions."""
    from extractors.progress import progress_bar

    pdfs = list(pdfs)
    old = Edition("old", read_build(old_dir), pdfs)
    new = Edition("new", read_build(new_dir), pdfs)
    try:
        notices = [f"{e.side} edition: {e.problem}: its values are shown as text" for e in (old, new) if e.problem]
        try:
            edits = read_edits(document)
        except (KeyError, TypeError, AttributeError) as error:
            raise InputError(f"not a renkei diff (a change without {error})") from None
        views = [EditView(e, _title(e), old.show(e), new.show(e))
                 for e in progress_bar(edits, desc="diff crops", unit="edit", enabled=progress)]
        projects = document.get("projects", {})
        shown: list[ProjectView] = []
        for p in projects.get("added", []):
            shown.append(ProjectView("added", None, p.get("new_no"), p.get("name", ""), Side(None),
                                     new.table_crop(p.get("new_no"))))
        for p in projects.get("removed", []):
            shown.append(ProjectView("removed", p.get("old_no"), None, p.get("name", ""),
                                     old.table_crop(p.get("old_no")), Side(None)))
        for p in projects.get("renamed", []):
            shown.append(ProjectView("renamed", p.get("old_no"), p.get("new_no"),
                                     f"{p.get('old_name')} → {p.get('new_name')}",
                                     old.number_crop(p.get("old_no")), new.number_crop(p.get("new_no"))))
        for p in projects.get("renumbered", []):
            shown.append(ProjectView("renumbered", p.get("old_no"), p.get("new_no"), p.get("name", ""),
                                     old.number_crop(p.get("old_no")), new.number_crop(p.get("new_no"))))
        files = {**old.files, **new.files}
        counts = {k: len(projects.get(k, [])) for k in ("added", "removed", "renamed", "renumbered")}
        summary = (f"diff review: {old.file} → {new.file}: {counts['added']} added, {counts['removed']} removed, "
                   f"{counts['renamed']} renamed, {counts['renumbered']} renumbered, {len(views)} edited values; "
                   f"{len(files)} crops ({sum(map(len, files.values())) / 1e3:.0f} KB)")
        return ShownDiff(views, shown, files, notices, old.file, new.file,
                         document.get("totals", {}).get("budget_thousand_yen_by_fiscal_year", []), summary)
    finally:
        old.close()
        new.close()


def build_diff_review(old_dir: Path, new_dir: Path, pdfs: Iterable[Path] = (), diff: Path | None = None,
                      progress: bool | None = None) -> tuple[dict[str, bytes], str, list[str]]:
    """The files of the diff review, its summary line and the notices (a PDF missing or different)."""
    shown = show_diff(old_dir, new_dir, diff_document(old_dir, new_dir, diff), pdfs, progress)
    html = render("diff.html.j2", title=f"renkei diff review — {shown.old_file} → {shown.new_file}",
                  summary=shown.summary, notices=shown.notices, edits=shown.edits, projects=shown.projects,
                  old_file=shown.old_file, new_file=shown.new_file, totals=shown.totals)
    return {"index.html": html.encode("utf-8"), **shown.files}, shown.summary, shown.notices


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
