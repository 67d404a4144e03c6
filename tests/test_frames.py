"""extractors/frames.py: a cell frame painted down over the cells under it is clipped where they begin;
frames that tile a table, or hold a group of cells, are left as drawn."""

from __future__ import annotations

from extractors.frames import cell_frames, clip_overruns, clip_painted_over
from extractors.settings import Layout

LAYOUT = Layout()
BORDER = 0.58


def _rect(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "top": top, "x1": x1, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "fill": True, "stroke": False, "object_type": "rect"}


def frame(x0: float, top: float, x1: float, bottom: float) -> list[dict]:
    """A cell's frame as WebKit paints it: top, bottom, left and right hairline rectangles."""
    return [_rect(x0, top, x1 + BORDER, top + BORDER), _rect(x0, bottom, x1 + BORDER, bottom + BORDER),
            _rect(x0, top, x0 + BORDER, bottom + BORDER), _rect(x1, top, x1 + BORDER, bottom + BORDER)]


def test_four_hairlines_in_paint_order_are_one_frame():
    rects = frame(10, 20, 110, 40)
    frames = cell_frames(rects, LAYOUT)
    assert [(f.x0, f.top, f.x1, f.bottom) for f in frames] == [(10, 20, 110 + BORDER, 40 + BORDER)]
    # The same rectangles in another order are no frame of WebKit's.
    assert cell_frames([rects[2], rects[0], rects[3], rects[1]], LAYOUT) == []


def test_a_cut_rows_frame_over_the_next_tables_first_row_is_clipped_where_that_row_begins():
    # Page 15 of WebKit's B5 print: the rest of an indicator cell (40.6 … 82.1) painted over the next
    # project's No. row (70.0 … 82.1), whose name cell reaches further right.
    cut = frame(138.07, 40.62, 323.74, 81.56)
    no_row = [*frame(138.07, 70.03, 199.77, 81.56), *frame(199.77, 70.03, 447.14, 81.56)]
    clipped = clip_painted_over(cut + no_row, LAYOUT)
    top, bottom, left, right = clipped[:4]
    assert top == cut[0]
    assert (bottom["top"], bottom["bottom"]) == (70.03, 70.03 + BORDER)
    assert left["bottom"] == right["bottom"] == 70.03 + BORDER
    assert left["top"] == right["top"] == 40.62
    assert clipped[4:] == no_row


def test_frames_that_tile_a_table_are_left_as_drawn():
    # A label spanning two rows beside them, and rows sharing their borders.
    rects = [*frame(51, 100, 138, 140), *frame(138, 100, 300, 120), *frame(138, 120, 300, 140),
             *frame(51, 140, 300, 160)]
    assert clip_painted_over(rects, LAYOUT) == rects


def test_a_frame_round_a_group_of_cells_holds_them():
    rects = [*frame(50, 100, 300, 200), *frame(50, 100, 150, 150), *frame(150, 100, 300, 150),
             *frame(50, 150, 300, 200)]
    assert clip_painted_over(rects, LAYOUT) == rects


def _bottom(rects: list[dict], i: int) -> float:
    """The outer bottom of the frame whose rects start at index i."""
    return rects[i + 1]["bottom"]


def test_frames_running_on_below_every_frame_beside_them_end_where_those_end():
    # Page 7 of WebKit's Letter print: the rest of a cut indicator row at the page's head. The label's rest
    # (29.7 … 71.2) and the 項目 cell (41.2 … 81.0) run on below the row's other cells (41.2 … 62.0); the 項目
    # cell on past the category heading printed at 72.9 … 81.0 left of it, to the next table.
    next_table = frame(51.0, 83.83, 560.18, 95.35)  # the next project's No. row, 2.3 pt under the 項目 cell
    rects = [*frame(51.0, 29.69, 162.74, 71.16), *frame(162.74, 41.21, 401.21, 80.95),
             *frame(401.21, 41.21, 480.7, 61.94), *frame(480.7, 41.21, 560.18, 61.94), *next_table]
    heading = [{"text": t, "x0": 51 + 8 * i, "x1": 59 + 8 * i, "top": 72.9, "bottom": 81.0}
               for i, t in enumerate("d土地利用")]
    clipped = clip_overruns(rects, LAYOUT, heading)
    # The 項目 cell ends where the label beside it ends (the lowest frame beside it), above the heading; the
    # label, beside it, stays; the row's other cells are as drawn.
    assert [_bottom(clipped, i) for i in (0, 4, 8, 12)] == [71.16 + BORDER] * 2 + [61.94 + BORDER] * 2
    assert clipped[:4] == rects[:4] and clipped[8:] == rects[8:]
    assert all(r["bottom"] < 72.9 for r in clipped[:16])


def test_a_merged_label_beside_the_rows_it_spans_is_left_as_drawn():
    rects = [*frame(51, 100, 95, 140), *frame(95, 100, 300, 120), *frame(95, 120, 300, 140)]
    assert clip_overruns(rects, LAYOUT, []) == rects


def test_a_frame_whose_longer_part_holds_text_is_left_as_drawn():
    rects = [*frame(51, 100, 150, 140), *frame(150, 100, 300, 120), *frame(51, 143, 300, 160)]
    glyph = {"text": "円", "x0": 60, "x1": 68, "top": 128, "bottom": 136}
    assert clip_overruns(rects, LAYOUT, [glyph]) == rects
    assert _bottom(clip_overruns(rects, LAYOUT, []), 0) == 120 + BORDER


def test_a_frame_ending_over_nothing_is_left_as_drawn():
    # The foot of a page: a cell painted taller than its row joins nothing there.
    rects = [*frame(51, 100, 150, 140), *frame(150, 100, 300, 120)]
    assert clip_overruns(rects, LAYOUT, []) == rects
    # The same with a table 10 pt under it: more than a dash gap, no rule is drawn on to it.
    assert clip_overruns([*rects, *frame(51, 150.6, 300, 170)], LAYOUT, []) == [*rects, *frame(51, 150.6, 300, 170)]


def test_a_frame_with_nothing_beside_it_is_left_as_drawn():
    rects = [*frame(51, 100, 150, 140), *frame(51, 150, 150, 160)]
    assert clip_overruns(rects, LAYOUT, []) == rects
