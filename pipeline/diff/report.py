"""Render a ``DiffResult`` as JSON (docs/diff.md) or Markdown (for people).

The Markdown report: a summary line counting the edits by kind ("11 edits: 1 project added, …,
3 budget, …") and a line saying which numbering each column uses ("Old No." as printed in OLD, "New No."
as printed in NEW); budget totals per fiscal year (old, new, change); added and removed projects with
their content (summary, partners, budget, indicators, roles); renamed and renumbered projects; a table of
budget edits per project and fiscal year (千円: old, new, change); then the other edits grouped by project
(then 基本KPI, then footnotes), one item per row with a line per edit, the derived columns that rode along
in brackets; then, per partner municipality, every edit of the projects it partners. Every project is
shown with its pages in each edition. Changed text is shown as a character-level diff (Japanese has no
word boundaries): ``difflib.SequenceMatcher`` over characters, deleted runs in ``<del>``, inserted runs in
``<ins>``. Markdown uses the same two tags rather than ``~~``/``**``: CommonMark's flanking rules do not
close ``**…**`` next to CJK punctuation such as ``（``, while GitHub and most renderers keep
``<del>``/``<ins>``. All text is escaped. The HTML report (crops of both editions' pages beside every edit)
is rendered by pipeline.publish.diffpage from the JSON, with the pieces here (char_diff, detail_items …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from difflib import SequenceMatcher
from itertools import groupby
from typing import Any

from pipeline.diff.compare import PROJECT_TABLES, Change, DiffResult
from schemas.fields import FIELDS

FORMATS = ("json", "md")  # html: pipeline.publish.diffpage
BUDGET_AMOUNT = "amount_thousand_yen"
# The summary's word for each kind of edit (DiffResult.edit_counts), in its order.
KIND_LABELS = {"project_added": "project added", "project_removed": "project removed",
               "project_renamed": "project renamed", "project_moved": "project moved", "heading": "heading",
               "member_joined": "member joined",
               "member_left": "member left", "project": "project field", "membership": "membership",
               "responsibility": "responsibility", "budget": "budget", "indicator": "indicator", "kpi": "KPI",
               "footnote": "footnote"}
REWRITE_RATIO = 0.5


def render(result: DiffResult, fmt: str) -> str:
    """The JSON or Markdown report (the HTML one shows crops of both editions' pages: pipeline.publish)."""
    if fmt == "json":
        return render_json(result)
    if fmt == "md":
        return render_markdown(result)
    raise ValueError(f"unknown format {fmt!r}; known here: {', '.join(FORMATS)}")


def render_json(result: DiffResult) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# -- shared pieces ---------------------------------------------------------------------------------
Escape = Callable[[str], str]

_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>|&])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))


def md_code(identifier: str) -> str:
    """A table or column name as a code span (they never contain a backtick; escaped otherwise)."""
    return f"`{identifier}`" if "`" not in identifier else md_escape(identifier)


