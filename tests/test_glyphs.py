"""extractors/glyphs.py: every producer's glyph boxes become the same em box on the baseline, and drawings
inside a glyph's box are glyph outlines, not rules."""

from __future__ import annotations

import pytest

from extractors.glyphs import EM_ASCENT, EM_DESCENT, GlyphBoxes, drop_glyph_outlines, rebox_chars
from extractors.settings import Layout

SLACK = Layout().outline_slack

PAGE_HEIGHT = 800.0


def char(text: str, x0: float, baseline: float, size: float, ascent: float, descent: float,
         upright: bool = True) -> dict:
    """A char as pdfminer reports it: the box from the font descriptor's ascent/descent (in em) around the
    text origin, whose PDF y (bottom-up) is the matrix's f."""
    origin_y = PAGE_HEIGHT - baseline
    y0, y1 = origin_y - descent * size, origin_y + ascent * size
    return {"text": text, "x0": x0, "x1": x0 + size, "y0": y0, "y1": y1, "top": PAGE_HEIGHT - y1,
            "bottom": PAGE_HEIGHT - y0, "doctop": PAGE_HEIGHT - y1 + PAGE_HEIGHT, "height": y1 - y0,
            "size": size, "upright": upright, "matrix": (size, 0, 0, size, x0, origin_y)}


@pytest.mark.parametrize("ascent, descent", [(1.0, 0.0), (0.71, 0.29), (1.85, -0.85), (0.88, 0.12)],
                         ids=["libreoffice", "weasyprint", "cairo-type3", "already-em"])
def test_every_producer_gets_the_em_box_on_the_baseline(ascent, descent):
    [boxed] = rebox_chars([char("圏", 100, 300, 10, ascent, descent)])
    assert boxed["top"] == pytest.approx(300 - EM_ASCENT * 10)
    assert boxed["bottom"] == pytest.approx(300 + EM_DESCENT * 10)
    assert boxed["height"] == pytest.approx(10)
    # the other coordinates move with it: PDF y, and doctop by the same shift as top
    assert boxed["y0"] == pytest.approx(PAGE_HEIGHT - boxed["bottom"])
    assert boxed["y1"] == pytest.approx(PAGE_HEIGHT - boxed["top"])
    assert boxed["doctop"] - boxed["top"] == pytest.approx(PAGE_HEIGHT)
    assert (boxed["x0"], boxed["x1"], boxed["text"]) == (100, 110, "圏")


def test_two_producers_of_one_line_agree_after_reboxing():
    a = rebox_chars([char("事", 100, 300, 10.5, 1.0, 0.0)])[0]
    b = rebox_chars([char("事", 100, 300, 10.5, 0.71, 0.29)])[0]
    assert (a["top"], a["bottom"]) == pytest.approx((b["top"], b["bottom"]))


def test_rotated_chars_and_chars_without_a_matrix_are_left_as_they_are():
    rotated = char("縦", 100, 300, 10, 1.0, 0.0, upright=False)
    bare = {k: v for k, v in char("x", 100, 300, 10, 1.0, 0.0).items() if k != "matrix"}
    assert rebox_chars([rotated, bare]) == [rotated, bare]


def box(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}


def test_a_stroke_inside_a_glyph_is_an_outline_and_a_rule_is_not():
    glyphs = GlyphBoxes([{"text": "圏", **box(100, 200, 110, 210)}, {"text": "一", **box(110, 200, 120, 210)}])
    inner_box_of_ken = box(102, 203, 108, 207)
    stroke_of_ichi = box(111, 204.8, 119, 205.2)
    just_past_the_edge = box(100.2, 199.8, 110.2, 210.2)  # within the slack of the box
    table_rule = box(50, 211, 300, 211.5)
    rule_across = box(105, 150, 105.5, 260)  # a vertical rule through the glyph
    spanning_two = box(101, 204, 119, 206)  # no single glyph holds it
    assert all(glyphs.covers(o, SLACK) for o in (inner_box_of_ken, stroke_of_ichi, just_past_the_edge))
    assert not any(glyphs.covers(o, SLACK) for o in (table_rule, rule_across, spanning_two))
    kept = drop_glyph_outlines([inner_box_of_ken, table_rule, stroke_of_ichi, rule_across], glyphs, SLACK)
    assert kept == [table_rule, rule_across]


def test_blank_chars_have_no_box_and_an_empty_page_covers_nothing():
    glyphs = GlyphBoxes([{"text": " ", **box(100, 200, 110, 210)}])
    assert not glyphs.covers(box(102, 203, 108, 207), SLACK)
    assert not GlyphBoxes([]).covers(box(0, 0, 1, 1), SLACK)


def test_a_page_whose_glyphs_have_no_width_is_refused_naming_the_font():
    """A font without /Widths puts every glyph at one x: "- 61 -" read as "16" with exit 0 (fuzz seed 1046)."""
    import pytest

    from extractors.pdfguard import PdfReadError
    from extractors.ruled import _refuse_zero_advance
    from extractors.settings import Layout

    def glyph(text, x0, x1):
        return {"text": text, "x0": x0, "x1": x1, "fontname": "F1"}

    layout = Layout()
    _refuse_zero_advance(3, [glyph("6", 10.0, 15.0), glyph(" ", 15.0, 15.0), glyph("1", 15.0, 20.0)], layout)
    with pytest.raises(PdfReadError, match=r"page 3: 2 glyph\(s\) of font 'F1' have no width"):
        _refuse_zero_advance(3, [glyph("6", 291.4, 291.4), glyph("1", 291.34, 291.34)], layout)
