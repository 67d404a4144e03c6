"""Parse stage: page layouts (tables with spans, free text lines) → project, KPI and footnote records.

The parser reads the document the way a person does: headings set the area / field / category context,
a table whose first cell is "No." opens a project, one headed 指標名 is a 基本KPI table, and a table at the
top of a page that opens with neither continues the table left open on the previous page. Rows are
recognised by their label text and cells are matched to columns by x position, not by grid index, so a
table split over pages (whose fragments have different grids) and other printers' column widths read the
same.

This module walks the pages (headings, footnotes, which table is open); the tables are read by
pipeline/stages/parse_project.py and pipeline/stages/parse_kpi.py over the rows of pipeline/stages/table_rows.py, and the
project table's section labels are pipeline/stages/sections.py.
"""

from __future__ import annotations

import dataclasses

import regex

from extractors.ruled import GridCell, PageLayout, TableFragment
from extractors.settings import Layout
from extractors.text import body_size
from extractors.textlines import VisualLine
from pipeline.errors import ParseError
from pipeline.checks import check_no_gaps
from pipeline.stages.cut_labels import rejoin_cut_labels
from pipeline.stages.parse_kpi import build_kpis
from pipeline.stages.parse_project import PARTIES, build_project
from pipeline.stages.records import FootnoteRecord, KpiRecord, ParsedDocument, ProjectRecord
from pipeline.stages.sections import NAME_LABEL, SECTION_LABELS, label_kind, squash
from pipeline.stages.table_rows import OpenTable, Row
from extractors.textnorm import join_cell_lines, squash_spaces

__all__ = ["PARTIES", "ParseError", "SECTION_LABELS", "parse_layout"]

AREA_HEADING = regex.compile(r"^([1-9])\s*(\p{Han}.{1,60}?)\s*(?:【基本KPI】)?$")
FIELD_HEADING = regex.compile(r"^[(（]([1-9])[)）]\s*(\S.{1,60}?)$")
CATEGORY_HEADING = regex.compile(r"^([a-zA-Z])\s*(?=[\p{Han}\p{Katakana}\p{Hiragana}A-Z])(\S.{1,60}?)$")
FOOTNOTE_START = regex.compile(r"^(\d{1,3})?\s*【([^】]+)】\s*(.*)$")


class _Parser:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.area: tuple[int, str] | None = None
        self.field: tuple[int, str] | None = None
        self.category: tuple[str, str] | None = None
        self.open: OpenTable | None = None
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
        is_heading_size = line.size >= self.layout.body_size_floor * self.body_size
        start = FOOTNOTE_START.match(text)
        if start and (line.leading_marks or start.group(1)):
            self._close_table()
            number = line.leading_marks[0] if line.leading_marks else start.group(1)
            self.footnote_open = FootnoteRecord(int(number), start.group(2).strip(), start.group(3).strip(), page,
                                                line.x0, line.top, line.x1, line.bottom)
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
        footnote_max = self.layout.body_size_floor * self.body_size + self.layout.footnote_size_slack
        if self.footnote_open is not None and line.size < footnote_max:
            self.footnote_open.text = join_cell_lines([self.footnote_open.text, line.text])
            _extend_box(self.footnote_open, page, line)
            self.pages_read.add(page)
            return
        # Other prose (the chapter title, the intro paragraph, the 【基本KPI】 label) carries no data.
        self.footnote_open = None

    # -- tables ----------------------------------------------------------------------------------
    def on_fragment(self, fragment: TableFragment, first_on_page: bool) -> None:
        self.footnote_open = None
        for i, rows in enumerate(_tables_in(fragment, self.layout.label_slack)):
            self._on_rows(fragment, rows, first_on_page and i == 0)

    def _on_rows(self, fragment: TableFragment, rows: list[list[GridCell]], first_on_page: bool) -> None:
        first = squash(rows[0][0].text)
        if label_kind(first) == "header":
            self._close_table()
            self.open = OpenTable("project", self.layout, context=self._context(fragment))
        elif first.startswith("指標名"):
            self._close_table()
            if self.area is None:
                raise ParseError(f"page {fragment.page}: KPI table {fragment.table_id} before any area heading")
            self.open = OpenTable("kpi", self.layout, context={"area": self.area})
        elif self.open is not None and first_on_page:
            pass  # continuation of the table left open on the previous page
        else:
            raise ParseError(
                f"page {fragment.page}: table {fragment.table_id} starts with {rows[0][0].text[:20]!r}, "
                f"which is neither a project table ({SECTION_LABELS['header']}), a 基本KPI table (指標名) nor a "
                "continued table")
        self.open.rows.extend(Row(fragment, r) for r in rows)
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
            self.projects.append(build_project(table))
        else:
            self.kpis.extend(build_kpis(table, start_no=1 + sum(k.area_no == table.context["area"][0]
                                                                 for k in self.kpis)))

    def finish(self) -> ParsedDocument:
        self._close_table()
        return ParsedDocument(self.projects, self.kpis, self.footnotes)


