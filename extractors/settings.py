"""Every layout tolerance of the readers (extractors/) and the parser (pipeline/parse*.py), in one place.

One value per meaning, each with the reason it has that value. Two modules that compare the same kind of
quantity for the same purpose read the same field here; where two numbers only looked alike they have
two names. Sizes are in PDF points; ratios are of the font size (or body size) they are compared with.

The plan and the excerpt set body text at 9 pt, footnotes at 8 pt, headings at 10–14 pt and superscript
marks at 3.5–5 pt (0.39–0.56 of the body; browsers print `<sup>` at 55 %, LibreOffice at 58 %). The
values below sit in the wide gaps between those classes, so that other printers' rounding of sizes and
positions (tests/test_producers.py) reads the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """Layout tolerances. Frozen: a reader never changes them. One is made at the entry point (the build,
    a stage, a reader called alone) and handed down the call chain to every helper, so a test or another
    plan can build with another `Layout`; no module keeps a copy of a value."""

    # -- glyphs and lines ------------------------------------------------------------------------------
    # A glyph smaller than this fraction of the body size is a footnote mark or a subscript: it never
    # starts or defines a line (text.split_small: textlines, unruled). Marks are ≤ 0.6 of the body,
    # footnote print 0.89.
    small_glyph_ratio: float = 0.75
    # A horizontal gap wider than this fraction of the line's size between two glyphs that are not East
    # Asian wide (Latin letters, digits, ASCII signs) is a word space (text.word_space: every reader).
    # Kerned letters are < 0.1 em apart, a space is ≈ 0.25 em or more.
    space_gap_ratio: float = 0.2
    # A small glyph whose baseline sits this fraction of the body size above the line's is a superscript
    # (textlines). A subscript's baseline is at or below the line's, a superscript's ≈ 0.33 em above.
    raise_ratio: float = 0.15
    # A small glyph belongs to the nearest line when it is no farther than this share of that line's
    # height (textlines); farther, it is a line of small print of its own.
    mark_reach_share: float = 0.6
    # A small glyph whose centre is within this many points of a line's band is on that line (distance 0;
    # textlines): a superscript's centre sits just above the line's top.
    mark_touch: float = 2.0
    # Two glyphs are on one line when they overlap vertically by more than this share of the glyph's
    # height (text.group_rows with Band.LINE: textlines): the lines of a cell touch but never overlap by
    # half a line.
    line_overlap_share: float = 0.5
    # The height a glyph with a degenerate box (zero or negative height) counts with when its overlap
    # with a line is measured (text): any positive overlap of such a glyph is then more than its share.
    min_glyph_height: float = 0.1
    # A printed glyph narrower than this (PDF points) has no advance: its font lost its widths (/Widths
    # deleted or damaged), so the glyphs of a line cannot be put in reading order ("- 61 -" read "16"; fuzz
    # seed 1046). The plan, the excerpt and every producer of the matrix print none.
    min_glyph_advance: float = 0.01
    # How far (PDF points) a glyph's centre may lie outside the page's box and still count as printed on it:
    # a viewer shows nothing outside the MediaBox/CropBox, so text there is not the page's (fuzz seed 18797:
    # a MediaBox mutated to a sliver left the tables outside it, read with exit 0). Half a point of rounding.
    outside_page_slack: float = 0.5
    # A line at least this fraction of the body size is set in body type or larger: a heading can be one
    # (parse; unruled with bold). Footnotes are 0.89 of the body; 0.95 leaves room for size rounding.
    body_size_floor: float = 0.95
    # A line this much larger than the body is a heading even when not bold (unruled: 14 pt over 9 pt in
    # the excerpt; office programs set headings larger, while browsers' bold h2–h4 are only 1.17×).
    heading_size_ratio: float = 1.2
    # An open footnote goes on with the next line when that line is smaller than the body floor plus this
    # many points (parse): the footnote's own 8 pt lines and body-size prose continue it; headings are
    # caught before by their pattern.
    footnote_size_slack: float = 2.0
    # A heading that is only its number is joined to the title beside it when they are at most this many
    # of the number's sizes apart vertically (unruled): some producers set the number a line above/below.
    number_title_lines: float = 1.5
    # Words of a box-less header line are split at gaps wider than this fraction of the font size
    # (unruled): the header labels stand apart by several ems, a label's own glyphs touch.
    header_word_gap_ratio: float = 0.5
    # Rows of an unruled table are separated by more than this share of a line's height beyond the
    # tightest line gap (unruled): wrapped lines in one cell touch, rows have white space between them.
    row_gap_share: float = 0.5
    # Once a table's in-cell line gaps are known (where a line of the other column runs beside both lines, so
    # they are one row), a gap wider than the widest of them by more than this share of a line's height is
    # white space between rows (unruled). The widest already takes in a browser's pixel snapping (gaps of
    # 2.25 and 3.0 pt in one table); fonts' descents move a line by less than this. Rows add the cells'
    # padding, which can be a fraction of a line (3 px on a 12 px font is half a line, 2 px a third).
    leading_slack_share: float = 0.1
    # The foot of the page: a line below this share of the page height that holds only a number ("12",
    # "- 12 -") is the page number (ruled, unruled). Elsewhere a bare number is text (a heading's "2").
    page_foot_share: float = 0.85
    # Glyphs of one baseline no farther apart than this many of their size are one run of text (ruled:
    # which glyphs astride a table's edge make up a page number); another text on the baseline is farther.
    page_number_gap_ems: float = 1.0
    # A number inside a cell at the page foot of a page with no page number of its own stands where the
    # neighbouring pages print theirs when its centre and top are this close to theirs (ruled
    # `foot_number_verdicts`): a producer prints the page number at one place on every page (Chromium: the
    # same to 0.01 pt); a cell's value at the foot stands at its column's place, a column width away.
    page_number_place_slack: float = 1.5

    # A glyph at least this many times the page's body size that lies across a rule is a stamp or
    # watermark (素案), left out of the page (stamps): headings are at most 1.6× the body (LibreOffice's
    # 14 pt over 9 pt), a stamp is set at 50–200 pt.
    stamp_size_ratio: float = 2.0
    # A glyph whose writing direction differs from the page's text by more than this many degrees is
    # rotated (stamps): the page's own text is written at exactly one angle, a diagonal stamp at 30–60°.
    stamp_direction_tolerance: float = 1.0

    # -- rules (the drawings of ruled tables) ----------------------------------------------------------
    # A filled rectangle thinner than this is a rule, not a shaded cell or a header box (geometry,
    # unruled): hairline rules are ≤ 1 pt; the thinnest shaded box holds a line of text.
    hairline_max: float = 2.0
    # Collinear rule pieces closer than this belong to one rule: dotted/dashed rules have 1–4 pt gaps
    # (geometry).
    dash_gap_max: float = 6.0
    # Rule pieces within this distance of one coordinate are on the same line, and a stroked line thinner
    # than this is axis-aligned (geometry). Rules are placed exactly; 1 pt keeps a double rule two rules.
    rule_align: float = 1.0
    # A rule piece shorter than this that joined no other piece is a speck (a lone dot, an underline
    # glyph's piece), not a rule (geometry).
    min_rule_length: float = 3.0
    # A cut table's outline side moves to where the perpendicular rules end only when they run on beyond
    # the outermost rule by more than this (geometry): less is the overshoot of stroke ends.
    rule_overshoot: float = 1.5
    # A horizontal rule through this middle share of the glyphs of a line (at least two glyphs) strikes
    # through text and bounds no cell (geometry): WebKit paints the rest of a row cut by the page break at
    # the row's whole height, over the rows under it. A cell border touches a glyph's box at most at its
    # edge; a label astride a cut edge reaches 42 % into the table (straddle_share), outside this band.
    strike_band: float = 0.3
    # How far a drawing may stick out of a glyph's box and still be part of the glyph: a stroke's width
    # (glyphs).
    outline_slack: float = 0.6

    # A TrimBox or CropBox that lies within this many points of the sheet's edges on every side is the
    # sheet itself (ruled): producers round boxes to 0.01–0.1 pt; a press sheet's trim is ≥ 10 mm inside.
    trim_slack: float = 1.0

    # -- tables ----------------------------------------------------------------------------------------
    # Box edges within this distance are one edge: the cell edges of a ruled grid (ruled) and the tops and
    # bottoms of an unruled table's header boxes (unruled). Box edges come from rule centres and fill
    # boxes that producers round differently by up to a point; columns are ≥ 20 pt apart.
    edge_align: float = 1.5
    # A ruled box narrower than this, or a single cell, is a box around a word, not a data table (ruled).
    min_table_side: float = 20.0
    # A box lower than this holds no line of text (ruled tables; geometry's outlines). One row is enough:
    # a table broken over a page can leave a single row (its No. row) at the foot of a page, and dropping
    # it would orphan the rest.
    min_text_box: float = 6.0
    # A glyph whose centre lies just outside a table but whose box reaches into it by this share of its
    # height belongs to the table (ruled): a browser centres a merged label in its whole (page-spanning)
    # cell and the page cut leaves the text astride the table's cut edge.
    straddle_share: float = 0.25
    # A glyph belongs to a cell when its centre is inside the cell's box or this close to it (ruled).
    # Cells abut, so this stays well below the gap between a cell's text and its rules.
    cell_slack: float = 0.5
    # A glyph belongs to an unruled header box or a heading's band when its centre is this close to it
    # (unruled). These stand in white space, so the slack can take in spaces whose boxes are offset.
    band_slack: float = 1.0
    # pdfplumber's snap/join/intersection tolerance for the explicit rules handed to its table finder
    # (ruled): rules already merged by geometry, so only rounding is left to absorb.
    table_snap: int = 2
    # Two copies of one glyph (same text, font and size) closer than this are one glyph printed twice (a
    # fake bold, an overprint): the second is dropped (text.dedupe_chars). pdfplumber's default: copies
    # for bold are offset by a fraction of a point, two real glyphs are at least a glyph's width apart.
    dedupe_tolerance: float = 1.0
    # A small filled box is a dot of a dotted rule when its sides differ by at most this share of the
    # longer one (geometry): dots are square or round; a short dash is several times longer than thick.
    dot_squareness: float = 0.5
    # The grain of the grid that finds the cell a glyph falls in (ruled `_CellIndex`), in points, and the
    # most bins per side on a huge page. Speed only: every candidate is asked with the exact test, so the
    # result is the same for any grain.
    cell_index_bin: float = 12.0
    cell_index_bins: int = 64

    # -- the parser (pipeline/parse*.py) ---------------------------------------------------------------
    # A cell belongs to the row label column when it starts within this distance of the table's left
    # edge, and a data cell starts at or right of the label's right edge less this (parse): producers
    # round cell edges by ≈ 1 pt, and columns are ≥ 20 pt wide.
    label_slack: float = 2.0
    # A cell lies under a column header (a fiscal year) when it covers more than this share of the
    # column's width (parse): a merged amount covers whole columns, a neighbour only a rule's width.
    column_cover_share: float = 0.5


# A line holding only a page number: "12", "- 12 -", "－12－" (any dash, on either side or none). Only
# lines in the page foot count (`Layout.page_foot_share`; ruled, unruled).
PAGE_NUMBER = re.compile(r"^\s*[-‐‑–—―－ー]?\s*\d{1,4}\s*[-‐‑–—―－ー]?\s*$")


def is_page_number(text: str, top: float, page_height: float, layout: Layout) -> bool:
    """Whether a line of `text` at `top` is the page's printed number (see PAGE_NUMBER)."""
    return top > layout.page_foot_share * page_height and PAGE_NUMBER.match(text) is not None
