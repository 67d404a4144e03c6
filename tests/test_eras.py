"""Tests for pipeline.normalizers.eras: budget column headers and era labels."""

from __future__ import annotations

import pytest

from pipeline.normalizers.eras import era_label, era_year_to_western, parse_year_header


@pytest.mark.parametrize(
    ("header", "year", "label"),
    [
        ("2024年度 (R6年度)", 2024, "令和6年度"),
        ("2024年度（令和6年度）", 2024, "令和6年度"),
        ("2024年度 (R6)", 2024, "令和6年度"),
        ("2024年度 (R 6 年度)", 2024, "令和6年度"),
        ("令和6年度", 2024, "令和6年度"),
        ("2024年度\n(R6年度)", 2024, "令和6年度"),  # pdfplumber line break
        ("2024年度(R6年度)", 2024, "令和6年度"),  # after join_cell_lines
        ("２０２４年度（Ｒ６年度）", 2024, "令和6年度"),
        ("2025年度 （R7年度）", 2025, "令和7年度"),
        ("2028年度 (R10年度)", 2028, "令和10年度"),
        ("2028年度 (r10年度)", 2028, "令和10年度"),
        ("令和6年度 (2024年度)", 2024, "令和6年度"),
        ("R6年度", 2024, "令和6年度"),
        ("2024年度", 2024, "令和6年度"),
        ("令和元年度", 2019, "令和元年度"),
        ("2019年度 (H31年度)", 2019, "令和元年度"),
        ("平成30年度", 2018, "平成30年度"),
        ("2018年度 (H30)", 2018, "平成30年度"),
    ],
)
def test_parse_year_header(header: str, year: int, label: str) -> None:
    assert parse_year_header(header) == (year, label)


@pytest.mark.parametrize(
    "header",
    [
        "2024年度 (R7年度)",  # disagree
        "2024年度（令和5年度）",  # disagree
        "令和6年度 (2025年度)",  # disagree
        "2024",
        "年度",
        "R",
        "",
        "2024年度 (X6年度)",
        "2024年度 (R6年度) 補正",
        "事業予定年度",
        "昭和60年度",  # not in the table
    ],
)
def test_parse_year_header_rejects(header: str) -> None:
    with pytest.raises(ValueError):
        parse_year_header(header)


@pytest.mark.parametrize(
    ("year", "label"),
    [(2024, "令和6年度"), (2019, "令和元年度"), (2028, "令和10年度"), (2020, "令和2年度"),
     (2018, "平成30年度"), (1989, "平成元年度")],
)
def test_era_label(year: int, label: str) -> None:
    assert era_label(year) == label


def test_era_label_before_table_raises() -> None:
    with pytest.raises(ValueError):
        era_label(1988)


@pytest.mark.parametrize(
    ("era", "n", "year"),
    [("令和", 6, 2024), ("R", "6", 2024), ("r", "10", 2028), ("令和", "元", 2019),
     ("平成", 1, 1989), ("H", "31", 2019)],
)
def test_era_year_to_western(era: str, n: str | int, year: int) -> None:
    assert era_year_to_western(era, n) == year


@pytest.mark.parametrize(("era", "n"), [("昭和", 60), ("S", 60), ("令和", 0)])
def test_era_year_to_western_rejects(era: str, n: int) -> None:
    with pytest.raises(ValueError):
        era_year_to_western(era, n)


@pytest.mark.parametrize("year", range(1989, 2100))
def test_label_round_trips(year: int) -> None:
    label = era_label(year)
    assert parse_year_header(label) == (year, label)
    assert parse_year_header(f"{year}年度 ({label})") == (year, label)
