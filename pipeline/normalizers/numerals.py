"""Numbers as the plan prints them: ``2,583``, ``２，５８３``, ``▲2,588``, ``72.22``,
``28兆9千億``, ``10千``, ``32万``, ``5,020百万``, ``二千二十四``.

Why a module of its own: ``kanjize.kanji2number`` reads the kanji scale words but
rejects thousands commas and ``▲``, and it silently truncates decimals (``"12.5"`` →
12) and multiplies decimal fragments in binary floating point. So the sign, the commas
and plain/decimal numbers are handled here (exactly, with ``Decimal``), and kanjize
only ever sees an integer written with digits, kanji numerals and scale words.
"""

from __future__ import annotations

from decimal import Decimal

import regex
from kanjize import kanji2number

from extractors.textnorm import fold_text

__all__ = ["parse_japanese_number", "NEGATIVE_SIGNS", "SCALE_CHARS"]

#: Leading marks that make a number negative (after NFKC, ``－`` is already ``-``).
NEGATIVE_SIGNS = "▲△-−"
#: Kanji scale words kanjize understands and we accept.
SCALE_CHARS = "十百千万億兆"
_KANJI_DIGITS = "〇零一二三四五六七八九"

# A digit run with correctly grouped thousands commas, or without commas.
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_PLAIN = regex.compile(rf"(?P<int>{_DIGITS})(?:\.(?P<frac>\d+))?")
# A decimal followed only by scale words: "1.5万", "2.25億".
_SCALED_DECIMAL = regex.compile(rf"(?P<num>{_DIGITS}\.\d+)(?P<scale>[{SCALE_CHARS}]+)")
# Anything kanjize may read: digits (with valid comma groups), kanji numerals, scales.
_KANJI_NUMBER = regex.compile(
    rf"(?:(?<![\d,]){_DIGITS}(?![\d,])|[{_KANJI_DIGITS}{SCALE_CHARS}])+"
)
_NUMBERISH = regex.compile(rf"[\d{_KANJI_DIGITS}{SCALE_CHARS}]")


def _split_sign(s: str) -> tuple[int, str]:
    """Return (+1 or -1, rest) for a leading ▲ △ − - sign."""
    if s and s[0] in NEGATIVE_SIGNS:
        return -1, s[1:].lstrip()
    if s and s[0] == "+":
        return 1, s[1:].lstrip()
    return 1, s


def _to_number(value: Decimal, had_point: bool) -> int | float:
    """Exact integers stay ``int``; a number written with a decimal point is a float."""
    if not had_point and value == value.to_integral_value():
        return int(value)
    return float(value)


def parse_japanese_number(s: str) -> int | float:
    """Parse one printed number; raise ``ValueError`` on anything that is not one.

    Accepts ASCII or full-width digits, thousands commas (``,`` or ``，``, correctly
    grouped), a decimal part, kanji numerals and the scale words 十 百 千 万 億 兆
    (``28兆9千億``, ``10千``, ``5,020百万``), and a leading ▲ △ − - for negative.
    Units, brackets, spaces inside the number and anything else are rejected.
    Returns ``int`` unless the number is written with a decimal point.
    """
    if not isinstance(s, str):
        raise ValueError(f"not a string: {s!r}")
    text = fold_text(s).strip()
    sign, body = _split_sign(text)
    if not body or not _NUMBERISH.search(body):
        raise ValueError(f"not a number: {s!r}")

    plain = _PLAIN.fullmatch(body)
    if plain:
        value = Decimal(body.replace(",", ""))
        return _to_number(sign * value, plain.group("frac") is not None)

    scaled = _SCALED_DECIMAL.fullmatch(body)
    if scaled:
        multiplier = kanji2number("1" + scaled.group("scale"))
        value = Decimal(scaled.group("num").replace(",", "")) * multiplier
        return _to_number(sign * value, had_point=True)

    if not _KANJI_NUMBER.fullmatch(body):
        raise ValueError(f"not a number: {s!r}")
    try:
        value = kanji2number(body.replace(",", ""))
    except (ValueError, KeyError, AttributeError) as exc:  # kanjize's own complaints
        raise ValueError(f"not a number: {s!r} ({exc})") from exc
    return sign * int(value)
