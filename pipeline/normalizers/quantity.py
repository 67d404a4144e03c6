"""Indicator/KPI value cells and budget cells → typed values.

Why: the contract stores each 基準値/目標値/現状値 cell as quantity columns (value as
printed, unit, canonical value with 千/万/百万/億/兆 applied, year, year kind, period,
comparator, qualitative text), and each budget cell as an amount in 千円 plus a note.
The plan prints these in many shapes (``5,020百万円 (2027年度)``, ``28兆9千億円 (2020年)``,
``年1回以上 (毎年度)``, ``64,000千円 (毎年度) 以上``, ``常時（2022年度）``, ``—`` …); this
module is the one place that knows them.

Grammar of a quantity cell, after ``fold_text`` and ``squash_spaces``::

    cell   := body [ "(" period ")" ] [ "以上" ]      (以上 may also end the body)
    period := "毎年度" | YYYY ("年度" | "年") [ "まで" ]
    body   := "" | year | number | qualitative
    year   := YYYY ("年度" | "年") [ "まで" ]              → year only, no value
    number := [年|各|月|週] NUM [scale] [unit] ["以上"] ["の" …]
    NUM    := [▲△−-] digits with kanji scales inside (28兆9千億) or without (5,020)

A scale run right before the unit (``百万円``, ``千人``, ``万人``) is part of the unit and is
applied for ``canonical_value``; scales inside the number (``28兆9千億円``) belong to the
value. Anything that is not a number or a year is kept as ``text``. ``parse_quantity``
never raises.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

import regex
from kanjize import kanji2number

from pipeline.normalizers.numerals import NEGATIVE_SIGNS, SCALE_CHARS, parse_japanese_number
from extractors.textnorm import fold_text, squash_spaces

__all__ = ["Quantity", "parse_quantity", "parse_budget_cell", "NO_VALUE_MARKS", "is_no_value"]

#: Cells that mean "no value" (after fold_text and squash_spaces): empty, hyphen (also what NFKC makes of －),
#: dashes, minus, the long vowel mark. The one list of them: the parser, the validation suites (through the
#: quantity_cells frame's ``no_value`` column) and the report all ask `is_no_value`.
NO_VALUE_MARKS = frozenset({"", "-", "‐", "‑", "–", "—", "―", "−", "ー"})


def is_no_value(raw: str | None) -> bool:
    """Whether a printed cell means "no value" (a dash, or nothing)."""
    return raw is None or squash_spaces(fold_text(str(raw))) in NO_VALUE_MARKS

_SIGN = f"[{regex.escape(NEGATIVE_SIGNS)}]"
_YEAR = r"(?P<year>(?:19|20)\d{2})\s*(?P<kind>年度|年)\s*(?P<by>まで)?"
_PERIOD = regex.compile(rf"(?P<every>毎年度)|{_YEAR}")
_BRACKET = regex.compile(r"\(\s*(?P<inner>[^()]*?)\s*\)")
_TRAILING_GE = regex.compile(r"^(?P<body>.*?)\s*以上$")
_YEAR_ONLY = regex.compile(rf"^{_YEAR}$")

_NUM = (
    rf"{_SIGN}?\s*\d[\d,]*(?:\.\d+)?"
    rf"(?:[{SCALE_CHARS}]+\d[\d,]*(?:\.\d+)?)*"
)
_UNIT = r"%|[A-Za-z]{1,6}|か所|ヶ所|カ所|[\p{Han}\p{Katakana}ー]{1,6}?"
_QUANTITY = (
    rf"(?P<prefix>年|各|月|週)?\s*(?P<num>{_NUM})\s*"
    rf"(?P<scale>[{SCALE_CHARS}]*)\s*(?P<unit>{_UNIT})?"
)
_NUMBER_BODY = regex.compile(rf"^{_QUANTITY}\s*(?P<ge>以上)?$")
# "年1回以上の会議の開催": a count, then a description of what is counted.
_NUMBER_PHRASE = regex.compile(rf"^{_QUANTITY}\s*(?P<ge>以上)?の.+$")
_INTERNAL_SCALE = regex.compile(rf"[{SCALE_CHARS}]\d")
_SPACE = regex.compile(r"\s+")
_BUDGET = regex.compile(
    rf"^(?P<amount>{_SIGN}?\s*\d[\d,]*)\s*(?:千円)?\s*(?:\((?P<note>.*)\))?$"
)


@dataclass(frozen=True)
class Quantity:
    """One parsed quantity cell, field for field the contract's quantity columns."""

    raw: str
    value: float | None = None
    unit: str | None = None
    canonical_value: float | None = None
    canonical_unit: str | None = None
    year: int | None = None
    year_kind: str | None = None  # "fiscal" (年度) | "calendar" (年)
    period: str | None = None  # "at" | "every_year" (毎年度) | "by" (…まで)
    comparator: str | None = None  # ">=" for 以上
    text: str | None = None  # qualitative value: 常時, 維持, 年1回, 全市町村 …

    def as_columns(self, prefix: str) -> dict[str, object]:
        """``{prefix_raw: …, prefix_value: …, …}`` for one row of a table."""
        stem = prefix if prefix.endswith("_") else f"{prefix}_"
        return {f"{stem}{name}": value for name, value in asdict(self).items()}


