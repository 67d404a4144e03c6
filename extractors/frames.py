"""Cell frames that a page break made overrun the table printed under them.

WebKit (wkhtmltopdf) paints every cell as a frame of its own: four hairline rectangles, top, bottom,
left, right, one after another in the content stream. When the page break cuts a row, it paints the rest
of the row at the head of the next page at the row's whole height, so that its frames run down over the
next table: their side rules cross that table's first row (the No. row) and cut its cells, and the two
tables become one connected ruling (seen on B5: "札幌市東京事務所を活用した首都圏PR" | "等の促進", and the
next project's No. row read into the project before it).

Cells of one table never overlap: their frames share at most a border. So where the top of one frame
lies inside the inside of a frame above it, and that frame below is not wholly within the one above, the
upper frame was painted over the cells below it: it is clipped at the top of the frame below (its sides
shortened, its bottom moved up to there). The cut row then ends where the cells under it begin; where
those are the next table's, the two tables touch, and the parser opens the next table at its No. row
(pipeline/stages/parse.py). Frames drawn in a producer's other ways (lines, one path for a whole ruling)
are not recognised, and nothing changes for them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from extractors.settings import Layout


@dataclass(frozen=True)
class Frame:
    """A cell's frame: the indexes of its four rectangles (top, bottom, left, right) in the page's rects."""

    parts: tuple[int, int, int, int]
    x0: float
    top: float
    x1: float
    bottom: float
    inner_x0: float
    inner_top: float
    inner_x1: float
    inner_bottom: float


def _horizontal(rect: dict, hairline: float) -> bool:
    return rect["bottom"] - rect["top"] <= hairline < rect["x1"] - rect["x0"]


def _vertical(rect: dict, hairline: float) -> bool:
    return rect["x1"] - rect["x0"] <= hairline < rect["bottom"] - rect["top"]


def _frame_at(rects: list[dict], i: int, layout: Layout) -> Frame | None:
    """The frame drawn by rects[i:i+4] (top, bottom, left, right, in that order), if they draw one."""
    if i + 4 > len(rects):
        return None
    top, bottom, left, right = rects[i:i + 4]
    tol, hairline = layout.rule_align, layout.hairline_max
    if not (_horizontal(top, hairline) and _horizontal(bottom, hairline)
            and _vertical(left, hairline) and _vertical(right, hairline)):
        return None
    meets = [(top["x0"], left["x0"]), (bottom["x0"], left["x0"]), (top["x1"], right["x1"]),
             (bottom["x1"], right["x1"]), (left["top"], top["top"]), (right["top"], top["top"]),
             (left["bottom"], bottom["bottom"]), (right["bottom"], bottom["bottom"])]
    if any(abs(a - b) > tol for a, b in meets) or bottom["top"] <= top["bottom"]:
        return None
    return Frame((i, i + 1, i + 2, i + 3), left["x0"], top["top"], right["x1"], bottom["bottom"],
                 left["x1"], top["bottom"], right["x0"], bottom["top"])


def cell_frames(rects: list[dict], layout: Layout) -> list[Frame]:
    """The cell frames among the page's rects, in the order they were painted."""
    frames: list[Frame] = []
    i = 0
    while i < len(rects):
        frame = _frame_at(rects, i, layout)
        if frame is None:
            i += 1
        else:
            frames.append(frame)
            i += 4
    return frames


def _painted_over(upper: Frame, lower: Frame, margin: float) -> bool:
    """Whether ``lower`` starts inside ``upper`` (below its top border, above its bottom one, and across
    its inside), without lying wholly within it (a frame round a group of cells holds them)."""
    starts_inside = upper.inner_top + margin < lower.top < upper.inner_bottom - margin
    across = min(upper.inner_x1, lower.inner_x1) - max(upper.inner_x0, lower.inner_x0) > margin
    beyond = (lower.bottom > upper.bottom + margin or lower.x0 < upper.x0 - margin
              or lower.x1 > upper.x1 + margin)
    return starts_inside and across and beyond


