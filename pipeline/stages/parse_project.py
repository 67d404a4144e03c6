"""One project table (over one or more pages) → a `ProjectRecord`.

The table's rows are walked top to bottom; a label at the left edge opens a section (pipeline/stages/sections.py)
and every row up to the next label belongs to it. Each section has one handler that adds what its row
says to a `ProjectDraft`; the draft then checks that every section was there and becomes the record.
Every text of the table ends up either in the record or in the draft's `labels`, and glyph conservation
(`check_conserved`) proves that nothing printed was dropped or read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import regex

from extractors.ruled import GridCell, TableFragment
from extractors.settings import Layout
from pipeline.checks import check_conserved
from pipeline.errors import ParseError
from pipeline.stages.records import BudgetCell, IndicatorRow, PartyRow, ProjectRecord, Source, TextValue
from pipeline.stages.sections import BUDGET_AMOUNTS_LABEL, NAME_LABEL, PARTIES, SECTION_LABELS, label_kind, squash
from extractors.text import overlap
from pipeline.stages.table_rows import OpenTable, Row, best_column, data_cells, glue_cut_rows, header_columns, \
    is_label, printed_cells, unbalanced
from extractors.textnorm import join_cell_lines
# The 評価指標 header's column labels (what each opens with) → the IndicatorRow field they head.
INDICATOR_COLUMNS = (("項目", "item"), ("基準", "baseline"), ("目標", "target"))


@dataclass
class ProjectDraft:
    """What the rows of one project table have said so far."""

    where: str  # "page P, table T" of the table's first fragment, for error messages
    layout: Layout  # the tolerances the table is read with
    project_no: int | None = None
    name: str = ""
    name_source: Source | None = None
    summary: list[str] = field(default_factory=list)
    municipalities: TextValue | None = None
    roles: list[PartyRow] = field(default_factory=list)
    cost_shares: list[PartyRow] = field(default_factory=list)
    year_headers: list[TextValue] = field(default_factory=list)
    year_columns: list[tuple[str, float, float]] = field(default_factory=list)  # header text, x0, x1
    budget_cells: list[BudgetCell] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    indicator_columns: list[tuple[str, float, float]] | None = None  # field name, x0, x1
    # The fragment of the last indicator row begun: only a page break can cut an indicator row.
    last_indicator_fragment: TableFragment | None = None
    labels: list[str] = field(default_factory=list)  # texts read as labels (row labels, column headers, No.)
    marks: list[str] = field(default_factory=list)
    party_x1: float = 0.0  # the right edge of the party column (札幌市/連携市町村) of the last party row

    def parties(self, kind: str) -> list[PartyRow]:
        return self.roles if kind == "roles" else self.cost_shares


# A section handler: the draft, the section's kind, the row and the row's data cells (right of the label).
Handler = Callable[[ProjectDraft, str, Row, list[GridCell]], None]


def _header(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    """The No. row: the project's number after "No." and its name after 連携事業名."""
    texts = [squash(c.text) for c in cells]
    for i, t in enumerate(texts):
        if label_kind(t) == "header" and i + 1 < len(cells):
            number = squash(cells[i + 1].text)
            if not number.isdigit():
                raise ParseError(f"{draft.where}: project number {cells[i + 1].text!r} is not a number")
            draft.project_no = int(number)
            draft.labels += [cells[i].text, cells[i + 1].text]
        if t == NAME_LABEL:
            draft.labels.append(cells[i].text)
            draft.name = join_cell_lines([c.text for c in cells[i + 1:]])
            draft.name_source = next((row.source(c) for c in cells[i + 1:] if c.text), None)


