"""Labels cut inside their text by a page break whose rest is painted past the cut, on the same page.

Chromium, when table rows may break across pages, centres a merged label (費用負担 over its parties) in
the cell's whole height, across both pages, and paints each line of it where that puts it: a line that
falls past the page's cut edge is painted there, into the bottom margin, outside every cell ("費用負" in
the cell, "担" under the cut). The reader (extractors/ruled.py) takes into the cell a glyph reaching a
quarter of its height into the table or touching its open edge; a line mostly or wholly past the edge
stays free text, and the cell holds a label cut inside its text.

Such lines (a run of them in the cell's column, from the cut edge on, where a table that goes on on the
next page has nothing else printed under it) go back into the cell they continue only when the labels'
vocabulary says the cell with them is a label of its column: a row label of pipeline/stages/sections.py
at the table's left edge, a party of the contract (札幌市/連携市町村) elsewhere, no bracket left open. Else
they stay free text and the project reader refuses the table, naming the page (a section without its
label, a party column naming no party): lines that do not make a label are never read into one.
"""

from __future__ import annotations

import dataclasses

from extractors.ruled import GridCell, PageLayout, TableFragment
from extractors.textlines import VisualLine
from extractors.textnorm import join_cell_lines
from pipeline.stages.sections import is_party, label_kind
from pipeline.stages.table_rows import unbalanced


def _is_label(cell: GridCell, text: str, left_edge: float, slack: float) -> bool:
    """Whether ``text`` is a whole label of the column `cell` is printed in: a row label at the table's left
    edge (`label_kind`), a party (札幌市/連携市町村) elsewhere. A label leaving a bracket open ("…(千") is cut."""
    if unbalanced([text]):
        return False
    if abs(cell.x0 - left_edge) <= slack:
        return label_kind(text) is not None
    return is_party(text)


def _in_column(line: VisualLine, cell: GridCell, slack: float) -> bool:
    """Whether `line` lies within the cell's column (a label's line is never wider than its cell) and
    carries no footnote mark (a label has none)."""
    return (line.x0 >= cell.x0 - slack and line.x1 <= cell.x1 + slack
            and not line.marks and not line.leading_marks)


def _rest_under(cell: GridCell, edge: float, lines: list[VisualLine], slack: float) -> list[VisualLine]:
    """The lines painted past the cut `edge` under `cell`: a run of lines in its column, the first within
    one line of the edge, each next within one line of the one before. The run ends at the first line
    across the column (a footnote, the next heading) or after a gap: text printed there is not the cell's."""
    rest: list[VisualLine] = []
    reach = edge
    for line in sorted(lines, key=lambda l: l.top):
        if line.bottom <= edge or line.x1 <= cell.x0 or line.x0 >= cell.x1:
            continue  # above the edge, or beside the column
        height = line.bottom - line.top
        if line.top > reach + height or not _in_column(line, cell, slack):
            break
        rest.append(line)
        reach = line.bottom
    return rest


def _completed(cell: GridCell, fragment: TableFragment, lines: list[VisualLine],
               slack: float) -> tuple[GridCell, list[VisualLine]] | None:
    """`cell` with its label's rest painted past the fragment's bottom joined on, and the lines taken; None
    unless lines lie there and, joined on, make the cell a label of its column. The cell alone may already
    read as one ("事業予定年度" | "及び事業費見込額(千円)"): the lines past the cut in its column are still its text."""
    if abs(cell.bottom - fragment.bottom) > slack or not cell.text.strip():
        return None
    rest = _rest_under(cell, fragment.bottom, lines, slack)
    if not rest:
        return None
    joined = join_cell_lines([cell.text, *(line.text for line in rest)])
    if not _is_label(cell, joined, fragment.x0, slack):
        return None
    return dataclasses.replace(cell, text=joined, marks=list(cell.marks)), rest


def rejoin_cut_labels(page: PageLayout, slack: float) -> PageLayout:
    """The page with every label of its last table that the page break cut inside its text joined with
    its rest painted past the cut (see the module's docstring); the page itself when there is none.

    The caller passes only a page whose last table goes on at the head of the next page: only there is
    the foot a cut edge, with nothing of the chapter printed under it (a table that ends on its page may
    have a heading right under its last label)."""
    last = max(page.fragments, key=lambda f: f.top, default=None)
    if last is None:
        return page
    lines = list(page.lines)
    replaced: dict[int, GridCell] = {}
    for cell in last.cells:
        found = _completed(cell, last, lines, slack)
        if found is not None:
            replaced[id(cell)], taken = found
            lines = [line for line in lines if all(line is not t for t in taken)]
    if not replaced:
        return page
    fragment = dataclasses.replace(last, cells=[replaced.get(id(c), c) for c in last.cells])
    return dataclasses.replace(page, fragments=[fragment if f is last else f for f in page.fragments],
                               lines=lines)
