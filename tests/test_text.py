"""The text toolkit (extractors/text.py) step by step, on glyph dicts made here (no PDF read): body size,
line grouping with either band, the word-spacing rule, dedupe, and superscript marks (textlines)."""

from __future__ import annotations

from dataclasses import replace

from extractors.settings import Layout
from extractors.text import (Band, body_size, dedupe_chars, deduped_page, group_rows, overlap, split_small,
                             table_id, word_space)
from extractors.textlines import group_lines

SETTINGS = Layout()


def ch(text: str, x0: float, top: float, size: float = 9.0, width: float | None = None,
       height: float | None = None, fontname: str = "Body") -> dict:
    """A pdfplumber-like char: box from x0/top, ``size`` points, upright."""
    width = size if width is None else width
    height = size if height is None else height
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + height, "doctop": top,
            "size": size, "fontname": fontname, "upright": True, "object_type": "char"}


def run(text: str, x0: float, top: float, size: float = 9.0, advance: float | None = None, **kw) -> list[dict]:
    advance = size if advance is None else advance
    return [ch(t, x0 + i * advance, top, size, width=advance, **kw) for i, t in enumerate(text)]


# -- body size -------------------------------------------------------------------------------------
def test_body_size_is_the_median_of_the_sizes():
    assert body_size([9.0, 9.0, 9.0, 14.0, 4.0]) == 9.0  # a heading and a mark do not move it
    assert body_size([9.0, 9.0, 8.0, 8.0]) == 8.5  # even count: between the middle two
    assert body_size(s for s in (8.96, 9.0, 9.04)) == 9.0  # a generator; rounding noise stays in the middle


def test_body_size_of_nothing_is_zero():
    assert body_size([]) == 0.0


def test_split_small_uses_the_ratio_of_the_body():
    chars = [ch("a", 0, 0, 9.0), ch("1", 10, 0, 5.0), ch("b", 20, 0, 6.75)]  # 6.75 = 0.75 × 9 exactly
    full, small = split_small(chars, 9.0, SETTINGS)
    assert [c["text"] for c in full] == ["a", "b"] and [c["text"] for c in small] == ["1"]
    full, small = split_small(chars, 9.0, replace(SETTINGS, small_glyph_ratio=0.5))
    assert len(full) == 3 and not small


# -- line grouping ---------------------------------------------------------------------------------
def test_two_lines_of_a_cell_are_two_rows_top_to_bottom():
    chars = run("二行目", 0, 12) + run("一行目", 0, 0)
    for band in Band:
        rows = group_rows(chars, SETTINGS, band)
        assert ["".join(c["text"] for c in r.chars) for r in rows] == ["一行目", "二行目"], band


def test_the_bands_differ_only_where_lines_are_offset():
    # Three glyphs, each 4 pt lower than the one before (offset columns of an unruled table).
    a, b, c = ch("a", 0, 0, height=10), ch("b", 20, 4, height=10), ch("c", 40, 8, height=10)
    grown = group_rows([a, b, c], SETTINGS, Band.LINE)
    fixed = group_rows([a, b, c], SETTINGS, Band.FIRST_GLYPH)
    # The growing band chains them into one line (each overlaps the union by 6 > 5 pt) ...
    assert [[g["text"] for g in r.chars] for r in grown] == [["a", "b", "c"]]
    assert (grown[0].top, grown[0].bottom) == (0, 18)
    # ... the first glyph's band takes b (its middle, 9, is inside 0..10) but not c (middle 13).
    assert [[g["text"] for g in r.chars] for r in fixed] == [["a", "b"], ["c"]]
    assert (fixed[0].top, fixed[0].bottom) == (0, 10)


def test_the_line_band_joins_by_overlap_share():
    base = ch("a", 0, 0, height=10)
    for top, joined in ((4.9, True), (5.0, False)):  # overlap 5.1 > 0.5 × 10; 5.0 is not more than half
        rows = group_rows([base, ch("b", 20, top, height=10)], SETTINGS, Band.LINE)
        assert (len(rows) == 1) is joined, top
    rows = group_rows([base, ch("b", 20, 5.0, height=10)], replace(SETTINGS, line_overlap_share=0.4), Band.LINE)
    assert len(rows) == 1  # the share is the setting's, not a constant


def test_a_degenerate_glyph_counts_with_the_least_height():
    flat = dict(ch("-", 20, 5, height=10), bottom=5.0)  # zero height
    rows = group_rows([ch("a", 0, 0, height=10), flat], SETTINGS, Band.LINE)
    assert len(rows) == 2  # it touches the line's band (overlap 0) but does not overlap it


