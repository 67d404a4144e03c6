"""The text toolkit every reader uses: glyphs → lines → words → cells, each step once.

pdfplumber's shape: small named steps over plain glyph dicts (pdfplumber's ``char`` objects), every
tolerance handed in from a `Layout` (extractors/settings.py), nothing read from a global. The ruled reader
(extractors/ruled.py, with extractors/textlines.py for footnote marks) and the unruled reader
(extractors/unruled.py) both group glyphs into lines, put in word spaces, measure the body size and
drop duplicate glyphs with these functions; where they truly need different semantics, a parameter names
the difference (`Band`).

What stays with each reader is what only it has: textlines attaches the small glyphs to the lines and tells
superscript footnote marks from subscripts (it drops printed spaces, `word_space` puts them back); unruled
keeps printed spaces, which separate sentences in its summaries, and attaches them and its small glyphs to
the line they overlap most.
"""

from __future__ import annotations

import enum
import functools
import itertools
import statistics
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Iterable, Sequence

from pdfplumber.utils import cluster_objects

from extractors.settings import Layout


# -- sizes ---------------------------------------------------------------------------------------------
def body_size(sizes: Iterable[float]) -> float:
    """The body size of a set of glyphs (their sizes in points): the median, 0.0 for none.

    Why the median: the body text is most of any page, cell or line, so half the glyphs are at least its
    size and half at most, whatever few headings (larger) and marks or footnotes (smaller) sit among them;
    a mean would move with them, and a mode splits when a producer rounds one size two ways (8.96 and
    9.0). Every comparison of a size with "the body" (small glyphs, headings, footnotes, stamps) measures
    against this one value, of the glyphs the comparison is about: a cell's, a page's, the document's."""
    values = list(sizes)
    return statistics.median(values) if values else 0.0


# -- places --------------------------------------------------------------------------------------------
def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """How far two intervals overlap (negative: the gap between them): for x extents and vertical bands."""
    return min(a1, b1) - max(a0, b0)


def inside(char: dict, box: tuple[float, float, float, float], slack: float) -> bool:
    """Whether a glyph's centre lies in ``box`` (x0, top, x1, bottom) widened by ``slack`` on every side: what
    puts a glyph in a cell (ruled: `Layout.cell_slack`) or a header box (unruled: `Layout.band_slack`)."""
    cx = (char["x0"] + char["x1"]) / 2
    cy = (char["top"] + char["bottom"]) / 2
    return box[0] - slack <= cx <= box[2] + slack and box[1] - slack <= cy <= box[3] + slack


def inside_mask(chars: list[dict], box: tuple[float, float, float, float], slack: float) -> list[bool]:
    """``[inside(c, box, slack) for c in chars]``, the same comparisons in one pass."""
    left, top, right, bottom = box[0] - slack, box[1] - slack, box[2] + slack, box[3] + slack
    return [left <= (c["x0"] + c["x1"]) / 2 <= right and top <= (c["top"] + c["bottom"]) / 2 <= bottom
            for c in chars]


def table_id(page: int, index: int) -> str:
    """The id of the ``index``-th table (1-based) starting on ``page``: "p{page:03d}-t{index:02d}", the same
    for ruled and unruled tables, so that ids stay stable when only later pages change."""
    return f"p{page:03d}-t{index:02d}"


# -- duplicate glyphs -----------------------------------------------------------------------------------
def dedupe_chars(chars: list[dict], tolerance: float) -> list[dict]:
    """``pdfplumber.utils.dedupe_chars`` (same upright, text, fontname, size; position within ``tolerance``:
    `Layout.dedupe_tolerance`), with the same result, in linear rather than quadratic time.

    pdfplumber 0.11 restores the original order with ``sorted(kept, key=chars.index)``: a linear search
    per kept char, comparing dicts, which cost as much as parsing the page itself (~0.2 s per page here).
    The kept char of each cluster is the first of its exact copies (every sort is stable), so its own
    position is the ``chars.index`` pdfplumber would find.
    """
    key = itemgetter("upright", "text", "fontname", "size")
    position = itemgetter("doctop", "x0")
    order = {id(c): i for i, c in enumerate(chars)}
    kept = []
    doctop, x0 = itemgetter("doctop"), itemgetter("x0")
    for _, group in itertools.groupby(sorted(chars, key=key), key=key):
        group = list(group)
        if len(group) == 1:  # most glyphs: a cluster of one is kept as it is
            kept.append(group[0])
            continue
        for y_cluster in clusters(group, doctop, tolerance):
            if len(y_cluster) == 1:
                kept.append(y_cluster[0])
                continue
            for x_cluster in clusters(y_cluster, x0, tolerance):
                kept.append(min(x_cluster, key=position))
    return sorted(kept, key=lambda c: order[id(c)])


