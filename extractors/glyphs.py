"""Glyph geometry that does not depend on the program that wrote the PDF.

Two things differ between producers for the very same printed page and would otherwise change which
cell, line or row a character is read into:

* **Glyph boxes.** pdfminer builds a character's box from the font descriptor's ascent and descent, which
  each producer writes differently (LibreOffice: box from the baseline up; WeasyPrint: 0.29 em below the
  baseline; a Type 3 font re-embedded by cairo has no FontBBox and its boxes float 0.85 em above the
  glyphs). The baseline and the size come from the text matrix and are the same everywhere, so every
  upright character gets the ideographic em box of CJK fonts instead: from 0.88 em above the baseline
  to 0.12 em below it.
* **Glyph outlines.** Bold text is often drawn as a fill plus a stroked outline, and some producers
  (cairo) write those outlines as ordinary paths. Their straight pieces (the inner box of 圏, the strokes
  of 一) look like short table rules and would cut cells. A drawing that lies inside the box of a
  character is part of that glyph, never a rule: a rule runs along a cell border, which is longer than
  any glyph and is not covered by one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterable, Sequence


# The ideographic em box of CJK fonts (OpenType 'ideo'/'idtp' baselines: -0.12 em … 0.88 em).
EM_ASCENT = 0.88
EM_DESCENT = 0.12


def rebox_chars(chars: Iterable[dict]) -> list[dict]:
    """Give each upright character the ideographic em box on its baseline (see the module docstring)."""
    out = []
    for char in chars:
        matrix = char.get("matrix")
        if not char.get("upright", True) or not matrix:
            out.append(char)
            continue
        baseline = char["bottom"] + (char["y0"] - matrix[5])  # top-down coordinate of the text origin
        size = char["size"]
        top, bottom = baseline - EM_ASCENT * size, baseline + EM_DESCENT * size
        shift = top - char["top"]
        out.append(dict(char, top=top, bottom=bottom, doctop=char["doctop"] + shift,
                        y0=char["y0"] - (bottom - char["bottom"]), y1=char["y1"] - shift, height=bottom - top))
    return out


class GlyphBoxes:
    """The boxes of a page's characters, for asking whether a drawing lies inside one of them."""

    def __init__(self, chars: Sequence[dict]) -> None:
        self._boxes = sorted((c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars if c["text"].strip())
        self._x0s = [b[0] for b in self._boxes]
        self._widest = max((b[2] - b[0] for b in self._boxes), default=0.0)

    def covers(self, obj: dict, slack: float) -> bool:
        """Whether obj (anything with x0, top, x1, bottom) lies within one glyph's box, give or take
        ``slack`` (`Layout.outline_slack`: a stroke's width)."""
        x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
        lo = bisect_left(self._x0s, x1 - self._widest - slack)
        hi = bisect_right(self._x0s, x0 + slack)
        for bx0, btop, bx1, bbottom in self._boxes[lo:hi]:
            if (bx0 - slack <= x0 and x1 <= bx1 + slack and btop - slack <= top and bottom <= bbottom + slack):
                return True
        return False


def drop_glyph_outlines(objects: Iterable[dict], glyphs: GlyphBoxes, slack: float) -> list[dict]:
    """The drawings that are not pieces of a glyph's outline (``slack``: `Layout.outline_slack`)."""
    return [o for o in objects if not glyphs.covers(o, slack)]
