"""The 抜粋 overview end to end on raw/overview.pdf, and the project link on small hand-made dicts.

Expected values are transcribed by hand from the excerpt's transcription; nothing is read from it at
test time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractors.unruled import UnruledTable, extract_unruled_tables
from pipeline.stages.overview import (OverviewRow, link_rows, link_to_projects, overview_cells, parse_overview,
                                      unlinked_line)

PDF = Path(__file__).resolve().parents[1] / "raw" / "overview.pdf"


@pytest.fixture(scope="module")
def tables() -> list[UnruledTable]:
    return extract_unruled_tables(PDF)


@pytest.fixture(scope="module")
def rows(tables: list[UnruledTable]) -> list[OverviewRow]:
    return parse_overview(tables)


def _row(rows: list[OverviewRow], area_no: int, row_no: int) -> OverviewRow:
    return next(r for r in rows if (r.area_no, r.row_no) == (area_no, row_no))


# ------------------------------------------------------------------------------------------ tables

def test_three_tables_with_headings_and_headers(tables: list[UnruledTable]) -> None:
    assert [t.table_id for t in tables] == ["p002-t01", "p002-t02", "p002-t03"]
    assert [t.heading for t in tables] == [
        "1 圏域全体の経済成長のけん引",
        "2 高次の都市機能の集積・強化",
        "3 圏域全体の生活関連機能サービスの向上",
    ]
    assert all(t.header == ["主な連携事業", "事業概要"] for t in tables)
    assert [len(t.rows) for t in tables] == [8, 5, 20]


def test_table_over_page_break_is_one_table(tables: list[UnruledTable]) -> None:
    area3 = tables[2]
    assert area3.page == 2
    assert {c.page for row in area3.rows for c in row} == {2, 3}
    # No repeated header on page 3, so no second table there.
    assert not any(t.table_id.startswith("p003") for t in tables)


def test_page_split_row_is_glued_and_keeps_its_first_page(tables: list[UnruledTable]) -> None:
    row = tables[2].rows[3]
    name, summary = row
    assert name.text == "図書館間のネットワークに関する取組の推進"
    assert summary.text == "圏域内の図書館における図書等の相互貸借等"
    assert name.page == 2 and summary.page == 2
    assert name.pages == [2, 3]
    assert [(c.page, c.text) for c in name.continuations] == [(3, "する取組の推進")]
    # The next row starts afresh on page 3.
    assert tables[2].rows[4][0].text == "子どもの社会体験活動等の場の創出に関する取組の促進"
    assert tables[2].rows[4][0].page == 3


def test_cells_lie_in_their_columns(tables: list[UnruledTable]) -> None:
    for t in tables:
        (name_x0, name_x1), (summary_x0, summary_x1) = t.column_bounds
        for row in t.rows:
            assert name_x0 - 1 <= row[0].x0 and row[0].x1 <= name_x1 + 1
            assert summary_x0 - 1 <= row[1].x0 and row[1].x1 <= summary_x1 + 1
            assert all(c.top < c.bottom for c in row)


# -------------------------------------------------------------------------------------------- rows

def test_row_counts_per_area(rows: list[OverviewRow]) -> None:
    assert len(rows) == 33
    assert Counter(r.area_no for r in rows) == {1: 8, 2: 5, 3: 20}
    for area in (1, 2, 3):
        assert [r.row_no for r in rows if r.area_no == area] == list(
            range(1, Counter(r.area_no for r in rows)[area] + 1))
    assert all(r.name and r.summary for r in rows)


# Transcribed by hand from the excerpt: (area_no, row_no, name, summary, page, table_id, row).
EXPECTED_ROWS = [
    (1, 1, "連携した企業誘致の推進",
     "道外企業を対象とした企業立地動向調査や企業誘致のための情報共有、企業立地補助の実施等",
     2, "p002-t01", 1),
    (1, 2, "新製品・新技術の開発のための支援",
     "「食」「健康医療」「環境関連」「IT」「製造」の分野を対象とした実用化・事業化の可能性が高い新製品、"
     "新技術開発等に対する補助等",
     2, "p002-t01", 2),
    (1, 8, "圏域の共同PR", "連携した旅先納税の運用やふるさと納税共同返礼品の実施", 2, "p002-t01", 8),
    (2, 4, "社会や企業等のニーズに対応できる人材の育成",
     "若年層を対象とした健康医療バイオ分野の人材育成プログラムの実施", 2, "p002-t02", 4),
    (2, 5, "公共施設の相互利用や配置に関する検討",
     "「コンパクト化」と「ネットワーク化」による持続可能な圏域を形成するため、公共施設の相互利用を検討・"
     "実施する。斎場の広域利用に関する協議・検討を行うほか、廃棄物の処理の最適化のため札幌市でし尿や下水の"
     "受入を実施し、可燃ごみについても今後の受入に向けた協議を行う。また、札幌市が管理する雪堆積場の近隣"
     "市域内への開設及び排雪の受入を行うとともに、将来的な共同活用に向けた検討を行う。",
     2, "p002-t02", 5),
    (3, 1, "救急医療の維持・向上等に向けた取組の推進",
     "「救急安心センターさっぽろ」の運営、各市町村の実施事業についての情報共有、救急医療の適正利用や"
     "救急搬送の効率化に向けた取組等の検討、周産期医療従事者のスキル向上等の研修",
     2, "p002-t03", 1),
    (3, 4, "図書館間のネットワークに関する取組の推進", "圏域内の図書館における図書等の相互貸借等",
     2, "p002-t03", 4),
    (3, 5, "子どもの社会体験活動等の場の創出に関する取組の促進", "ミニさっぽろの開催", 3, "p002-t03", 5),
    (3, 9, "脱炭素に向けた取組の推進",
     "風力発電等を活用したCO2フリー水素サプライチェーンの構築に向けて実証事業の検討・準備、脱炭素に向けた"
     "情報共有及び勉強会の開催、再生可能エネルギーの普及啓発、住宅への太陽光発電や蓄電設備の設置促進",
     3, "p002-t03", 9),
    (3, 12, "デジタル技術を活用した住民サービスの向上に向けた取組の推進",
     "「さっぽろ圏スマートアプリ」の運用、地域コミュニティアプリ「PIAZZA」の導入の検討",
     3, "p002-t03", 12),
    (3, 15, "若者の出会い創出", "AIを用いたマッチングシステムを備えたオンライン結婚支援センターを開設",
     3, "p002-t03", 15),
    (3, 17, "「札幌UIターン就職センター」の広域的利用",
     "「札幌UIターン就職センター」の運営、道外在住学生の圏域内企業への就職活動にかかる交通費の一部を補助",
     3, "p002-t03", 17),
    (3, 20, "自治体行政のスマート化に関する検討",
     "行政運営の効率化に向けた取組の検討・情報共有等、当別町のリモート相談窓口を札幌市役所本庁舎に設置",
     3, "p002-t03", 20),
]


@pytest.mark.parametrize("expected", EXPECTED_ROWS, ids=lambda e: f"{e[0]}-{e[1]}")
def test_row_field_by_field(rows: list[OverviewRow], expected: tuple) -> None:
    area_no, row_no, name, summary, page, table_id, row = expected
    got = _row(rows, area_no, row_no)
    assert got.name == name
    assert got.summary == summary
    assert got.page == page
    assert got.table_id == table_id
    assert got.row == row


def test_co2_is_plain_ascii(rows: list[OverviewRow]) -> None:
    summary = _row(rows, 3, 9).summary
    assert "CO2フリー水素" in summary
    assert "₂" not in summary


def test_first_and_last_names_per_area(rows: list[OverviewRow]) -> None:
    names = {(r.area_no, r.row_no): r.name for r in rows}
    assert names[(1, 7)] == "共同プロモーションや観光資源の活用等の推進"
    assert names[(2, 1)] == "三次救急医療等の提供"
    assert names[(3, 19)] == "さっぽろ圏人材育成・確保基金の造成"


# ------------------------------------------------------------------------------------------- cells

def test_overview_cells(tables: list[UnruledTable]) -> None:
    cells = overview_cells(tables)
    # 3 header rows + 33 body rows, two columns each.
    assert len(cells) == (3 + 33) * 2
    assert {c["source"] for c in cells} == {"overview"}
    assert {(c["rowspan"], c["colspan"]) for c in cells} == {(1, 1)}
    assert all(c["marks"] is None for c in cells)
    header = [c for c in cells if c["table_id"] == "p002-t03" and c["row"] == 0]
    assert [c["text"] for c in header] == ["主な連携事業", "事業概要"]
    split = next(c for c in cells if c["table_id"] == "p002-t03" and c["row"] == 4 and c["col"] == 0)
    assert split["text"] == "図書館間のネットワークに関する取組の推進"
    assert split["page"] == 2
    keys = [(c["table_id"], c["row"], c["col"]) for c in cells]
    assert len(keys) == len(set(keys))
    assert all(c["x0"] < c["x1"] and c["top"] < c["bottom"] for c in cells)


# ------------------------------------------------------------------------------ link_to_projects

def _ov(area_no: int, row_no: int, name: str, summary: str = "") -> OverviewRow:
    return OverviewRow(area_no, row_no, name, summary, page=2, table_id="p002-t01", row=row_no)


PROJECTS: dict[int, tuple[str, str]] = {
    1: ("連携した企業誘致の推進", "道外企業を対象とした企業立地動向調査等を行う。"),
    24: ("図書館間のネットワークに関する取組の推進", "圏域内の図書館における図書等の相互貸借等を行う。"),
    30: ("災害に備える連携の推進", "災害や防災に関する情報共有等を行う。"),
    32: ("災害時における連携の推進", "消防活動や上下水道、廃棄物処理の各協定に基づき相互応援等を行う。"),
    43: ("「札幌UIターン就職センター」の広域的利用", "「札幌UIターン就職センター」を運営する。"),
}


def test_link_exact_after_folding_and_spaces() -> None:
    rows = [
        _ov(1, 1, "連携した企業誘致の推進"),
        _ov(3, 4, "図書館間の ネットワークに関する取組の推進"),  # a stray space from a line join
        _ov(3, 17, "「札幌UIターン就職センター」の広域的利用"),  # full-width UI folds to ASCII
    ]
    assert link_to_projects(rows, PROJECTS) == {(1, 1): 1, (3, 4): 24, (3, 17): 43}


def test_link_fuzzy_above_cutoff() -> None:
    # One glyph lost at a page break: ratio ≈ 95.
    rows = [_ov(3, 4, "図書館間のネットワークに関取組の推進")]
    assert link_to_projects(rows, PROJECTS) == {(3, 4): 24}


def test_link_none_below_cutoff() -> None:
    rows = [_ov(1, 9, "事業承継の支援", "事業承継に関するセミナー")]
    assert link_to_projects(rows, PROJECTS) == {(1, 9): None}


def test_link_does_not_confuse_stock_phrase_neighbours() -> None:
    # 災害に備える… vs 災害時における… score 78 against each other; a third name built from the
    # same phrases scores 81.8 / 78.3 against them and must not be forced onto either.
    rows = [_ov(3, 6, "災害に関する連携の推進")]
    assert link_to_projects(rows, {30: PROJECTS[30], 32: PROJECTS[32]}) == {(3, 6): None}
    rows = [_ov(3, 6, "災害に備える連携の推進"), _ov(3, 8, "災害時における連携の推進")]
    assert link_to_projects(rows, PROJECTS) == {(3, 6): 30, (3, 8): 32}


def test_link_summary_breaks_a_tie_of_names() -> None:
    projects = {
        5: ("地域資源の活用に向けた支援", "地域の観光資源を活用した事業を支援する。"),
        6: ("地域資源の活用に向けた支援", "サステナブル食品の開発にかかる補助を行う。"),
    }
    rows = [_ov(1, 4, "地域資源の活用に向けた支援", "サステナブル食品の開発にかかる補助")]
    assert link_to_projects(rows, projects) == {(1, 4): 6}


def test_link_restricted_to_area() -> None:
    rows = [_ov(1, 1, "連携した企業誘致の推進"), _ov(2, 1, "災害に備える連携の推進")]
    areas = {1: 1, 24: 3, 30: 3, 32: 3, 43: 3}
    assert link_to_projects(rows, PROJECTS, project_areas=areas) == {(1, 1): 1, (2, 1): None}


def test_link_exact_match_is_not_stolen_by_fuzzy() -> None:
    projects = {1: ("MICE誘致の推進", ""), 2: ("MICE誘致・開催の推進", "")}
    rows = [_ov(1, 1, "MICE誘致の推進"), _ov(1, 2, "MICE誘致の推進事業")]
    # Row 2 alone scores 90.0 against project 1 (and 78.3 against project 2), but project 1 is
    # claimed by row 1's exact match, and project 2 is below the cutoff.
    assert link_to_projects(rows, projects) == {(1, 1): 1, (1, 2): None}
    assert link_to_projects(rows[1:], projects) == {(1, 2): 1}


def test_link_fuzzy_rename() -> None:
    # The revised edition renames MICE誘致の推進 to MICE誘致・開催の推進: ratio 85.7, just above 85.
    rows = [_ov(1, 1, "MICE誘致の推進")]
    assert link_to_projects(rows, {7: ("MICE誘致・開催の推進", "")}) == {(1, 1): 7}


# ------------------------------------------------------------------- a synthetic, box-less variant

def _synthetic_pdf(path: Path) -> Path:
    """Two pages typeset like the excerpt but with no header boxes, a lowered CO₂ subscript, page
    numbers, and a row whose name is cut by the page break (reportlab's built-in Japanese CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    height = 842
    c = canvas.Canvas(str(path), pagesize=(595, height))

    def text(x: float, top: float, s: str, size: float = 9) -> None:
        c.setFont("HeiseiMin-W3", size)
        c.drawString(x, height - top, s)

    text(40, 50, "1 テスト領域", 14)
    text(80, 80, "主な連携事業")  # labels centred over their columns, no shading
    text(300, 80, "事業概要")
    top = 105.0
    rows = [(["一行目の名前"], ["長い概要の一行目です", "二行目です"]),
            (["二番目の事業名で", "折り返す"], ["CO"]),
            (["最後の事業"], ["概要A"])]
    for names, summary in rows:
        for i, s in enumerate(summary):
            text(150, top + 9 * i, s)
        offset = (len(summary) - len(names)) * 4.5  # the short cell is centred vertically
        for i, s in enumerate(names):
            text(40, top + offset + 9 * i, s)
        if summary == ["CO"]:
            c.setFont("HeiseiMin-W3", 6)
            c.drawString(159, height - (top + 2), "2")  # subscript, 2 pt below the baseline
            text(162, top, "フリー")
        top += 9 * max(len(names), len(summary)) + 17
    text(40, 790, "ページをまたぐ事業名の")
    text(150, 790, "またぐ行の概要")
    text(290, 820, "- 1 -")
    c.showPage()
    text(40, 40, "後半")
    text(150, 70, "次の行の概要")
    text(40, 70, "次の行")
    text(290, 820, "- 2 -")
    c.showPage()
    c.save()
    return path


def test_synthetic_boxless_table(tmp_path: Path) -> None:
    tables = extract_unruled_tables(_synthetic_pdf(tmp_path / "synthetic.pdf"))
    assert len(tables) == 1
    table = tables[0]
    assert (table.table_id, table.heading, table.header) == ("p001-t01", "1 テスト領域", ["主な連携事業", "事業概要"])
    got = [[c.text for c in row] for row in table.rows]
    assert got == [
        ["一行目の名前", "長い概要の一行目です二行目です"],
        ["二番目の事業名で折り返す", "CO2フリー"],
        ["最後の事業", "概要A"],
        ["ページをまたぐ事業名の後半", "またぐ行の概要"],
        ["次の行", "次の行の概要"],
    ]
    assert table.rows[3][0].pages == [1, 2]
    assert table.rows[4][0].page == 2
    rows = parse_overview(tables)
    assert [(r.area_no, r.row_no) for r in rows] == [(1, n) for n in range(1, 6)]


# ------------------------------------------------------------------ links that must not be made

LONG = "デジタル技術を活用した住民サービスの向上に向けた取組の推進"
SHORT = "若者の出会い創出"


def test_link_row_holding_two_names_links_to_neither() -> None:
    # Two rows read as one: the long name alone scores 87.9 against the run-on row, over the cutoff.
    from rapidfuzz import fuzz
    assert fuzz.ratio(LONG + SHORT, LONG) >= 85
    links, unlinked = link_rows([_ov(3, 12, LONG + SHORT, "")], {36: (LONG, ""), 41: (SHORT, "")})
    assert links == {(3, 12): None}
    assert [(u.area_no, u.row_no) for u in unlinked] == [(3, 12)]
    assert "holds the names of projects 36, 41" in unlinked[0].reason


def test_link_project_taken_by_two_rows_goes_to_neither() -> None:
    # Both rows score over the cutoff against the one project (85.7 and 96.6): one of them is not it.
    rows = [_ov(1, 1, "MICE誘致の推進"), _ov(1, 2, "MICE誘致・開催推進")]
    links, unlinked = link_rows(rows, {7: ("MICE誘致・開催の推進", "")})
    assert links == {(1, 1): None, (1, 2): None}
    assert [u.reason for u in unlinked] == ["project 7 is matched by area 1 row 1, area 1 row 2"] * 2


def test_unlinked_row_says_how_close_it_came() -> None:
    links, unlinked = link_rows([_ov(1, 9, "事業承継の支援", "事業承継に関するセミナー")], PROJECTS)
    assert links == {(1, 9): None}
    assert unlinked[0].reason.startswith("no project's name scores 85 or more; the closest is project ")
    line = unlinked_line("excerpt.pdf", unlinked, 33)
    assert "\n" not in line and line.startswith("warning: excerpt.pdf: 1 of 33 excerpt rows link to no project")
    assert "area 1 row 9 '事業承継の支援'" in line


def test_linked_rows_have_no_reasons() -> None:
    rows = [_ov(1, 1, "連携した企業誘致の推進"), _ov(3, 4, "図書館間のネットワークに関取組の推進")]
    assert link_rows(rows, PROJECTS) == ({(1, 1): 1, (3, 4): 24}, [])


# ------------------------------------------------------------- rows padded by less than half a line

def _tight_pdf(path: Path, gap: float) -> Path:
    """Two pages of one excerpt table whose rows stand ``gap`` pt apart, lines of a cell touching (9 pt on a
    9 pt pitch). Page 1 has a one-line name beside a two-line summary (their gap is in a cell); on page 2
    every row is two lines beside two lines, so only page 1 tells the leading."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    height = 842
    c = canvas.Canvas(str(path), pagesize=(595, height))

    def text(x: float, top: float, s: str, size: float = 9) -> None:
        c.setFont("HeiseiMin-W3", size)
        c.drawString(x, height - top, s)

    def rows(top: float, cells) -> None:
        for names, summary in cells:
            lines = max(len(names), len(summary))
            for column, x in ((names, 40), (summary, 200)):
                offset = (lines - len(column)) * 4.5  # the short cell is centred vertically
                for i, s in enumerate(column):
                    text(x, top + offset + 9 * i, s)
            top += 9 * lines + gap

    text(40, 50, "1 テスト領域", 14)
    text(80, 80, "主な連携事業")
    text(300, 80, "事業概要")
    rows(100, [(["一番目の事業"], ["一番目の概要の一行目", "その二行目"]),
               (["二番目の事業"], ["二番目の概要"]),
               (["三番目の事業"], ["三番目の概要の一行目", "その二行目"])])
    c.showPage()
    rows(40, [(["四番目の事業", "の名前"], ["四番目の概要", "その二行目"]),
              (["五番目の事業", "の名前"], ["五番目の概要", "その二行目"])])
    c.showPage()
    c.save()
    return path


def test_rows_padded_by_a_third_of_a_line_stand_apart(tmp_path: Path) -> None:
    # 3 pt between rows of 9 pt lines: the old rule (tightest gap + half a line) merged them into one.
    tables = extract_unruled_tables(_tight_pdf(tmp_path / "tight.pdf", gap=3.0))
    assert [[c.text for c in row] for row in tables[0].rows] == [
        ["一番目の事業", "一番目の概要の一行目その二行目"],
        ["二番目の事業", "二番目の概要"],
        ["三番目の事業", "三番目の概要の一行目その二行目"],
        ["四番目の事業の名前", "四番目の概要その二行目"],
        ["五番目の事業の名前", "五番目の概要その二行目"],
    ]


def test_in_cell_gaps_are_those_a_line_beside_spans(tmp_path: Path) -> None:
    from extractors.settings import Layout
    from extractors.unruled import _column_lines, _in_cell_gaps, _row_gap_threshold

    tables = extract_unruled_tables(_tight_pdf(tmp_path / "tight.pdf", gap=3.0))
    splits = [(tables[0].column_bounds[0][1] + tables[0].column_bounds[1][0]) / 2]
    import pdfplumber
    with pdfplumber.open(tmp_path / "tight.pdf") as pdf:
        chars = [c for c in pdf.pages[1].chars if c["text"].strip()]
    lines = _column_lines(chars, splits, Layout())
    # Page 2 alone: two-line cells side by side, no line runs beside a gap; its tightest gap (0) is taken
    # as the leading only with the old half line of slack, which swallows the 3 pt row gap.
    assert _in_cell_gaps(lines) == []
    assert _row_gap_threshold(lines, 9.0, [], Layout()) >= 3.0
    # With page 1's in-cell gap (0) known, a row gap of 3 pt is wider than the leading plus 0.9 pt.
    assert _row_gap_threshold(lines, 9.0, [0.0], Layout()) < 3.0


def _cut_row_pdf(path: Path, summary_tail: str) -> Path:
    """One excerpt table over two pages whose last row on page 1 is cut with both texts going on: each
    cell's last line there runs to its column's edge (as the full lines above it do). ``summary_tail``:
    what page 2 prints at its head in the summary column ("" for a summary that ended on page 1)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    height = 842
    c = canvas.Canvas(str(path), pagesize=(595, height))

    def text(x: float, top: float, s: str, size: float = 9) -> None:
        c.setFont("HeiseiMin-W3", size)
        c.drawString(x, height - top, s)

    full_name, full_summary = "あいうえおかきくけこ", "さしすせそたちつてとなにぬねのはひふへほ"  # 10 and 20 glyphs
    text(40, 50, "1 テスト領域", 14)
    text(80, 80, "主な連携事業")
    text(300, 80, "事業概要")
    text(40, 104.5, "一番目の事業")  # centred against its two-line summary
    text(200, 100, full_summary)
    text(200, 109, "の続き")
    text(40, 780, full_name)
    text(200, 780, full_summary)
    c.showPage()
    text(40, 40, "の後半")
    if summary_tail:
        text(200, 40, summary_tail)
    text(40, 60, "三番目の事業")
    text(200, 60, "三番目の概要")
    c.showPage()
    c.save()
    return path


def test_row_cut_with_both_texts_going_on_is_joined(tmp_path: Path) -> None:
    tables = extract_unruled_tables(_cut_row_pdf(tmp_path / "cut.pdf", summary_tail="の残り"))
    got = [[c.text for c in row] for row in tables[0].rows]
    assert got[1:] == [["あいうえおかきくけこの後半", "さしすせそたちつてとなにぬねのはひふへほの残り"],
                       ["三番目の事業", "三番目の概要"]]
    assert tables[0].rows[1][0].pages == [1, 2] and tables[0].rows[1][1].pages == [1, 2]


def test_wraps_on_needs_every_cell_with_text_full() -> None:
    from extractors.settings import Layout
    from extractors.unruled import _Block, _Line, _wraps_on

    def block(col: int, x1: float) -> _Block:
        return _Block(col, [_Line([{"x0": 0.0, "x1": x1, "top": 0.0, "bottom": 9.0, "size": 9.0, "text": "字"}],
                                  Layout())])

    edges = {0: 100.0, 1: 300.0}
    assert _wraps_on([block(0, 95.0), block(1, 292.0)], edges)  # both within a glyph of their edge
    assert not _wraps_on([block(0, 95.0), block(1, 250.0)], edges)  # the summary ended short: a whole row
    assert _wraps_on([block(0, 100.0), None], edges)  # the summary centred wholly onto the next page
    assert not _wraps_on([None, None], edges)


# ------------------------------------------------------------------ the wkhtmltopdf A4 print

def test_wkhtmltopdf_a4_print_gives_the_reference_rows(rows: list[OverviewRow]) -> None:
    """tests/fixtures/overview_wkhtmltopdf_a4.pdf (issue 23: BIZ UDPGothic, rows padded by half a line,
    once read with rows merged): every row as raw/overview.pdf gives it, in the same areas and order."""
    got = parse_overview(extract_unruled_tables(Path(__file__).parent / "fixtures" / "overview_wkhtmltopdf_a4.pdf"))
    assert [(r.area_no, r.row_no, r.name, r.summary) for r in got] == \
        [(r.area_no, r.row_no, r.name, r.summary) for r in rows]


# --------------------------------------------------------- a row that links to nothing, end to end

def test_unlinked_row_leaves_the_excerpt_out_in_one_line(plan_build, tmp_path: Path) -> None:
    """An excerpt row naming no project of the plan: `renkei build` exits 0 with the plan's tables as they
    are without the excerpt, no overview table and no excerpt cells, and one warning line naming the row
    and why (never the row linked to a wrong project, nor the whole build refused for an optional input)."""
    import os
    import subprocess
    import sys

    import pandas as pd

    from tests.printers import producers
    from tests.printers.html import overview_html
    from tests.printers.content import excerpt_rows

    areas = excerpt_rows(plan_build)
    number, title, items = areas[0]
    items = [items[0], ("架空の取組に関する検討", "どの連携事業にもない行"), *items[1:]]
    pdf = producers.weasyprint(overview_html([(number, title, items), *areas[1:]]), tmp_path / "excerpt.pdf")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "pipeline", "build", "--pdf", str(root / "raw" / "plan_vi.pdf"),
                           "--overview", str(pdf), "--out", str(tmp_path / "out"), "--no-duckdb"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"1 of {sum(len(i) for _, _, i in areas) + 1} excerpt rows link to no project" in warnings[0]
    assert f"area {number} row 2 '架空の取組に関する検討' (no project's name scores 85 or more" in warnings[0]
    out = tmp_path / "out"
    assert not (out / "overview.parquet").exists()
    for table in ("projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis",
                  "footnotes"):
        assert (out / f"{table}.parquet").read_bytes() == (plan_build.path / f"{table}.parquet").read_bytes()
    cells = pd.read_parquet(out / "cells.parquet")
    assert set(cells.source) == {"plan"}
