"""Unruled two-column tables (the 抜粋 overview): rows found from white space, not from rules.

The excerpt PDF prints each area as a heading, a header row on grey filled boxes and then rows with no
rules at all. pdfplumber's table finder needs rules (or guesses columns from text alignment, which
splits wrapped Japanese lines badly), so we rebuild the grid ourselves from three observations that hold
for this kind of layout:

* the header boxes give the column split (their x extents), or, without boxes, the widest x-gap between
  the header words;
* inside a cell wrapped lines touch (≈0 pt apart) while rows are separated by clear white space, so
  vertical gaps within one column tell rows apart;
* the short cell of a row is vertically centred against the long one, so the cells of one row overlap
  vertically and rows are the connected runs of overlapping cell blocks.

A table that runs over a page break has no repeated header: body lines at the top of a page, before any
heading or header, continue the last table of the previous page, and a row cut by the page break (one
column empty on the new page) is glued back to its first part.

Only the meaning of the header labels (HEADER_LABELS) is built in; no coordinates and no body texts.
"""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from extractors.pdfguard import guarded_document, open_guarded, page_guard, read_guarded
from extractors.settings import Layout, is_page_number
from extractors.text import (Band, body_size, deduped_page, group_rows, inside_mask, overlap, split_small,
                             table_id, word_space)
from extractors.textnorm import fold_text, join_cell_lines

# What header labels of such a table can say, one set of alternatives per column. Only used by the
# fallback that finds a header without shaded boxes; the boxes themselves need no texts.
HEADER_LABELS: tuple[tuple[str, ...], ...] = (
    ("主な連携事業", "連携事業名", "連携事業", "事業名"),
    ("事業概要", "概要", "取組内容", "内容"),
)
# Font names of bold faces (PostScript names: "NotoSansCJKjp-Bold", "IPAexGothic,Bold", "HeiseiKakuGo-W7").
BOLD_NAME = re.compile(r"Bold|Heavy|Black|Semibold|Demi|W[6-9]\b", re.IGNORECASE)
# A heading line that holds only its number: "1", "(2)", "１．".
HEADING_NUMBER_ONLY = re.compile(r"^\s*[(（]?\d+[)）.．]?\s*$")


@dataclass
class CellFragment:
    """A part of a cell printed on another page than its first part (a row cut by a page break)."""

    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class UnruledCell:
    """One cell: its joined, folded text and where it was printed.

    ``row`` is 0 for header cells and 1.. for body rows (so the header can sit in the same grid as the
    body in the provenance table); ``page`` and the bbox are those of the cell's first part. When a row
    was cut by a page break the later parts are kept in ``continuations`` rather than unioned into the
    bbox, because a union of boxes on two pages is not a place on either page.
    """

    row: int
    col: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    continuations: list[CellFragment] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        """Every page this cell has text on, first part first."""
        return [self.page] + [c.page for c in self.continuations if c.page != self.page]


@dataclass
class UnruledTable:
    """One unruled table; a table continued over a page break is one table.

    ``table_id`` is "p{page:03d}-t{n:02d}" with the page of its first body row and its index among the
    tables starting on that page, so ids stay stable when only later pages change.
    """

    table_id: str
    page: int
    heading: str
    header: list[str]
    rows: list[list[UnruledCell]]
    header_cells: list[UnruledCell] = field(default_factory=list)
    column_bounds: list[tuple[float, float]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Small geometry helpers


@dataclass
class _Line:
    """A visual text line: chars that share a baseline band, left to right; read with ``layout``."""

    chars: list[dict]
    layout: Layout

    @property
    def x0(self) -> float:
        return min(c["x0"] for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c["x1"] for c in self.chars)

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c["bottom"] for c in self.chars)

    @property
    def size(self) -> float:
        return max(c["size"] for c in self.chars)

    @property
    def text(self) -> str:
        return _chars_to_text(self.chars, self.layout)


