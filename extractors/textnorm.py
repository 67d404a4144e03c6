"""Text folding for cell text taken out of the PDF.

Why: the same visible character can sit on several code points in a PDF text layer
(full-width digits, Kangxi radicals, CJK Radicals Supplement look-alikes such as
``⻑`` for 長), and pdfplumber breaks cell text at every visual line. The data contract
asks for one spelling per character and for cell lines joined without inserted spaces
between Japanese characters, so every text column goes through this module.

What folds what (checked on CPython 3.11, Unicode 14.0):

* NFKC folds full-width ASCII, ``（）`` ``－`` ``～`` ``，``, sub/superscript digits
  (``CO₂`` → ``CO2``), all 214 Kangxi radicals U+2F00–U+2FD5, and every CJK
  compatibility ideograph in U+F900–U+FAFF and U+2F800–U+2FA1F except the twelve in
  U+FA0E–U+FA29 (﨑 and friends), which *are* unified ideographs and must stay.
* Fonts draw some code points with one shared glyph (・ U+30FB and ‧ U+2027 in Noto Sans CJK), and a
  PDF's ToUnicode map can name only one of them, so the same typed character comes back as different
  code points from different producers. ``extractors/glyph_aliases.py`` lists those aliases, generated
  from the cmaps of the Japanese fonts office programs, browsers and Linux systems print with (see
  ``extractors/fontaliases.py`` for how the preferred code point is chosen: the NFKC-stable one in a
  Japanese block, so ‧ → ・). The same table carries the CJK Radicals Supplement U+2E81–U+2EF3 →
  unified ideograph (UCD ``EquivalentUnifiedIdeograph``, which NFKC does not apply and
  ``unicodedata`` does not expose): ``⻑`` → 長. Both are applied before NFKC.
* NFKC leaves ``〜`` U+301C WAVE DASH alone; we fold it to ``~`` as NFKC does for
  ``～`` U+FF5E. ``―`` U+2015 and ``—`` U+2014 are kept: the number and quantity
  parsers read them as "no value". ``jaconv.normalize`` is deliberately not used: it
  turns ``－１２３`` into ``ー123``.
* A PDF that draws text in a Japanese CID font without a ToUnicode map (reportlab's
  built-in Heisei fonts, old Distiller output) is read through Adobe-Japan1's
  CID → Unicode table, which gives three proportional glyphs odd code points:
  ``—`` comes back as U+0336 (combining long stroke overlay), ``~`` as U+02DC (small
  tilde, which NFKC would turn into a space and a combining tilde) and ``–`` as
  U+2012 (figure dash). None of them can stand alone in the plan's text, so they are
  mapped back before NFKC (``_BEFORE_NFKC``). ``－`` comes back as U+2212 (minus sign),
  which is folded to ``-`` as NFKC folds ``－`` itself, so that a full-width hyphen reads
  the same in any font.
"""

from __future__ import annotations

import unicodedata

import regex

from extractors.glyph_aliases import GLYPH_ALIASES

__all__ = ["fold_text", "join_cell_lines", "squash_spaces", "is_japanese_char"]

# Applied before NFKC: code points fonts draw with one glyph (and the CJK Radicals Supplement, by UCD),
# generated from the fonts by extractors/fontaliases.py; then what a CID reader makes of some glyphs.
_ALIASES: dict[int, str] = {code: chr(target) for code, target in GLYPH_ALIASES.items()}
# Applied after NFKC: the wave dash NFKC leaves alone (it folds ～ U+FF5E to ~ itself).
_AFTER_NFKC: dict[int, str] = {0x301C: "~"}

# Applied before NFKC: what a reader makes of CID-font glyphs via Adobe-Japan1 (see the module docstring).
_BEFORE_NFKC: dict[int, str] = {**_ALIASES, 0x0336: "\u2014", 0x02DC: "~", 0x2012: "\u2013", 0x2212: "-"}

# "Japanese" for joining/squashing purposes: kana, kanji (incl. radicals and
# compatibility ideographs), CJK symbols and punctuation (、。「」〜 …), the prolonged
# sound mark and the katakana middle dot, and the full-width/half-width forms block.
_JAPANESE = (
    r"\p{Han}\p{Hiragana}\p{Katakana}"
    r"\u2E80-\u2FDF\u3001-\u303F\u3099-\u309F\u30A0-\u30FF\u31F0-\u31FF"
    r"\uF900-\uFAFF\uFF01-\uFFEF"
)
_JAPANESE_CHAR = regex.compile(f"[{_JAPANESE}]")
_WHITESPACE_RUN = regex.compile(r"\s+")
_ASCII_ALNUM = regex.compile(r"[A-Za-z0-9]")
_OPENING = set("([{「『【〔〈《")
_CLOSING = set(")]}」』】〕〉》")
_BRACKETS = _OPENING | _CLOSING


def fold_text(s: str) -> str:
    """Return ``s`` in the contract's single spelling.

    Glyph aliases, radicals and CID-reader artefacts (``_BEFORE_NFKC``) first, then NFKC, then ``〜``,
    which NFKC leaves alone. Idempotent.
    """
    return unicodedata.normalize("NFKC", s.translate(_BEFORE_NFKC)).translate(_AFTER_NFKC)


def is_japanese_char(ch: str) -> bool:
    """True for kana, kanji and full-width/CJK punctuation (one character)."""
    return bool(_JAPANESE_CHAR.fullmatch(ch))


def _space_or_nothing(match: regex.Match) -> str:
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text):
        return ""
    left, right = text[start - 1], text[end]
    if is_japanese_char(left) or is_japanese_char(right) or {left, right} & _BRACKETS:
        return ""
    return " "


def squash_spaces(s: str) -> str:
    """Keep one space between two Latin-script words or numbers; drop every other space.

    Why: justified (均等割付) labels come out of the PDF as ``役 割 分 担``, and a space next to
    Japanese text or a bracket ("72.22% (2022年度)", "Meeting (会議)") vanishes whenever a producer
    wraps the line there, so keeping it would make the text depend on where a program broke the line.
    The one spelling: no space next to Japanese text or a bracket, one between Latin words ("J R",
    "Incentive travel").
    """
    return _WHITESPACE_RUN.sub(_space_or_nothing, s)


def _needs_space(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` stood for a space.

    Only between two ASCII alphanumerics that are not both digits: a wrapped English
    phrase ("Incentive" / "travel") lost its space, whereas a wrapped number
    ("1,19" / "8,011") and anything next to Japanese text never had one. Never after
    an opening bracket or before a closing one.
    """
    if left in _OPENING or right in _CLOSING:
        return False
    if not (_ASCII_ALNUM.fullmatch(left) and _ASCII_ALNUM.fullmatch(right)):
        return False
    return not (left.isdigit() and right.isdigit())


def join_cell_lines(lines: list[str]) -> str:
    """Join the visual lines of one table cell into one string.

    Each line is folded (``fold_text``) and has its spaces squashed (``squash_spaces``);
    empty lines are dropped. Lines are joined with nothing, except for a single space
    between two ASCII words (see ``_needs_space``), because a PDF line break inside
    Japanese text is not a word boundary.
    """
    parts = [squash_spaces(fold_text(line)) for line in lines]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        out += (" " if _needs_space(out[-1], part[0]) else "") + part
    return out