def _opens_table(cell: GridCell, left_edge: float, slack: float) -> bool:
    text = squash(cell.text)
    return abs(cell.x0 - left_edge) <= slack and (label_kind(text) == "header" or text.startswith("指標名"))


def _tables_in(fragment: TableFragment, slack: float) -> list[list[list[GridCell]]]:
    """The fragment's rows, split before every later row that opens a table (No., 指標名) and that no cell
    above runs across.

    Why: tables whose rulings touch come as one fragment. WebKit paints the rest of a row cut by a page
    break over the table printed under it (extractors/frames.py clips it back to where that table
    begins), so the two share a rule. A project and a 基本KPI table always begin with that row, so it is
    where the next table begins; a row that a cell above runs across is no table's first row, and stays
    (the project reader then refuses a second No. row)."""
    rows = fragment.rows()
    tables: list[list[list[GridCell]]] = []
    start = 0
    for k in range(1, len(rows)):
        lead = rows[k][0]
        closed = all(c.row + c.rowspan <= lead.row for r in rows[start:k] for c in r)
        if closed and _opens_table(lead, fragment.x0, slack):
            tables.append(rows[start:k])
            start = k
    if rows:
        tables.append(rows[start:])
    return tables


def _edges(row: list[GridCell]) -> list[float]:
    return sorted({c.x0 for c in row} | {c.x1 for c in row})


def _opening_labels_only(cell: GridCell) -> bool:
    text = squash(cell.text)
    return not text or label_kind(text) == "header" or text == NAME_LABEL


def _foot(page: PageLayout) -> TableFragment | None:
    """The page's last table when nothing is printed below it (its page number aside)."""
    last = max(page.fragments, key=lambda f: f.top, default=None)
    return None if last is None or any(l.top > last.top for l in page.lines) else last


def _head(page: PageLayout) -> TableFragment | None:
    """The page's first table when nothing is printed above it."""
    first = min(page.fragments, key=lambda f: f.top, default=None)
    return None if first is None or any(l.top < first.top for l in page.lines) else first


