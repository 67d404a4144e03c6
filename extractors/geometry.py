"""Ruling segments of a page, whatever way the printer drew them.

Office programs draw table rules as stroked lines, as hairline filled rectangles, or as runs of short
dashes (dotted inner rules of Japanese government tables). pdfplumber's own "lines" strategy only joins
segments whose gaps are within a few points, so dotted rules fall apart into cell-less fragments. We
normalise every drawing into axis-aligned segments and merge collinear runs first, then hand pdfplumber
the result as explicit edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from extractors.settings import Layout


@dataclass(frozen=True)
class Segment:
    """An axis-aligned ruling segment in PDF points (top-left origin, as pdfplumber reports)."""

    orientation: str  # "h" or "v"
    position: float  # y for horizontal, x for vertical
    start: float
    end: float

    def as_edge(self) -> dict:
        if self.orientation == "h":
            return {"x0": self.start, "x1": self.end, "top": self.position, "bottom": self.position,
                    "width": self.end - self.start, "height": 0.0, "orientation": "h",
                    "object_type": "line"}
        return {"x0": self.position, "x1": self.position, "top": self.start, "bottom": self.end,
                "width": 0.0, "height": self.end - self.start, "orientation": "v",
                "object_type": "line"}


def _dot(obj: dict) -> list[Segment]:
    """A dot of a dotted rule (a tiny filled square or circle). Alone it cannot tell which way its rule
    runs, so it counts both ways: the way its neighbours continue merges into a rule, the other way is a
    speck that `merge_segments` drops."""
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return [Segment("h", cy, obj["x0"], obj["x1"]), Segment("v", cx, obj["top"], obj["bottom"])]


def _is_dot(obj: dict, hairline_max: float) -> bool:
    return obj["x1"] - obj["x0"] <= hairline_max and obj["bottom"] - obj["top"] <= hairline_max


def segments_from_objects(lines: Iterable[dict], rects: Iterable[dict], curves: Iterable[dict] = (), *,
                          layout: Layout) -> list[Segment]:
    """Turn pdfplumber line, rect and (dot-sized) curve objects into axis-aligned segments."""
    ALIGN_TOLERANCE, HAIRLINE_MAX = layout.rule_align, layout.hairline_max
    segments: list[Segment] = []
    for line in lines:
        width = line["x1"] - line["x0"]
        height = line["bottom"] - line["top"]
        if height <= ALIGN_TOLERANCE and width > 0:
            segments.append(Segment("h", (line["top"] + line["bottom"]) / 2, line["x0"], line["x1"]))
        elif width <= ALIGN_TOLERANCE and height > 0:
            segments.append(Segment("v", (line["x0"] + line["x1"]) / 2, line["top"], line["bottom"]))
    for rect in rects:
        x0, x1, top, bottom = rect["x0"], rect["x1"], rect["top"], rect["bottom"]
        width, height = x1 - x0, bottom - top
        if _is_dot(rect, HAIRLINE_MAX) and abs(width - height) <= layout.dot_squareness * max(width, height):
            segments += _dot(rect)
        elif height <= HAIRLINE_MAX and width > height:
            segments.append(Segment("h", (top + bottom) / 2, x0, x1))
        elif width <= HAIRLINE_MAX and height > width:
            segments.append(Segment("v", (x0 + x1) / 2, top, bottom))
        elif rect.get("stroke"):
            # A stroked box: its four sides are rules.
            segments += [Segment("h", top, x0, x1), Segment("h", bottom, x0, x1),
                         Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]
        # A filled, unstroked box is shading: its edges only count where a rule also runs, so it
        # contributes nothing here (shaded and unshaded label cells must give the same grid).
    for curve in curves:
        if _is_dot(curve, HAIRLINE_MAX):  # round dots; larger curves (rounded corners, drawings) are no rules
            segments += _dot(curve)
    return segments


def merge_segments(segments: Iterable[Segment], layout: Layout) -> list[Segment]:
    """Join collinear segments separated by small gaps into continuous rules."""
    ALIGN_TOLERANCE, DASH_GAP_MAX = layout.rule_align, layout.dash_gap_max
    merged: list[Segment] = []
    for orientation in ("h", "v"):
        pieces = sorted((s for s in segments if s.orientation == orientation),
                        key=lambda s: (round(s.position / ALIGN_TOLERANCE), s.start))
        groups: list[list[Segment]] = []
        for piece in sorted(pieces, key=lambda s: s.position):
            if groups and abs(groups[-1][0].position - piece.position) <= ALIGN_TOLERANCE:
                groups[-1].append(piece)
            else:
                groups.append([piece])
        for group in groups:
            # Weighted by length, so that the specks of a crossing dotted rule do not shift the rule.
            lengths = [max(s.end - s.start, 0.01) for s in group]
            position = sum(s.position * w for s, w in zip(group, lengths)) / sum(lengths)
            current: Segment | None = None
            for piece in sorted(group, key=lambda s: s.start):
                if current is not None and piece.start - current.end <= DASH_GAP_MAX:
                    current = Segment(orientation, position, current.start, max(current.end, piece.end))
                else:
                    if current is not None:
                        merged.append(current)
                    current = Segment(orientation, position, piece.start, piece.end)
            if current is not None:
                merged.append(current)
    # Drop specks (a lone dot of a dotted rule that joined nothing, underline glyph pieces).
    return _close_gaps([s for s in merged if s.end - s.start >= layout.min_rule_length], layout)


def _close_gaps(segments: list[Segment], layout: Layout) -> list[Segment]:
    """Extend each rule to a perpendicular rule that it stops short of by at most a dash gap.

    A dashed or dotted rule ends wherever its pattern does, up to one gap before the rule it meets; left
    so, the cells along it would not close and would merge with their neighbours.
    """
    ALIGN_TOLERANCE, DASH_GAP_MAX = layout.rule_align, layout.dash_gap_max
    by_orientation = {o: [s for s in segments if s.orientation == o] for o in ("h", "v")}
    closed: list[Segment] = []
    for segment in segments:
        across = by_orientation["v" if segment.orientation == "h" else "h"]
        start, end = segment.start, segment.end
        before = [p.position for p in across
                  if start - DASH_GAP_MAX <= p.position < start
                  and p.start - ALIGN_TOLERANCE <= segment.position <= p.end + ALIGN_TOLERANCE]
        after = [p.position for p in across
                 if end < p.position <= end + DASH_GAP_MAX
                 and p.start - ALIGN_TOLERANCE <= segment.position <= p.end + ALIGN_TOLERANCE]
        closed.append(Segment(segment.orientation, segment.position,
                              max(before) if before else start, min(after) if after else end))
    return closed


def close_outlines(segments: list[Segment], layout: Layout) -> list[Segment]:
    """Add the outline (bounding box) of every connected group of rules that spans an area.

    Why: a page break can cut a table anywhere, also inside a row or a merged cell, and the producer draws
    no rule where it cut: the rows at the foot of the page and at the head of the next are open, so no
    cell forms there and their text would fall outside the table. The outline of a connected ruling is
    where those cut edges are; for a closed table it adds nothing new. Its top and bottom run only between
    the column rules that reach them (`_open_spans`).
    """
    n = len(segments)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol, min_side, overshoot = layout.rule_align, layout.min_text_box, layout.rule_overshoot
    hs = [i for i, s in enumerate(segments) if s.orientation == "h"]
    vs = [i for i, s in enumerate(segments) if s.orientation == "v"]
    for i in hs:
        h = segments[i]
        for j in vs:
            v = segments[j]
            if h.start - tol <= v.position <= h.end + tol and v.start - tol <= h.position <= v.end + tol:
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for i, s in enumerate(segments):
        groups.setdefault(find(i), []).append(s)
    outline: list[Segment] = []
    for group in groups.values():
        h = [s for s in group if s.orientation == "h"]
        v = [s for s in group if s.orientation == "v"]
        if not h or not v:
            continue
        # Where a rule exists on a side, the outline is that rule (no overshoot from stroke ends); only a
        # side left open by a page cut takes its place from where the perpendicular rules end.
        top, _ = _side(min(s.position for s in h), min(s.start for s in v), -1, overshoot)
        bottom, _ = _side(max(s.position for s in h), max(s.end for s in v), +1, overshoot)
        x0, left_cut = _side(min(s.position for s in v), min(s.start for s in h), -1, overshoot)
        x1, right_cut = _side(max(s.position for s in v), max(s.end for s in h), +1, overshoot)
        if x1 - x0 < min_side or bottom - top < min_side:
            continue
        cut_ends = (left_cut, right_cut)
        outline += [Segment("h", top, a, b) for a, b in _open_spans(v, top, x0, x1, -1, tol, cut_ends)]
        outline += [Segment("h", bottom, a, b) for a, b in _open_spans(v, bottom, x0, x1, +1, tol, cut_ends)]
        outline += [Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]
    return segments + outline


def _open_spans(verticals: list[Segment], side: float, x0: float, x1: float, direction: int,
                tol: float, cut_ends: tuple[bool, bool]) -> list[tuple[float, float]]:
    """Where the outline's top (``direction`` -1) or bottom (+1) side at ``side`` runs: from the first to
    the last column rule that reaches it (the columns open at a page cut, or closed there already).

    Why not always the whole width: WebKit paints each cell of a row cut by the page break to its own
    height, so the cells of the row end at different heights, each closed by its own rule. A full-width
    side at the lowest would add strips of blank cells under the shorter ones, and take in the heading
    printed there. An end of the outline that is a cut edge itself (``cut_ends``: left, right) counts as
    reaching it."""
    reaching = [s.position for s in verticals
                if ((s.end if direction > 0 else s.start) - side) * direction >= -tol]
    reaching += [x for x, cut in zip((x0, x1), cut_ends) if cut]
    if len(reaching) < 2 or max(reaching) - min(reaching) <= tol:
        return []
    return [(min(reaching), max(reaching))]


def _side(rule: float, ends: float, direction: int, tolerance: float) -> tuple[float, bool]:
    """The outline's side: the outermost rule, unless perpendicular rules run on beyond it (a cut edge);
    and whether it is a cut edge."""
    cut = (ends - rule) * direction > tolerance
    return (ends if cut else rule), cut


def _drop_strike_throughs(segments: list[Segment], chars: list[dict], band: float) -> list[Segment]:
    """The rules without the horizontal ones that run through the middle of two or more glyphs (the
    middle ``1 - 2·band`` of their height, ``band`` = `Layout.strike_band`)."""
    glyphs = [(c["x0"], c["x1"], c["top"] + band * (c["bottom"] - c["top"]),
               c["bottom"] - band * (c["bottom"] - c["top"]))
              for c in chars if c["text"].strip() and c["bottom"] > c["top"]]
    kept = []
    for s in segments:
        if s.orientation == "h":
            struck = sum(1 for x0, x1, top, bottom in glyphs
                         if top < s.position < bottom and s.start <= (x0 + x1) / 2 <= s.end)
            if struck >= 2:
                continue
        kept.append(s)
    return kept


def drop_ghost_rules(segments: list[Segment], chars: list[dict], layout: Layout) -> list[Segment]:
    """The rules without the shorter of two horizontal rules closer than a line of text, with no glyph
    between them, the shorter lying along the longer.

    WebKit (wkhtmltopdf) paints the rest of a row cut by a page break at the row's whole height: its cells'
    bottom rules run a few points below the next row's top rule, over part of the table's width, and would
    cut a strip of blank cells out of the next row. Two rules that close cannot both bound a row of text;
    where they have the same length (a double rule) both stay. The same painting strikes its rules through
    the text of the rows under it: a rule through the middle of a line's glyphs is dropped first.
    """
    ALIGN_TOLERANCE, min_gap = layout.rule_align, layout.min_text_box
    segments = _drop_strike_throughs(segments, chars, layout.strike_band)
    horizontal = sorted((s for s in segments if s.orientation == "h"), key=lambda s: s.position)
    centres = [((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2) for c in chars if c["text"].strip()]
    ghosts: set[int] = set()
    for i, a in enumerate(horizontal):
        for b in horizontal[i + 1:]:
            if b.position - a.position >= min_gap:
                break
            if b.position - a.position <= ALIGN_TOLERANCE:
                continue
            short, long_ = (a, b) if a.end - a.start < b.end - b.start else (b, a)
            if long_.end - long_.start - (short.end - short.start) <= 2 * ALIGN_TOLERANCE:
                continue  # a double rule
            if not (long_.start - ALIGN_TOLERANCE <= short.start and short.end <= long_.end + ALIGN_TOLERANCE):
                continue
            if any(a.position < y < b.position and short.start <= x <= short.end for y, x in centres):
                continue
            ghosts.add(id(short))
    return [s for s in segments if id(s) not in ghosts] if ghosts else segments