def _chars_to_text(chars: list[dict], layout: Layout) -> str:
    """Concatenate a line's glyphs, left to right, with the word spaces of `text.word_space` (measured
    against the line's body size); printed spaces stay, runs of them read as one."""
    ordered = sorted(chars, key=lambda c: c["x0"])
    size = body_size(c["size"] for c in ordered)
    out: list[str] = []
    prev: dict | None = None
    for c in ordered:
        if prev is not None and prev["text"] and c["text"] and word_space(prev, c, size, layout):
            out.append(" ")
        out.append(c["text"])
        prev = c
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _group_lines(chars: Iterable[dict], layout: Layout) -> list[_Line]:
    """Group chars into visual lines.

    Full-size glyphs define the lines: one joins a line when its vertical middle falls inside the band
    of the line's first glyph. Small glyphs (CO₂'s 2, a footnote mark) and spaces are then attached to
    the line they overlap most, so a raised or lowered glyph stays on its line whatever its top. The
    name and summary columns, offset by half a line, are never given to this function together.
    """
    chars = list(chars)
    printed = [c for c in chars if c["text"].strip()]
    if not printed:
        return []
    full, _ = split_small(printed, body_size(c["size"] for c in printed), layout)
    full_ids = {id(c) for c in full}
    extra = [c for c in chars if id(c) not in full_ids]
    rows = group_rows(full, layout, Band.FIRST_GLYPH)
    lines = [_Line(row.chars, layout) for row in rows]
    bands = [(row.top, row.bottom) for row in rows]
    for c in sorted(extra, key=lambda c: (c["top"], c["x0"])):
        overlaps = [(overlap(top, bottom, c["top"], c["bottom"]), i) for i, (top, bottom) in enumerate(bands)]
        best = max(overlaps, default=(0.0, -1))
        if best[0] > 0:
            lines[best[1]].chars.append(c)
        elif c["text"].strip():  # a small glyph on its own line (rare): keep its text
            lines.append(_Line([c], layout))
            bands.append((c["top"], c["bottom"]))
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines


# --------------------------------------------------------------------------------------------------
# Page-level structure


@dataclass
class _Header:
    top: float
    bottom: float
    bounds: list[tuple[float, float]]  # per column: x0, x1 of the header box / words
    splits: list[float]  # x positions between columns
    cells: list[tuple[str, tuple[float, float, float, float]]]
    page: int = 0
    # Box-less headers: labels are usually centred over their columns, so the midpoint between two
    # label words is not where the columns meet; the first rows move each split into the body's gutter.
    refine_from_body: bool = False


@dataclass
class _PageParts:
    """A page's glyphs sorted by role (not a page layout for the parser: that is ruled.PageLayout)."""

    page_no: int
    headings: list[_Line]
    headers: list[_Header]
    body_chars: list[dict]  # chars that are neither heading, header nor page number


def _header_from_rects(page, chars: list[dict], layout: Layout) -> list[_Header]:
    """Header bands: two or more filled, unstroked boxes side by side, same top and bottom, with text."""
    boxes = [r for r in page.rects
             if r.get("fill") and (r["bottom"] - r["top"]) > layout.hairline_max
             and (r["x1"] - r["x0"]) > layout.hairline_max]
    boxes.sort(key=lambda r: (round(r["top"]), r["x0"]))
    bands: list[list[dict]] = []
    for r in boxes:
        for band in bands:
            if (abs(band[0]["top"] - r["top"]) <= layout.edge_align
                    and abs(band[0]["bottom"] - r["bottom"]) <= layout.edge_align):
                band.append(r)
                break
        else:
            bands.append([r])
    headers: list[_Header] = []
    for band in bands:
        if len(band) < 2:
            continue
        band.sort(key=lambda r: r["x0"])
        cells = []
        for r in band:
            slack = layout.band_slack
            inside = list(itertools.compress(chars, inside_mask(chars, (r["x0"], r["top"], r["x1"], r["bottom"]), slack)))
            text = fold_text(_chars_to_text(inside, layout)) if inside else ""
            cells.append((text, (r["x0"], r["top"], r["x1"], r["bottom"])))
        if not any(text for text, _ in cells):
            continue  # shading without labels is decoration, not a header
        splits = [(a["x1"] + b["x0"]) / 2 for a, b in zip(band, band[1:])]
        headers.append(_Header(min(r["top"] for r in band), max(r["bottom"] for r in band),
                               [(r["x0"], r["x1"]) for r in band], splits, cells))
    return headers