def char_diff(old: str, new: str, escape: Escape) -> str:
    """``old`` → ``new`` as one string: unchanged runs plain, deleted runs in <del>, inserted in <ins>.
    Texts that share less than half their characters are shown as one replacement (an interleaving of
    single shared characters reads worse than the two texts)."""
    out = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < REWRITE_RATIO:
        return (f"<del>{escape(old)}</del>" if old else "") + (f"<ins>{escape(new)}</ins>" if new else "")
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(old[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return "".join(out)


def fmt_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return f"{int(value):,}"
        return f"{value:,}"
    return str(value)


def fmt_amount(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def fmt_delta(old: int | None, new: int | None) -> str:
    delta = (new or 0) - (old or 0)
    return f"{delta:+,}" if delta else "0"


def fmt_pages(pages: tuple[int, int] | list[int] | None, labels: tuple | list | None = None) -> str:
    """Pages cited by the label printed on them ("p. 71", "pp. 71–72"); "PDF page 11" (the page index)
    where a page prints no label."""
    if not pages:
        return "—"
    first, last = int(pages[0]), int(pages[1])
    a, b = (labels or (None, None))[0], (labels or (None, None))[-1]
    if a is not None and b is not None:
        return f"p. {a}" if first == last or a == b else f"pp. {a}–{b}"
    return f"PDF page {first}" if first == last else f"PDF pages {first}–{last}"


def project_pages(result: DiffResult, old_no: int, new_no: int) -> str:
    """A matched project's pages in each edition, by printed label: "p. 63 → p. 64"."""
    return (f"{fmt_pages(result.old_pages.get(old_no), result.old_labels.get(old_no))} → "
            f"{fmt_pages(result.new_pages.get(new_no), result.new_labels.get(new_no))}")


def fmt_no(no: int | None) -> str:
    return "—" if no is None else str(no)


def numbering_line(result: DiffResult) -> str:
    return (f"Numbering: “Old No.” is a project's number as printed in the old edition ({result.old_source}), "
            f"“New No.” as printed in the new one ({result.new_source}); pages are each edition's own, cited by the "
            "label printed on them (the JSON keeps the PDF page index beside it).")


def total_rows(result: DiffResult) -> list[list[str]]:
    """Fiscal year, old, new, change (千円); '-' where no amount of the year is printed."""
    return [[str(t["fiscal_year"]), fmt_amount(t["old"]), fmt_amount(t["new"]),
             "–" if t["change"] is None else (f"{t['change']:+,}" if t["change"] else "0")]
            for t in result.totals]


def detail_items(detail: dict, escape: Escape) -> list[str]:
    """An added or removed project's content, one item per aspect, as escaped text."""
    items = []
    project = detail.get("project") or {}
    if project.get("summary"):
        items.append(f"概要: {escape(project['summary'])}")
    if project:
        area = f"{project.get('area_no')} {project.get('area_title') or ''}".strip()
        if project.get("field_no") is not None:
            area += f" / ({project['field_no']}) {project.get('field_title') or ''}".rstrip()
        category = f"{project.get('category_code') or ''} {project.get('category_title') or ''}".strip()
        items.append(f"役割 {escape(area)}; 分類 {escape(category)}")
    if project.get("municipalities_raw"):
        items.append(f"連携市町村: {escape(project['municipalities_raw'])}")
    if detail.get("budgets"):
        budget = "; ".join(f"FY{b['fiscal_year']} {fmt_amount(b['amount_thousand_yen'])}"
                           + (f" ({b['note']})" if b.get("note") else "") for b in detail["budgets"])
        items.append(f"事業費 (千円): {escape(budget)}")
    for ind in detail.get("indicators", []):
        items.append(f"評価指標 {ind['indicator_no']}: {escape(ind['item'] or '')}: "
                     f"{escape(ind['baseline_raw'] or '—')} → {escape(ind['target_raw'] or '—')}")
    for r in detail.get("responsibilities", []):
        items.append(f"{escape(r['party'])}: 役割 {escape(r['role'] or '—')}; 費用負担 {escape(r['cost_share'] or '—')}")
    return items


def value_change(old: Any, new: Any, escape: Escape) -> str:
    if isinstance(old, str) and isinstance(new, str):
        return char_diff(old, new, escape)
    if old is None and new is not None:
        return f"<ins>{escape(fmt_value(new))}</ins>"
    if new is None and old is not None:
        return f"<del>{escape(fmt_value(old))}</del>"
    return f"{escape(fmt_value(old))} → {escape(fmt_value(new))}"


def key_label(change: Change) -> str:
    """The row's key as shown (a fiscal year, an indicator's 項目, "#2"); a merged cell's years as first–last."""
    if change.spans:
        return f"{key_text(change.spans[0])}–{key_text(change.spans[-1])}"
    return key_text(change.key)


def key_text(key: tuple | dict) -> str:
    items = key.items() if isinstance(key, dict) else key
    return ", ".join(str(v) if k != "occurrence" else f"#{v}" for k, v in items)


def derived_name(table: str, column: str, other_table: str, key: tuple | dict | None) -> str:
    """A column riding along: ``column`` (``table.column`` when of another table), with the row it belongs
    to when that is not the edit's own (another year of a merged cell)."""
    name = column if other_table == table else f"{other_table}.{column}"
    return f"{name} ({key_text(key)})" if key else name


def summary_line(result: DiffResult) -> str:
    """"53 → 53 projects; 11 edits: 1 project added, …, 3 budget, 1 KPI; 25 projects renumbered." — one
    edit per printed value that changed (its derived columns inside it), per row or membership added or
    removed, per project added, removed or renamed."""
    return summary_text(result.old_count, result.new_count, result.edit_counts(), len(result.renumbered))


def summary_text(old_count: int, new_count: int, counts: dict[str, int], renumbered: int) -> str:
    """`summary_line` from its figures (as the diff JSON's ``summary`` gives them)."""
    total = sum(counts.values())
    if not total and not renumbered:
        return f"No differences ({old_count} projects)."
    kinds = ", ".join(f"{n} {KIND_LABELS[kind]}" for kind, n in counts.items() if n)
    line = f"{old_count} → {new_count} projects; {total} edit{'s' if total != 1 else ''}"
    line += f": {kinds}" if kinds else ""
    if renumbered:
        line += f"; {renumbered} project{'s' if renumbered != 1 else ''} renumbered"
    return line + "."


def member_pages(member: dict) -> str:
    """Where the edition prints the member: its member tables' printed page numbers, or the reviewed file."""
    if member.get("source") != "document":
        return "schemas/members.csv (reviewed; the PDF prints no member table)"
    labels = member.get("page_labels") or member.get("pages") or []
    return ("p. " + ", ".join(str(label) for label in labels)) if labels else "—"


def _is_amount_edit(c: Change) -> bool:
    """A budget cell edit whose readings are amounts only (schema: derived columns with a unit), shown in the
    budget table; a cell whose note changed too is listed with the other edits, where the note shows."""
    return (c.kind == "budget" and c.row == "changed" and any(d.column == BUDGET_AMOUNT for d in c.derived)
            and all(d.column in FIELDS and FIELDS[d.column].unit is not None for d in c.derived))


def amount_cells(c: Change) -> list[str]:
    """Old, new and change of a budget edit's amount (千円)."""
    old, new = c.value(BUDGET_AMOUNT)
    return [fmt_amount(old), fmt_amount(new), fmt_delta(old, new)]


def budget_rows(result: DiffResult) -> list[Change]:
    return [c for c in result.changes if _is_amount_edit(c)]


def other_groups(result: DiffResult) -> list[tuple[str, list[list[Change]]]]:
    """[(group title, [rows: [edits of one row]])]: by project, then KPIs, then footnotes."""
    rest = [c for c in result.changes if not _is_amount_edit(c)]
    groups = []
    def group(c: Change) -> tuple:
        if c.table in PROJECT_TABLES and c.new_no is not None:
            return (True, c.new_no, c.name)
        return (False, None, "headings" if c.table == "projects" else c.table)

    for (table_group, no, name), items in groupby(rest, key=group):
        items = list(items)
        if table_group:
            first = items[0]
            title = (f"New No. {no} (old No. {fmt_no(first.old_no)}) {name} — "
                     f"{fmt_pages(first.new_pages, first.new_page_labels)} (old {fmt_pages(first.old_pages, first.old_page_labels)})")
        else:
            title = {"kpis": "基本KPI (kpis)", "headings": "見出し (headings: role, field, category)"}.get(
                name, "注釈 (footnotes)")
        rows = [list(g) for _, g in groupby(items, key=lambda c: (c.table, c.key))]
        groups.append((title, rows))
    return groups


def row_heading(row: list[Change], escape: Escape, code: Callable[[str], str]) -> str:
    """The row's kind, table, key and presence (row added/removed), as markup."""
    first = row[0]
    label = f"{escape(first.kind)} {code(first.table)}" + (f" · {escape(key_label(first))}" if first.key else "")
    if first.row == "added":
        label += " (row added)"
    elif first.row == "removed":
        label += " (row removed)"
    if first.table not in PROJECT_TABLES or first.new_no is None:  # kpis, footnotes, headings: own page
        label += (f" — {escape(fmt_pages(first.new_pages, first.new_page_labels))} "
                  f"(old {escape(fmt_pages(first.old_pages, first.old_page_labels))})")
    return label


def change_items(change: Change, result: DiffResult, escape: Escape, code: Callable[[str], str]) -> list[str]:
    """The lines of one edit: the printed column's change with what rides along (derived columns, in
    brackets), or the values of a row added or removed."""
    if change.column is None:
        values = change.new if change.row == "added" else change.old
        mark = "ins" if change.row == "added" else "del"
        lines = [f"{code(column)}: <{mark}>{escape(fmt_value(v))}</{mark}>" for column, v in (values or {}).items()]
    else:
        lines = [f"{code(change.column)}: {column_change(change, result, escape)}"]
    riding = [f"{code(derived_name(change.table, d.column, d.table, d.key))}: "
              f"{value_change(d.old, d.new, escape)}" for d in change.derived]
    if change.projects:  # a heading: the projects printed under it
        riding.append("projects under it (new No.): " + ", ".join(map(str, change.projects)))
    if riding:
        lines[-1 if lines else 0:] = [(lines[-1] + " " if lines else "") + "(with " + "; ".join(riding) + ")"]
    return lines


def change_line(change: Change, result: DiffResult, escape: Escape, code: Callable[[str], str]) -> str:
    """One edit in one line, for the per-municipality section: kind, key, and what changed."""
    head = escape(change.kind) + (f" {escape(key_label(change))}" if change.key else "")
    if change.column is None:
        return f"{head} {'added' if change.row == 'added' else 'removed'}"
    if _is_amount_edit(change):
        old, new = change.value(BUDGET_AMOUNT)
        return f"{head}: {fmt_amount(old)} → {fmt_amount(new)} 千円 ({fmt_delta(old, new)})"
    return f"{head}: {code(change.column)}: {column_change(change, result, escape)}"


def project_label(old_no: int | None, new_no: int | None, name: str) -> str:
    if old_no is None:
        return f"New No. {new_no} {name}"
    if new_no is None:
        return f"Old No. {old_no} {name}"
    return f"New No. {new_no} (old No. {old_no}) {name}"


def municipality_rows(result: DiffResult) -> list[list[str]]:
    """Per partner municipality: name, code, and how many of the projects it partners were added, removed,
    renamed, and how many edits those projects have (text unescaped)."""
    return [[e["municipality"], e.get("lg_code") or "—", str(len(e["projects_added"])),
             str(len(e["projects_removed"])), str(len(e["projects_renamed"])), str(len(e["changes"]))]
            for e in result.municipalities]


MUNICIPALITY_HEADER = ["Municipality", "Code", "Projects added", "Projects removed", "Projects renamed",
                       "Edits in its projects"]


def municipality_sections(result: DiffResult, escape: Escape,
                          code: Callable[[str], str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """([(heading, items)] for each partner municipality something changed for, [names of the others]):
    projects it partners that were added, removed or renamed, then each edit of a project it partners."""
    m = result.matching
    added = {p.no: p for p in m.added}
    removed = {p.no: p for p in m.removed}
    renamed = {p.new.no: p for p in result.renamed}
    sections, unchanged = [], []
    for entry in result.municipalities:
        items = [f"project added: {escape(project_label(None, no, added[no].name))}" for no in entry["projects_added"]]
        items += [f"project removed: {escape(project_label(no, None, removed[no].name))}"
                  for no in entry["projects_removed"]]
        items += [f"project renamed: {escape(project_label(renamed[no].old.no, no, ''))}"
                  f"{char_diff(renamed[no].old.name, renamed[no].new.name, escape)}"
                  for no in entry["projects_renamed"]]
        for index in entry["changes"]:
            c = result.changes[index]
            items.append(f"{escape(project_label(c.old_no, c.new_no, c.name or ''))}: "
                         f"{change_line(c, result, escape, code)}")
        code_text = f" ({entry['lg_code']})" if entry.get("lg_code") else ""
        if items:
            sections.append((f"{entry['municipality']}{code_text}", items))
        else:
            unchanged.append(entry["municipality"])
    return sections, unchanged


def _project_names(result: DiffResult) -> tuple[dict[int, str], dict[int, str]]:
    m = result.matching
    old = {p.old.no: p.old.name for p in m.pairs} | {p.no: p.name for p in m.removed}
    new = {p.new.no: p.new.name for p in m.pairs} | {p.no: p.name for p in m.added}
    return old, new


def column_change(change: Change, result: DiffResult, escape: Escape) -> str:
    if change.table == "footnotes" and change.column == "project_no":
        old_names, new_names = _project_names(result)

        def project(no: Any, names: dict[int, str], side: str) -> str:
            return "—" if no is None else f"{side} No. {no} {names.get(int(no), '?')}"

        old = escape(project(change.old, old_names, "old"))
        new = escape(project(change.new, new_names, "new"))
        return f"<del>{old}</del> → <ins>{new}</ins>"
    return value_change(change.old, change.new, escape)


# -- Markdown --------------------------------------------------------------------------------------
def render_markdown(result: DiffResult) -> str:
    e = md_escape
    lines = [f"# Diff: {e(result.old_source)} → {e(result.new_source)}", "",
             f"**Summary:** {e(summary_line(result))}", ""]
    m = result.matching

    def table(title: str, header: list[str], align: list[str], rows: list[list[str]]) -> None:
        if not rows:
            return
        lines.extend([f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"])
        lines.extend("| " + " | ".join(r) + " |" for r in rows)
        lines.append("")

    lines.extend([f"_{e(numbering_line(result))}_", ""])
    table("Budget totals per fiscal year (千円)", ["Fiscal year", "Old", "New", "Change"],
          ["---:", "---:", "---:", "---:"], total_rows(result))
    for heading, projects, details, side in (
            ("Added projects (new numbering)", m.added, result.added_detail, "new"),
            ("Removed projects (old numbering)", m.removed, result.removed_detail, "old")):
        if not projects:
            continue
        lines.extend([f"## {heading}", ""])
        pages = result.new_pages if side == "new" else result.old_pages
        labels = result.new_labels if side == "new" else result.old_labels
        for p in projects:
            lines.append(f"### {side.capitalize()} No. {p.no} {e(p.name)} "
                         f"({fmt_pages(pages.get(p.no), labels.get(p.no))})")
            lines.append("")
            lines.extend(f"- {item}" for item in detail_items(details.get(p.no, {}), e))
            lines.append("")
    table("Members of the agreement (連携市町村)", ["Change", "Municipality", "Member table pages",
                                                "全市町村 projects riding along (new No.)"],
          ["---", "---", "---", "---"],
          [[KIND_LABELS[m["kind"]], e(m["municipality"]), e(member_pages(m)),
            e(", ".join(map(str, m["projects"])) or "none")] for m in result.members])
    table("Renamed projects", ["Old No.", "New No.", "連携事業名 (old → new)", "Pages (old → new)"],
          ["---:", "---:", "---", "---"],
          [[str(p.old.no), str(p.new.no), char_diff(p.old.name, p.new.name, e),
            f"{project_pages(result, p.old.no, p.new.no)}"]
           for p in result.renamed])
    table("Renumbered projects", ["Old No.", "New No.", "連携事業名", "Pages (old → new)"],
          ["---:", "---:", "---", "---"],
          [[str(p.old.no), str(p.new.no), e(p.new.name),
            f"{project_pages(result, p.old.no, p.new.no)}"]
           for p in result.renumbered])
    table("Budget changes (千円)", ["Old No.", "New No.", "連携事業名", "Fiscal year", "Old", "New", "Change",
                                   "Pages (old → new)"],
          ["---:", "---:", "---", "---:", "---:", "---:", "---:", "---"],
          [[fmt_no(c.old_no), fmt_no(c.new_no), e(c.name or ""), e(key_label(c)), *amount_cells(c),
            f"{fmt_pages(c.old_pages, c.old_page_labels)} → {fmt_pages(c.new_pages, c.new_page_labels)}"]
           for c in budget_rows(result)])
    groups = other_groups(result)
    if groups:
        lines.extend(["## Other changes", ""])
        for title, rows in groups:
            lines.extend([f"### {e(title)}", ""])
            for row in rows:
                lines.append(f"- {row_heading(row, e, md_code)}")
                lines.extend(f"  - {item}" for c in row for item in change_items(c, result, e, md_code))
            lines.append("")
    sections, unchanged = municipality_sections(result, e, md_code)
    if sections or unchanged:
        lines.extend(["## Per partner municipality", "",
                      "_Every edit of a project a municipality partners (in either edition; 全市町村 counts for "
                      "all); an edit of a shared project is listed under each partner._", "",
                      "| " + " | ".join(MUNICIPALITY_HEADER) + " |", "|---|---|---:|---:|---:|---:|"])
        lines.extend("| " + " | ".join(e(cell) for cell in row) + " |" for row in municipality_rows(result))
        lines.append("")
        for heading, items in sections:
            lines.extend([f"### {e(heading)}", ""])
            lines.extend(f"- {item}" for item in items)
            lines.append("")
        if unchanged:
            lines.extend([f"No changes for: {e('、'.join(unchanged))}.", ""])
    return "\n".join(lines).rstrip("\n") + "\n"
