"""Ruled tables read with camelot's lattice flavour: the second, independent extractor.

Only the cross-check (``pipeline.crosscheck``) uses this; the build never does. camelot finds the
rules on a rendered image of the page (plus the vector rules, engine "combined"), reads the text
with playa-pdf rather than pdfminer, and returns a full grid in which a merged cell's text sits in
one grid cell and the cells it spans are ``""``. We turn that into cells with explicit spans (from
the grid cells' boundary flags, which say which sides a rule was found on) and convert coordinates
to pdfplumber's top-left origin so the two extractors can be laid over each other.

camelot facts this relies on (camelot-py 2.0.0): rasterising goes through pypdfium2 (backend
"pdfium", no ghostscript); ``line_scale`` defaults to 15 and is set explicitly here; ``copy_text``
is left off (it copies a span's text into every spanned cell, which would double count);
``parsing_report`` is not looked at (its figures are low on correct span-heavy tables).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

# camelot drops rules shorter than (page size / line_scale). On raw/plan_vi.pdf camelot's default 15 and
# 40 give the same 67 grids and the same agreement; 40 (rules down to ~15-21 pt on A4 instead of ~40-56 pt)
# leaves more margin for a revision that draws shorter separate rule pieces.
LINE_SCALE = 40
# camelot groups characters into text lines with pdfminer-style layout parameters before it puts each line in
# the cell under the line's centre. With the default char_margin (2.0: glyphs up to two widths apart are one
# line) Chromium's header cells 基準値(基準年) | 目標値(目標年), about one glyph apart across the rule, become one
# line and land in one cell. 0.5 splits at any gap of half a glyph; text inside a cell has no such gaps
# (Japanese is set solid, a Latin word space is a space glyph or ~0.25 em). split_text=True was tried
# instead: it scrambled the order of wrapped cell text in a cairo re-print (0.91 agreement).
LAYOUT = {"char_margin": 0.5}


@dataclass
class CamelotCell:
    """A cell as camelot sees it: grid position with spans, box (top-left origin, points), text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass
class CamelotTable:
    page: int
    order: int  # camelot's 1-based order of the table on its page
    x0: float
    top: float
    x1: float
    bottom: float
    n_rows: int
    n_cols: int
    cells: list[CamelotCell] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


def _span_end(grid: list[list], r: int, c: int, axis: str) -> int:
    """Index one past the last grid row (axis "r") or column ("c") that the span starting at (r, c) covers."""
    if axis == "c":
        end = c
        while end < len(grid[r]) - 1 and not grid[r][end].right and not grid[r][end + 1].left:
            end += 1
        return end + 1
    end = r
    while end < len(grid) - 1 and not grid[end][c].bottom and not grid[end + 1][c].top:
        end += 1
    return end + 1


def convert_table(table, page: int) -> CamelotTable:
    """A camelot ``Table`` → ``CamelotTable`` (spans rebuilt, coordinates flipped to top-left origin)."""
    height = float(table.pdf_size[1])
    grid = table.cells
    n_rows, n_cols = len(grid), len(grid[0]) if grid else 0
    covered: set[tuple[int, int]] = set()
    cells: list[CamelotCell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) in covered:
                continue
            r_end, c_end = _span_end(grid, r, c, "r"), _span_end(grid, r, c, "c")
            for rr in range(r, r_end):
                for cc in range(c, c_end):
                    covered.add((rr, cc))
            first, last = grid[r][c], grid[r_end - 1][c_end - 1]
            text = "".join(grid[rr][cc].text for rr in range(r, r_end) for cc in range(c, c_end))
            cells.append(CamelotCell(
                row=r, col=c, rowspan=r_end - r, colspan=c_end - c,
                x0=round(first.x1, 2), top=round(height - first.y2, 2),
                x1=round(last.x2, 2), bottom=round(height - last.y1, 2), text=text,
            ))
    x0, y0, x1, y1 = table._bbox
    return CamelotTable(page=page, order=int(table.order or 0), x0=round(x0, 2), top=round(height - y1, 2),
                        x1=round(x1, 2), bottom=round(height - y0, 2), n_rows=n_rows, n_cols=n_cols,
                        cells=cells)


def read_tables(pdf_path: Path, pages: list[int] | None = None, progress: bool | None = None,
                line_scale: int = LINE_SCALE) -> Iterator[CamelotTable]:
    """Yield camelot's lattice tables page by page (all pages unless ``pages``, 1-based, is given)."""
    import camelot

    from extractors.pdfguard import page_guard
    from pipeline.inputs import check_pdf
    from pipeline.progress import progress_bar

    pdf_path = Path(pdf_path)
    if pages is None:
        pages = list(range(1, check_pdf(pdf_path) + 1))
    for page in progress_bar(pages, desc=f"camelot {pdf_path.name}", unit="page", enabled=progress):
        # Any failure of camelot (playa-pdf, pypdfium2) on a page is a PdfReadError naming it.
        with page_guard(page), warnings.catch_warnings():
            # "No tables found on page-N" and similar are findings, not warnings for the user.
            warnings.simplefilter("ignore")
            logging.getLogger("camelot").setLevel(logging.ERROR)
            found = camelot.read_pdf(str(pdf_path), pages=str(page), flavor="lattice", line_scale=line_scale,
                                     layout_kwargs=LAYOUT, suppress_stdout=True)
            tables = [convert_table(table, page) for table in sorted(found, key=lambda t: t.order or 0)]
        yield from tables
