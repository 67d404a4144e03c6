"""Rows of a table read over one or more pages: cells matched by x position, rows cut by a page break
glued back together.

A table that runs over a page break comes as several fragments whose grids differ (each page's rules are
their own), so a cell's column is where it lies, not its grid index. The project and the 基本KPI readers
share these rows; only the project tables have labelled sections (see pipeline/stages/sections.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.ruled import GridCell, TableFragment
from extractors.settings import Layout
from extractors.text import overlap
from pipeline.checks import check_fragment_placed
from pipeline.stages.records import Source
from pipeline.stages.sections import is_party, label_kind
from extractors.textnorm import join_cell_lines


@dataclass
class Row:
    """One printed row of a table fragment, its cells left to right."""

    fragment: TableFragment
    cells: list[GridCell]

    def source(self, cell: GridCell) -> Source:
        return Source(self.fragment.page, self.fragment.table_id, cell.row, cell.col, cell.colspan,
                      cell.x0, cell.top, cell.x1, cell.bottom)


@dataclass
class OpenTable:
    """A table being read: its rows so far (over pages) and the headings it was printed under."""

    kind: str  # "project" or "kpi"
    layout: Layout  # the tolerances the table is read with (the parse stage's)
    rows: list[Row] = field(default_factory=list)
    context: dict = field(default_factory=dict)


def best_column(cell: GridCell, columns: list[tuple[str, float, float]]) -> str | None:
    """The named column (name, x0, x1) that `cell` overlaps most, None when it overlaps none."""
    best, best_overlap = None, 0.0
    for name, x0, x1 in columns:
        ov = overlap(cell.x0, cell.x1, x0, x1)
        if ov > best_overlap:
            best, best_overlap = name, ov
    return best


def header_columns(cells: list[GridCell], texts: list[str],
                   openings: tuple[tuple[str, str], ...]) -> list[tuple[str, float, float]] | None:
    """The named columns (name, x0, x1) of a header row: a cell whose text (``texts``, one per cell) opens with
    one of ``openings``' labels names the column it spans; None unless every name is found."""
    found = []
    for c, t in zip(cells, texts):
        key = next((name for opening, name in openings if t.startswith(opening)), None)
        if key:
            found.append((key, c.x0, c.x1))
    return found if {k for k, _, _ in found} == {name for _, name in openings} else None


def unbalanced(texts: list[str]) -> bool:
    """True when a bracket opened in a cell is not closed there: the cell was cut by a page break."""
    return any(t.count("(") > t.count(")") for t in texts)


def is_label(cell: GridCell, left_edge: float, slack: float) -> bool:
    """Whether `cell` is a filled cell at the table's left edge (within ``slack``: `Layout.label_slack`),
    where the row labels are printed."""
    return abs(cell.x0 - left_edge) <= slack and bool(cell.text.strip())


def data_cells(row: Row, label_x1: float, slack: float) -> list[GridCell]:
    """The cells of `row` right of a label that ends at `label_x1` (less ``slack``: `Layout.label_slack`)."""
    return [c for c in row.cells if c.x0 >= label_x1 - slack]


def section_of(row: Row, left_edge: float, slack: float) -> str | None:
    """The section whose label opens `row`, None for a row with no label (a section's later row)."""
    lead = row.cells[0]
    return label_kind(lead.text) if is_label(lead, left_edge, slack) else None


def _column_partner(cell: GridCell, row: list[GridCell]) -> GridCell | None:
    best, best_overlap = None, 0.0
    for other in row:
        ov = overlap(cell.x0, cell.x1, other.x0, other.x1)
        if ov > best_overlap:
            best, best_overlap = other, ov
    return best


def _label_pushed(previous: Row, first: Row, left_edge: float, slack: float) -> bool:
    """Whether a one-text row (a label and one text cell: 事業概要, 連携市町村) was cut with its label moved
    wholly to the next page (WebKit): a blank label cell at the foot beside the text's start, the label
    over the text's rest at the head of the next page, in the same columns."""
    if len(previous.cells) != 2 or len(first.cells) != 2:
        return False
    (label_a, text_a), (label_b, text_b) = previous.cells, first.cells
    same = all(abs(a - b) <= slack
               for a, b in ((label_a.x0, label_b.x0), (label_a.x1, label_b.x1), (text_a.x0, text_b.x0),
                            (text_a.x1, text_b.x1), (label_a.x1, text_a.x0)))
    return (same and abs(label_a.x0 - left_edge) <= slack and not label_a.text.strip()
            and is_label(label_b, left_edge, slack) and bool(text_a.text.strip()) and bool(text_b.text.strip()))


def _is_cut(previous: Row, first: Row, left_edge: float, slack: float) -> bool:
    """Whether a page break cut the row that ends `previous`'s page and goes on in `first` on the next.

    Producers draw a rule where they cut a row (LibreOffice) or none (browsers), so the rules cannot tell;
    the text can: a data cell is empty on one side of the break and filled in the same column on the
    other (the text moved wholly to one page, or ended before the cut), or a bracket opened before the
    break is closed after it. A row that merely starts on a new page has every data cell filled on both
    sides (the plan prints "-" for "nothing").
    """
    data_first = [c for c in first.cells if abs(c.x0 - left_edge) > slack]
    data_previous = [c for c in previous.cells if abs(c.x0 - left_edge) > slack]
    if _label_pushed(previous, first, left_edge, slack):
        return True
    for a, b_row in ((data_first, data_previous), (data_previous, data_first)):
        for cell in a:
            partner = _column_partner(cell, b_row)
            if partner is not None and not cell.text.strip() and partner.text.strip():
                return True
    return unbalanced([c.text for c in data_previous])


