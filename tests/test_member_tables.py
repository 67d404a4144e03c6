"""The member tables of a whole vision, read from pdfium's page text outside chapter VI
(extractors/members.py): told from statistics tables by what names them, rows until the table ends."""

from __future__ import annotations

from extractors.chapter import locate
from extractors.members import member_tables

CHAPTER = ("VI 連携協約に基づき推進する具体的取組\n1 圏域全体の経済成長のけん引\n【基本KPI】\n指標名 現状値 目標値\n"
           "a 経済戦略の推進\nNo. 1 連携事業名 連携事業の企画\n連携市町村 小樽市、江別市\n")


def _tables(*pages: str):
    return member_tables(pages, locate(pages))


def test_a_table_under_a_heading_naming_the_members():
    found = _tables("II 圏域の形成\n2 構成市町村\n市町村名 人口（人）\n札幌市 1,970,000\n小樽市 108,000\n栗山町 11,000\n"
                    "圏域計 2,089,000\n- 3 -", CHAPTER)
    assert [(t.page, t.names) for t in found] == [(1, ("札幌市", "小樽市", "栗山町"))]


def test_a_header_naming_the_partners_and_a_value_opening_with_kanji():
    found = _tables("V ビジョンの期間\n連携市町村 連携協約締結日\n小樽市 令和元年（2019 年）10 月 1 日\n"
                    "江別市 令和元年（2019 年）10 月 3 日\n", CHAPTER)
    assert [t.names for t in found] == [("小樽市", "江別市")]


def test_a_statistics_table_that_merely_lists_municipalities_is_not_a_member_table():
    assert _tables("III 圏域の特性\n1 通勤の状況\n市町村名 通勤率（%）\n小樽市 12.0\n江別市 30.1\n", CHAPTER) == []


def test_a_table_running_over_a_page_break_is_one_table():
    found = _tables("II 圏域の形成\n1 構成市町村\n市町村 人口（人）\n札幌市 1\n小樽市 2\n- 3 -",
                    "市町村 人口（人）\n江別市 3\n千歳市 4\n圏域計 10\n- 4 -", CHAPTER)
    assert [t.names for t in found] == [("札幌市", "小樽市", "江別市", "千歳市")]


def test_the_chapters_own_lines_and_a_word_opening_with_a_name_are_not_members():
    found = _tables("II 圏域の形成\n構成市町村\n市町村 人口\n札幌市 1\n北広島市民の声\n小樽市 2\n", CHAPTER)
    assert found == []  # the run stops at a line that is not a member: one name is no table
    assert _tables(CHAPTER) == []  # the chapter alone prints no member table


def test_names_printed_with_radical_code_points_are_read_as_the_names():
    """WebKit prints 長 as the radical ⻑ (U+2ED1, which NFKC leaves) and 小 as ⼩ (U+2F29)."""
    found = _tables("II 圏域の形成\n1 構成市町村\n市町村名 人口\n札幌市 1\n\u2f29樽市 2\n\u2ed1沼町 3\n", CHAPTER)
    assert [t.names for t in found] == [("札幌市", "小樽市", "長沼町")]
