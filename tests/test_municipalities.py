"""Tests for the members of the agreement and their codes: the code table of Japan (schemas/lg_codes.csv),
the reviewed members file, members read from the edition's member tables, 連携市町村 expansion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.normalizers.municipalities import (
    Members,
    MembersError,
    check_digit,
    edition_members,
    expand_municipalities,
    format_members,
    member_changes,
    parse_members,
    read_members,
)
from schemas.municipal_codes import CODES_FILE, CodeTableError, code_table, parse_codes

# Transcribed by hand from the plan (the 11 partners in the order it lists them) and from 総務省's table.
PARTNERS = ("小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村", "南幌町",
            "長沼町")
MEMBERS = Members("札幌市", PARTNERS)
KNOWN_CODES = {"札幌市": "011002", "小樽市": "012033", "長沼町": "014281", "栗山町": "014290",
               "千代田区": "131016", "那覇市": "472018"}


def test_the_reviewed_file_holds_the_plans_members() -> None:
    members = read_members()
    assert members == MEMBERS and members.source == "reviewed"
    assert parse_members(format_members(members)) == members


@pytest.mark.parametrize("name", sorted(KNOWN_CODES))
def test_codes_of_any_municipality_of_japan(name: str) -> None:
    assert code_table().find(name).lg_code == KNOWN_CODES[name]


def test_every_code_of_the_table_carries_its_check_digit() -> None:
    rows = list(csv.DictReader(CODES_FILE.open(encoding="utf-8")))
    assert len(rows) > 1700
    assert all(r["lg_code"][5] == check_digit(r["lg_code"][:5]) for r in rows)
    assert len({r["lg_code"] for r in rows}) == len(rows)


def test_a_damaged_code_is_refused_when_the_table_is_read() -> None:
    with pytest.raises(CodeTableError, match="check digit"):
        parse_codes("lg_code,prefecture,municipality\n012034,北海道,小樽市\n")
    with pytest.raises(CodeTableError, match="twice"):
        parse_codes("lg_code,prefecture,municipality\n012033,北海道,小樽市\n012033,北海道,小樽市\n")


def test_a_name_in_two_prefectures_is_read_in_the_center_citys() -> None:
    assert MEMBERS.lg_code("伊達市") == "012335"  # 北海道, not 福島県's 072133
    with pytest.raises(KeyError, match="prefecture is unclear"):
        code_table().find("伊達市")


def test_member_lg_code_refuses_what_is_not_a_municipality() -> None:
    with pytest.raises(MembersError, match="not a municipality of Japan"):
        MEMBERS.lg_code("存在しない市")


def _table(page: int, names: list[str]) -> dict:
    return {"page": page, "page_label": str(page), "header": "市町村", "heading": "構成市町村", "names": names}


def test_members_come_from_the_member_tables_the_edition_prints() -> None:
    joined = [*PARTNERS, "栗山町"]
    members = edition_members([_table(4, ["札幌市", *joined]), _table(7, joined)], MEMBERS)
    assert members.partners == tuple(joined) and members.source == "document" and members.pages == (4, 7)
    assert member_changes(members, MEMBERS) == {"joined": ["栗山町"], "left": []}
    assert expand_municipalities("全市町村", members)[-1] == "栗山町"
    assert members.lg_code("栗山町") == "014290"


def test_without_a_member_table_the_reviewed_members_hold() -> None:
    assert edition_members(None, MEMBERS) is MEMBERS and edition_members([], MEMBERS) is MEMBERS


def test_member_tables_that_disagree_are_refused_naming_both_pages() -> None:
    with pytest.raises(MembersError, match=r"page 7: .*page 4.*栗山町"):
        edition_members([_table(4, [*PARTNERS, "栗山町"]), _table(7, list(PARTNERS))], MEMBERS)


@pytest.mark.parametrize(("names", "reason"), [([*PARTNERS, "小樽市"], "twice"),
                                               ([*PARTNERS, "存在しない町"], "not a municipality")])
def test_a_member_table_that_is_not_a_list_of_municipalities_is_refused(names, reason) -> None:
    with pytest.raises(MembersError, match=f"page 4: .*{reason}"):
        edition_members([_table(4, names)], MEMBERS)


@pytest.mark.parametrize("text", ["role,municipality\ncenter,札幌市\n",
                                  "role,municipality\ncenter,札幌市\npartner,小樽市\npartner,小樽市\n",
                                  "role,municipality\nmayor,札幌市\npartner,小樽市\n",
                                  "name\n札幌市\n", "role,municipality\ncenter,札幌市\npartner,存在しない村\n"])
def test_a_malformed_reviewed_file_is_refused(text: str) -> None:
    with pytest.raises(MembersError):
        parse_members(text, "members.csv")


def test_a_missing_reviewed_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(MembersError, match="cannot be read"):
        read_members(tmp_path / "members.csv")


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


@pytest.mark.parametrize("raw", ["全市町村", " 全市町村\n", "全 市 町 村"])
def test_expand_all(raw: str) -> None:
    assert expand_municipalities(raw, MEMBERS) == list(PARTNERS)


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
    assert expand_municipalities(raw, MEMBERS) == expected


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("小樽市、伊達市", "伊達市"),
        ("小樽市、札幌市", "札幌市"),  # Sapporo is the core city, not a partner
        ("小樽市、栗山町", "栗山町"),  # a municipality, but not a member of this edition
        ("小樽市、江別", "江別"),
        ("小樽市、小樽市", "小樽市"),
    ],
)
def test_expand_rejects_naming_the_entry(raw: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        expand_municipalities(raw, MEMBERS)


@pytest.mark.parametrize("raw", ["", "、", " "])
def test_expand_rejects_empty(raw: str) -> None:
    with pytest.raises(ValueError):
        expand_municipalities(raw, MEMBERS)
