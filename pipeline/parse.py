"""Parse stage: page layouts (tables with spans, free text lines) → project, KPI and footnote records.

The parser reads the document the way a person does: headings set the area / field / category context,
a table whose first cell is "No." opens a project, one headed 指標名 is a 基本KPI table, and a table at the
top of a page that opens with neither continues the table left open on the previous page. Rows are
recognised by their label text and cells are matched to columns by x position, not by grid index, so a
table split over pages (whose fragments have different grids) and other printers' column widths read the
same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from extractors.ruled import GridCell, PageLayout, TableFragment
from extractors.textlines import VisualLine
from pipeline.conservation import check_conserved, check_fragment_placed
from pipeline.errors import ParseError
from pipeline.invariants import check_no_gaps
from pipeline.records import (BudgetCell, FootnoteRecord, IndicatorRow, KpiRecord, ParsedDocument, PartyRow,
                              ProjectRecord, Source, TextValue)
from pipeline.textnorm import join_cell_lines, squash_spaces
from schemas.fields import CONSTRAINTS


AREA_HEADING = regex.compile(r"^([1-9])\s*(\p{Han}.{1,60}?)\s*(?:【基本KPI】)?$")
FIELD_HEADING = regex.compile(r"^[(（]([1-9])[)）]\s*(\S.{1,60}?)$")
CATEGORY_HEADING = regex.compile(r"^([a-zA-Z])\s*(?=[\p{Han}\p{Katakana}\p{Hiragana}A-Z])(\S.{1,60}?)$")
FOOTNOTE_START = regex.compile(r"^(\d{1,3})?\s*【([^】]+)】\s*(.*)$")
# The parties of 役割分担/費用負担: the contract's enum of responsibilities.party (schemas/fields.py).
PARTIES = tuple(CONSTRAINTS["party"]["enum"])
LABEL_SLACK = 2.0
SECTION_LABELS = {"header": "No.", "summary": "事業概要", "municipalities": "連携市町村", "roles": "役割分担",
                  "cost_shares": "費用負担", "budget": "事業予定年度", "indicators": "評価指標"}


def _squash(text: str) -> str:
    return regex.sub(r"\s+", "", text)


def _label_kind(text: str) -> str | None:
    """Which row of a project table a left-edge label opens."""
    t = _squash(text)
    if t.lower().startswith("no"):
        return "header"
    if t.startswith("事業概要"):
        return "summary"
    if t.startswith("連携市町村"):
        return "municipalities"
    if t.startswith("役割分担"):
        return "roles"
    if t.startswith("費用負担"):
        return "cost_shares"
    if "事業予定年度" in t or "事業費" in t:
        return "budget"
    if t.startswith("評価指標"):
        return "indicators"
    return None


@dataclass
class _Row:
    fragment: TableFragment
    cells: list[GridCell]

    def source(self, cell: GridCell) -> Source:
        return Source(self.fragment.page, self.fragment.table_id, cell.row, cell.col, cell.colspan)


@dataclass
class _OpenTable:
    kind: str  # "project" or "kpi"
    rows: list[_Row] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _best_column(cell: GridCell, columns: list[tuple[str, float, float]]) -> str | None:
    best, best_overlap = None, 0.0
    for name, x0, x1 in columns:
        ov = _overlap(cell.x0, cell.x1, x0, x1)
        if ov > best_overlap:
            best, best_overlap = name, ov
    return best


class _Parser:
    def __init__(self) -> None:
        self.area: tuple[int, str] | None = None
        self.field: tuple[int, str] | None = None
        self.category: tuple[str, str] | None = None
        self.open: _OpenTable | None = None
        self.projects: list[ProjectRecord] = []
        self.kpis: list[KpiRecord] = []
        self.footnotes: list[FootnoteRecord] = []
        self.footnote_open: FootnoteRecord | None = None
        self.body_size = 0.0
        self.page = 0
        self.pages_read: set[int] = set()  # pages where a table, heading or footnote was read
        self.area_pages: dict[int, int] = {}  # area number → page of its heading

    # -- free text -------------------------------------------------------------------------------
    def on_line(self, page: int, line: VisualLine) -> None:
        text = squash_spaces(line.text)
        is_heading_size = line.size >= 0.95 * self.body_size
        start = FOOTNOTE_START.match(text)
        if start and (line.leading_marks or start.group(1)):
            self._close_table()
            number = line.leading_marks[0] if line.leading_marks else start.group(1)
            self.footnote_open = FootnoteRecord(int(number), start.group(2).strip(), start.group(3).strip(), page)
            self.footnotes.append(self.footnote_open)
            self.pages_read.add(page)
            return
        if is_heading_size:
            if m := AREA_HEADING.match(text):
                self._close_table()
                self.area = (int(m.group(1)), m.group(2).strip())
                self.area_pages.setdefault(self.area[0], page)
                self.pages_read.add(page)
                self.field = None
                self.category = None
                self.footnote_open = None
                return
            if m := FIELD_HEADING.match(text):
                self._close_table()
                self.field = (int(m.group(1)), m.group(2).strip())
                self.category = None
                self.footnote_open = None
                self.pages_read.add(page)
                return
            if m := CATEGORY_HEADING.match(text):
                self._close_table()
                self.category = (m.group(1).lower(), m.group(2).strip())
                self.footnote_open = None
                self.pages_read.add(page)
                return
        if self.footnote_open is not None and line.size < 0.95 * self.body_size + 2:
            self.footnote_open.text = join_cell_lines([self.footnote_open.text, line.text])
            self.pages_read.add(page)
            return
        # Other prose (the chapter title, the intro paragraph, the 【基本KPI】 label) carries no data.
        self.footnote_open = None

    # -- tables ----------------------------------------------------------------------------------
    def on_fragment(self, fragment: TableFragment, first_on_page: bool) -> None:
        self.footnote_open = None
        rows = fragment.rows()
        if not rows:
            return
        first = _squash(rows[0][0].text)
        if first.lower().startswith("no"):
            self._close_table()
            self.open = _OpenTable("project", context=self._context(fragment))
        elif first.startswith("指標名"):
            self._close_table()
            if self.area is None:
                raise ParseError(f"page {fragment.page}: KPI table {fragment.table_id} before any area heading")
            self.open = _OpenTable("kpi", context={"area": self.area})
        elif self.open is not None and first_on_page:
            pass  # continuation of the table left open on the previous page
        else:
            raise ParseError(
                f"page {fragment.page}: table {fragment.table_id} starts with {rows[0][0].text[:20]!r}, "
                "which is neither a project table (No.), a 基本KPI table (指標名) nor a continued table")
        self.open.rows.extend(_Row(fragment, r) for r in rows)
        self.pages_read.add(fragment.page)

    def _context(self, fragment: TableFragment) -> dict:
        if self.area is None or self.category is None:
            raise ParseError(f"page {fragment.page}: project table {fragment.table_id} has no area/category "
                             "heading above it")
        return {"area": self.area, "field": self.field, "category": self.category}

    def _close_table(self) -> None:
        if self.open is None:
            return
        table, self.open = self.open, None
        if table.kind == "project":
            self.projects.append(_build_project(table))
        else:
            self.kpis.extend(_build_kpis(table, start_no=1 + sum(k.area_no == table.context["area"][0]
                                                                 for k in self.kpis)))

    def finish(self) -> ParsedDocument:
        self._close_table()
        return ParsedDocument(self.projects, self.kpis, self.footnotes)


def _unbalanced(texts: list[str]) -> bool:
    """True when a bracket opened in a cell is not closed there: the cell was cut by a page break."""
    return any(t.count("(") > t.count(")") for t in texts)


def _data_cells(row: _Row, label_x1: float) -> list[GridCell]:
    return [c for c in row.cells if c.x0 >= label_x1 - LABEL_SLACK]


def _column_partner(cell: GridCell, row: list[GridCell]) -> GridCell | None:
    best, best_overlap = None, 0.0
    for other in row:
        ov = _overlap(cell.x0, cell.x1, other.x0, other.x1)
        if ov > best_overlap:
            best, best_overlap = other, ov
    return best


def _is_cut(previous: _Row, first: _Row, left_edge: float) -> bool:
    """Whether a page break cut the row that ends `previous`'s page and goes on in `first` on the next.

    Producers draw a rule where they cut a row (LibreOffice) or none (browsers), so the rules cannot tell;
    the text can: a data cell is empty on one side of the break and filled in the same column on the
    other (the text moved wholly to one page, or ended before the cut), or a bracket opened before the
    break is closed after it. A row that merely starts on a new page has every data cell filled on both
    sides (the plan prints "-" for "nothing").
    """
    data_first = [c for c in first.cells if abs(c.x0 - left_edge) > LABEL_SLACK]
    data_previous = [c for c in previous.cells if abs(c.x0 - left_edge) > LABEL_SLACK]
    for a, b_row in ((data_first, data_previous), (data_previous, data_first)):
        for cell in a:
            partner = _column_partner(cell, b_row)
            if partner is not None and not cell.text.strip() and partner.text.strip():
                return True
    return _unbalanced([c.text for c in data_previous])


def _copy(row: _Row) -> _Row:
    return _Row(row.fragment, [GridCell(**{**c.__dict__, "marks": list(c.marks)}) for c in row.cells])


def _join_rows(previous: _Row, row: _Row) -> _Row:
    """`row`'s cell texts appended, column by column, to `previous`'s."""
    joined = _copy(previous)
    for cell in row.cells:
        partner = _column_partner(cell, joined.cells)
        if partner is None:
            joined.cells.append(cell)
        elif cell.text:
            partner.text = join_cell_lines([partner.text, cell.text])
            partner.marks += cell.marks
    joined.cells.sort(key=lambda c: c.x0)
    return joined


def _section_of(row: _Row, left_edge: float) -> str | None:
    lead = row.cells[0]
    return _label_kind(lead.text) if abs(lead.x0 - left_edge) <= LABEL_SLACK and lead.text.strip() else None


def _glue_cut_rows(rows: list[_Row], left_edge: float, labelled: bool = True) -> list[_Row]:
    """Rows with every row that a page break cut joined back into one (cell texts joined by column).

    Three cuts are told apart from a row that merely starts on the next page: a merged label cut in two
    (its rest at the head of the page holds text that is no label: joined to the label, the row stays),
    a cut row (see `_is_cut`), and a cut 事業予定年度 header: that section is one header row and one
    row of amounts, so a third row in it, at a page break, is the rest of the header.
    """
    glued: list[_Row] = []
    for row in rows:
        previous = glued[-1] if glued else None
        new_page = previous is not None and row.fragment is not previous.fragment
        lead = row.cells[0]
        if (new_page and labelled and abs(lead.x0 - left_edge) <= LABEL_SLACK and lead.text.strip()
                and _label_kind(lead.text) is None):
            # The rest of a merged label cut by the page break: back onto the label it continues.
            row = _copy(row)
            rest, row.cells[0].text = row.cells[0].text, ""
            owner = next(r for r in reversed(glued) if abs(r.cells[0].x0 - left_edge) <= LABEL_SLACK
                         and r.cells[0].text.strip())
            index = glued.index(owner)
            glued[index] = _copy(owner)
            glued[index].cells[0].text = join_cell_lines([owner.cells[0].text, rest])
        if new_page and _is_cut(previous, row, left_edge):
            glued[-1] = _join_rows(previous, row)
            continue
        glued.append(row)
    return _glue_budget_header(glued, left_edge) if labelled else glued


def _glue_budget_header(rows: list[_Row], left_edge: float) -> list[_Row]:
    """A 事業予定年度 section of three rows whose second starts a page: its first two are one cut header."""
    starts = [i for i, r in enumerate(rows) if _section_of(r, left_edge) is not None] + [len(rows)]
    for start, end in zip(starts, starts[1:]):
        if (_section_of(rows[start], left_edge) == "budget" and end - start == 3
                and rows[start + 1].fragment is not rows[start].fragment):
            return rows[:start] + [_join_rows(rows[start], rows[start + 1])] + rows[start + 2:]
    return rows


def _printed_cells(rows: list[_Row]) -> list[tuple[TableFragment, GridCell]]:
    """Every cell of a table as printed (before cut rows are glued): what glyph conservation counts."""
    for fragment in {id(r.fragment): r.fragment for r in rows}.values():
        check_fragment_placed(fragment)
    return [(r.fragment, c) for r in rows for c in r.cells]


def _project_texts(record: ProjectRecord) -> list[str]:
    """Every text of a project record that was read from its table."""
    return [record.name, record.summary, record.municipalities.text,
            *(t for r in [*record.roles, *record.cost_shares] for t in (r.party, r.text)),
            *(h.text for h in record.year_headers), *(b.text for b in record.budget_cells),
            *(t for i in record.indicators for t in (i.item, i.baseline, i.target))]


def _build_project(table: _OpenTable) -> ProjectRecord:
    first_fragment = table.rows[0].fragment
    printed = _printed_cells(table.rows)
    labels: list[str] = []  # texts read as labels (row labels, column headers, the No. cell)
    table = _OpenTable(table.kind, _glue_cut_rows(table.rows, first_fragment.x0), table.context)
    where = f"page {first_fragment.page}, table {first_fragment.table_id}"
    section: str | None = None
    label_x1 = 0.0
    left_edge = first_fragment.x0
    fields: dict = {"summary": [], "municipalities": None, "roles": [], "cost_shares": [],
                    "year_headers": [], "year_columns": [], "budget_cells": [], "indicators": [],
                    "indicator_columns": None}
    project_no: int | None = None
    name = ""
    marks: list[str] = []
    seen: set[str] = set()
    last_indicator_fragment: TableFragment | None = None
    for row in table.rows:
        for cell in row.cells:
            marks.extend(cell.marks)
        lead = row.cells[0]
        kind = _label_kind(lead.text) if abs(lead.x0 - left_edge) <= LABEL_SLACK and lead.text.strip() else None
        if kind is not None:
            if kind in seen and kind != section:
                # Each section comes once (a label repeated on a continued page continues its section).
                # A second one means another project's rows ran into this one: a table whose No. row
                # could not be read was taken for a continuation. Never merge two projects silently.
                raise ParseError(
                    f"page {row.fragment.page}, table {row.fragment.table_id}: a second {SECTION_LABELS[kind]} "
                    f"row in project {project_no} ({where}): a project table whose No. row cannot be read?")
            seen.add(kind)
            section = kind
            label_x1 = lead.x1
            if kind != "header":
                labels.append(lead.text)
                cells = _data_cells(row, label_x1)
            else:
                cells = row.cells
        else:
            if section is None:
                raise ParseError(f"{where}: row {lead.row} has no label ({lead.text[:20]!r})")
            cells = _data_cells(row, label_x1)

        if section == "header":
            texts = [_squash(c.text) for c in cells]
            for i, t in enumerate(texts):
                if t.lower().startswith("no") and i + 1 < len(cells):
                    number = _squash(cells[i + 1].text)
                    if not number.isdigit():
                        raise ParseError(f"{where}: project number {cells[i + 1].text!r} is not a number")
                    project_no = int(number)
                    labels += [cells[i].text, cells[i + 1].text]
                if t == "連携事業名":
                    labels.append(cells[i].text)
                    name = join_cell_lines([c.text for c in cells[i + 1:]])
        elif section == "summary":
            fields["summary"].extend(c.text for c in cells if c.text)
        elif section == "municipalities":
            texts = [c for c in cells if c.text]
            if texts and fields["municipalities"] is not None:
                # The rest of a row the printer broke over a page.
                previous = fields["municipalities"]
                previous.text = join_cell_lines([previous.text, *(c.text for c in texts)])
            elif texts:
                fields["municipalities"] = TextValue(join_cell_lines([c.text for c in texts]), row.source(texts[0]))
        elif section in ("roles", "cost_shares"):
            party_cells = [c for c in row.cells if _squash(c.text) in PARTIES]
            if not party_cells:
                # The remainder of a row that the printer broke over a page: its text continues the
                # previous party's cell. An empty remainder carries nothing.
                rest = [c for c in cells if c.text]
                if rest and fields[section]:
                    previous = fields[section][-1]
                    if not previous.text:
                        previous.source = row.source(rest[0])
                    previous.text = join_cell_lines([previous.text, *(c.text for c in rest)])
                elif rest:
                    raise ParseError(f"{where}: {SECTION_LABELS[section]} row {lead.row} names no party "
                                     "(札幌市/連携市町村)")
                continue
            party = party_cells[0]
            values = [c for c in row.cells if c.x0 >= party.x1 - LABEL_SLACK and c.text]
            # A party whose text the page cut off entirely is kept with no text yet: the rest of its row
            # (at the head of the next page, with an empty party cell) continues it.
            fields[section].append(PartyRow(_squash(party.text), join_cell_lines([c.text for c in values]),
                                            row.source(values[0] if values else party)))
        elif section == "budget":
            if fields["year_columns"] and not fields["budget_cells"] and _unbalanced(
                    [h.text for h in fields["year_headers"]]):
                # The header row was broken over a page ("2024年度(R6" / "年度)"): glue the rest back on.
                for c in cells:
                    for i, (header, x0, x1) in enumerate(fields["year_columns"]):
                        if c.text and _overlap(c.x0, c.x1, x0, x1) > 0.5 * (x1 - x0):
                            joined = join_cell_lines([header, c.text])
                            fields["year_columns"][i] = (joined, x0, x1)
                            fields["year_headers"][i].text = joined
                continue
            if not fields["year_columns"]:
                for c in cells:
                    if c.text:
                        fields["year_headers"].append(TextValue(c.text, row.source(c)))
                        fields["year_columns"].append((c.text, c.x0, c.x1))
            else:
                for c in cells:
                    if not c.text:
                        continue
                    covered = [h for h, x0, x1 in fields["year_columns"]
                               if _overlap(c.x0, c.x1, x0, x1) > 0.5 * (x1 - x0)]
                    if not covered:
                        raise ParseError(f"{where}: budget cell {c.text!r} lies under no fiscal-year column")
                    fields["budget_cells"].append(BudgetCell(c.text, covered, row.source(c)))
        elif section == "indicators":
            columns = fields["indicator_columns"]
            texts = [_squash(c.text) for c in cells]
            if columns is None or (texts and texts[0] == "項目"):
                if columns is None:
                    found = []
                    for c, t in zip(cells, texts):
                        key = ("item" if t.startswith("項目") else "baseline" if t.startswith("基準")
                               else "target" if t.startswith("目標") else None)
                        if key:
                            found.append((key, c.x0, c.x1))
                    if {k for k, _, _ in found} != {"item", "baseline", "target"}:
                        raise ParseError(f"{where}: 評価指標 header is {texts!r}, expected 項目/基準値/目標値")
                    fields["indicator_columns"] = found
                labels += [c.text for c in cells]
                continue
            values: dict[str, list[str]] = {"item": [], "baseline": [], "target": []}
            for c in cells:
                key = _best_column(c, columns)
                if key and c.text:
                    values[key].append(c.text)
            if not any(values.values()):
                continue
            if not values["item"] and not fields["indicators"]:
                labels += [c.text for c in cells]
                continue  # the rest of the header row, broken over a page ("年)" under 基準値(基準…)
            if not values["item"] and fields["indicators"]:
                # Remainder of an indicator row broken over a page: extend the previous indicator. Only a
                # page break can cut a row; on the same page a row without 項目 is a row of its own, and
                # folding it into the previous one would leave fewer indicators than the rows printed.
                if last_indicator_fragment is row.fragment:
                    raise ParseError(f"page {row.fragment.page}, table {row.fragment.table_id}: 評価指標 row "
                                     f"{row.cells[0].row} of project {project_no} has no 項目")
                last_indicator_fragment = row.fragment
                previous = fields["indicators"][-1]
                previous.baseline = join_cell_lines([previous.baseline, *values["baseline"]])
                previous.target = join_cell_lines([previous.target, *values["target"]])
                continue
            item_cell = next((c for c in cells if _best_column(c, columns) == "item"), cells[0])
            last_indicator_fragment = row.fragment
            fields["indicators"].append(IndicatorRow(
                join_cell_lines(values["item"]), join_cell_lines(values["baseline"]),
                join_cell_lines(values["target"]), row.source(item_cell)))
    if project_no is None:
        raise ParseError(f"{where}: project table without a number")
    if not name:
        raise ParseError(f"{where}: project {project_no} has no 連携事業名")
    if fields["municipalities"] is None:
        raise ParseError(f"{where}: project {project_no} has no 連携市町村 row")
    for key in ("roles", "cost_shares"):
        labels += [r.party for r in fields[key] if not r.text]
        fields[key] = [r for r in fields[key] if r.text]  # a party printed with no text states nothing
    for key, label in (("summary", "事業概要"), ("roles", "役割分担"), ("cost_shares", "費用負担"),
                       ("year_headers", "事業予定年度"), ("budget_cells", "事業費見込額")):
        if not fields[key]:
            raise ParseError(f"{where}: project {project_no} has no {label} row")
    if fields["indicator_columns"] is None:
        raise ParseError(f"{where}: project {project_no} has no 評価指標 row")
    for key, label in (("roles", "役割分担"), ("cost_shares", "費用負担")):
        parties = [r.party for r in fields[key]]
        if len(set(parties)) != len(parties):
            raise ParseError(f"{where}: project {project_no} names a party twice under {label}: {parties}")
    ctx = table.context
    pages = sorted({r.fragment.page for r in table.rows})
    record = ProjectRecord(
        project_no=project_no, name=name, summary=join_cell_lines(fields["summary"]),
        municipalities=fields["municipalities"],
        area_no=ctx["area"][0], area_title=ctx["area"][1],
        field_no=ctx["field"][0] if ctx["field"] else None, field_title=ctx["field"][1] if ctx["field"] else None,
        category_code=ctx["category"][0], category_title=ctx["category"][1],
        pages=pages, table_id=first_fragment.table_id,
        roles=fields["roles"], cost_shares=fields["cost_shares"],
        year_headers=fields["year_headers"], budget_cells=fields["budget_cells"],
        indicators=fields["indicators"], marks=marks,
    )
    check_conserved(f"{where}: project {project_no}", printed, [*labels, *_project_texts(record)])
    return record


def _build_kpis(table: _OpenTable, start_no: int) -> list[KpiRecord]:
    printed = _printed_cells(table.rows)
    header, *rows = _glue_cut_rows(table.rows, table.rows[0].fragment.x0, labelled=False)
    columns = []
    for c in header.cells:
        t = _squash(c.text)
        key = "name" if t.startswith("指標") else "current" if t.startswith("現状") else \
            "target" if t.startswith("目標") else None
        if key:
            columns.append((key, c.x0, c.x1))
    if {k for k, _, _ in columns} != {"name", "current", "target"}:
        raise ParseError(f"page {header.fragment.page}: 基本KPI header is {[c.text for c in header.cells]!r}")
    kpis = []
    area_no = table.context["area"][0]
    for row in rows:
        values: dict[str, list[str]] = {"name": [], "current": [], "target": []}
        for c in row.cells:
            key = _best_column(c, columns)
            if key and c.text:
                values[key].append(c.text)
        if not values["name"]:
            continue
        kpis.append(KpiRecord(area_no, start_no + len(kpis), join_cell_lines(values["name"]),
                              join_cell_lines(values["current"]), join_cell_lines(values["target"]),
                              row.source(row.cells[0])))
    first = table.rows[0].fragment
    check_conserved(f"page {first.page}, table {first.table_id}: 基本KPI of area {area_no}", printed,
                    [*(c.text for c in header.cells), *(t for k in kpis for t in (k.name, k.current, k.target))])
    return kpis


def parse_layout(pages: list[PageLayout]) -> ParsedDocument:
    """Walk pages in reading order and build the records."""
    parser = _Parser()
    sizes = [line.size for page in pages for line in page.lines]
    table_sizes = sorted(s for page in pages for s in _cell_sizes(page))
    parser.body_size = table_sizes[len(table_sizes) // 2] if table_sizes else (min(sizes) if sizes else 0.0)
    for page in pages:
        events: list[tuple[float, int, object]] = []
        for fragment in page.fragments:
            events.append((fragment.top, 1, fragment))
        for line in page.lines:
            events.append((line.top, 0, line))
        events.sort(key=lambda e: (e[0], e[1]))
        first_fragment = True
        for _, kind, item in events:
            if kind == 1:
                parser.on_fragment(item, first_fragment)  # type: ignore[arg-type]
                first_fragment = False
            else:
                parser.on_line(page.page, item)  # type: ignore[arg-type]
    document = parser.finish()
    if not document.projects:
        raise ParseError("no project tables (No. / 連携事業名) found: is this the plan's chapter VI?")
    check_no_gaps(document, pages, parser.pages_read, parser.area_pages)
    return document


def _cell_sizes(page: PageLayout) -> list[float]:
    return [getattr(f, "body_size", 0.0) for f in page.fragments if getattr(f, "body_size", 0.0)]