def _label_column(word: str) -> int | None:
    folded = fold_text(word).replace(" ", "")
    for i, labels in enumerate(HEADER_LABELS):
        if folded in labels:
            return i
    return None


def _header_from_words(line: _Line, layout: Layout) -> _Header | None:
    """Fallback header: a line whose words are header labels, split at the widest gap between words."""
    chars = sorted(line.chars, key=lambda c: c["x0"])
    words: list[list[dict]] = [[chars[0]]]
    for c in chars[1:]:
        if c["x0"] - words[-1][-1]["x1"] > layout.header_word_gap_ratio * c["size"] or not c["text"].strip():
            words.append([])
        if c["text"].strip():
            words[-1].append(c)
    words = [w for w in words if w]
    if len(words) < 2:
        return None
    texts = [_chars_to_text(w, layout) for w in words]
    if [_label_column(t) for t in texts] != list(range(len(texts))):
        return None
    splits = [(a[-1]["x1"] + b[0]["x0"]) / 2 for a, b in zip(words, words[1:])]
    cells = [(fold_text(t), (w[0]["x0"], line.top, w[-1]["x1"], line.bottom)) for t, w in zip(texts, words)]
    return _Header(line.top, line.bottom, [(w[0]["x0"], w[-1]["x1"]) for w in words], splits, cells,
                   refine_from_body=True)


def _refine_splits(header: _Header, chars: list[dict]) -> None:
    """Move each split of a box-less header into the widest white gutter of the body between the labels.

    Only gutters closed on the right by body text count: the white space between the end of the
    right column's text and the label over it is margin, not a column boundary.
    """
    for i in range(len(header.splits)):
        lo, hi = header.bounds[i][1], header.bounds[i + 1][0]
        spans = sorted((c["x0"], c["x1"]) for c in chars if c["text"].strip() and c["x1"] > lo and c["x0"] < hi)
        best: tuple[float, float] | None = None
        edge = lo
        for x0, x1 in spans:
            if x0 > edge and (best is None or x0 - edge > best[1] - best[0]):
                best = (edge, x0)
            edge = max(edge, x1)
        if best is not None:
            header.splits[i] = (best[0] + best[1]) / 2
    # Column extents follow the splits, for the boxes of empty cells.
    printed = [c for c in chars if c["text"].strip()]
    left = min([header.bounds[0][0]] + [c["x0"] for c in printed])
    right = max([header.bounds[-1][1]] + [c["x1"] for c in printed])
    xs = [left] + header.splits + [right]
    header.bounds = [(min(a, header.bounds[j][0]), max(b, header.bounds[j][1]))
                     for j, (a, b) in enumerate(zip(xs, xs[1:]))]
    header.refine_from_body = False