def clip_painted_over(rects: list[dict], layout: Layout) -> list[dict]:
    """The page's rects with every frame painted over the cells below it clipped there (see the module
    docstring)."""
    frames = cell_frames(rects, layout)
    if len(frames) < 2:
        return rects
    margin = layout.rule_align / 2
    by_top = sorted(frames, key=lambda f: f.top)
    tops = [f.top for f in by_top]
    clipped = list(rects)
    for upper in frames:
        below = by_top[bisect_right(tops, upper.top):bisect_left(tops, upper.bottom)]
        clip = min((lower.top for lower in below if _painted_over(upper, lower, margin)), default=None)
        if clip is not None:
            # Its bottom rule runs from the top of the cells under it, where theirs does.
            _moved_bottom(clipped, upper, clip + _border(rects, upper))
    return clipped


def _border(rects: list[dict], frame: Frame) -> float:
    """The width of ``frame``'s bottom rule."""
    rule = rects[frame.parts[1]]
    return rule["bottom"] - rule["top"]


def _moved_bottom(rects: list[dict], frame: Frame, bottom: float) -> None:
    """Rewrite ``frame``'s rects (in place) so that its outer bottom is ``bottom``."""
    _, bottom_i, left_i, right_i = frame.parts
    border = _border(rects, frame)
    rects[bottom_i] = dict(rects[bottom_i], top=bottom - border, bottom=bottom, height=border)
    for side in (left_i, right_i):
        rect = rects[side]
        rects[side] = dict(rect, bottom=bottom, height=bottom - rect["top"])


def clip_overruns(rects: list[dict], layout: Layout, chars: list[dict]) -> list[dict]:
    """The rects with every frame that runs on below all the frames beside it, over nothing, ended where
    the lowest of them ends.

    Why: WebKit paints some cells taller than their row (a 項目 cell of an indicator row, the rest of a
    merged label at the head of a page), so that below a cut row's rest the frame runs on past the category
    heading printed under it, to within a dash gap of the next table, and the ruling closes round the
    heading. In a table, a cell's neighbours fill every row it spans, so a frame reaching below all of
    them, with no glyph in that part, to within a dash gap (`Layout.dash_gap_max`, where rules are drawn on
    to meet) of a frame under it, is paint, not a cell. A frame with nothing beside it, or ending over
    nothing (the foot of a page), stays as drawn: there it joins nothing."""
    frames = cell_frames(rects, layout)
    if len(frames) < 2:
        return rects
    tol = layout.rule_align
    margin = tol / 2
    # The frames by where their left and right sides stand, to find a frame's neighbours without a scan.
    sides: dict[tuple[str, int], list[Frame]] = {}
    for f in frames:
        sides.setdefault(("x0", round(f.x0 / tol)), []).append(f)
        sides.setdefault(("x1", round(f.x1 / tol)), []).append(f)

    def standing_at(side: str, x: float) -> list[Frame]:
        key = round(x / tol)
        return [g for k in (key - 1, key, key + 1) for g in sides.get((side, k), [])
                if abs(getattr(g, side) - x) <= tol]

    centres = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in chars if c["text"].strip()]
    bottoms = {f.parts: f.bottom for f in frames}
    for _ in range(len(frames)):
        changed = False
        for f in frames:
            bottom = bottoms[f.parts]
            beside = [g for g in standing_at("x0", f.x1) + standing_at("x1", f.x0)
                      if g is not f and min(bottoms[g.parts], bottom) - max(g.top, f.top) > margin]
            if not beside:
                continue
            reach = max(bottoms[g.parts] for g in beside)
            if bottom <= reach + margin:
                continue
            if any(f.inner_x0 < x < f.inner_x1 and reach < y < bottom for x, y in centres):
                continue
            if not any(0 <= g.top - bottom <= layout.dash_gap_max and min(g.x1, f.x1) - max(g.x0, f.x0) > margin
                       for g in frames if g is not f):
                continue  # it ends over nothing: it closes no ruling round what lies beside it
            bottoms[f.parts] = reach
            changed = True
        if not changed:
            break
    clipped = list(rects)
    for f in frames:
        if bottoms[f.parts] != f.bottom:
            _moved_bottom(clipped, f, bottoms[f.parts])
    return clipped
