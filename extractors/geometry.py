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

# A filled rectangle thinner than this is a rule, not a shaded cell.
HAIRLINE_MAX = 2.0
# Collinear pieces closer than this belong to one rule (dotted/dashed rules have 1–4 pt gaps).
DASH_GAP_MAX = 6.0
# Pieces within this distance of one coordinate are on the same line.
ALIGN_TOLERANCE = 1.0


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


def segments_from_objects(lines: Iterable[dict], rects: Iterable[dict]) -> list[Segment]:
    """Turn pdfplumber line and rect objects into axis-aligned segments."""
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
        if height <= HAIRLINE_MAX and width > height:
            segments.append(Segment("h", (top + bottom) / 2, x0, x1))
        elif width <= HAIRLINE_MAX and height > width:
            segments.append(Segment("v", (x0 + x1) / 2, top, bottom))
        elif rect.get("stroke"):
            # A stroked box: its four sides are rules.
            segments += [Segment("h", top, x0, x1), Segment("h", bottom, x0, x1),
                         Segment("v", x0, top, bottom), Segment("v", x1, top, bottom)]
        # A filled, unstroked box is shading: its edges only count where a rule also runs, so it
        # contributes nothing here (shaded and unshaded label cells must give the same grid).
    return segments


def merge_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Join collinear segments separated by small gaps into continuous rules."""
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
            position = sum(s.position for s in group) / len(group)
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
    return [s for s in merged if s.end - s.start >= 3.0]
