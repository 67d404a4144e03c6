"""The rules that read a plan passed on in other ways (unit tests, no PDF): stamps left out, N-up refused,
page numbers and glyphs past a page cut placed. The producer matrix (tests/test_producers.py) prints and
builds the real cases."""

from __future__ import annotations

import math

import pytest

from extractors.geometry import Segment
from extractors.pdfguard import PdfReadError
from extractors.ruled import _refuse_n_up, _touches_cut, _without_page_number
from extractors.stamps import split_stamps, stamp_like
from extractors.settings import Layout
from extractors.textlines import VisualLine

SETTINGS = Layout()


def _char(text, x0, top, size=9.0, angle=0.0, font="Body"):
    a = math.radians(angle)
    width = size * (abs(math.cos(a)) + abs(math.sin(a)))
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + width if angle else top + size,
            "size": size, "fontname": font,
            "matrix": (math.cos(a), math.sin(a), -math.sin(a), math.cos(a), x0, 800 - top)}


BODY = [_char(ch, 60 + 9 * i, 100 + 12 * row) for row in range(5) for i, ch in enumerate("連携事業の概要を記す")]
RULES = [Segment("h", 300.0, 50.0, 550.0), Segment("v", 300.0, 50.0, 700.0)]


def test_a_large_stamp_across_rules_is_left_out_and_named():
    stamp = [_char("素", 150, 200, size=150, font="Stamp"), _char("案", 300, 200, size=150, font="Stamp")]
    kept, runs = split_stamps(BODY + stamp, lambda: RULES, SETTINGS)
    assert kept == BODY
    assert [(r.text, r.size) for r in runs] == [("素案", 150)]


def test_a_large_upright_text_crossing_no_rule_stays():
    """A big heading (or a stamp in white space) that crosses no rule is prose, not a stamp."""
    big = [_char("第", 60, 400, size=30), _char("六", 90, 400, size=30)]
    kept, runs = split_stamps(BODY + big, lambda: RULES, SETTINGS)
    assert kept == BODY + big and runs == []


def test_a_rotated_large_stamp_is_left_out_wherever_it_lies():
    stamp = [_char("素", 60, 400, size=120, angle=45, font="Stamp"), _char("案", 160, 400, size=120, angle=45, font="Stamp")]
    kept, runs = split_stamps(BODY + stamp, lambda: [], SETTINGS)
    assert kept == BODY and [r.text for r in runs] == ["素案"]


def test_headings_and_marks_are_no_stamps():
    heading = [_char(ch, 60 + 14 * i, 40, size=14) for i, ch in enumerate("連携事業")]
    mark = [_char("1", 200, 100, size=5)]
    called = []
    kept, runs = split_stamps(BODY + heading + mark, lambda: called.append(1) or RULES, SETTINGS)
    assert kept == BODY + heading + mark and runs == [] and called == []  # rules never asked for


def test_a_rotated_page_is_not_a_stamp():
    """A page stored rotated writes all its text at 90°: the page's own direction, not a stamp's."""
    turned = [dict(c, matrix=(0.0, 1.0, -1.0, 0.0, c["x0"], 0.0)) for c in BODY]
    kept, runs = split_stamps(turned, lambda: RULES, SETTINGS)
    assert kept == turned and runs == []
    assert stamp_like(turned, SETTINGS) == [False] * len(turned)


def test_the_second_extractor_drops_what_looks_like_a_stamp():
    stamp = [_char("案", 150, 200, size=150)]
    assert stamp_like(BODY + stamp, SETTINGS) == [False] * len(BODY) + [True]


def _line(text, x0, x1, top=780.0):
    return VisualLine(text=text, x0=x0, top=top, x1=x1, bottom=top + 9, size=9.0)