def _summary(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    draft.summary.extend(c.text for c in cells if c.text)


def _municipalities(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    texts = [c for c in cells if c.text]
    if texts and draft.municipalities is not None:
        # The rest of a row the printer broke over a page.
        previous = draft.municipalities
        previous.text = join_cell_lines([previous.text, *(c.text for c in texts)])
    elif texts:
        draft.municipalities = TextValue(join_cell_lines([c.text for c in texts]), row.source(texts[0]))


def _parties(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    """A 役割分担 or 費用負担 row: a party (札幌市/連携市町村) and what it does or pays."""
    rows = draft.parties(kind)
    party_cells = [c for c in row.cells if squash(c.text) in PARTIES]
    if not party_cells:
        # The remainder of a row that the printer broke over a page: its text continues the
        # previous party's cell. An empty remainder carries nothing.
        rest = [c for c in cells if c.text]
        if rest and rows and min(c.x0 for c in rest) < draft.party_x1 - draft.layout.label_slack:
            # Text in the party column that names no party (a party label cut in two, "連携市町" | "村"):
            # never read into the previous party's text.
            first = min(rest, key=lambda c: c.x0)
            raise ParseError(f"page {row.fragment.page}, table {row.fragment.table_id}: {SECTION_LABELS[kind]} row "
                             f"{row.cells[0].row} of project {draft.project_no} names no party "
                             f"(札幌市/連携市町村): {first.text[:20]!r}")
        if rest and rows:
            previous = rows[-1]
            if not previous.text:
                previous.source = row.source(rest[0])
            previous.text = join_cell_lines([previous.text, *(c.text for c in rest)])
        elif rest:
            raise ParseError(f"{draft.where}: {SECTION_LABELS[kind]} row {row.cells[0].row} names no party "
                             "(札幌市/連携市町村)")
        return
    party = party_cells[0]
    draft.party_x1 = party.x1
    values = [c for c in row.cells if c.x0 >= party.x1 - draft.layout.label_slack and c.text]
    # A party whose text the page cut off entirely is kept with no text yet: the rest of its row
    # (at the head of the next page, with an empty party cell) continues it.
    rows.append(PartyRow(squash(party.text), join_cell_lines([c.text for c in values]),
                         row.source(values[0] if values else party)))


def _under(cell: GridCell, x0: float, x1: float, share: float) -> bool:
    """Whether `cell` covers more than ``share`` (`Layout.column_cover_share`) of the column x0..x1 (an
    amount under a fiscal year)."""
    return overlap(cell.x0, cell.x1, x0, x1) > share * (x1 - x0)


def _budget(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    """The 事業予定年度 header row (the fiscal years), then the 事業費見込額 row (amounts under them)."""
    if draft.year_columns and not draft.budget_cells and unbalanced([h.text for h in draft.year_headers]):
        # The header row was broken over a page ("2026年度(R8" / "年度)"): glue the rest back on.
        for c in cells:
            for i, (header, x0, x1) in enumerate(draft.year_columns):
                if c.text and _under(c, x0, x1, draft.layout.column_cover_share):
                    joined = join_cell_lines([header, c.text])
                    draft.year_columns[i] = (joined, x0, x1)
                    draft.year_headers[i].text = joined
        return
    if not draft.year_columns:
        for c in cells:
            if c.text:
                draft.year_headers.append(TextValue(c.text, row.source(c)))
                draft.year_columns.append((c.text, c.x0, c.x1))
        return
    for c in cells:
        if not c.text:
            continue
        covered = [h for h, x0, x1 in draft.year_columns if _under(c, x0, x1, draft.layout.column_cover_share)]
        if not covered:
            raise ParseError(f"{draft.where}: budget cell {c.text!r} lies under no fiscal-year column")
        draft.budget_cells.append(BudgetCell(c.text, covered, row.source(c)))


# A header cell of the 評価指標 section: 項目 as it is, 基準値(基準年) and 目標値(目標年) worded as a plan may
# word them, without a digit (every value holds one, or is "-"). A row joined onto the header by mistake
# (a cut row read as its rest) then makes no header, rather than indicators read as header labels.
INDICATOR_HEADER = regex.compile(r"^(?:項目|基準\D{0,14}|目標\D{0,14})$")


def _indicator_columns(draft: ProjectDraft, cells: list[GridCell], texts: list[str]) -> None:
    found = header_columns(cells, texts, INDICATOR_COLUMNS)
    if found is None or not all(INDICATOR_HEADER.match(t) for t in texts if t):
        raise ParseError(f"{draft.where}: 評価指標 header is {texts!r}, expected 項目/基準値/目標値")
    draft.indicator_columns = found


def _indicators(draft: ProjectDraft, kind: str, row: Row, cells: list[GridCell]) -> None:
    """The 評価指標 header (項目/基準値/目標値), then one row per indicator."""
    columns = draft.indicator_columns
    texts = [squash(c.text) for c in cells]
    if columns is None or (texts and texts[0] == "項目"):
        if columns is None:
            _indicator_columns(draft, cells, texts)
        draft.labels += [c.text for c in cells]
        return
    values: dict[str, list[str]] = {name: [] for _, name in INDICATOR_COLUMNS}
    first: dict[str, Source] = {}  # the cell each value begins in
    for c in cells:
        key = best_column(c, columns)
        if key and c.text:
            values[key].append(c.text)
            first.setdefault(key, row.source(c))
    if not any(values.values()):
        return
    if not values["item"] and not draft.indicators:
        draft.labels += [c.text for c in cells]
        return  # the rest of the header row, broken over a page ("年)" under 基準値(基準…)
    if not values["item"]:
        # Remainder of an indicator row broken over a page: extend the previous indicator. Only a
        # page break can cut a row; on the same page a row without 項目 is a row of its own, and
        # folding it into the previous one would leave fewer indicators than the rows printed.
        if draft.last_indicator_fragment is row.fragment:
            raise ParseError(f"page {row.fragment.page}, table {row.fragment.table_id}: 評価指標 row "
                             f"{row.cells[0].row} of project {draft.project_no} has no 項目")
        draft.last_indicator_fragment = row.fragment
        previous = draft.indicators[-1]
        previous.baseline = join_cell_lines([previous.baseline, *values["baseline"]])
        previous.target = join_cell_lines([previous.target, *values["target"]])
        previous.baseline_source = previous.baseline_source or first.get("baseline")
        previous.target_source = previous.target_source or first.get("target")
        return
    item_cell = next((c for c in cells if best_column(c, columns) == "item"), cells[0])
    draft.last_indicator_fragment = row.fragment
    draft.indicators.append(IndicatorRow(
        join_cell_lines(values["item"]), join_cell_lines(values["baseline"]),
        join_cell_lines(values["target"]), row.source(item_cell), first.get("baseline"), first.get("target")))


HANDLERS: dict[str, Handler] = {
    "header": _header, "summary": _summary, "municipalities": _municipalities, "roles": _parties,
    "cost_shares": _parties, "budget": _budget, "indicators": _indicators,
}
assert set(HANDLERS) == set(SECTION_LABELS), "every section of pipeline/stages/sections.py needs a handler"


def _complete(draft: ProjectDraft) -> None:
    """Raise unless every section said what a project must have; drop parties printed with no text."""
    where, number = draft.where, draft.project_no
    if number is None:
        raise ParseError(f"{where}: project table without a number")
    if not draft.name:
        raise ParseError(f"{where}: project {number} has no {NAME_LABEL}")
    if draft.municipalities is None:
        raise ParseError(f"{where}: project {number} has no {SECTION_LABELS['municipalities']} row")
    for kind in ("roles", "cost_shares"):
        draft.labels += [r.party for r in draft.parties(kind) if not r.text]
        # A party printed with no text states nothing.
        draft.parties(kind)[:] = [r for r in draft.parties(kind) if r.text]
    for rows, label in ((draft.summary, SECTION_LABELS["summary"]), (draft.roles, SECTION_LABELS["roles"]),
                        (draft.cost_shares, SECTION_LABELS["cost_shares"]),
                        (draft.year_headers, SECTION_LABELS["budget"]), (draft.budget_cells, BUDGET_AMOUNTS_LABEL)):
        if not rows:
            raise ParseError(f"{where}: project {number} has no {label} row")
    if draft.indicator_columns is None:
        raise ParseError(f"{where}: project {number} has no {SECTION_LABELS['indicators']} row")
    if not draft.indicators:
        raise ParseError(f"{where}: project {number} has a {SECTION_LABELS['indicators']} header and no indicator "
                         "under it")
    for kind in ("roles", "cost_shares"):
        parties = [r.party for r in draft.parties(kind)]
        if len(set(parties)) != len(parties):
            raise ParseError(f"{where}: project {number} names a party twice under {SECTION_LABELS[kind]}: "
                             f"{parties}")


def _project_texts(record: ProjectRecord) -> list[str]:
    """Every text of a project record that was read from its table."""
    return [record.name, record.summary, record.municipalities.text,
            *(t for r in [*record.roles, *record.cost_shares] for t in (r.party, r.text)),
            *(h.text for h in record.year_headers), *(b.text for b in record.budget_cells),
            *(t for i in record.indicators for t in (i.item, i.baseline, i.target))]


def build_project(table: OpenTable) -> ProjectRecord:
    """The record of one project table, its glyphs proven conserved (every printed text read once)."""
    first_fragment = table.rows[0].fragment
    printed = printed_cells(table.rows)
    left_edge = first_fragment.x0
    slack = table.layout.label_slack
    rows = glue_cut_rows(table.rows, left_edge, slack)
    draft = ProjectDraft(where=f"page {first_fragment.page}, table {first_fragment.table_id}", layout=table.layout)
    section: str | None = None
    seen: set[str] = set()
    label_x1 = 0.0
    for row in rows:
        for cell in row.cells:
            draft.marks.extend(cell.marks)
        lead = row.cells[0]
        kind = label_kind(lead.text) if is_label(lead, left_edge, slack) else None
        if kind is not None:
            if kind in seen and kind != section:
                # Each section comes once (a label repeated on a continued page continues its section).
                # A second one means another project's rows ran into this one: a table whose No. row
                # could not be read was taken for a continuation. Never merge two projects silently.
                raise ParseError(
                    f"page {row.fragment.page}, table {row.fragment.table_id}: a second {SECTION_LABELS[kind]} "
                    f"row in project {draft.project_no} ({draft.where}): a project table whose No. row cannot "
                    "be read?")
            seen.add(kind)
            section = kind
            label_x1 = lead.x1
            if kind != "header":
                draft.labels.append(lead.text)
                cells = data_cells(row, label_x1, slack)
            else:
                cells = row.cells  # the No. row holds labels (No., 連携事業名) among its data
        else:
            if section is None:
                raise ParseError(f"{draft.where}: row {lead.row} has no label ({lead.text[:20]!r})")
            cells = data_cells(row, label_x1, slack)
        HANDLERS[section](draft, section, row, cells)
    _complete(draft)
    ctx = table.context
    record = ProjectRecord(
        project_no=draft.project_no, name=draft.name, summary=join_cell_lines(draft.summary),
        municipalities=draft.municipalities,
        area_no=ctx["area"][0], area_title=ctx["area"][1],
        field_no=ctx["field"][0] if ctx["field"] else None, field_title=ctx["field"][1] if ctx["field"] else None,
        category_code=ctx["category"][0], category_title=ctx["category"][1],
        pages=sorted({r.fragment.page for r in rows}), table_id=first_fragment.table_id,
        roles=draft.roles, cost_shares=draft.cost_shares,
        year_headers=draft.year_headers, budget_cells=draft.budget_cells,
        indicators=draft.indicators, marks=draft.marks, name_source=draft.name_source,
    )
    check_conserved(f"{draft.where}: project {draft.project_no}", printed, [*draft.labels, *_project_texts(record)])
    return record
