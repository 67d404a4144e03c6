"""Ruled tables read with camelot's lattice flavour: the second, independent extractor.

Only the cross-check (``pipeline.checks.crosscheck``) uses this; the build never does. camelot finds the
rules on a rendered image of the page (plus the vector rules, engine "combined"), reads the text
with playa-pdf rather than pdfminer, and returns a full grid in which a merged cell's text sits in
one grid cell and the cells it spans are ``""``. We turn that into cells with explicit spans (from
the grid cells' boundary flags, which say which sides a rule was found on) and convert coordinates
to pdfplumber's top-left origin so the two extractors can be laid over each other.

camelot facts this relies on (camelot-py 2.0.0): rasterising goes through pypdfium2 (backend
"pdfium", no ghostscript); ``line_scale`` defaults to 15 and is set explicitly here; ``copy_text``
is left off (it copies a span's text into every spanned cell, which would double count);
``parsing_report`` is not looked at (its figures are low on correct span-heavy tables).

Type 3 fonts with a flipped FontMatrix: camelot builds the page with ``playa.miner.extract_page``, whose
``LTChar`` recreates pdfminer's character box, ``[descent·FontMatrix.d, descent·FontMatrix.d + 1 em]``
above the baseline. That presumes an upright font matrix. cairo (``pdftocairo -pdf``) re-embeds glyphs as
Type 3 fonts with ``/FontMatrix [1 0 0 -1 0 0]`` and glyph procedures drawn y-down (FontBBox e.g.
``[0 -0.84 0.97 0.08]``), so the FontBBox's bottom (-0.84) is the glyph's *top*: times d = -1 it becomes
+0.84, and the box runs from 0.84 em to 1.84 em above the baseline, one em above the glyph that is drawn.
Text lines then sit about one line high and land in the cell above. ``page_layout`` builds the page the
same way but gives such characters the box the PDF specifies: the FontBBox mapped through the FontMatrix
(playa's own ``Type3Font.char_bbox``, from -0.08 em to 0.84 em here) and, as pdfminer does, one em tall
from its lower edge. Every other font (matrix d > 0) keeps playa's box unchanged. This is camelot's own
reading of the PDF corrected by the PDF's own font data, not pdfplumber's positions.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
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
LAPARAMS = {"char_margin": 0.5}


def _char(glyph):
    """playa.miner's ``LTChar`` for ``glyph``, with the box of a flipped-matrix Type 3 glyph put where the
    PDF draws it (see the module docstring)."""
    from playa.miner import LTChar
    from playa.utils import transform_bbox

    char = LTChar(glyph)
    font = glyph.font
    if not font.vertical and font.matrix[3] < 0:
        # The lower edge of the FontBBox in text space (y up), whichever of its sides the matrix puts there.
        low = min(font.descent * font.matrix[3], font.ascent * font.matrix[3])
        char.set_bbox(transform_bbox(glyph.matrix, (0, low, font.hdisp(glyph.cid), low + 1)))
    return char


def _layout_items(objects):
    """``playa.miner.process_object`` over a page's (or form's) objects, with ``_char`` for text."""
    from playa.miner import LTFigure, process_object
    from playa.page import TextObject, XObjectObject

    for obj in objects:
        if isinstance(obj, TextObject):
            yield from (_char(glyph) for glyph in obj)
        elif isinstance(obj, XObjectObject):
            figure = LTFigure(obj)
            for item in _layout_items(obj):
                figure.add(item)
            yield figure
        else:
            yield from process_object(obj)


def _without_stamps(items: list) -> list:
    """The page's items without the glyphs of a stamp or watermark (素案), as the first extractor leaves
    them out (extractors/stamps.py)."""
    from playa.miner import LTChar

    from extractors.settings import Layout
    from extractors.stamps import stamp_like

    chars = [item for item in items if isinstance(item, LTChar)]
    # camelot calls this back from its own page reading, which takes no settings of ours: the default
    # tolerances (the cross-check is an independent reader, not tuned with the build's `Layout`).
    flags = stamp_like([{"text": c.get_text(), "size": c.size, "matrix": c.matrix} for c in chars], Layout())
    dropped = {id(c) for c, flag in zip(chars, flags) if flag}
    return [item for item in items if id(item) not in dropped] if dropped else items


def page_layout(page, line_overlap=0.5, char_margin=1.0, line_margin=0.5, word_margin=0.1, boxes_flow=0.5,
                detect_vertical=True, all_texts=True):
    """camelot's ``utils.get_page_layout`` (same defaults, same ``playa.miner.extract_page`` steps) with
    Type 3 glyph boxes corrected."""
    from playa.miner import LAParams, LTPage
    from playa.utils import apply_matrix_pt

    (x0, y0, x1, y1) = page.mediabox
    (x0, y0), (x1, y1) = apply_matrix_pt(page.ctm, (x0, y0)), apply_matrix_pt(page.ctm, (x1, y1))
    layout = LTPage(page.page_idx + 1, (0, 0, abs(x0 - x1), abs(y0 - y1)))
    for item in _without_stamps(list(_layout_items(page))):
        layout.add(item)
    layout.analyze(LAParams(line_overlap=line_overlap, char_margin=char_margin, line_margin=line_margin,
                            word_margin=word_margin, boxes_flow=boxes_flow, detect_vertical=detect_vertical,
                            all_texts=all_texts))
    return layout, (layout.bbox[2], layout.bbox[3])


@contextmanager
def _type3_aware_layout():
    """camelot's handler builds each page's layout through ``camelot.handlers.get_page_layout``; use
    ``page_layout`` instead while camelot reads. A camelot without that name fails here, loudly, rather than
    reading Type 3 text one line high again."""
    import camelot.handlers

    original = camelot.handlers.get_page_layout  # AttributeError if camelot changed how it gets the layout
    camelot.handlers.get_page_layout = page_layout
    try:
        yield
    finally:
        camelot.handlers.get_page_layout = original


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
                line_scale: int = LINE_SCALE, page_count: int | None = None) -> Iterator[CamelotTable]:
    """Yield camelot's lattice tables in page order (all pages unless ``pages``, 1-based, is given;
    ``page_count``: the PDF's, when the caller knows it, so that the file is not opened to count them).

    The pages are read by worker processes when there are enough of them and CPUs to spare (the build's
    rule, `extractors.workers.workers`; ``RENKEI_WORKERS=1`` reads here): each worker reads every n-th page
    in one camelot call (one open of the file per worker) and sends back the converted tables. camelot
    reads each page on its own (its page's image, its page's text), so which process reads a page does
    not change what it finds. When the reading fails, the pages are read again one by one in this process,
    so that the failure names its page (a `PdfReadError`)."""
    from extractors.pdfguard import guarded_document

    pdf_path = Path(pdf_path)
    if pages is None:
        if page_count is None:
            import pdfplumber

            with pdfplumber.open(pdf_path) as document:  # the caller checked the file (pipeline.inputs)
                page_count = len(document.pages)
        pages = list(range(1, page_count + 1))
    pages = sorted(set(pages))
    if not pages:
        return
    try:
        with guarded_document(f"pages {pages[0]}–{pages[-1]}"):
            found = _read_all(pdf_path, pages, line_scale)
    except Exception:
        found = None
    if found is None:  # name the page that fails: read them one by one
        from extractors.pdfguard import page_guard
        from extractors.progress import progress_bar

        for page in progress_bar(pages, desc=f"camelot {pdf_path.name}", unit="page", enabled=progress):
            with page_guard(page):
                tables = _read(pdf_path, [page], line_scale)
            yield from (convert_table(table, page) for table in sorted(tables, key=lambda t: t.order or 0))
        return
    yield from sorted(found, key=lambda t: (t.page, t.order))


def _read_converted(pdf_path: Path, pages: list[int], line_scale: int) -> list[CamelotTable]:
    """``pages``' tables, converted (small and picklable: what a worker sends back)."""
    return [convert_table(table, int(table.page)) for table in _read(pdf_path, pages, line_scale)]