def test_two_page_numbers_side_by_side_are_refused_as_n_up():
    with pytest.raises(PdfReadError, match=r"N-up: page numbers '- 61 -' and '- 62 -'"):
        _refuse_n_up(1, [_line("- 61 -", 280, 310), _line("- 62 -", 880, 910)], [], (0, 0, 1190, 842), 0, 842, SETTINGS)
    with pytest.raises(PdfReadError, match=r"page 3: holds two pages side by side \(N-up: page numbers '61' and '62'"):
        _refuse_n_up(3, [], [_line("- 61 - - 62 -", 280, 910)], (0, 0, 1190, 842), 0, 842, SETTINGS)


def test_one_page_number_is_no_n_up():
    _refuse_n_up(1, [_line("- 61 -", 280, 310)], [_line("2 地域の経済", 60, 200, top=100)], (0, 0, 595, 842), 0, 842, SETTINGS)
    # two numbers in the body (a heading's number beside a value) are not page numbers
    _refuse_n_up(1, [], [_line("12 34", 200, 400, top=300)], (0, 0, 595, 842), 0, 842, SETTINGS)


def test_the_page_number_is_never_read_into_a_table_astride_its_edge():
    number = [_char(ch, 290 + 4 * i, 763) for i, ch in enumerate("- 61 -")]
    label = [_char("担", 60, 763)]
    kept = _without_page_number(number[2:4] + label, number + label, 0.0, 792.0, SETTINGS)
    assert kept == label


def test_a_glyph_touching_an_open_cut_edge_belongs_to_the_table():
    box = (50.0, 400.0, 370.0, 532.87)
    rules = [Segment("h", 532.9, 87.0, 369.0)]  # the bottom rule of every cell but the merged label's
    under_label = _char("担", 62, 532.83)
    under_rule = _char("注", 200, 532.83)
    far = _char("注", 62, 540.0)
    assert _touches_cut(under_label, box, rules, SETTINGS)
    assert not _touches_cut(under_rule, box, rules, SETTINGS)  # a ruled edge: text below it is outside the table
    assert not _touches_cut(far, box, rules, SETTINGS)


class _Page:
    def __init__(self, bbox, **boxes):
        self.bbox = bbox
        for name, box in boxes.items():
            setattr(self, name, box)


def test_a_press_sheet_is_read_inside_its_trim_box():
    from extractors.ruled import reading_box

    sheet = (0.0, 0.0, 728.5, 1031.8)
    trim = (66.6, 94.96, 661.9, 936.85)
    assert reading_box(_Page(sheet, trimbox=trim, cropbox=sheet), SETTINGS) == trim
    assert reading_box(_Page(sheet, cropbox=trim), SETTINGS) == trim  # no TrimBox: the CropBox
    assert reading_box(_Page(sheet, cropbox=(0.0, 0.0, 728.6, 1031.8)), SETTINGS) is None  # the sheet itself (rounding)
    assert reading_box(_Page(sheet), SETTINGS) is None
    # a TrimBox outside the sheet or degenerate names no page: the sheet is read
    assert reading_box(_Page(sheet, trimbox=(900.0, 900.0, 905.0, 905.0), cropbox=sheet), SETTINGS) is None


def test_ghost_rules_of_a_cut_rows_rest_are_dropped():
    from extractors.geometry import drop_ghost_rules

    row_top = Segment("h", 79.51, 51.0, 543.5)
    ghost = Segment("h", 83.54, 51.0, 159.9)  # the label cell's rest painted 4 pt into the next row
    double = [Segment("h", 200.0, 51.0, 543.5), Segment("h", 202.0, 51.0, 543.5)]
    far = Segment("h", 91.03, 51.0, 543.5)
    assert drop_ghost_rules([row_top, ghost, far, *double], [], SETTINGS) == [row_top, far, *double]
    # a glyph between the two rules: they bound a (small) line of text, both stay
    mark = {"text": "1", "x0": 60.0, "x1": 62.0, "top": 80.5, "bottom": 82.5}
    assert drop_ghost_rules([row_top, ghost], [mark], SETTINGS) == [row_top, ghost]