def _sort_page(page, page_no: int, body: float, layout: Layout) -> _PageParts:
    """Sort a page's chars into headings, header bands, page numbers and table body."""
    chars = [c for c in page.chars if c["text"]]
    headers = _header_from_rects(page, chars, layout)
    for h in headers:
        h.page = page_no

    def in_band(c: dict, top: float, bottom: float) -> bool:
        return top - layout.band_slack <= (c["top"] + c["bottom"]) / 2 <= bottom + layout.band_slack

    rest = [c for c in chars if not any(in_band(c, h.top, h.bottom) for h in headers)]
    rest_ids = {id(c) for c in rest}
    spaces = [c for c in rest if not c["text"].strip()]
    headings: list[_Line] = []
    skipped: list[_Line] = []  # page numbers and box-less headers: their spaces are not body text
    body_chars: list[dict] = []
    # Page-wide lines, only to classify headings, page numbers and box-less headers. pdfplumber leaves
    # whitespace glyphs out of a line's chars; a heading gets its printed spaces back ("1 圏域…").
    for tl in page.extract_text_lines(return_chars=True, strip=True):
        line_chars = [c for c in tl["chars"] if id(c) in rest_ids]
        if not line_chars:
            continue
        line = _Line(line_chars, layout)
        if is_page_number(fold_text(tl["text"]), tl["top"], page.height, layout):
            skipped.append(line)
            continue
        if _is_heading(line, body, layout):
            line.chars += [c for c in spaces if in_band(c, line.top, line.bottom) and line.x0 <= c["x0"] <= line.x1]
            headings.append(line)
            continue
        fallback = _header_from_words(line, layout)
        if fallback is not None:
            fallback.page = page_no
            headers.append(fallback)
            skipped.append(line)
            continue
        body_chars.extend(line_chars)
    # Real spaces between body glyphs stay (they separate sentences: 「…実施する。 斎場…」).
    body_chars.extend(c for c in spaces
                if not any(in_band(c, l.top, l.bottom) for l in headings + skipped))
    headers.sort(key=lambda h: h.top)
    headings = _join_number_to_title(sorted(headings, key=lambda l: l.top), layout)
    return _PageParts(page_no, headings, headers, body_chars)


def _is_bold(line: "_Line") -> bool:
    return any(BOLD_NAME.search(c.get("fontname", "")) for c in line.chars)


def _is_heading(line: "_Line", body: float, layout: Layout) -> bool:
    """A line outside the tables that is set larger than the body, or bold and at least as large.

    Why both: office programs set headings in a larger size; browsers' default h2–h4 are bold and only
    1.17× (or even 1.0×) the body."""
    return (line.size >= layout.heading_size_ratio * body
            or (_is_bold(line) and line.size >= layout.body_size_floor * body))


def _join_number_to_title(headings: list["_Line"], layout: Layout) -> list["_Line"]:
    """A heading that is only a number ("1", "(2)") joined to the heading beside it: some producers set
    the number on its own baseline, up to a line above or below its title."""
    out: list[_Line] = []
    for line in headings:
        previous = out[-1] if out else None
        if (previous is not None and HEADING_NUMBER_ONLY.match(fold_text(previous.text))
                and line.top - previous.bottom <= layout.number_title_lines * previous.size and line.x0 >= previous.x0):
            out[-1] = _Line(previous.chars + line.chars, layout)
            continue
        out.append(line)
    return out


# --------------------------------------------------------------------------------------------------
# Rows of one table fragment (one page's part of a table)


@dataclass
class _Block:
    """Consecutive lines of one column with no row-sized white space between them."""

    col: int
    lines: list[_Line]

    @property
    def top(self) -> float:
        return min(l.top for l in self.lines)

    @property
    def bottom(self) -> float:
        return max(l.bottom for l in self.lines)


def _column_of(x: float, splits: list[float]) -> int:
    for i, s in enumerate(splits):
        if x < s:
            return i
    return len(splits)


def _column_lines(chars: list[dict], splits: list[float], layout: Layout) -> list[list[_Line]]:
    """Each column's visual lines, top to bottom (a glyph goes to the column its centre is in)."""
    per_col: list[list[dict]] = [[] for _ in range(len(splits) + 1)]
    for c in chars:
        per_col[_column_of((c["x0"] + c["x1"]) / 2, splits)].append(c)
    return [_group_lines(cs, layout) for cs in per_col]


