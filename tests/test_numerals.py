"""Tests for pipeline.normalizers.numerals.parse_japanese_number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kanjize import number2kanji

from pipeline.normalizers.numerals import parse_japanese_number

_FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2583", 2583),
        ("2,583", 2583),
        ("２，５８３", 2583),
        ("2，583", 2583),
        ("▲2,588", -2588),
        ("△650", -650),
        ("−12", -12),
        ("－12", -12),
        ("-12", -12),
        ("72.22", 72.22),
        ("59.3", 59.3),
        ("１２．５", 12.5),
        ("0", 0),
        ("28兆9千億", 28_900_000_000_000),
        ("30兆7千億", 30_700_000_000_000),
        ("10千", 10_000),
        ("32万", 320_000),
        ("5,020百万", 5_020_000_000),
        ("3千2百万", 32_000_000),
        ("2万5千", 25_000),
        ("二千二十四", 2024),
        ("一〇", 10),
        ("▲28兆9千億", -28_900_000_000_000),
        ("1.5万", 15_000.0),
        ("0.29百", 29.0),  # exact, not int(28.999…)
        (" 2,583 ", 2583),
    ],
)
def test_parse_japanese_number(raw: str, expected: int | float) -> None:
    value = parse_japanese_number(raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "raw",
    ["", " ", "▲", "-", "—", "―", "1,2", "1234,567", "12.5.1", "12円", "2,583人",
     "abc", "1 000", "万", "億2", "十十", "▲▲3", "(5)", "1e5", None],
)
def test_parse_japanese_number_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_japanese_number(raw)  # type: ignore[arg-type]


# --- property tests: format integers the ways the plan prints them, parse them back --


def fmt_plain(n: int) -> str:
    return str(n)


def fmt_comma(n: int) -> str:
    return f"{n:,}"


def fmt_full_width(n: int) -> str:
    return ("－" if n < 0 else "") + f"{abs(n):,}".translate(_FULL_WIDTH)


def fmt_triangle(n: int) -> str:
    return ("▲" if n < 0 else "") + f"{abs(n):,}"


def _group(g: int, use_thousand_kanji: bool) -> str:
    """One 4-digit group: '9000' → '9千' when asked (as in 28兆9千億)."""
    if use_thousand_kanji and g % 1000 == 0:
        return f"{g // 1000}千"
    return str(g)


def fmt_kanji_scale(n: int, use_thousand_kanji: bool) -> str:
    """28900000000000 → '28兆9千億': digits per 兆/億/万 group, zero groups dropped."""
    sign, m = ("▲" if n < 0 else ""), abs(n)
    if m == 0:
        return "0"
    parts = []
    for scale, unit in ((10**12, "兆"), (10**8, "億"), (10**4, "万"), (1, "")):
        g, m = divmod(m, scale)
        if g:
            parts.append(_group(g, use_thousand_kanji) + unit)
    return sign + "".join(parts)


_INTS = st.integers(min_value=-(10**15), max_value=10**15)


@settings(max_examples=200, deadline=None)
@given(_INTS, st.sampled_from([fmt_plain, fmt_comma, fmt_full_width, fmt_triangle]))
def test_round_trip_digit_styles(n: int, fmt) -> None:
    assert parse_japanese_number(fmt(n)) == n


@settings(max_examples=200, deadline=None)
@given(_INTS, st.booleans())
def test_round_trip_kanji_scale_style(n: int, use_thousand_kanji: bool) -> None:
    assert parse_japanese_number(fmt_kanji_scale(n, use_thousand_kanji)) == n


def test_kanji_scale_formatter_matches_the_plan() -> None:
    assert fmt_kanji_scale(28_900_000_000_000, True) == "28兆9千億"
    assert fmt_kanji_scale(-2588, False) == "▲2588"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), st.booleans())
def test_round_trip_thousand_and_million_suffix(n: int, million: bool) -> None:
    sign = "▲" if n < 0 else ""
    if million:
        assert parse_japanese_number(f"{sign}{abs(n):,}百万") == n * 1_000_000
    else:
        assert parse_japanese_number(f"{sign}{abs(n):,}千") == n * 1_000


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**15))
def test_round_trip_all_kanji(n: int) -> None:
    assert parse_japanese_number(number2kanji(n)) == n