def _party_cut(previous: Row, first: Row, left_edge: float, slack: float) -> bool:
    """Whether the page break cut a party label inside its text ("連携市町" at the foot, "村" in the same
    column at the head of the next page, each beside its part of the party's text): a cell of `previous`
    that names no party, joined with the one under it in `first`, names one.

    Both parts holding text, `_is_cut` sees a row that starts on the new page; read so, the head's part
    names no party and the project reader refuses it. Parts that make no party stay two rows, refused
    so (never read into the party before)."""
    for cell in previous.cells:
        partner = _column_partner(cell, first.cells)
        if (abs(cell.x0 - left_edge) > slack and partner is not None and cell.text.strip() and partner.text.strip()
                and not is_party(cell.text) and is_party(join_cell_lines([cell.text, partner.text]))):
            return True
    return False


def _copy(row: Row) -> Row:
    return Row(row.fragment, [GridCell(**{**c.__dict__, "marks": list(c.marks)}) for c in row.cells])


def _join_rows(previous: Row, row: Row) -> Row:
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


def _blank(row: Row) -> bool:
    return not any(c.text.strip() for c in row.cells)


def _without_pushed_rows(rows: list[Row]) -> list[Row]:
    """The rows without the blank rows that end a page's fragment of a table going on on the next page, or
    that begin the next page's.

    WebKit (wkhtmltopdf) moves the text of a row that does not fit to the next page but still paints the
    row's cells at the foot of this one: empty cells, the row printed again in full over the page. Such a
    row holds no glyph (nothing of it is lost); every row of the plan holds a label or a value ("-" for
    nothing), so a blank row is never data.
    """
    kept: list[Row] = []
    for i, row in enumerate(rows):
        later = rows[i + 1:]
        if _blank(row) and any(r.fragment is not row.fragment for r in later) and \
                all(_blank(r) for r in later if r.fragment is row.fragment):
            continue
        if _blank(row) and kept and kept[-1].fragment is not row.fragment and \
                any(r.fragment is row.fragment for r in later):
            # The head of a continued page, blank (WebKit paints a merged label's rest from the page's top,
            # above the row it belongs to): the row under it is the one the page break cut.
            continue
        kept.append(row)
    return kept


def glue_cut_rows(rows: list[Row], left_edge: float, slack: float, labelled: bool = True) -> list[Row]:
    """Rows with every row that a page break cut joined back into one (cell texts joined by column).

    Four cuts are told apart from a row that merely starts on the next page: a merged label cut in two
    (its rest at the head of the page holds text that is no label: joined to the label, the row stays),
    a cut row (see `_is_cut`), a party label cut inside its text (`_party_cut`), and a cut 事業予定年度
    header: that section is one header row and one row of amounts, so a third row in it, at a page
    break, is the rest of the header.
    """
    glued: list[Row] = []
    for row in _without_pushed_rows(rows):
        previous = glued[-1] if glued else None
        new_page = previous is not None and row.fragment is not previous.fragment
        lead = row.cells[0]
        if new_page and labelled and is_label(lead, left_edge, slack) and label_kind(lead.text) is None:
            # The rest of a merged label cut by the page break: back onto the label it continues.
            row = _copy(row)
            rest, row.cells[0].text = row.cells[0].text, ""
            owner = next(r for r in reversed(glued) if is_label(r.cells[0], left_edge, slack))
            index = glued.index(owner)
            glued[index] = _copy(owner)
            glued[index].cells[0].text = join_cell_lines([owner.cells[0].text, rest])
            previous = glued[-1]  # the owner itself when the label's row is the last before the break
        if new_page and (_is_cut(previous, row, left_edge, slack)
                         or labelled and _party_cut(previous, row, left_edge, slack)):
            glued[-1] = _join_rows(previous, row)
            continue
        glued.append(row)
    return _glue_budget_header(glued, left_edge, slack) if labelled else glued


def _glue_budget_header(rows: list[Row], left_edge: float, slack: float) -> list[Row]:
    """A 事業予定年度 section of three rows whose second starts a page: its first two are one cut header."""
    starts = [i for i, r in enumerate(rows) if section_of(r, left_edge, slack) is not None] + [len(rows)]
    for start, end in zip(starts, starts[1:]):
        if (section_of(rows[start], left_edge, slack) == "budget" and end - start == 3
                and rows[start + 1].fragment is not rows[start].fragment):
            return rows[:start] + [_join_rows(rows[start], rows[start + 1])] + rows[start + 2:]
    return rows


def printed_cells(rows: list[Row]) -> list[tuple[TableFragment, GridCell]]:
    """Every cell of a table as printed (before cut rows are glued): what glyph conservation counts."""
    for fragment in {id(r.fragment): r.fragment for r in rows}.values():
        check_fragment_placed(fragment)
    return [(r.fragment, c) for r in rows for c in r.cells]
