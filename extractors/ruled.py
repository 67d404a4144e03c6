"""Ruled tables and free text of a PDF page, read with pdfplumber.

pdfplumber finds the cells of a ruled table but leaves spans implicit (a merged cell is one bbox, the
positions it covers are None) and keeps every visual line break. We rebuild the grid with explicit
row/column spans from the cell boxes, read each cell's text ourselves so that footnote marks and
subscripts are handled by glyph geometry, and return the text outside tables as visual lines for the
parser to find headings and footnotes in.
"""

from __future__ import annotations

import bisect
import functools
import re
import contextlib
import itertools
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator

import pdfplumber

from extractors.frames import clip_overruns, clip_painted_over
from extractors.geometry import close_outlines, drop_ghost_rules, merge_segments, segments_from_objects
from extractors.glyphs import GlyphBoxes, drop_glyph_outlines, rebox_chars
from extractors.pdfguard import PdfReadError, read_guarded, reported
from extractors.workers import worker_pool, workers
from extractors.settings import Layout, is_page_number
from extractors.stamps import split_stamps
from extractors.text import body_size, dedupe_chars, inside, inside_mask, overlap, table_id
from extractors.textlines import VisualLine, group_lines
from extractors.textnorm import fold_text, join_cell_lines

if TYPE_CHECKING:
    from extractors.document import Document


