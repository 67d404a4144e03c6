"""Fonts for the fixture printers, none of which needs a font file in the repository.

* ``HeiseiMin-W3`` / ``HeiseiKakuGo-W5``: reportlab's built-in Japanese CID fonts (Mincho / Gothic). The
  PDF names the font and a predefined CMap, embeds nothing and has no ToUnicode map, so a reader maps
  codes → CIDs → Unicode through Adobe-Japan1 (pdfminer does). Such a text layer can only hold what
  Adobe-Japan1 maps back: a radical look-alike drawn in it reads back as the unified ideograph.
* A TrueType font embedded as reportlab subsets with a ToUnicode map (the way the real plan PDF is
  typeset): the text layer holds exactly the code points drawn, so Kangxi radicals, CJK Radicals
  Supplement characters and compatibility ideographs survive into it. We use IPAex Gothic when one is
  installed (the PyPI package ``japanize-matplotlib`` ships ``ipaexg.ttf``; Debian's fonts-ipaexfont has
  it too). Without one, reportlab's own Bitstream Vera is loaded as a "glyphless" font: every character
  it lacks is drawn with the .notdef glyph at a CJK advance width while the ToUnicode map still records
  the character, which is what OCR tools' invisible text layers do. Text extraction sees the same thing
  either way.

A character the TrueType font lacks but whose folded form (NFKC plus the radical fold) it has is mapped
to that glyph, as a font with a radical/compatibility cmap entry would: ``⻑`` is drawn with 長's glyph and
still written as U+2ED1 in the text layer.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from extractors.textnorm import fold_text

CID_FONTS = ("HeiseiMin-W3", "HeiseiKakuGo-W5")

_SYSTEM_IPAEX = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


def ipaex_path() -> Path | None:
    """An IPAex TrueType file if one is installed (found without importing anything)."""
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "fonts" / "ipaexg.ttf"
            if candidate.is_file():
                return candidate
    for name in _SYSTEM_IPAEX:
        if os.path.isfile(name):
            return Path(name)
    return None


def register_cid_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name in CID_FONTS:
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def register_ttf(kind: str) -> str:
    """Register a TrueType fixture font and return its name: kind "ipaex" (real glyphs; raises
    FileNotFoundError when no IPAex font is installed) or "glyphless" (Vera, see the module docstring)."""
    name = {"ipaex": "FixtureIPAexGothic", "glyphless": "FixtureGlyphless"}[kind]
    if name not in pdfmetrics.getRegisteredFontNames():
        if kind == "ipaex":
            path = ipaex_path()
            if path is None:
                raise FileNotFoundError("no IPAex TrueType font installed (pip install japanize-matplotlib)")
        else:
            path = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
        font = TTFont(name, str(path))
        font._fixture_glyphless = kind == "glyphless"  # type: ignore[attr-defined]
        pdfmetrics.registerFont(font)
    return name


def prepare_text(font_name: str, text: str) -> None:
    """Make every character of text drawable in a TrueType font (see the module docstring)."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    if face is None or not hasattr(face, "charToGlyph"):
        return  # a CID font: nothing to prepare
    glyphless = getattr(font, "_fixture_glyphless", False)
    for ch in set(text):
        code = ord(ch)
        if code in face.charToGlyph:
            continue
        base = fold_text(ch)
        if len(base) == 1 and ord(base) in face.charToGlyph and base != ch:
            face.charToGlyph[code] = face.charToGlyph[ord(base)]
            face.charWidths[code] = face.charWidths.get(ord(base), face.defaultWidth)
        elif glyphless:
            face.charToGlyph[code] = 0
            wide = unicodedata.east_asian_width(ch) in ("W", "F")
            face.charWidths[code] = 1000 if wide else 500
        else:
            raise ValueError(f"font {font_name} has no glyph for {ch!r} (U+{code:04X})")
