"""Tests for pipeline.normalizers.municipalities: partner list, codes, 連携市町村 expansion."""

from __future__ import annotations

import pytest

from pipeline.normalizers.municipalities import (
    ALL_MUNICIPALITIES,
    PARTNERS,
    SAPPORO,
    check_digit,
    expand_municipalities,
    lg_code,
)

# 5-digit codes as document.md lists them (the 6th digit is the check digit).
CODES5 = {
    "札幌市": "01100",
    "小樽市": "01203",
    "岩見沢市": "01210",
    "江別市": "01217",
    "千歳市": "01224",
    "恵庭市": "01231",
    "北広島市": "01234",
    "石狩市": "01235",
    "当別町": "01303",
    "新篠津村": "01304",
    "南幌町": "01423",
    "長沼町": "01428",
}


def test_partners_in_plan_order() -> None:
    assert PARTNERS == (
        "小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市",
        "石狩市", "当別町", "新篠津村", "南幌町", "長沼町",
    )
    assert ALL_MUNICIPALITIES == (SAPPORO, *PARTNERS)
    assert SAPPORO not in PARTNERS


@pytest.mark.parametrize("name", list(CODES5))
def test_lg_code_matches_table_and_check_digit(name: str) -> None:
    code = lg_code(name)
    assert len(code) == 6 and code.isdigit()
    assert code[:5] == CODES5[name]
    assert code[5] == check_digit(CODES5[name])


def test_lg_code_examples() -> None:
    assert lg_code("小樽市") == "012033"
    assert lg_code("札幌市") == "011002"
    assert lg_code("長沼町") == "014281"


@pytest.mark.parametrize(
    ("code5", "digit"),
    [("01203", "3"), ("01100", "2"), ("01303", "0"), ("13101", "6"), ("27100", "4"), ("01428", "1")],
)
def test_check_digit(code5: str, digit: str) -> None:
    assert check_digit(code5) == digit


@pytest.mark.parametrize("bad", ["0120", "012033", "abcde", ""])
def test_check_digit_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize("name", ["存在しない市", "中央区"])
def test_lg_code_unknown(name: str) -> None:
    with pytest.raises(ValueError):
        lg_code(name)


@pytest.mark.parametrize("raw", ["全市町村", " 全市町村\n", "全 市 町 村"])
def test_expand_all(raw: str) -> None:
    assert expand_municipalities(raw) == list(PARTNERS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the explicit lists in the plan (projects 19, 20, 21, 25, 33/34, 53)
        ("小樽市、岩見沢市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町",
         list(PARTNERS[:8])),
        ("岩見沢市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町", list(PARTNERS[1:8])),
        ("小樽市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町、新篠津村、南幌町、長沼町",
         [p for p in PARTNERS if p != "岩見沢市"]),
        ("小樽市、岩見沢市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町、南幌町",
         [p for p in PARTNERS if p not in ("新篠津村", "長沼町")]),
        ("小樽市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町、新篠津村、長沼町",
         [p for p in PARTNERS if p not in ("岩見沢市", "南幌町")]),
        # other separators, full-width forms, line breaks
        ("小樽市,江別市", ["小樽市", "江別市"]),
        ("小樽市，江別市", ["小樽市", "江別市"]),
        ("小樽市・江別市", ["小樽市", "江別市"]),
        ("小樽市 江別市", ["小樽市", "江別市"]),
        ("小樽市\u3000江別市", ["小樽市", "江別市"]),
        ("小樽市、石狩\n市", ["小樽市", "石狩市"]),
        ("江別市、小樽市", ["江別市", "小樽市"]),  # the cell's order is kept
    ],
)
def test_expand_list(raw: str, expected: list[str]) -> None:
    assert expand_municipalities(raw) == expected


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("小樽市、伊達市", "伊達市"),
        ("小樽市、札幌市", "札幌市"),  # Sapporo is the core city, not a partner
        ("小樽市、江別", "江別"),
        ("小樽市、小樽市", "小樽市"),
    ],
)
def test_expand_rejects_naming_the_entry(raw: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        expand_municipalities(raw)


@pytest.mark.parametrize("raw", ["", "、", " "])
def test_expand_rejects_empty(raw: str) -> None:
    with pytest.raises(ValueError):
        expand_municipalities(raw)
