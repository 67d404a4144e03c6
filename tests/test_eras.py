"""Tests for pipeline.normalizers.eras: budget column headers and era labels."""

from __future__ import annotations

import pytest

from pipeline.normalizers.eras import era_label, era_year_to_western, label_year, parse_year_header


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
        ("2019年度 (H31年度)", 2019, "平成31年度"),  # the era as printed: FY2019 began in 平成31年
        # every header form a plan of another period prints
        ("2019年度 (R元年度)", 2019, "令和元年度"),
        ("2019年度（R元年度）", 2019, "令和元年度"),
        ("2019年度 (R1年度)", 2019, "令和元年度"),
        ("R元", 2019, "令和元年度"),
        ("R元年度", 2019, "令和元年度"),
        ("Ｒ元年度", 2019, "令和元年度"),
        ("2019年度", 2019, "令和元年度"),  # no era printed: the year's own era
        ("平成31年度", 2019, "平成31年度"),
        ("2019年度（平成31年度）", 2019, "平成31年度"),
        ("平成31年度（2019年度）", 2019, "平成31年度"),
        ("H31", 2019, "平成31年度"),
        ("平成35年度", 2023, "平成35年度"),  # printed before the era change: the offset still holds
        ("2023年度 (R5年度)", 2023, "令和5年度"),
        ("令和6年度（2024年度）", 2024, "令和6年度"),  # era first
        ("令和元年度（2019年度）", 2019, "令和元年度"),
        ("令和１１年度（２０２９年度）", 2029, "令和11年度"),  # full-width digits
        ("２０３３年度（Ｒ１５年度）", 2033, "令和15年度"),
        ("2029年度 (R11年度)", 2029, "令和11年度"),
        ("2033年度\n(R15年度)", 2033, "令和15年度"),
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
        "2019年度 (R2年度)",  # disagree
        "2019年度 (平成30年度)",  # disagree
        "平成31年度（2020年度）",  # disagree, era first
        "令和元年度（2020年度）",  # disagree, era first
        "２０２９年度（Ｒ１２年度）",  # disagree, full width
        "2019年度 (R0年度)",  # no year 0
        "R",
        "元年度",
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


@pytest.mark.parametrize(
    ("label", "year"),
    [("令和元年度", 2019), ("平成31年度", 2019), ("令和6年度", 2024), ("令和15年度", 2033), ("平成35年度", 2023),
     ("平成元年度", 1989)],
)
def test_label_year(label: str, year: int) -> None:
    assert label_year(label) == year


@pytest.mark.parametrize("label", ["", "2019年度", "R元年度", "令和年度", "昭和60年度", "令和0年度", "令和6"])
def test_label_year_rejects(label: str) -> None:
    with pytest.raises(ValueError):
        label_year(label)


@pytest.mark.parametrize("first", [2019, 2024, 2029])
@pytest.mark.parametrize("form", ["{w}年度 (R{n}年度)", "令和{n}年度（{w}年度）", "{w}年度"])
def test_a_plan_period_reads_back(first: int, form: str) -> None:
    """Five consecutive headers of any period give their years and labels naming those years."""
    for year in range(first, first + 5):
        n = "元" if year == 2019 else year - 2018
        got_year, label = parse_year_header(form.format(w=year, n=n))
        assert got_year == year and label_year(label) == year


def test_disagreeing_header_names_both_years() -> None:
    with pytest.raises(ValueError, match="FY2020.*FY2019"):
        parse_year_header("2019年度 (R2年度)")