def deduped_page(page, tolerance: float):
    """``page.dedupe_chars(tolerance=tolerance)`` through `dedupe_chars`: the page (a pdfplumber
    ``FilteredPage``) with only the kept glyphs, every other object as it was."""
    kept = {id(c) for c in dedupe_chars(page.chars, tolerance)}
    return page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in kept)


def clusters(objects: list[dict], key, tolerance: float) -> list[list[dict]]:
    """``pdfplumber.utils.cluster_objects(objects, key, tolerance)`` (tolerance > 0), with the same clusters in
    the same order, in fewer steps: the sorted distinct values chained while each is within ``tolerance``
    of the one before, each cluster's objects in their given order."""
    values = sorted(set(map(key, objects)))
    index = {values[0]: 0}
    cluster, last = 0, values[0]
    for value in values[1:]:
        if not value <= last + tolerance:
            cluster += 1
        index[value] = cluster
        last = value
    if cluster == 0:
        return [objects]
    buckets: list[list[dict]] = [[] for _ in range(cluster + 1)]
    for obj in objects:
        i = index.get(key(obj))
        if i is None:  # a value that is not equal to itself (NaN): leave it to pdfplumber
            return cluster_objects(objects, key, tolerance)
        buckets[i].append(obj)
    return buckets


# -- glyphs → lines -------------------------------------------------------------------------------------
def split_small(chars: Sequence[dict], body: float, layout: Layout) -> tuple[list[dict], list[dict]]:
    """The glyphs of at least `Layout.small_glyph_ratio` of ``body`` (they define lines) and the smaller
    ones (footnote marks, subscripts: they are attached to a line afterwards), each in the given order."""
    floor = layout.small_glyph_ratio * body
    return [c for c in chars if c["size"] >= floor], [c for c in chars if c["size"] < floor]


class Band(enum.Enum):
    """Which band of a line a glyph is held against when lines are grouped (`group_rows`).

    LINE: the union of the line's glyphs so far; a glyph joins the first line it overlaps by more than
    `Layout.line_overlap_share` of its own height. For the text of one cell or of the page outside tables
    (ruled), where a line may mix sizes and the band should take them all in.

    FIRST_GLYPH: the box of the line's first glyph, never widened; a glyph joins the latest line whose band
    holds its vertical middle (for a glyph no taller than the band: an overlap of at least half its
    height). For the columns of an unruled table (unruled), whose name and summary are offset by half a
    line: a growing band would chain two offset lines into one.
    """

    LINE = "line"
    FIRST_GLYPH = "first glyph"


@dataclass
class GlyphRow:
    """Glyphs on one line, in the order they joined it, with the band they were held against (`Band`), and
    the small glyphs a reader attached to it afterwards (``small``)."""

    top: float
    bottom: float
    chars: list[dict]
    small: list[dict] = field(default_factory=list)


def group_rows(chars: Sequence[dict], layout: Layout, band: Band) -> list[GlyphRow]:
    """The one line grouping: glyphs (of one size class) sorted top to bottom, left to right, each put on a
    line by ``band`` (see `Band`), in the order the lines were opened."""
    rows: list[GlyphRow] = []
    ordered = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    if band is Band.LINE:
        share, least = layout.line_overlap_share, layout.min_glyph_height
        for char in ordered:
            top, bottom = char["top"], char["bottom"]
            height = max(bottom - top, least)
            for row in rows:
                if overlap(row.top, row.bottom, top, bottom) > share * height:
                    row.chars.append(char)
                    row.top = min(row.top, top)
                    row.bottom = max(row.bottom, bottom)
                    break
            else:
                rows.append(GlyphRow(top, bottom, [char]))
        return rows
    for char in ordered:
        mid = (char["top"] + char["bottom"]) / 2
        for row in reversed(rows):
            if row.top <= mid <= row.bottom:
                row.chars.append(char)
                break
        else:
            rows.append(GlyphRow(char["top"], char["bottom"], [char]))
    return rows


# -- lines → words --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def is_wide(text: str) -> bool:
    """Whether a glyph's text holds an East Asian wide or full-width character (kana, kanji, full-width
    forms)."""
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def word_space(left: dict, right: dict, size: float, layout: Layout) -> bool:
    """The one word-spacing rule: whether a space is read between two glyphs of a line.

    A horizontal gap wider than `Layout.space_gap_ratio` of the line's size (``size``) is a word space only
    between two glyphs that are not East Asian wide: Japanese lines are often justified (均等割付), which
    widens gaps between glyphs without meaning a word break, and next to Japanese text a gap is
    justification or a font switch, never a space."""
    if is_wide(left["text"]) or is_wide(right["text"]):
        return False
    return right["x0"] - left["x1"] > layout.space_gap_ratio * size