# -- words -----------------------------------------------------------------------------------------
def test_a_gap_between_latin_glyphs_is_a_word_space():
    left = ch("e", 0, 0, width=5)
    assert word_space(left, ch("t", 5 + 2.0, 0), 9.0, SETTINGS)  # 2 pt > 0.2 × 9
    assert not word_space(left, ch("t", 5 + 1.0, 0), 9.0, SETTINGS)  # kerning
    assert not word_space(left, ch("t", 5 + 2.0, 0), 9.0, replace(SETTINGS, space_gap_ratio=0.5))


def test_a_gap_next_to_japanese_is_never_a_space():
    assert not word_space(ch("市", 0, 0), ch("町", 9 + 5, 0), 9.0, SETTINGS)  # justified (均等割付)
    assert not word_space(ch("A", 0, 0, width=5), ch("町", 5 + 5, 0), 9.0, SETTINGS)
    assert not word_space(ch("（", 0, 0), ch("A", 9 + 5, 0), 9.0, SETTINGS)  # full-width bracket


def test_cell_text_puts_spaces_only_between_latin_words():
    chars = run("Incentive", 0, 0, advance=5) + run("travel", 45 + 2.5, 0, advance=5) + \
        run("報奨", 80 + 3, 0)
    (line,) = group_lines(chars, SETTINGS)
    assert line.text == "Incentive travel報奨"


# -- superscript marks and subscripts (textlines) --------------------------------------------------
def test_a_raised_small_digit_is_a_mark_a_lowered_one_stays_in_the_text():
    body = run("計画", 0, 100)
    mark = ch("1", 18, 100 - 1, size=4.5)  # baseline 104.5 vs the line's 109: raised 4.5 > 0.15 × 9
    (line,) = group_lines(body + [mark], SETTINGS)
    assert line.text == "計画" and line.marks == ["1"] and line.leading_marks == []

    co = run("CO", 0, 200, advance=6)
    sub = ch("2", 12, 200 + 9 - 4.5 + 1, size=4.5)  # baseline 1 pt below the line's
    (line,) = group_lines(co + [sub], SETTINGS)
    assert line.text == "CO2" and line.marks == []


def test_a_mark_before_the_text_is_a_leading_mark():
    mark = ch("3", 0, 100 - 1, size=4.5)
    body = run("【注】", 5, 100)
    (line,) = group_lines([mark] + body, SETTINGS)
    assert line.leading_marks == ["3"] and line.text == "【注】"


def test_the_raise_that_makes_a_mark_is_the_settings():
    body = run("計画", 0, 100)
    mark = ch("1", 18, 100 - 1, size=4.5)
    (line,) = group_lines(body + [mark], replace(SETTINGS, raise_ratio=1.0))
    assert line.text == "計画1" and line.marks == []


def test_small_print_far_from_any_line_is_a_line_of_its_own():
    body = run("本文", 0, 100)
    note = run("注記", 0, 200, size=5.0)
    lines = group_lines(body + note, SETTINGS)
    assert [l.text for l in lines] == ["本文", "注記"]


# -- duplicate glyphs ------------------------------------------------------------------------------
def test_dedupe_keeps_the_first_copy_in_the_given_order():
    a = ch("a", 0, 0)
    bold = dict(a, x0=0.4, x1=9.4)
    b = ch("b", 20, 0)
    assert dedupe_chars([b, bold, a], 1.0) == [b, a]  # the leftmost copy, in place of the pair
    assert dedupe_chars([b, bold, a], 0.1) == [b, bold, a]  # beyond the tolerance: two glyphs


class _Page:
    """What `deduped_page` asks of a pdfplumber page: its chars and `filter`."""

    def __init__(self, objects: list[dict]) -> None:
        self.objects = objects

    @property
    def chars(self) -> list[dict]:
        return [o for o in self.objects if o["object_type"] == "char"]

    def filter(self, keep) -> "_Page":
        return _Page([o for o in self.objects if keep(o)])


def test_deduped_page_keeps_every_other_object():
    a, rect = ch("a", 0, 0), {"object_type": "rect", "x0": 0, "x1": 5, "top": 0, "bottom": 5}
    page = deduped_page(_Page([a, dict(a, x0=0.5), rect]), 1.0)
    assert page.objects == [a, rect]


# -- small facts -----------------------------------------------------------------------------------
def test_table_id_and_overlap():
    assert table_id(7, 2) == "p007-t02"
    assert overlap(0, 10, 5, 20) == 5 and overlap(0, 10, 12, 20) == -2