@dataclass
class GridCell:
    """One cell of a ruled table: grid position with spans, box, text and the footnote marks it carried."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    marks: list[str] = field(default_factory=list)


@dataclass
class TableFragment:
    """The part of a table printed on one page. A table that runs over a page break has several."""

    page: int
    index: int
    x0: float
    top: float
    x1: float
    bottom: float
    n_rows: int
    n_cols: int
    cells: list[GridCell]
    body_size: float = 0.0  # the body size of the cell text (`text.body_size`): the reference for heading sizes
    # Glyphs inside the table's box that fell in no cell (text, x0, top): a grid with a hole, which the
    # parse stage refuses (glyph conservation), rather than losing text silently.
    unplaced: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def table_id(self) -> str:
        return table_id(self.page, self.index)

    def rows(self) -> list[list[GridCell]]:
        """Cells grouped by the row they start in, left to right."""
        grouped: dict[int, list[GridCell]] = {}
        for cell in self.cells:
            grouped.setdefault(cell.row, []).append(cell)
        return [sorted(grouped[r], key=lambda c: c.col) for r in sorted(grouped)]


@dataclass
class PageLayout:
    """Everything the parser needs from one page."""

    page: int
    width: float
    height: float
    fragments: list[TableFragment]
    lines: list[VisualLine]  # text outside tables, page numbers removed
    page_label: str | None
    char_count: int
    stamps: list[str] = field(default_factory=list)  # the texts of stamps left out (extractors/stamps.py)


def _cluster(values: list[float], tolerance: float) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if edges and value - edges[-1] <= tolerance:
            continue
        edges.append(value)
    return edges


def _index(edges: list[float], value: float, tolerance: float) -> int:
    position = bisect.bisect_left(edges, value - tolerance)
    return min(position, len(edges) - 1)


def _fold_chars(chars: list[dict]) -> list[dict]:
    folded = []
    for char in chars:
        text = fold_text(char["text"])
        if text != char["text"]:
            char = dict(char, text=text)
        folded.append(char)
    return folded


def _straddles(char: dict, box: tuple[float, float, float, float], share: float) -> bool:
    height = char["bottom"] - char["top"]
    held = overlap(char["top"], char["bottom"], box[1], box[3])
    cx = (char["x0"] + char["x1"]) / 2
    return height > 0 and held >= share * height and box[0] <= cx <= box[2]


def _ruled_at(y: float, x: float, rules: list, tolerance: float) -> bool:
    """Whether a horizontal rule runs along y at x (within ``tolerance``)."""
    return any(s.orientation == "h" and abs(s.position - y) <= tolerance and s.start <= x <= s.end
               for s in rules)


def _touches_cut(char: dict, box: tuple[float, float, float, float], rules: list, layout: Layout) -> bool:
    """Whether a glyph lies just beyond an open edge of the table, its box touching it, with no rule drawn
    along the edge above (below) it: the next line of a merged label that the browser centred in its
    page-spanning cell and painted past the page cut (Chromium: "費用負" in the cell, "担" right under the
    cut, where the merged cell has no bottom rule while its neighbours have)."""
    cx = (char["x0"] + char["x1"]) / 2
    if not box[0] <= cx <= box[2]:
        return False
    slack, align = layout.cell_slack, layout.edge_align
    if box[3] - slack <= char["top"] <= box[3] + slack:
        return not _ruled_at(box[3], cx, rules, align)
    if box[1] - slack <= char["bottom"] <= box[1] + slack:
        return not _ruled_at(box[1], cx, rules, align)
    return False


def _over_edge(char: dict, box: tuple[float, float, float, float], slack: float) -> dict:
    """A glyph touching a cut edge from outside moved by half its height, its centre onto the edge: inside
    the edge cell (`inside`'s slack), and still a line below (above) the cell's last (first) line."""
    height = char["bottom"] - char["top"]
    top = box[3] + slack / 2 - height / 2 if char["top"] >= box[3] - slack \
        else box[1] - slack / 2 - height / 2
    return dict(char, top=top, bottom=top + height)


def _nearest_inside(char: dict, box: tuple[float, float, float, float]) -> dict:
    """The glyph moved vertically just inside `box`, so it falls in the edge cell it straddles."""
    height = char["bottom"] - char["top"]
    top = min(max(char["top"], box[1]), box[3] - height)
    return dict(char, top=top, bottom=top + height)


class _CellIndex:
    """The first of ``boxes`` (in their order) that `inside` puts a glyph in, or None: what asking every box
    for every glyph finds, found by asking only the boxes registered in the glyph's bin of a coarse grid.

    Each box is registered in every bin its slack-widened extent touches (widened a little more, so no
    rounding can leave it out), and the candidates are asked with `inside` itself, in box order."""

    def __init__(self, boxes: list[tuple], layout: Layout) -> None:
        self.boxes = boxes
        self.bins: list[list[int]] | None = None
        # `Layout.cell_index_bin` points a bin, more on a huge page (at most `cell_index_bins` a side).
        BIN, BINS = layout.cell_index_bin, layout.cell_index_bins
        self.slack = layout.cell_slack  # `inside`'s
        margin = self.slack + 0.01
        try:
            self.x0 = min(b[0] for b in boxes) - margin
            self.y0 = min(b[1] for b in boxes) - margin
            width = max(b[2] for b in boxes) + margin - self.x0
            height = max(b[3] for b in boxes) + margin - self.y0
            self.dx, self.dy = max(BIN, width / BINS), max(BIN, height / BINS)
            self.nx, self.ny = int(width // self.dx) + 1, int(height // self.dy) + 1
            bins: list[list[int]] = [[] for _ in range(self.nx * self.ny)]
            for i, (bx0, btop, bx1, bbottom) in enumerate(boxes):
                c0, c1 = int((bx0 - margin - self.x0) // self.dx), int((bx1 + margin - self.x0) // self.dx)
                r0, r1 = int((btop - margin - self.y0) // self.dy), int((bbottom + margin - self.y0) // self.dy)
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        bins[r * self.nx + c].append(i)
        except (ValueError, OverflowError, IndexError):  # a coordinate that is not finite: ask every box
            return
        self.bins = bins

    def __call__(self, char: dict) -> int | None:
        candidates = None
        if self.bins is not None:
            try:
                c = int(((char["x0"] + char["x1"]) / 2 - self.x0) // self.dx)
                r = int(((char["top"] + char["bottom"]) / 2 - self.y0) // self.dy)
            except (ValueError, OverflowError):
                c = r = -1
            if 0 <= c < self.nx and 0 <= r < self.ny:
                candidates = self.bins[r * self.nx + c]
        for i in range(len(self.boxes)) if candidates is None else candidates:
            if inside(char, self.boxes[i], self.slack):
                return i
        return None


def _build_fragment(page_number: int, index: int, cell_boxes: list[tuple], chars: list[dict],
                    layout: Layout) -> TableFragment:
    align = layout.edge_align
    xs = _cluster([b[0] for b in cell_boxes] + [b[2] for b in cell_boxes], align)
    ys = _cluster([b[1] for b in cell_boxes] + [b[3] for b in cell_boxes], align)
    cells: list[GridCell] = []
    buckets: list[list[dict]] = [[] for _ in cell_boxes]
    unplaced: list[tuple[str, float, float]] = []
    locate = _CellIndex(cell_boxes, layout)
    for char in chars:
        i = locate(char)
        if i is not None:
            buckets[i].append(char)
        elif char["text"].strip():
            unplaced.append((char["text"], round(char["x0"], 2), round(char["top"], 2)))
    for box, cell_chars in zip(cell_boxes, buckets):
        x0, top, x1, bottom = box
        col, col_end = _index(xs, x0, align), _index(xs, x1, align)
        row, row_end = _index(ys, top, align), _index(ys, bottom, align)
        lines = group_lines(cell_chars, layout)
        marks = [m for line in lines for m in line.leading_marks + line.marks]
        cells.append(GridCell(
            row=row, col=col, rowspan=max(1, row_end - row), colspan=max(1, col_end - col),
            x0=round(x0, 2), top=round(top, 2), x1=round(x1, 2), bottom=round(bottom, 2),
            text=join_cell_lines([line.text for line in lines]), marks=marks,
        ))
    cells.sort(key=lambda c: (c.row, c.col))
    table_box = (min(b[0] for b in cell_boxes), min(b[1] for b in cell_boxes),
                 max(b[2] for b in cell_boxes), max(b[3] for b in cell_boxes))
    return TableFragment(page=page_number, index=index, x0=round(table_box[0], 2), top=round(table_box[1], 2),
                         x1=round(table_box[2], 2), bottom=round(table_box[3], 2),
                         n_rows=len(ys) - 1, n_cols=len(xs) - 1, cells=cells,
                         body_size=round(body_size(c["size"] for c in chars), 2),
                         unplaced=unplaced)


def reading_box(page: pdfplumber.page.Page, layout: Layout) -> tuple[float, float, float, float] | None:
    """The part of the sheet that is the printed page, when it is smaller than the sheet: the TrimBox of a
    press-ready sheet (the page centred on a larger sheet, crop and registration marks around it), else
    the CropBox; None when the page is the whole sheet. Marks outside it are never taken for rules."""
    sheet = page.bbox
    for name in ("trimbox", "cropbox"):
        box = getattr(page, name, None)
        if box is None:
            continue
        box = (max(box[0], sheet[0]), max(box[1], sheet[1]), min(box[2], sheet[2]), min(box[3], sheet[3]))
        if box[2] - box[0] < layout.min_table_side or box[3] - box[1] < layout.min_table_side:
            continue  # a degenerate box (or one outside the sheet) names no page: the sheet is read
        if any(abs(a - b) > layout.trim_slack for a, b in zip(box, sheet)):
            return box
        return None
    return None


def _without_page_number(straddling: list[dict], loose: list[dict], page_top: float,
                         page_height: float, layout: Layout) -> list[dict]:
    """The glyphs astride a table's edge, less those of the page number (`is_page_number`): a browser can
    draw a cut row's rules on into the bottom margin, to where it prints the page number, which then
    reaches into the table as a cut label does."""
    kept = []
    align, ems = layout.edge_align, layout.page_number_gap_ems
    for char in straddling:
        baseline = sorted((c for c in loose if abs(c["top"] - char["top"]) <= align
                           and abs(c["size"] - char["size"]) <= align), key=itemgetter("x0"))
        # the run of glyphs around `char` with no gap wider than an em (another text on the baseline is
        # not part of the page number)
        runs: list[list[dict]] = []
        for c in baseline:
            if runs and c["x0"] - runs[-1][-1]["x1"] <= ems * c["size"]:
                runs[-1].append(c)
            else:
                runs.append([c])
        run = next((r for r in runs if any(c is char for c in r)), [char])
        if not is_page_number("".join(c["text"] for c in run).strip(), char["top"] - page_top, page_height, layout):
            kept.append(char)
    return kept


_NUMBER = r"[-‐‑–—―－ー]?\s*(\d{1,4})\s*[-‐‑–—―－ー]?"
TWO_PAGE_NUMBERS = re.compile(rf"^\s*{_NUMBER}\s+{_NUMBER}\s*$")


def _refuse_n_up(page_number: int, numbers: list[VisualLine], lines: list[VisualLine],
                 box: tuple[float, float, float, float], page_top: float, page_height: float,
                 layout: Layout) -> None:
    """Refuse a sheet that holds two pages side by side (N-up: pdfjam, pdfpages, a printer's 2-up): two
    different page numbers in its foot, one in each half (read as two lines, or as one line across the
    middle when they share a baseline). Its tables would be read as one page's, side by side."""
    middle = (box[0] + box[2]) / 2
    left = [n.text.strip() for n in numbers if (n.x0 + n.x1) / 2 < middle]
    right = [n.text.strip() for n in numbers if (n.x0 + n.x1) / 2 > middle]
    pair = (left[0], right[0]) if left and right and left[0] != right[0] else None
    for line in lines:
        match = TWO_PAGE_NUMBERS.match(line.text)
        if match and line.x0 < middle < line.x1 and line.top - page_top > layout.page_foot_share * page_height \
                and match.group(1) != match.group(2):
            pair = (match.group(1), match.group(2))
    if pair is not None:
        raise PdfReadError(
            f"page {page_number}: holds two pages side by side (N-up: page numbers {pair[0]!r} and {pair[1]!r} "
            "on one sheet): give the plan with one page per sheet", [page_number])


def _refuse_zero_advance(page_number: int, chars: list[dict], layout: Layout) -> None:
    """Refuse a page whose printed glyphs have no width: their order on the line, and so the text, would
    be a guess (pdfminer places every glyph of a font without /Widths at the same x)."""
    flat = [c for c in chars if c["text"].strip() and c["x1"] - c["x0"] < layout.min_glyph_advance]
    if flat:
        font = flat[0].get("fontname", "?")
        raise PdfReadError(f"page {page_number}: {len(flat)} glyph(s) of font {font!r} have no width (its /Widths "
                           "are missing or damaged): the order of its text cannot be read", [page_number])


def _refuse_outside_page(page_number: int, chars: list[dict], bbox: tuple[float, float, float, float],
                         layout: Layout) -> None:
    """Refuse a page that draws text outside its own box: a viewer or printer shows none of it, so reading
    it would give values the page does not print."""
    x0, top, x1, bottom = bbox
    slack = layout.outside_page_slack
    outside = [c for c in chars if c["text"].strip() and not (
        x0 - slack <= (c["x0"] + c["x1"]) / 2 <= x1 + slack and top - slack <= (c["top"] + c["bottom"]) / 2 <= bottom + slack)]
    if outside:
        raise PdfReadError(f"page {page_number}: {len(outside)} glyph(s) lie outside the page's box (MediaBox/CropBox "
                           f"{[round(v, 1) for v in bbox]}): text no viewer shows cannot be read as the page's",
                           [page_number])


@dataclass(frozen=True)
class FootNumber:
    """A run of glyphs on one baseline in the page foot that reads as a page number (`is_page_number`):
    the page's printed label (``in_cell`` False), or such a run lying wholly inside a table cell, alone on
    its line and below the cell's other text (``in_cell`` True): the page number when a browser drew a cut
    row's rules on past it, or a cell's value printed at the foot. Which, `foot_number_verdicts` tells from
    the neighbouring pages' labels. ``centre`` and ``top`` are measured from the printed page's top left."""

    text: str
    centre: float
    top: float
    in_cell: bool = False


def _foot_runs(chars: list[dict], page_top: float, page_height: float, layout: Layout) -> list[list[dict]]:
    """The runs of glyphs in the page foot, one baseline each, that read as a page number: glyphs of one
    top and size (within `Layout.edge_align`) no farther apart than `Layout.page_number_gap_ems` of their
    size, the run alone on its baseline in that reach (the same grouping as `_without_page_number`)."""
    foot = sorted((c for c in chars if c["top"] - page_top > layout.page_foot_share * page_height),
                  key=lambda c: (round(c["top"], 1), c["x0"]))
    align, ems = layout.edge_align, layout.page_number_gap_ems
    runs: list[list[dict]] = []
    for c in foot:
        last = runs[-1][-1] if runs else None
        if last is not None and abs(c["top"] - last["top"]) <= align and abs(c["size"] - last["size"]) <= align \
                and c["x0"] - last["x1"] <= ems * c["size"]:
            runs[-1].append(c)
        else:
            runs.append([c])
    return [run for run in runs
            if is_page_number("".join(c["text"] for c in run).strip(), run[0]["top"] - page_top, page_height, layout)]


def _number_in_cell(chars: list[dict], tables: list[tuple], page_top: float, page_height: float,
                    layout: Layout) -> tuple[list[dict], FootNumber] | None:
    """The lowest page-number-like run (`_foot_runs`) that lies wholly inside one cell of a table, alone on
    its line in that cell and with none of the cell's other glyphs below it, with its `FootNumber`; None
    when the page has none. A browser printing a table with rows broken over pages can draw a cut row's rules
    on down past the page number (Chromium on B5), so the page number then lies in the cell."""
    slack, share = layout.cell_slack, layout.line_overlap_share
    # the lowest first: the page number is printed below every line of the page
    for run in sorted(_foot_runs(chars, page_top, page_height, layout), key=lambda r: -r[0]["top"]):
        members = {id(c) for c in run}
        for _bbox, cells in tables:
            cell = next((box for box in cells if all(inside(c, box, slack) for c in run)), None)
            if cell is None:
                continue
            top, bottom = min(c["top"] for c in run), max(c["bottom"] for c in run)
            height = max(bottom - top, layout.min_glyph_height)
            others = [c for c in chars if id(c) not in members and c["text"].strip() and inside(c, cell, slack)]
            if any(c["bottom"] > top + (1 - share) * height for c in others):
                break  # text beside or under it in the cell: the run is part of the cell's text
            text = "".join(c["text"] for c in run).strip()
            return run, FootNumber(text=text, centre=(run[0]["x0"] + run[-1]["x1"]) / 2, top=top - page_top,
                                   in_cell=True)
    return None


def read_page(page: pdfplumber.page.Page, layout: Layout, drop_number_in_cell: bool = False) -> PageLayout:
    """Read one page: ruled tables with spans, and the visual lines outside them. A press-ready sheet is
    read inside its page (`reading_box`); its coordinates stay the sheet's.

    The result carries, as the attribute ``foot_number`` (not a field: not in layout.json), the page's
    printed label (`FootNumber`), or a page-number-like run inside a cell at the page foot
    (`_number_in_cell`), or None. With ``drop_number_in_cell`` (the neighbouring pages' labels showed the
    run is the page number: `foot_number_verdicts`) that run is read as the page number, outside the
    table, and never into the cell."""
    box = reading_box(page, layout)
    page_top = 0.0
    if box is not None:
        page, page_top = page.crop(box, strict=False), box[1] - page.bbox[1]
    page_number = page.page_number
    rects = clip_painted_over(page.rects, layout)
    printed, stamps = split_stamps(page.chars, lambda: merge_segments(segments_from_objects(
        page.lines, rects, page.curves, layout=layout), layout), layout)
    _refuse_zero_advance(page_number, printed, layout)
    _refuse_outside_page(page_number, printed, page.bbox, layout)
    chars = _fold_chars(dedupe_chars(rebox_chars(printed), layout.dedupe_tolerance))
    drawings = (page.lines, clip_overruns(rects, layout, chars), page.curves)
    glyphs = GlyphBoxes(chars)
    rules = drop_ghost_rules(merge_segments(segments_from_objects(
        *(drop_glyph_outlines(objects, glyphs, layout.outline_slack) for objects in drawings), layout=layout),
        layout), chars, layout)
    segments = close_outlines(rules, layout)
    vertical = [s.as_edge() for s in segments if s.orientation == "v"]
    horizontal = [s.as_edge() for s in segments if s.orientation == "h"]
    settings = {
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
        "snap_tolerance": layout.table_snap,
        "join_tolerance": layout.table_snap,
        "intersection_tolerance": layout.table_snap,
    }
    fragments: list[TableFragment] = []
    boxes: list[tuple[float, float, float, float]] = []
    taken: set[int] = set()  # ids of glyphs astride a table's edge, read into that table
    # A table needs two rules each way; pdfplumber's explicit strategy raises on fewer (a page with only a
    # footnote separator or a header rule), so such a page simply has no table.
    found = page.find_tables(table_settings=settings) if len(vertical) >= 2 and len(horizontal) >= 2 else []
    tables = []
    for table in sorted(found, key=lambda t: (t.bbox[1], t.bbox[0])):
        bbox = table.bbox  # a pdfplumber property recomputed from every cell on each access
        x0, top, x1, bottom = bbox
        if x1 - x0 < layout.min_table_side or bottom - top < layout.min_text_box or len(table.cells) < 2:
            continue
        tables.append((bbox, list(table.cells)))
        boxes.append(bbox)
    in_cell = _number_in_cell(chars, tables, page_top, page.height, layout) if tables else None
    if in_cell is not None and drop_number_in_cell:
        run = {id(c) for c in in_cell[0]}
        chars = [c for c in chars if id(c) not in run]
        numbered_apart = in_cell[0]
    else:
        numbered_apart = []
    masks = [inside_mask(chars, box, layout.cell_slack) for box in boxes]
    loose = [c for c, *hits in zip(chars, *masks) if not any(hits)]
    for (bbox, cells), mask in zip(tables, masks):
        held = list(itertools.compress(chars, mask))
        straddling = [c for c in loose if id(c) not in taken and _straddles(c, bbox, layout.straddle_share)]
        if straddling:
            straddling = _without_page_number(straddling, loose, page_top, page.height, layout)
        touching = [c for c in loose if id(c) not in taken and not _straddles(c, bbox, layout.straddle_share)
                    and _touches_cut(c, bbox, rules, layout)]
        if touching:
            touching = _without_page_number(touching, loose, page_top, page.height, layout)
        held += ([_nearest_inside(c, bbox) for c in straddling]
                + [_over_edge(c, bbox, layout.cell_slack) for c in touching])
        straddling += touching
        fragments.append(_build_fragment(page_number, len(fragments) + 1, cells, held, layout))
        taken.update(id(c) for c in straddling)

    outside = [c for c in loose if id(c) not in taken] + numbered_apart
    lines = group_lines(outside, layout)
    page_label = None
    kept: list[VisualLine] = []
    numbers: list[VisualLine] = []
    for line in lines:
        if is_page_number(line.text.strip(), line.top - page_top, page.height, layout):
            page_label = line.text.strip()
            numbers.append(line)
            continue
        kept.append(line)
    _refuse_n_up(page_number, numbers, kept, page.bbox, page_top, page.height, layout)
    result = PageLayout(page=page_number, width=page.width, height=page.height, fragments=fragments,
                        lines=kept, page_label=page_label, char_count=len(chars) + len(numbered_apart),
                        stamps=[stamp.text for stamp in stamps])
    label = numbers[-1] if numbers else None
    result.foot_number = (FootNumber(text=label.text.strip(), centre=(label.x0 + label.x1) / 2,
                                     top=label.top - page_top) if label is not None
                          else in_cell[1] if in_cell is not None else None)
    return result


def _form(text: str) -> str:
    """A page number's decoration, its digits and spaces aside ("- 77 -" → "-#-")."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def foot_number_verdicts(numbers: list[tuple[int, FootNumber | None]], layout: Layout) -> dict[int, bool]:
    """For each page that prints no page number outside its tables but has a page-number-like run inside a
    cell at its foot (``FootNumber.in_cell``), whether that run is the page's number (True) or the cell's
    value (False), from the nearest page before and after it that prints its label outside the tables. It
    is the page number when it stands where they print theirs (its centre and top within
    `Layout.page_number_place_slack`), in their form ("- # -") and numbered on from them (page distance =
    number distance); it is the cell's value when it stands elsewhere or in another form. Printed where and
    as the page numbers are but numbered otherwise, it cannot be told apart: the page is refused, in one
    line naming it (`PdfReadError`). ``numbers``: (page, foot number) in page order."""
    labels = [(page, foot) for page, foot in numbers if foot is not None and not foot.in_cell]
    verdicts: dict[int, bool] = {}
    align = layout.page_number_place_slack
    for page, foot in numbers:
        if foot is None or not foot.in_cell:
            continue
        before = [(p, f) for p, f in labels if p < page][-1:]
        after = [(p, f) for p, f in labels if p > page][:1]
        alike = [(p, f) for p, f in before + after
                 if abs(f.centre - foot.centre) <= align and abs(f.top - foot.top) <= align
                 and _form(f.text) == _form(foot.text)]
        if not alike:
            verdicts[page] = False
            continue
        if all(_number(foot.text) - _number(f.text) == page - p for p, f in alike):
            verdicts[page] = True
            continue
        around = ", ".join(f"page {p} prints {f.text!r}" for p, f in alike)
        raise PdfReadError(f"page {page}: {foot.text!r} lies inside a table cell where the page numbers are printed "
                           f"but does not number on from the pages around it ({around}): the page number cannot be "
                           "told apart from the cell's value", [page])
    return verdicts


def _with_page_numbers(pages: list[PageLayout], reread: Callable[[int], PageLayout],
                       layout: Layout) -> list[PageLayout]:
    """The pages, each one whose page number lies inside a cell (`foot_number_verdicts`) read again with
    that number outside the table (`read_page`'s ``drop_number_in_cell``)."""
    verdicts = foot_number_verdicts([(p.page, getattr(p, "foot_number", None)) for p in pages], layout)
    return [reread(p.page) if verdicts.get(p.page) else p for p in pages]


def _read_and_close(page: pdfplumber.page.Page, layout: Layout, drop_number_in_cell: bool = False) -> PageLayout:
    try:
        return read_page(page, layout, drop_number_in_cell)
    finally:
        page.close()


def read_pages(document: Document, layout: Layout, progress: bool | None = None,
               meanwhile: Callable[[], ContextManager[object]] | None = None) -> Iterator[PageLayout]:
    """Yield the layout of each page pdfplumber is to read (`Document.read_numbers`: chapter VI's pages, or
    every page) in page order, showing per-page progress only on a terminal.

    ``document`` is the PDF opened once and checked (structure, every page's bounds, the chapter:
    extractors/document.py); it stays open, and is closed, by its owner. A page that cannot be read, or
    that pdfminer read only in part (a damaged PDF), raises `extractors.pdfguard.PdfReadError` naming it
    (see `read_guarded`).

    With 4 pages or more and 2 or more CPUs available, the pages are read by worker processes
    (`extractors.workers.workers`: as many as CPUs, at most 4), each opening the PDF once itself, one page
    per task in page order; the results come back (with the pdfminer warnings of each page's read) and are
    yielded in page order, so the output and the errors are those of the sequential read: the first
    failing page in page order raises, pages with warnings are reported together at the end. Set ``RENKEI_WORKERS=1`` to read in
    this process (debugging: tracebacks from the page itself, pdb); ``RENKEI_WORKERS=N`` for N workers.

    ``meanwhile``: a context of the caller's, entered around the start of the workers (their forks) and left
    once they run: the caller's work for this process while they read goes at its exit, so the workers are
    forked without it (entered and left before reading when the pages are read here).
    """
    from extractors.progress import progress_bar

    numbers = document.read_numbers
    name = Path(document.path).name
    count = workers(len(numbers))

    def reread(number: int) -> PageLayout:  # a page whose page number lies in a cell, read without it there
        return list(read_guarded([document.pages[number - 1]], functools.partial(
            _read_and_close, layout=layout, drop_number_in_cell=True), number=lambda p: p.page_number))[0]

    if count > 1:
        read = list(_read_parallel(Path(document.path), numbers, count, layout,
                                   lambda items: progress_bar(items, desc=f"extract {name}", unit="page",
                                                              enabled=progress), meanwhile))
        yield from _with_page_numbers(read, reread, layout)
        return
    if meanwhile is not None:
        with meanwhile():
            pass
    pages = progress_bar([document.pages[n - 1] for n in numbers], desc=f"extract {name}", unit="page",
                         enabled=progress)
    read = list(read_guarded(pages, functools.partial(_read_and_close, layout=layout), number=lambda p: p.page_number))
    yield from _with_page_numbers(read, reread, layout)


# The PDF a worker process has open: (path, pdfplumber PDF), opened at its first task.
_WORKER_PDF: tuple[Path, object] | None = None


def _worker_read(pdf_path: Path, number: int, layout: Layout) -> tuple[PageLayout, list[str]]:
    """In a worker: page ``number``'s layout and pdfminer's warnings while reading it (`read_one`). The
    worker opens the file once, at its first task, and keeps it open until it exits, so that pdfminer can
    resolve a damaged page's objects whenever it reaches them."""
    from extractors.pdfguard import PdfReadError, guarded_document, pdfminer_warnings, read_one

    global _WORKER_PDF
    if _WORKER_PDF is None or _WORKER_PDF[0] != pdf_path:
        # The parent opened and checked this file already; its warnings while opening were reported there.
        with guarded_document(f"page {number}", [number]), pdfminer_warnings():
            _WORKER_PDF = (pdf_path, pdfplumber.open(pdf_path))
    pdf = _WORKER_PDF[1]
    with guarded_document(f"page {number}", [number]), pdfminer_warnings():
        try:
            page = pdf.pages[number - 1]
        except IndexError as error:
            raise PdfReadError(f"page {number}: cannot be read (the page tree holds fewer pages)",
                               [number]) from error
    return read_one(page, functools.partial(_read_and_close, layout=layout), number)


def _read_parallel(pdf_path: Path, numbers: list[int], count: int, layout: Layout, bar,
                   meanwhile: Callable[[], ContextManager[object]] | None = None) -> Iterator[PageLayout]:
    """The pages' layouts read by ``count`` worker processes, yielded in page order (`read_pages`)."""
    executor = worker_pool(count)
    try:
        # The workers are forked at the first submit (fork: all of them at once).
        with meanwhile() if meanwhile is not None else contextlib.nullcontext():
            futures = [executor.submit(_worker_read, pdf_path, n, layout) for n in numbers]
        yield from reported(_results(futures, numbers, bar))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _results(futures: list, numbers: list[int], bar) -> Iterator[tuple[int, PageLayout, list[str]]]:
    """(page number, layout, pdfminer's warnings) of each worker's page, in page order; a worker's failure
    is a `PdfReadError` naming its page."""
    from concurrent.futures.process import BrokenProcessPool

    from extractors.pdfguard import PdfReadError, describe

    for n, future in bar(list(zip(numbers, futures))):
        try:
            result, messages = future.result()
        except BrokenProcessPool as error:
            raise PdfReadError(f"page {n}: cannot be read (the process reading it ended: {error})",
                               [n]) from error
        except PdfReadError:
            raise
        except Exception as error:  # whatever a worker let through still names its page, in one line
            raise PdfReadError(f"page {n}: cannot be read ({describe(error)})", [n]) from error
        yield n, result, messages