def _cut_opening(start: TableFragment, rest: TableFragment, slack: float) -> TableFragment | None:
    """``rest`` (the next page's head table) with the first row that ``start`` (this page's foot table)
    began, when ``start`` is that row's start, cut off by the page break; else None.

    WebKit does not keep a table's first row (No.) together: at the foot of the page it paints the row's
    frames, empty or with a label (連携事業名), and the row again at the head of the next page with the rest
    (No., the number, the name). That start is one row in the same columns as the rest's first row, and
    holds nothing but the No. row's labels, each over an empty cell of the rest; joined to it, it makes a
    row that opens a project table. Its labels go into those empty cells (glyph conservation counts them
    there), and every value keeps the cell it is printed in."""
    rows = start.rows()
    if start.unplaced or len(rows) != 1 or not all(_opening_labels_only(c) for c in rows[0]):
        return None
    first = rest.rows()[0]
    start_edges, rest_edges = _edges(rows[0]), _edges(first)
    if len(start_edges) != len(rest_edges) or any(abs(a - b) > slack for a, b in zip(start_edges, rest_edges)):
        return None
    labels: dict[int, str] = {}  # id of the rest's cell → the label printed over it at the foot
    for cell in rows[0]:
        if not cell.text.strip():
            continue
        under = next((c for c in first if abs(c.x0 - cell.x0) <= slack and abs(c.x1 - cell.x1) <= slack), None)
        if under is None or under.text.strip():
            return None  # no cell of the rest under the label, or one with text: not this row's start
        labels[id(under)] = cell.text
    joined = [dataclasses.replace(c, text=labels[id(c)]) if id(c) in labels else c for c in first]
    if not _opens_table(joined[0], rest.x0, slack) or label_kind(squash(joined[0].text)) != "header":
        return None
    replaced = {id(c): j for c, j in zip(first, joined)}
    return dataclasses.replace(rest, cells=[replaced.get(id(c), c) for c in rest.cells])


def _rejoin_cut_openings(pages: list[PageLayout], slack: float) -> list[PageLayout]:
    """The pages with each project table's first row that a page break cut joined back (`_cut_opening`)."""
    out = list(pages)
    for i in range(len(out) - 1):
        page, following = out[i], out[i + 1]
        start, head = _foot(page), _head(following)
        rest = _cut_opening(start, head, slack) if start is not None and head is not None else None
        if rest is not None:
            out[i] = dataclasses.replace(page, fragments=[f for f in page.fragments if f is not start])
            out[i + 1] = dataclasses.replace(following, fragments=[rest if f is head else f
                                                                   for f in following.fragments])
    return out


def _goes_on(page: PageLayout, following: PageLayout, slack: float) -> bool:
    """Whether the last table of ``page`` goes on at the head of ``following``: that page's first table,
    with nothing printed above it, opens no table (No., 指標名)."""
    head = _head(following)
    last = max(page.fragments, key=lambda f: f.top, default=None)
    return last is not None and head is not None and not _opens_table(head.rows()[0][0], head.x0, slack)


def _rejoin_cut_labels(pages: list[PageLayout], slack: float) -> list[PageLayout]:
    """The pages with each label that a page break cut inside its text, its rest painted past the cut,
    joined back (pipeline/stages/cut_labels.py), on every page whose last table goes on on the next."""
    return [rejoin_cut_labels(page, slack) if following is not None and _goes_on(page, following, slack) else page
            for page, following in zip(pages, [*pages[1:], None])]


def parse_layout(pages: list[PageLayout], layout: Layout = Layout()) -> ParsedDocument:
    """Walk pages in reading order and build the records, with the tolerances of ``layout``."""
    parser = _Parser(layout)
    pages = _rejoin_cut_openings(_rejoin_cut_labels(pages, layout.label_slack), layout.label_slack)
    # The document's body size (`extractors.text.body_size`): of the table cells' body sizes, the text of
    # the chapter's data; without a table (refused below) of the free text lines.
    table_sizes = [s for page in pages for s in _cell_sizes(page)]
    parser.body_size = body_size(table_sizes) or body_size(line.size for page in pages for line in page.lines)
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
        raise ParseError(f"no project tables ({SECTION_LABELS['header']} / {NAME_LABEL}) found: is this the plan's "
                         "chapter VI?")
    check_no_gaps(document, pages, parser.pages_read, parser.area_pages)
    return document


def _extend_box(footnote: FootnoteRecord, page: int, line: VisualLine) -> None:
    """Grow the footnote's box over a line it continues on its own page (its provenance is one box)."""
    if page == footnote.page:
        footnote.x0, footnote.top = min(footnote.x0, line.x0), min(footnote.top, line.top)
        footnote.x1, footnote.bottom = max(footnote.x1, line.x1), max(footnote.bottom, line.bottom)


def _cell_sizes(page: PageLayout) -> list[float]:
    return [f.body_size for f in page.fragments if f.body_size]
