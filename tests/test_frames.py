"""extractors/frames.py: a cell frame painted down over the cells under it is clipped where they begin;
frames that tile a table, or hold a group of cells, are left as drawn."""

from __future__ import annotations

from extractors.frames import cell_frames, clip_painted_over
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
