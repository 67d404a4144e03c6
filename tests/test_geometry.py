"""extractors/geometry.py `close_outlines`: a table cut by a page break gets the side the producer did not
draw; a closed table gains nothing new; small or unconnected rulings get no outline."""

from __future__ import annotations

from extractors.geometry import Segment, close_outlines
from extractors.settings import Layout


def h(y: float, x0: float, x1: float) -> Segment:
    return Segment("h", y, x0, x1)


def v(x: float, top: float, bottom: float) -> Segment:
    return Segment("v", x, top, bottom)


def added(segments: list[Segment]) -> set[Segment]:
    result = close_outlines(segments, Layout())
    assert result[:len(segments)] == segments  # the rules themselves stay, first and unchanged
    return set(result[len(segments):])


def test_a_table_cut_at_the_foot_of_the_page_gets_its_bottom_side():
    # Rules at the top and between two rows; the columns run on to the cut at y=700, where nothing is drawn.
    rules = [h(100, 50, 550), h(150, 50, 550), v(50, 100, 700), v(300, 100, 700), v(550, 100, 700)]
    outline = added(rules)
    assert h(700, 50, 550) in outline  # the open side
    assert {h(100, 50, 550), v(50, 100, 700), v(550, 100, 700)} <= outline  # the drawn sides, as drawn


def test_a_ragged_foot_of_drawn_rules_gets_no_rule_under_the_shorter_cells():
    """WebKit paints each cell of a row cut at the head of the page to its own height (wkhtmltopdf on B5):
    the label cell ends at 68, the item cell at 74.6, the value cells at 62.5. A full-width bottom at 74.6
    made strips of blank cells under the shorter ones, and the category heading printed there under the
    label was read into the table."""
    rules = [h(33, 51, 138), h(68, 51, 138), v(51, 33, 68), v(138, 33, 74.6),
             h(44.7, 138, 447), h(74.6, 138, 324), v(324, 44.7, 74.6),
             h(62.5, 324, 447), v(447, 44.7, 62.5)]
    bottoms = [s for s in added(rules) if s.orientation == "h" and s.position == 74.6]
    assert bottoms == [h(74.6, 138, 324)]  # only under the cell that reaches it


def test_the_cut_side_spans_the_columns_that_reach_it_even_past_shorter_rules_of_other_rows():
    # Head of a page: the cut row's column rules start at the cut (60); the year columns of the row under
    # it start lower (100) and do not break the side.
    rules = [h(100, 50, 550), h(200, 50, 550), v(50, 60, 200), v(150, 60, 200), v(550, 60, 200),
             v(250, 100, 200), v(350, 100, 200)]
    assert h(60, 50, 550) in added(rules)


def test_a_table_continued_at_the_head_of_a_page_gets_its_top_side():
    rules = [h(500, 50, 550), v(50, 60, 500), v(550, 60, 500)]
    assert h(60, 50, 550) in added(rules)


def test_a_closed_table_gains_nothing_new():
    rules = [h(100, 50, 550), h(200, 50, 550), h(300, 50, 550), v(50, 100, 300), v(550, 100, 300)]
    assert added(rules) <= set(rules)


def test_stroke_ends_that_overshoot_a_little_do_not_move_the_outline():
    rules = [h(100, 49.5, 550.5), h(300, 49.5, 550.5), v(50, 99.5, 300.5), v(550, 99.5, 300.5)]
    outline = added(rules)
    assert h(100, 50, 550) in outline and h(300, 50, 550) in outline
    assert v(50, 100, 300) in outline and v(550, 100, 300) in outline


def test_each_connected_ruling_gets_its_own_outline():
    left = [h(100, 50, 250), v(50, 100, 400), v(250, 100, 400)]
    right = [h(100, 300, 550), v(300, 100, 400), v(550, 100, 400)]
    outline = added(left + right)
    assert h(400, 50, 250) in outline and h(400, 300, 550) in outline
    assert not any(s.orientation == "h" and s.start < 250 < s.end and s.end > 300 for s in outline)


def test_lone_rules_and_tiny_crossings_get_no_outline():
    assert added([h(100, 50, 550)]) == set()  # no perpendicular rule: not an area
    assert added([h(100, 50, 550), h(200, 50, 550)]) == set()  # parallel only
    assert added([h(100, 100, 102), v(101, 99, 103)]) == set()  # a cross of a few points: a glyph, no box


def glyph(x0: float, top: float, size: float = 7.0) -> dict:
    return {"text": "札", "x0": x0, "x1": x0 + size, "top": top, "bottom": top + size}


def test_a_rule_through_the_middle_of_a_line_of_text_is_dropped():
    """WebKit paints the rest of a cut row at its whole height over the rows under it (wkhtmltopdf on B5): its
    bottom rule strikes through the next row's 札幌市 and bounds no cell. A rule touching glyph boxes at
    their edge, or crossing one glyph only, stays."""
    from extractors.geometry import drop_ghost_rules

    line = [glyph(97.5, 65.7), glyph(104.5, 65.7), glyph(111.5, 65.7)]
    struck, edge, row = h(69.0, 51, 138), h(65.9, 51, 138), h(62.0, 51, 138)
    assert drop_ghost_rules([row, struck], line, Layout()) == [row]
    assert drop_ghost_rules([row, edge], line, Layout()) == [row, edge]  # within the band's edge share
    assert drop_ghost_rules([h(69.0, 100, 103)], line, Layout()) == [h(69.0, 100, 103)]  # one glyph only
    assert drop_ghost_rules([struck], line, Layout(strike_band=0.5)) == [struck]  # no band: nothing struck