def _in_cell_gaps(col_lines: list[list[_Line]]) -> list[float]:
    """The gaps between two lines of one column beside which a line of another column runs (it starts above
    the gap and ends below it): such a gap lies inside one row, so it is white between two lines of one cell.

    Why: the tightest gap of a fragment is the leading only if some cell wraps; these gaps are the leading
    whatever the rows are, and a row gap is never among them (no line runs across the white between rows).
    """
    gaps: list[float] = []
    for col, lines in enumerate(col_lines):
        beside = [l for other, ls in enumerate(col_lines) if other != col for l in ls]
        for a, b in zip(lines, lines[1:]):
            if any(x.top < a.bottom and x.bottom > b.top for x in beside):
                gaps.append(b.top - a.bottom)
    return gaps


def _row_gap_threshold(col_lines: list[list[_Line]], height: float, line_gaps: list[float],
                       layout: Layout) -> float:
    """The widest white between two lines that still keeps them in one cell.

    Without a known leading: half a line height above the tightest line-to-line gap found (capped at half
    a line, so a column whose cells are all one line — where the tightest gap *is* a row gap — cannot make
    rows merge). With in-cell gaps known (``line_gaps``: `_in_cell_gaps` of this and earlier fragments of
    the table, or of the tables before it), the widest of them (a browser snapping lines to device pixels leaves gaps a pixel apart, and
    a raised or lowered small glyph narrows one; a blank line in a cell, wider than the rest by more than
    ``Layout.row_gap_share`` of a line, is left out) plus ``Layout.leading_slack_share`` of a line, if that
    is tighter: a row's padding can be a fraction of a line (3 px on a 12 px font is half of one, where
    the first rule merged rows at a hair's breadth).
    """
    gaps = [b.top - a.bottom for ls in col_lines for a, b in zip(ls, ls[1:])]
    tightest = min(gaps) if gaps else 0.0
    threshold = max(0.0, min(tightest, layout.row_gap_share * height)) + layout.row_gap_share * height
    if line_gaps:
        typical = statistics.median(line_gaps)
        leading = max(g for g in line_gaps if g <= typical + layout.row_gap_share * height)
        threshold = min(threshold, leading + layout.leading_slack_share * height)
    return threshold


def _fragment_rows(chars: list[dict], splits: list[float], layout: Layout,
                   line_gaps: list[float] | None = None,
                   document_gaps: Iterable[float] = ()) -> list[list[_Block | None]]:
    """Rows of one page's part of a table: per column blocks, then rows as overlapping blocks.

    Lines of a column whose gap is at most `_row_gap_threshold` are one block. ``line_gaps`` collects the
    table's in-cell gaps over its fragments (this one's are added), so a page whose rows all happen to
    wrap alike still knows the table's leading; a table with none yet takes the ``document_gaps`` of the
    tables before it (one excerpt is set in one style: a short table may have no cell beside a wrap).
    """
    ncols = len(splits) + 1
    col_lines = _column_lines(chars, splits, layout)
    all_lines = [l for ls in col_lines for l in ls]
    if not all_lines:
        return []
    height = statistics.median(l.bottom - l.top for l in all_lines)
    line_gaps = [] if line_gaps is None else line_gaps
    line_gaps.extend(_in_cell_gaps(col_lines))
    threshold = _row_gap_threshold(col_lines, height, line_gaps or list(document_gaps), layout)

    blocks: list[_Block] = []
    for col, ls in enumerate(col_lines):
        for line in ls:
            if blocks and blocks[-1].col == col and line.top - blocks[-1].bottom <= threshold:
                blocks[-1].lines.append(line)
            else:
                blocks.append(_Block(col, [line]))
    blocks.sort(key=lambda b: (b.top, b.col))
    rows: list[list[_Block]] = []
    row_bottom = float("-inf")
    for b in blocks:
        if rows and b.top <= row_bottom:
            rows[-1].append(b)
            row_bottom = max(row_bottom, b.bottom)
        else:
            rows.append([b])
            row_bottom = b.bottom
    out: list[list[_Block | None]] = []
    for row in rows:
        cells: list[_Block | None] = [None] * ncols
        for b in row:
            if cells[b.col] is None:
                cells[b.col] = b
            else:  # two blocks of one column joined by a tall neighbour: one cell
                cells[b.col] = _Block(b.col, cells[b.col].lines + b.lines)
        out.append(cells)
    return out


