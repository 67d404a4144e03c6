"""extractors/textlines.py on glyphs placed by hand: footnote marks (raised small digits) leave the text and
are recorded, subscripts and small letters stay, word spaces only between Latin glyphs, lines in order."""

from __future__ import annotations

from extractors.settings import Layout
from extractors.textlines import group_lines

SETTINGS = Layout()

BODY = 10.0  # the body size of these lines, in points


def glyph(text: str, x0: float, baseline: float, size: float = BODY, width: float | None = None,
          fontname: str = "Mincho") -> dict:
    """A pdfplumber-like char whose box runs from 0.88 em above its baseline to 0.12 em below."""
    width = size if width is None else width
    return {"text": text, "x0": x0, "x1": x0 + width, "top": baseline - 0.88 * size,
            "bottom": baseline + 0.12 * size, "size": size, "fontname": fontname, "upright": True}


def word(text: str, x0: float, baseline: float, size: float = BODY, width: float | None = None) -> list[dict]:
    step = size if width is None else width
    return [glyph(ch, x0 + i * step, baseline, size, width) for i, ch in enumerate(text)]


def test_a_raised_small_digit_after_a_word_is_a_footnote_mark():
    chars = word("事業費", 100, 200) + [glyph("1", 130, 200 - 4.5, size=5.5, width=3)] + word("等", 133, 200)
    [line] = group_lines(chars, SETTINGS)
    assert line.text == "事業費等"
    assert line.marks == ["1"] and line.leading_marks == []


def test_marks_of_two_digits_stay_one_mark_and_several_marks_are_kept_in_order():
    chars = (word("指標", 100, 200) + [glyph("1", 120, 195.5, 5.5, 3), glyph("0", 123, 195.5, 5.5, 3)]
             + word("目標", 126, 200) + [glyph("2", 146, 195.5, 5.5, 3)])
    [line] = group_lines(chars, SETTINGS)
    assert line.text == "指標目標" and line.marks == ["10", "2"]


def test_a_mark_before_any_body_text_is_a_leading_mark():
    chars = [glyph("3", 97, 195.5, 5.5, 3)] + word("用語の説明", 100, 200)
    [line] = group_lines(chars, SETTINGS)
    assert line.text == "用語の説明"
    assert line.leading_marks == ["3"] and line.marks == []


def test_a_subscript_stays_in_the_text():
    """CO₂: a small digit on or below the baseline is text, not a reference."""
    chars = word("CO", 100, 200, width=6) + [glyph("2", 112, 201.5, size=5.5, width=3)] + word("削減", 116, 200)
    [line] = group_lines(chars, SETTINGS)
    assert line.text.replace(" ", "") == "CO2削減" and line.marks == []


def test_a_raised_small_letter_is_text_not_a_mark():
    chars = word("令和", 100, 200) + [glyph("a", 120, 195.5, size=5.5, width=3)]
    [line] = group_lines(chars, SETTINGS)
    assert "a" in line.text and line.marks == []


def test_word_spaces_only_between_latin_glyphs():
    latin = word("ICT", 100, 200, width=6) + word("AI", 100 + 18 + 6, 200, width=6)  # a 6 pt gap
    [line] = group_lines(latin, SETTINGS)
    assert line.text == "ICT AI"
    mixed = word("ICT", 100, 200, width=6) + word("活用", 100 + 18 + 6, 200)  # the same gap before Japanese
    [line] = group_lines(mixed, SETTINGS)
    assert line.text == "ICT活用"
    tight = word("ICT", 100, 200, width=6) + word("AI", 100 + 18 + 0.5, 200, width=6)
    [line] = group_lines(tight, SETTINGS)
    assert line.text == "ICTAI"


def test_lines_come_top_to_bottom_and_carry_their_box_and_size():
    chars = word("二行目", 100, 240) + word("一行目", 100, 200)
    first, second = group_lines(chars, SETTINGS)
    assert (first.text, second.text) == ("一行目", "二行目")
    assert first.x0 == 100 and first.x1 == 130 and first.size == BODY
    assert first.top < first.bottom < second.top


def test_a_line_set_wholly_in_small_type_is_a_line_of_its_own():
    chars = word("本文の行", 100, 200) + word("注記", 100, 300, size=6)
    lines = group_lines(chars, SETTINGS)
    assert [line.text for line in lines] == ["本文の行", "注記"]
    assert lines[1].marks == [] and lines[1].size == 6


def test_blank_glyphs_and_no_glyphs():
    assert group_lines([], SETTINGS) == []
    assert group_lines([glyph(" ", 100, 200)], SETTINGS) == []
