"""Stamps and watermarks (素案, 案, 確定版) printed across a page: told apart by what they are, and left out.

A public-comment draft carries a large grey 素案 across every page, diagonally or upright, drawn behind
the content or over it. Read as text, its glyphs would fall into cells and lines; worse, their boxes are
hundreds of points wide, and a drawing inside a glyph's box is taken for a piece of that glyph's outline
(extractors/glyphs.py), so the table rules under the stamp would vanish.

A stamp glyph is one that is written in another direction than the page's text (rotated), or set at
least `Layout.stamp_size_ratio` times the page's body size, and that lies across a ruling of the page:
no text of a table page is either (headings are at most 1.6× the body and never cross a rule). A glyph
both rotated and that large is a stamp wherever it lies. The other glyphs of the same run (same font,
size and direction) go with it, also the ones that happen to lie in white space. A large upright run
that crosses no rule on its page (a stamp under the last table of a page) stays: it is read as prose,
which carries no data, and is not recorded. What is left out is returned, so that the build can record
it (the manifest).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from extractors.geometry import Segment
from extractors.settings import Layout
from extractors.text import body_size


@dataclass(frozen=True)
class StampRun:
    """The glyphs of one stamp on a page, in content order: its text and size (points)."""

    text: str
    size: float


def direction(char: dict) -> float:
    """The writing direction of a glyph in degrees, from its text matrix (0: left to right, upright)."""
    matrix = char.get("matrix")
    if not matrix:
        return 0.0
    return round(math.degrees(math.atan2(matrix[1], matrix[0])), 1) % 360.0


def _differs(a: float, b: float, tolerance: float) -> bool:
    gap = abs(a - b) % 360.0
    return min(gap, 360.0 - gap) > tolerance


def _crosses(char: dict, segments: Sequence[Segment]) -> bool:
    """Whether a rule runs through the glyph's box (not merely along its edge)."""
    x0, top, x1, bottom = char["x0"], char["top"], char["x1"], char["bottom"]
    for s in segments:
        if s.orientation == "h":
            if top < s.position < bottom and s.start < x1 and s.end > x0:
                return True
        elif x0 < s.position < x1 and s.start < bottom and s.end > top:
            return True
    return False


def stamp_like(chars: Sequence[dict], layout: Layout) -> list[bool]:
    """For each glyph (size, matrix), whether it is rotated against the page's text or at least
    `Layout.stamp_size_ratio` times its body size: what the second extractor leaves out (it has no rules
    to ask; leaving out more there can only make the cross-check disagree, never agree falsely)."""
    printed = [c for c in chars if c["text"].strip()]
    if not printed:
        return [False] * len(chars)
    body = body_size(c["size"] for c in printed)
    page_direction = Counter(direction(c) for c in printed).most_common(1)[0][0]
    tolerance, ratio = layout.stamp_direction_tolerance, layout.stamp_size_ratio
    return [bool(c["text"].strip()) and (_differs(direction(c), page_direction, tolerance) or c["size"] >= ratio * body)
            for c in chars]


def split_stamps(chars: list[dict], rulings: Callable[[], Sequence[Segment]],
                 layout: Layout) -> tuple[list[dict], list[StampRun]]:
    """The page's glyphs without its stamps, and the stamps left out (see the module docstring). `rulings`
    gives the page's rules; it is called only when a glyph is large or rotated enough to be a stamp."""
    printed = [c for c in chars if c["text"].strip()]
    if not printed:
        return chars, []
    body = body_size(c["size"] for c in printed)
    page_direction = Counter(direction(c) for c in printed).most_common(1)[0][0]

    def run_key(char: dict) -> tuple:
        return char.get("fontname"), round(char["size"], 2), direction(char)

    tolerance, STAMP_SIZE_RATIO = layout.stamp_direction_tolerance, layout.stamp_size_ratio
    rotated = [c for c in printed if _differs(direction(c), page_direction, tolerance)]
    large = [c for c in printed if c["size"] >= STAMP_SIZE_RATIO * body]
    candidates = rotated + [c for c in large if not _differs(direction(c), page_direction, tolerance)]
    if not candidates:
        return chars, []
    segments = rulings()
    stamp_keys = {run_key(c) for c in candidates if _crosses(c, segments)}
    # A large rotated run is a stamp also where it lies in white space only (the foot of a last page).
    stamp_keys |= {run_key(c) for c in rotated if c["size"] >= STAMP_SIZE_RATIO * body}
    if not stamp_keys:
        return chars, []
    left_out = {id(c) for c in candidates if run_key(c) in stamp_keys}
    runs: dict[tuple, list[str]] = {}
    for c in chars:
        if id(c) in left_out:
            runs.setdefault(run_key(c), []).append(c["text"])
    kept = [c for c in chars if id(c) not in left_out]
    return kept, [StampRun("".join(texts), key[1]) for key, texts in runs.items()]
