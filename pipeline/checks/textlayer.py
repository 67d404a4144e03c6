"""Refuse a text layer that does not read as Japanese text, before anything is parsed from it.

Why: a PDF can carry a text layer whose glyphs map to the wrong code points. A browser PDF re-distilled by
Ghostscript loses the Unicode map of its Type 3 fonts, and its text reads as Latin-1 letters and control
characters (の → '~', 年 → '\\x80'); some kanji survive, so the parser may still find tables and would then
read wrong text into them. A Japanese plan has next to no letters from U+0080–U+024F, no control
characters and no private-use code points, so a page where they are more than a small share of the
glyphs is refused, naming the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Characters of U+0080–U+024F a Japanese government document does print.
_EXPECTED_LATIN1 = set("×÷±°·§¥©®µ")
# A page may hold a few odd glyphs (a symbol font, a stray mark); more than this share is a broken layer.
MAX_ODD_SHARE = 0.02
MIN_ODD = 3


def is_odd(ch: str) -> bool:
    """A code point that ordinary Japanese text never holds."""
    if ch in _EXPECTED_LATIN1 or ch in "\t\n\r":
        return False
    category = unicodedata.category(ch)
    if category in ("Cc", "Co", "Cn", "Cs"):
        return True
    return 0x80 <= ord(ch) <= 0x24F


def odd_pages(pages: Iterable[tuple[int, str]]) -> list[tuple[int, int, int]]:
    """(page, odd, total) for each page whose text has too many odd code points."""
    bad = []
    for page, text in pages:
        glyphs = [ch for ch in text if not ch.isspace()]
        odd = sum(map(is_odd, glyphs))
        if odd >= MIN_ODD and odd > MAX_ODD_SHARE * len(glyphs):
            bad.append((page, odd, len(glyphs)))
    return bad


def describe(bad: list[tuple[int, int, int]]) -> str:
    pages = ", ".join(str(p) for p, _, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
    page, odd, total = bad[0]
    return (f"the text layer does not read as Japanese text on page{'s' if len(bad) > 1 else ''} {pages} "
            f"(page {page}: {odd} of {total} characters are control, private-use or Latin-1 code points): "
            "its fonts map glyphs to the wrong characters (a re-distilled or broken PDF); print the plan "
            "again from its source")


def undecoded_places(pages) -> list[str]:
    """Where glyphs without a Unicode mapping ("(cid:N)", pdfminer's stand-in) sit in text the build reads:
    a table cell or a line (heading, footnote, page number). A handful of them is below the text-layer
    threshold (`pipeline.inputs.require_text_layer`), yet each one makes its value wrong, so any is refused."""
    places = []
    for page in pages:
        for fragment in page.fragments:
            for cell in fragment.cells:
                if "(cid:" in cell.text:
                    places.append(f"page {page.page}, table {fragment.table_id}, row {cell.row}, col {cell.col} "
                                  f"({cell.text[:30]!r})")
        for line in page.lines:
            if "(cid:" in line.text:
                places.append(f"page {page.page}, line {line.text[:30]!r}")
    return places