def _read_all(pdf_path: Path, pages: list[int], line_scale: int) -> list[CamelotTable]:
    """Every table of ``pages``, read here or by `extractors.workers.workers` worker processes (each
    given every n-th page, so that costly pages are shared out); any failure is raised to the caller."""
    from extractors.workers import worker_pool, workers

    count = workers(len(pages))
    if count < 2:
        return _read_converted(pdf_path, pages, line_scale)
    import camelot  # noqa: F401 - imported once here, so that forked workers start with it

    with worker_pool(count) as executor:
        futures = [executor.submit(_read_converted, pdf_path, pages[i::count], line_scale) for i in range(count)]
        return [table for future in futures for table in future.result()]


def _read(pdf_path: Path, pages: list[int], line_scale: int) -> list:
    """camelot's lattice tables of ``pages``, in one read_pdf call; any failure of camelot (playa-pdf,
    pypdfium2) is raised to the caller."""
    import camelot

    with warnings.catch_warnings(), _type3_aware_layout():
        # "No tables found on page-N" and similar are findings, not warnings for the user.
        warnings.simplefilter("ignore")
        logging.getLogger("camelot").setLevel(logging.ERROR)
        return list(camelot.read_pdf(str(pdf_path), pages=",".join(map(str, pages)), flavor="lattice",
                                     line_scale=line_scale, layout_kwargs=LAPARAMS, suppress_stdout=True))
