"""Glyph conservation: every glyph printed in a project or 基本KPI table ends in exactly one field of the
records or in a label the parser recognised — none lost, none used twice.

Why: the parser recognises rows by their labels and matches cells to columns by position; a producer whose
rules, page breaks or column widths it misreads can make a cell fall outside every column, a row be skipped
or a cut row be joined twice. Each of those changes the multiset of characters between the table and the
records, whatever the cause, so comparing the two turns "wrong data with exit 0" into a refusal that names
the table and the cell. Whitespace is left out: spaces are the only characters the parser may add or drop
(line joins), and the text spelling rule decides them elsewhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from extractors.ruled import GridCell, TableFragment
from pipeline.errors import ParseError


class GlyphsNotConserved(ParseError):
    """The records do not hold exactly the glyphs of their table; the message is one line."""


def glyphs(texts: Iterable[str]) -> Counter[str]:
    counter: Counter[str] = Counter()
    for text in texts:
        counter.update(ch for ch in text if not ch.isspace())
    return counter


def _show(counter: Counter[str], limit: int = 12) -> str:
    text = "".join(ch * n for ch, n in sorted(counter.items()))
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _cell_of(ch: str, cells: Iterable[tuple[TableFragment, GridCell]]) -> str:
    for fragment, cell in cells:
        if ch in cell.text:
            return f"page {fragment.page}, table {fragment.table_id}, row {cell.row}, col {cell.col}"
    return "no single cell"


def check_conserved(what: str, cells: list[tuple[TableFragment, GridCell]], placed: Iterable[str]) -> None:
    """Raise `GlyphsNotConserved` unless the non-space glyphs of `cells` equal those of `placed` (the record
    fields and the recognised labels), naming the first cell that holds a lost glyph."""
    printed = glyphs(cell.text for _, cell in cells)
    used = glyphs(placed)
    lost, extra = printed - used, used - printed
    if lost:
        first = next(iter(sorted(lost)))
        raise GlyphsNotConserved(
            f"{what}: {sum(lost.values())} printed glyph(s) {_show(lost)} end in no field "
            f"(first in {_cell_of(first, cells)}): a cell outside every column, or a row not read?")
    if extra:
        raise GlyphsNotConserved(
            f"{what}: {sum(extra.values())} glyph(s) {_show(extra)} appear in the records more often than "
            "in the table: a row or cell read twice?")


# How far two cells of a grid may overlap, in points each way: a shared border, never more.
CELL_OVERLAP_MAX = 1.0


def _overlapping(fragment: TableFragment) -> tuple | None:
    cells = sorted(fragment.cells, key=lambda c: c.top)
    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            if b.top >= a.bottom - CELL_OVERLAP_MAX:
                break
            if min(a.x1, b.x1) - max(a.x0, b.x0) > CELL_OVERLAP_MAX:
                return a, b
    return None


def check_fragment_placed(fragment: TableFragment) -> None:
    """Refuse a table whose grid left glyphs inside its box in no cell, or whose cells overlap: rules read
    so that one cell lies over others (a frame painted across the next row) let a cell take in the text
    of the cells under it, and the text of a whole row then ends in one field."""
    overlap = _overlapping(fragment)
    if overlap is not None:
        a, b = overlap
        raise GlyphsNotConserved(
            f"page {fragment.page}, table {fragment.table_id}: cells at row {a.row}, col {a.col} and row {b.row}, "
            f"col {b.col} overlap: its rules could not be read as a grid")
    if fragment.unplaced:
        text = "".join(u[0] for u in fragment.unplaced)
        _, x0, top = fragment.unplaced[0]
        raise GlyphsNotConserved(
            f"page {fragment.page}, table {fragment.table_id}: {len(fragment.unplaced)} glyph(s) "
            f"{text[:12]!r} inside the table lie in no cell (first at x={x0}, y={top}): its rules could not "
            "be read as a grid")
