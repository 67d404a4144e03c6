"""Tests for pipeline.normalizers.quantity: indicator/KPI cells and budget cells.

The table holds every value form that document.md and data-contract.md name, plus every
other distinct indicator/KPI value shape in the transcription (seed 001).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalizers.quantity import Quantity, parse_budget_cell, parse_quantity

FY, CAL = "fiscal", "calendar"


_SAME = object()


def q(raw, value=None, unit=None, canonical_value=_SAME, canonical_unit=_SAME, year=None,
      year_kind=None, period=None, comparator=None, text=None) -> Quantity:
    """Expected Quantity; canonical_* default to value/unit (no scale prefix)."""
    if canonical_value is _SAME:
        canonical_value = value
    if canonical_unit is _SAME:
        canonical_unit = unit
    return Quantity(raw, value, unit, canonical_value, canonical_unit, year, year_kind,
                    period, comparator, text)


CASES = [
    # --- the contract's and document.md's examples -----------------------------------
    q("5,020百万円 (2027年度)", 5020, "百万円", 5_020_000_000, "円", 2027, FY, "at"),
    q("28兆9千億円 (2020年)", 28_900_000_000_000, "円", year=2020, year_kind=CAL, period="at"),
    q("▲2,588人 (2022年)", -2588, "人", year=2022, year_kind=CAL, period="at"),
    q("-"),
    q("—"),
    q("―"),
    q("－"),
    q(""),
    q("年1回以上 (毎年度)", 1, "回", period="every_year", comparator=">=", text="年1回"),
    q("72.22% (2022年度)", 72.22, "%", year=2022, year_kind=FY, period="at"),
    q("100% (毎年度)", 100, "%", period="every_year"),
    q("15社", 15, "社"),
    q("32万人", 32, "万人", 320_000, "人"),
    q("10千人(2024年度)", 10, "千人", 10_000, "人", 2024, FY, "at"),
    q("2024年度まで", year=2024, year_kind=FY, period="by"),
    q("4,290人（2024年度まで）", 4290, "人", year=2024, year_kind=FY, period="by"),
    q("64,000千円 (毎年度) 以上", 64000, "千円", 64_000_000, "円", period="every_year",
      comparator=">="),
    q("1人以上", 1, "人", comparator=">="),
    q("各1回 (2022年度)", 1, "回", year=2022, year_kind=FY, period="at", text="各1回"),
    q("常時（2022年度）", year=2022, year_kind=FY, period="at", text="常時"),
    q("毎年度（2022年度）", year=2022, year_kind=FY, period="at", text="毎年度"),
    q("毎年度", period="every_year", text="毎年度"),
    q("全市町村 (毎年度)", period="every_year", text="全市町村"),
    q("30,273千人 (2022年度)", 30273, "千人", 30_273_000, "人", 2022, FY, "at"),
    q("151,149人 （2022年度）", 151_149, "人", year=2022, year_kind=FY, period="at"),
    q("1回（毎年度）", 1, "回", period="every_year"),
    q("5,000名（毎年度）", 5000, "名", period="every_year"),
    q("2回 (2023年度)", 2, "回", year=2023, year_kind=FY, period="at"),
    # --- more shapes from the transcription -------------------------------------------
    q("30兆7千億円 (2028年)", 30_700_000_000_000, "円", year=2028, year_kind=CAL, period="at"),
    q("35,000千人 (2028年度)", 35000, "千人", 35_000_000, "人", 2028, FY, "at"),
    q("▲650人 (2028年)", -650, "人", year=2028, year_kind=CAL, period="at"),
    q("191,851人 （2028年度）", 191_851, "人", year=2028, year_kind=FY, period="at"),
    q("15社（毎年度）", 15, "社", period="every_year"),
    q("2,583名（2022年度）", 2583, "名", year=2022, year_kind=FY, period="at"),
    q("11件 (2022年度)", 11, "件", year=2022, year_kind=FY, period="at"),
    q("3,500社 (2027年度)", 3500, "社", year=2027, year_kind=FY, period="at"),
    q("59.3% (2022年度)", 59.3, "%", year=2022, year_kind=FY, period="at"),
    q("70%(毎年度)", 70, "%", period="every_year"),
    q("70%（毎年度）", 70, "%", period="every_year"),
    q("常時（毎年度）", period="every_year", text="常時"),
    q("開設（2022年度）", year=2022, year_kind=FY, period="at", text="開設"),
    q("維持 (2022年度)", year=2022, year_kind=FY, period="at", text="維持"),
    q("維持（毎年度）", period="every_year", text="維持"),
    q("実施", text="実施"),
    q("開催 (毎年度)", period="every_year", text="開催"),
    q("32万人 (2022年度)", 32, "万人", 320_000, "人", 2022, FY, "at"),
    q("50万人 (2027年度)", 50, "万人", 500_000, "人", 2027, FY, "at"),
    q("2030年度まで", year=2030, year_kind=FY, period="by"),
    q("2025年度", year=2025, year_kind=FY, period="at"),
    q("244校 (毎年度)", 244, "校", period="every_year"),
    q("各1回 (毎年度)", 1, "回", period="every_year", text="各1回"),
    q("年1回（2022年度）", 1, "回", year=2022, year_kind=FY, period="at", text="年1回"),
    q("年1回以上の会議の開催 (毎年度)", 1, "回", period="every_year", comparator=">=",
      text="年1回以上の会議の開催"),
    q("10件(2024年度)", 10, "件", year=2024, year_kind=FY, period="at"),
    q("4,320人(2022年度)", 4320, "人", year=2022, year_kind=FY, period="at"),
    q("47件 (2027年度まで)", 47, "件", year=2027, year_kind=FY, period="by"),
    q("115組 (2027年度まで)", 115, "組", year=2027, year_kind=FY, period="by"),
    q("1 回 (2022年度)", 1, "回", year=2022, year_kind=FY, period="at"),
    q("包括連携協定を締結している全企業 (2022年度)", year=2022, year_kind=FY, period="at",
      text="包括連携協定を締結している全企業"),
    q("70,046千円 (2022年度)", 70046, "千円", 70_046_000, "円", 2022, FY, "at"),
    q("4,923社 (2024年度)", 4923, "社", year=2024, year_kind=FY, period="at"),
    q("1,150人 (毎年度)", 1150, "人", period="every_year"),
    # --- other spellings the PDF may produce ------------------------------------------
    q("１２．５％（２０２２年度）", 12.5, "%", year=2022, year_kind=FY, period="at"),
    q("5,020百万円\n(2027年度)", 5020, "百万円", 5_020_000_000, "円", 2027, FY, "at"),
    q("4,290人（2024年度\nまで）", 4290, "人", year=2024, year_kind=FY, period="by"),
    q("△650人 (2028年)", -650, "人", year=2028, year_kind=CAL, period="at"),
    q("1.5万人", 1.5, "万人", 15_000, "人"),
    q("12", 12),
    q("32万", 32, "万", 320_000, None),
    q("現状値以上", comparator=">=", text="現状値"),
    q("(2022年度)", year=2022, year_kind=FY, period="at"),
    # --- what it cannot read: folded text, no numbers, no exception ---------------------
    q("2024年度まで (毎年度)", text="2024年度まで(毎年度)"),
    q("ＡＢＣ（未定）", text="ABC(未定)"),
    q("151,149人 （1日平均）", text="151,149人(1日平均)"),
    q("1,2人", text="1,2人"),
]


@pytest.mark.parametrize("expected", CASES, ids=[c.raw or "<empty>" for c in CASES])
def test_parse_quantity(expected: Quantity) -> None:
    assert parse_quantity(expected.raw) == expected


def test_values_are_floats() -> None:
    parsed = parse_quantity("5,020百万円 (2027年度)")
    assert type(parsed.value) is float and type(parsed.canonical_value) is float


def test_none_is_an_empty_cell() -> None:
    assert parse_quantity(None) == Quantity(raw="")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_quantity_never_raises(raw: str) -> None:
    parsed = parse_quantity(raw)
    assert parsed.raw == raw


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.sampled_from(["", "千", "万", "百万", "億"]),
    st.sampled_from(["人", "円", "件", "%", "名"]),
    st.integers(min_value=2000, max_value=2099),
)
def test_scaled_values_round_trip(n: int, scale: str, unit: str, year: int) -> None:
    sign = "▲" if n < 0 else ""
    parsed = parse_quantity(f"{sign}{abs(n):,}{scale}{unit} ({year}年度)")
    factor = {"": 1, "千": 10**3, "万": 10**4, "百万": 10**6, "億": 10**8}[scale]
    assert parsed.value == n
    assert parsed.unit == scale + unit
    assert parsed.canonical_value == float(n * factor)
    assert parsed.canonical_unit == unit
    assert (parsed.year, parsed.year_kind, parsed.period) == (year, FY, "at")


def test_as_columns() -> None:
    cols = parse_quantity("5,020百万円 (2027年度)").as_columns("target")
    assert cols == {
        "target_raw": "5,020百万円 (2027年度)",
        "target_value": 5020.0,
        "target_unit": "百万円",
        "target_canonical_value": 5_020_000_000.0,
        "target_canonical_unit": "円",
        "target_year": 2027,
        "target_year_kind": "fiscal",
        "target_period": "at",
        "target_comparator": None,
        "target_text": None,
    }
    assert list(parse_quantity("-").as_columns("baseline_")) == [
        f"baseline_{name}"
        for name in ("raw", "value", "unit", "canonical_value", "canonical_unit", "year",
                     "year_kind", "period", "comparator", "text")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,198,011", (1_198_011, None)),
        ("5,726", (5726, None)),
        ("0", (0, None)),
        ("7", (7, None)),
        ("-", (None, None)),
        ("—", (None, None)),
        ("―", (None, None)),
        ("－", (None, None)),
        ("", (None, None)),
        ("  ", (None, None)),
        (None, (None, None)),
        ("(消防指令システム 共同整備)", (None, "消防指令システム 共同整備")),
        ("(消防指令システム\n共同整備)", (None, "消防指令システム 共同整備")),
        ("（消防指令システム 共同整備）", (None, "消防指令システム 共同整備")),
        ("水素モデル街区形成", (None, "水素モデル街区形成")),
        ("0 (共同撮影の実施)", (0, "共同撮影の実施")),
        ("0\n(共同撮影の実施)", (0, "共同撮影の実施")),
        ("１，１９８，０１１", (1_198_011, None)),
        ("1,250,000", (1_250_000, None)),
        ("1,000千円", (1000, None)),
        ("1,2", (None, "1,2")),  # not a well-formed amount: kept as a note
        ("12.5", (None, "12.5")),  # 千円 amounts are whole numbers
    ],
)
def test_parse_budget_cell(raw: str | None, expected: tuple[int | None, str | None]) -> None:
    assert parse_budget_cell(raw) == expected