def _period_fields(m: regex.Match) -> dict[str, object]:
    """year/year_kind/period from a match of ``_PERIOD`` or ``_YEAR_ONLY``."""
    if m.groupdict().get("every"):
        return {"period": "every_year"}
    return {
        "year": int(m.group("year")),
        "year_kind": "fiscal" if m.group("kind") == "年度" else "calendar",
        "period": "by" if m.group("by") else "at",
    }


def _split_period(s: str) -> tuple[str, dict[str, object]]:
    """Take the last bracket that holds a period out of ``s``; return (rest, fields)."""
    for m in reversed(list(_BRACKET.finditer(s))):
        pm = _PERIOD.fullmatch(m.group("inner"))
        if pm:
            rest = s[: m.start()] + " " + s[m.end() :]
            return _SPACE.sub(" ", rest).strip(), _period_fields(pm)
    return s, {}


def _number_fields(m: regex.Match) -> dict[str, object]:
    """value/unit/canonical_*/text from a match of ``_QUANTITY``."""
    num = _SPACE.sub("", m.group("num"))
    scale = m.group("scale") or ""
    base = m.group("unit") or ""
    if _INTERNAL_SCALE.search(num):
        # "28兆9千億円": the trailing 千億 completes the number, it is no unit prefix.
        num, scale = num + scale, ""
    value = Decimal(str(parse_japanese_number(num)))
    multiplier = kanji2number("1" + scale) if scale else 1
    fields: dict[str, object] = {
        "value": float(value),
        "unit": (scale + base) or None,
        "canonical_value": float(value * multiplier),
        "canonical_unit": base or None,
    }
    if m.group("prefix"):
        fields["text"] = f"{m.group('prefix')}{num}{scale}{base}"
    return fields


def _body_fields(body: str) -> dict[str, object]:
    """Fields for the cell text that remains once the period bracket is gone."""
    if not body:
        return {}
    year = _YEAR_ONLY.fullmatch(body)
    if year:
        return _period_fields(year)
    m = _NUMBER_BODY.fullmatch(body)
    if m:
        return {**_number_fields(m), **({"comparator": ">="} if m.group("ge") else {})}
    m = _NUMBER_PHRASE.fullmatch(body)
    if m:
        fields = _number_fields(m)
        return {**fields, "text": body, **({"comparator": ">="} if m.group("ge") else {})}
    ge = _TRAILING_GE.fullmatch(body)
    if ge and ge.group("body"):
        return {"text": ge.group("body"), "comparator": ">="}
    return {"text": body}


def parse_quantity(raw: str | None) -> Quantity:
    """Parse one indicator/KPI value cell; never raises.

    ``None`` (a spanned position) is read as an empty cell. A cell that fits no known
    shape keeps its folded text in ``text`` and has no numbers.
    """
    raw = "" if raw is None else str(raw)
    folded = squash_spaces(fold_text(raw))
    if folded in NO_VALUE_MARKS:
        return Quantity(raw=raw)
    try:
        body, period = _split_period(folded)
        fields = _body_fields(body)
        if period and "period" in fields:  # two periods in one cell: do not guess
            return Quantity(raw=raw, text=folded)
        if not period and fields.get("text") == "毎年度":
            period = {"period": "every_year"}
        return Quantity(raw=raw, **{**fields, **period})
    except (ValueError, ArithmeticError):  # decimal.InvalidOperation is an ArithmeticError
        return Quantity(raw=raw, text=folded)


def parse_budget_cell(raw: str | None) -> tuple[int | None, str | None]:
    """Parse a budget cell (amounts in 千円) into ``(amount_thousand_yen, note)``.

    ``1,198,011`` → (1198011, None); ``-``/``—`` → (None, None);
    ``(消防指令システム 共同整備)`` → (None, "消防指令システム 共同整備");
    ``0 (共同撮影の実施)`` → (0, "共同撮影の実施"). The note keeps one space where the
    source has a space or line break (the contract's example does), and loses its
    outer brackets.
    """
    if raw is None:
        return None, None
    text = _SPACE.sub(" ", fold_text(raw)).strip()
    if text in NO_VALUE_MARKS:
        return None, None
    m = _BUDGET.fullmatch(text)
    if m:
        try:
            amount = parse_japanese_number(_SPACE.sub("", m.group("amount")))
        except ValueError:
            amount = None
        if isinstance(amount, int):
            note = (m.group("note") or "").strip()
            return amount, note or None
    note = text
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1].strip()
    return None, note or None


def null_sum(values: list[int | None]) -> int | None:
    """Sum of the printed amounts; None (JSON null) when none is printed, so an unprinted year is not
    confused with a printed 0 (the build's metrics and the diff's budget totals)."""
    printed = [v for v in values if v is not None]
    return sum(printed) if printed else None