def _cell_text(block: _Block | None) -> str:
    if block is None:
        return ""
    lines = sorted(block.lines, key=lambda l: l.top)
    return fold_text(join_cell_lines([fold_text(l.text) for l in lines]))


# --------------------------------------------------------------------------------------------------
# Public entry point


@dataclass
class _StitchedTable:
    """An unruled table being read, page by page (the parser's table in progress is table_rows.OpenTable)."""

    heading: str
    header: _Header
    rows: list[list[UnruledCell]] = field(default_factory=list)
    first_page: int | None = None
    # In-cell line gaps found so far (`_in_cell_gaps`): the table's leading, for its later pages too.
    line_gaps: list[float] = field(default_factory=list)
    # Per column, the rightmost end of a line so far: where a line is full (its text wraps on).
    right_edges: dict[int, float] = field(default_factory=dict)
    # The last row read ends in every column with a full line: its text goes on (`_wraps_on`).
    foot_wraps: bool = False


def _parsed(page, layout: Layout):
    """The page with duplicate glyphs removed (`text.deduped_page`), its objects parsed now."""
    deduped = deduped_page(page, layout.dedupe_tolerance)
    deduped.chars  # noqa: B018 (parses the page)
    return deduped


def extract_unruled_tables(pdf_path: Path, layout: Layout = Layout()) -> list[UnruledTable]:
    """Every unruled heading/header/rows table in the PDF, continued tables stitched over page breaks."""
    tables: list[_StitchedTable] = []
    with open_guarded(pdf_path) as (pdf, all_pages):
        # Every page is parsed here, under the guard (bounds, errors and pdfminer's warnings named by page).
        pages = list(read_guarded(all_pages, functools.partial(_parsed, layout=layout),
                                  number=lambda p: p.page_number))
        # The document's body size (`text.body_size`), of the glyphs before de-duplication, as always.
        body = body_size(c["size"] for p in all_pages for c in p.chars if c["text"].strip())
        current: _StitchedTable | None = None
        last_heading = ""
        for page_no, page in enumerate(pages, start=1):
            with page_guard(page_no):
                parts = _sort_page(page, page_no, body, layout)
                # Events top to bottom: a heading closes the open table, a header opens a new one. Body
                # text above the page's first event continues the table left open on the previous page.
                events: list[tuple[float, object]] = sorted(
                    [(l.top, l) for l in parts.headings] + [(h.top, h) for h in parts.headers],
                    key=lambda e: e[0])
                region_top = float("-inf")
                owner: _StitchedTable | None = current
                for top, event in events + [(float("inf"), None)]:
                    region = [c for c in parts.body_chars if region_top <= c["top"] < top]
                    if owner is not None and region:
                        _add_rows(owner, region, page_no, layout, continued=region_top == float("-inf"),
                                  document_gaps=[g for t in tables if t is not owner for g in t.line_gaps])
                    if isinstance(event, _Line):
                        last_heading = fold_text(event.text)
                        owner = None
                    elif isinstance(event, _Header):
                        owner = _StitchedTable(last_heading, event)
                        tables.append(owner)
                    region_top = top
                current = owner
    with guarded_document():
        return _finish(tables)


def _add_rows(table: _StitchedTable, chars: list[dict], page_no: int, layout: Layout, continued: bool,
              document_gaps: Iterable[float] = ()) -> None:
    """Append one page's rows to a table; glue a row cut by the page break back to its first part.
    ``document_gaps``: the in-cell gaps of the document's other tables (`_fragment_rows`)."""
    if table.header.refine_from_body:
        _refine_splits(table.header, chars)
    frag = _fragment_rows(chars, table.header.splits, layout, table.line_gaps, document_gaps)
    _note_right_edges(table.right_edges, frag)
    for i, blocks in enumerate(frag):
        empty = [b is None for b in blocks]
        if continued and i == 0 and table.rows and not all(empty) and (any(empty) or table.foot_wraps):
            # The first row of a continuation page is the tail of a row cut by the page break when a column
            # is empty (its name went on wrapping; the summary already ended on the previous page), or when
            # every cell of the row before the break ended in a full line (WebKit breaks rows anywhere:
            # both texts go on).
            _glue_to_previous_row(table.rows[-1], blocks, page_no)
            continue
        if table.first_page is None:
            table.first_page = page_no
        row_no = len(table.rows) + 1
        present = [b for b in blocks if b is not None]
        row_top, row_bottom = min(b.top for b in present), max(b.bottom for b in present)
        cells: list[UnruledCell] = []
        for col, b in enumerate(blocks):
            if b is None:
                # An empty cell still has a place: its column's box across the row's height.
                x0, x1 = table.header.bounds[col]
                cells.append(UnruledCell(row_no, col, "", x0, row_top, x1, row_bottom, page_no))
            else:
                cells.append(UnruledCell(row_no, col, _cell_text(b), *_bbox(b), page=page_no))
        table.rows.append(cells)
    if frag:
        table.foot_wraps = _wraps_on(frag[-1], table.right_edges)


def _note_right_edges(right_edges: dict[int, float], frag: list[list[_Block | None]]) -> None:
    """Move each column's rightmost line end out to this fragment's lines: the edge a full line reaches,
    learnt from the text itself (the header box or column split says where the column is, not where its
    text wraps)."""
    for blocks in frag:
        for b in blocks:
            if b is not None:
                right_edges[b.col] = max([right_edges.get(b.col, b.lines[0].x1)] + [l.x1 for l in b.lines])


def _wraps_on(blocks: list[_Block | None], right_edges: dict[int, float]) -> bool:
    """Every cell of the row that has text ends in a full line: its last line reaches, to within one glyph
    (a line-break rule may push a glyph over), the rightmost line end of its column.

    Why: a cell's text wraps only at the column's edge, so a last line short of it ended the cell; a row
    whose cells are all full at a page's foot (or empty: a short cell centred against a cut one is printed
    wholly on the next page) was cut there, and the next page's first row is its rest.
    """
    present = [b for b in blocks if b is not None]
    return bool(present) and all(
        (last := max(b.lines, key=lambda l: l.top)).x1 >= right_edges[b.col] - last.size for b in present)


def _bbox(block: _Block) -> tuple[float, float, float, float]:
    return (min(l.x0 for l in block.lines), block.top, max(l.x1 for l in block.lines), block.bottom)


def _glue_to_previous_row(prev: list[UnruledCell], blocks: list[_Block | None], page_no: int) -> None:
    """Append a row's tail (printed on the next page) to the row's first part."""
    for col, block in enumerate(blocks):
        if block is None:
            continue
        text = _cell_text(block)
        cell = prev[col]
        if not cell.text:
            # Nothing of this cell was printed before the break: the tail is the whole cell.
            cell.text, cell.page = text, page_no
            cell.x0, cell.top, cell.x1, cell.bottom = _bbox(block)
            continue
        cell.text = fold_text(join_cell_lines([cell.text, text]))
        cell.continuations.append(CellFragment(page_no, text, *_bbox(block)))


def _finish(tables: list[_StitchedTable]) -> list[UnruledTable]:
    out: list[UnruledTable] = []
    per_page: dict[int, int] = {}
    for t in tables:
        if not t.rows:
            continue
        page = t.first_page if t.first_page is not None else t.rows[0][0].page
        per_page[page] = per_page.get(page, 0) + 1
        header_cells = [UnruledCell(0, col, text, *bbox, page=t.header.page) for col, (text, bbox) in enumerate(t.header.cells)]
        out.append(UnruledTable(
            table_id=table_id(page, per_page[page]),
            page=page,
            heading=t.heading,
            header=[text for text, _ in t.header.cells],
            rows=t.rows,
            header_cells=header_cells,
            column_bounds=list(t.header.bounds),
        ))
    return out
