"""raw/plan_vi.pdf + raw/overview.pdf → the contract's tables, checked against values transcribed by hand
from the seed transcription (001_…txt / 000_…txt). Nothing here is read from the seed at run time."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import RAW

PARTNERS = ["小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村",
            "南幌町", "長沼町"]


def _project(build, no: int) -> dict:
    df = build["projects"]
    return df[df.project_no == no].iloc[0].to_dict()


def _budgets(build, no: int) -> dict[int, dict]:
    df = build["budgets"]
    return {int(r["fiscal_year"]): r for r in df[df.project_no == no].to_dict("records")}


def _indicators(build, no: int) -> list[dict]:
    df = build["indicators"]
    return df[df.project_no == no].sort_values("indicator_no").to_dict("records")


def _null(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# -- totals --------------------------------------------------------------------------------------------
def test_counts(plan_build):
    assert len(plan_build["projects"]) == 53
    assert list(plan_build["projects"].project_no) == list(range(1, 54))
    assert len(plan_build["indicators"]) == 76
    assert len(plan_build["kpis"]) == 4
    assert len(plan_build["footnotes"]) == 7
    assert len(plan_build["budgets"]) == 53 * 5
    assert len(plan_build["responsibilities"]) == 53 * 2
    assert len(plan_build["overview"]) == 33


def test_fy2024_total(plan_build):
    b = plan_build["budgets"]
    assert int(b[b.fiscal_year == 2024].amount_thousand_yen.sum()) == 17_567_701
    assert (b.amount_yen.dropna() == b.amount_thousand_yen.dropna() * 1000).all()


def test_municipality_lists(plan_build):
    pm = plan_build["project_municipalities"]
    projects = plan_build["projects"]
    explicit = projects[projects.municipalities_raw != "全市町村"].project_no.tolist()
    assert explicit == [19, 20, 21, 25, 33, 34, 53]
    assert (projects.municipalities_raw == "全市町村").sum() == 46
    for no in projects[projects.municipalities_raw == "全市町村"].project_no:
        assert pm[pm.project_no == no].sort_values("list_order").municipality.tolist() == PARTNERS
    expected = {
        19: ["小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町"],
        20: ["岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町"],
        21: ["小樽市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村", "南幌町", "長沼町"],
        25: ["小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "南幌町"],
        33: ["小樽市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村", "長沼町"],
        34: ["小樽市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村", "長沼町"],
        53: ["岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町"],
    }
    for no, names in expected.items():
        rows = pm[pm.project_no == no].sort_values("list_order")
        assert rows.municipality.tolist() == names, no
        assert _project(plan_build, no)["municipalities_raw"] == "、".join(names)
    codes = dict(zip(pm.municipality, pm.lg_code))
    assert codes["小樽市"] == "012033"
    assert codes["長沼町"] == "014281"
    assert codes["新篠津村"] == "013048"


# -- irregular budget cells -------------------------------------------------------------------------
def test_budget_note_instead_of_amount_no31(plan_build):
    b = _budgets(plan_build, 31)
    assert b[2024]["amount_thousand_yen"] == 1_607_956
    assert _null(b[2025]["amount_thousand_yen"])
    assert b[2025]["note"].replace(" ", "") == "消防指令システム共同整備"
    for year in (2026, 2027, 2028):  # printed "—"
        assert _null(b[year]["amount_thousand_yen"]) and _null(b[year]["note"])


def test_budget_note_no34(plan_build):
    b = _budgets(plan_build, 34)
    assert b[2024]["amount_thousand_yen"] == 227_030
    assert b[2027]["note"] == "水素モデル街区形成"
    assert _null(b[2027]["amount_thousand_yen"])


def test_budget_merged_cell_no53(plan_build):
    b = _budgets(plan_build, 53)
    assert b[2024]["amount_thousand_yen"] == 0
    assert b[2024]["note"] == "共同撮影の実施"
    assert b[2025]["note"] == "共同撮影の実施"  # the merged cell gives its note to each year
    assert _null(b[2025]["amount_thousand_yen"])  # … and its amount only once
    assert b[2024]["colspan"] == 2
    assert b[2024]["era_label"] == "令和6年度"
    assert b[2028]["era_label"] == "令和10年度"


# -- indicator value forms ------------------------------------------------------------------------
def _q(row: dict, prefix: str) -> dict:
    return {k[len(prefix) + 1:]: (None if _null(v) else v) for k, v in row.items() if k.startswith(prefix + "_")}


def test_indicator_percentage_and_every_year_no1(plan_build):
    (ind,) = _indicators(plan_build, 1)
    assert ind["item"] == "本ビジョンに掲げる各連携事業の評価指標の達成割合"
    base, target = _q(ind, "baseline"), _q(ind, "target")
    assert (base["value"], base["unit"], base["year"], base["year_kind"], base["period"]) == \
        (72.22, "%", 2022, "fiscal", "at")
    assert (target["value"], target["unit"], target["period"], target["year"]) == (100, "%", "every_year", None)


def test_indicator_scaled_units(plan_build):
    (ind,) = _indicators(plan_build, 4)
    t = _q(ind, "target")
    assert (t["value"], t["unit"], t["canonical_value"], t["canonical_unit"], t["year"]) == \
        (5020, "百万円", 5_020_000_000, "円", 2027)
    assert _q(ind, "baseline")["raw"] == "-" and _q(ind, "baseline")["value"] is None
    ind14 = _indicators(plan_build, 14)[0]
    b = _q(ind14, "baseline")
    assert (b["value"], b["unit"], b["canonical_value"], b["canonical_unit"]) == (32, "万人", 320_000, "人")
    ind38 = _indicators(plan_build, 38)
    t = _q(next(i for i in ind38 if i["item"] == "アプリのユーザー数"), "target")
    assert (t["value"], t["unit"], t["canonical_value"], t["year"]) == (10, "千人", 10_000, 2024)


def test_indicator_by_and_at_least(plan_build):
    (ind12,) = _indicators(plan_build, 12)
    t = _q(ind12, "target")
    assert (t["year"], t["period"], t["value"]) == (2024, "by", None)
    ind31 = _indicators(plan_build, 31)
    assert [i["item"] for i in ind31] == ["消防指令システムの共同整備",
                                          "実火災訓練装置を利用して訓練を行った消防隊員の延べ人数"]
    t = _q(ind31[1], "target")
    assert (t["value"], t["unit"], t["year"], t["period"]) == (4290, "人", 2024, "by")
    assert _q(ind31[1], "baseline")["raw"] == "—" and _q(ind31[1], "baseline")["value"] is None
    ind47 = _indicators(plan_build, 47)
    t = _q(next(i for i in ind47 if i["item"] == "基金造成額"), "target")
    assert (t["value"], t["unit"], t["canonical_value"], t["period"], t["comparator"]) == \
        (64000, "千円", 64_000_000, "every_year", ">=")
    (ind52,) = _indicators(plan_build, 52)
    t = _q(ind52, "target")
    assert (t["value"], t["unit"], t["comparator"]) == (1, "人", ">=")
    (ind51,) = _indicators(plan_build, 51)
    t = _q(ind51, "target")
    assert (t["value"], t["unit"], t["comparator"], t["period"], t["text"]) == (1, "回", ">=", "every_year", "年1回")


def test_indicator_qualitative(plan_build):
    (ind13,) = _indicators(plan_build, 13)
    b = _q(ind13, "baseline")
    assert (b["text"], b["year"], b["value"]) == ("常時", 2022, None)
    (ind25,) = _indicators(plan_build, 25)
    b = _q(ind25, "baseline")
    assert (b["text"], b["value"], b["unit"], b["year"]) == ("各1回", 1, "回", 2022)
    ind39 = _indicators(plan_build, 39)
    b = _q(next(i for i in ind39 if "さとらんど" in i["item"]), "baseline")
    assert (b["text"], b["year"]) == ("毎年度", 2022)
    ind28 = _indicators(plan_build, 28)
    t = _q(next(i for i in ind28 if i["item"] == "子どもが参加した連携市町村"), "target")
    assert (t["text"], t["period"]) == ("全市町村", "every_year")


# -- KPIs -------------------------------------------------------------------------------------------
def test_kpis(plan_build):
    k = plan_build["kpis"].sort_values(["area_no", "kpi_no"]).to_dict("records")
    assert [(r["area_no"], r["kpi_no"]) for r in k] == [(1, 1), (1, 2), (2, 1), (3, 1)]
    assert k[0]["name"] == "圏域内民営事業所売上"
    c = _q(k[0], "current")
    assert (c["value"], c["unit"], c["canonical_value"], c["year"], c["year_kind"]) == \
        (28_900_000_000_000, "円", 28_900_000_000_000, 2020, "calendar")
    assert _q(k[0], "target")["canonical_value"] == 30_700_000_000_000
    c = _q(k[1], "current")
    assert (c["value"], c["unit"], c["canonical_value"], c["year"], c["year_kind"]) == \
        (30273, "千人", 30_273_000, 2022, "fiscal")
    # printed with a space between J and R (justified full-width letters in the original); kept as printed
    assert k[2]["name"] == "J R札幌駅及び地下鉄さっぽろ駅の乗車人員数(1日平均)"
    assert _q(k[2], "target")["value"] == 191851
    c = _q(k[3], "current")
    assert (c["value"], c["unit"], c["year"], c["year_kind"]) == (-2588, "人", 2022, "calendar")
    assert _q(k[3], "target")["value"] == -650


# -- footnotes ----------------------------------------------------------------------------------------
def test_footnotes(plan_build):
    f = plan_build["footnotes"].sort_values("footnote_no")
    assert f.footnote_no.tolist() == [10, 11, 12, 13, 14, 15, 16]
    links = dict(zip(f.footnote_no, f.project_no))
    # 10 is lost in the transcription but printed in the PDF (No. 3); 14 is marked twice in No. 12.
    assert links == {10: 3, 11: 7, 12: 12, 13: 12, 14: 12, 15: 34, 16: 38}
    terms = dict(zip(f.footnote_no, f.term))
    assert terms[14] == "MICE" and terms[10] == "スタートアップ"
    text14 = f[f.footnote_no == 14].text.iloc[0]
    assert text14.startswith("多くの集客交流が見込まれるビジネスイベントなどの総称で")
    assert "Incentive travel/tour" in text14
    assert "77" not in f[f.footnote_no == 16].text.iloc[0]  # the page number is not glued on


def test_marks_removed_from_text(plan_build):
    p3 = _project(plan_build, 3)
    assert "スタートアップ企業が連携した" in p3["summary"]
    p12 = _project(plan_build, 12)
    assert "インセンティブツアーを圏域内" in p12["summary"]
    assert "海外MICE見本市" in p12["summary"]


# -- projects field by field --------------------------------------------------------------------------
PROJECTS = {
    1: dict(name="連携事業の企画、立案、効果検証", area_no=1, category_code="a", category_title="経済戦略の推進",
            field_no=None, fy2024=5726, roles=("連携事業の企画、立案、効果検証の実施", "連携事業の企画、立案、効果検証への参画"),
            costs=("事業に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    2: dict(name="連携した企業誘致の推進", area_no=1, category_code="b", category_title="戦略産業の育成",
            field_no=None, fy2024=1_198_011,
            roles=("企業誘致動向調査の実施、企業誘致のための情報共有、企業立地補助の実施等",
                   "企業誘致動向調査への協力、企業誘致のための情報共有、企業立地補助の実施等"),
            costs=("事業に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    6: dict(name="新たな企業進出等を契機とした連携の推進", area_no=1, category_code="b", category_title="戦略産業の育成",
            field_no=None, fy2024=22_000, roles=("情報共有の実施、必要となる施策の検討", "情報共有の実施、必要となる施策の検討"),
            costs=("事業に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    7: dict(name="地域資源の活用に向けた支援", area_no=1, category_code="c", category_title="地域経済の裾野拡大",
            field_no=None, fy2024=38_000, roles=("サステナブル食品の新商品開発支援等", "サステナブル食品の新商品開発等に関する周知"),
            costs=("事業に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    9: dict(name="人手不足に向けた支援", area_no=1, category_code="c", category_title="地域経済の裾野拡大",
            field_no=None, fy2024=24_500, roles=("補助、助成の実施", "補助、助成の周知"),
            costs=("事業に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    13: dict(name="三次救急医療等の提供", area_no=2, category_code="a", category_title="高度な医療サービスの提供",
             field_no=None, fy2024=1_905_733, roles=("市立札幌病院の運営", None), costs=None),
    22: dict(name="文化的な教育活動の充実に向けた取組の推進", area_no=3, field_no=1, category_code="c",
             category_title="教育・文化・スポーツ", fy2024=33_663, roles=("コンサートの開催", "コンサート開催への協力"),
             costs=("事業実施に係る基本的な費用を負担", "参加する市町村は、参加児童数に応じた負担金とコンサート会場までの移動に関する費用")),
    35: dict(name="鳥獣対策等に関する取組の推進", area_no=3, field_no=1, category_code="g", category_title="環境",
             fy2024=124_573, roles=None, costs=("事業実施に必要な費用を負担", "事業実施に必要な費用を負担")),
    40: dict(name="地元定着等の促進", area_no=3, field_no=2, category_code="c", category_title="交流・移住促進",
             fy2024=241_257, roles=("説明会やイベント等の開催、各種支援等の実施", "説明会やイベント等の開催、各種支援等の実施への協力、周知等"),
             costs=("事業実施に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    44: dict(name="道内における関係人口の創出に向けた取組の推進", area_no=3, field_no=2, category_code="c",
             category_title="交流・移住促進", fy2024=4_670,
             roles=("道内における関係人口の創出に向けた取組の企画、実施", "道内における関係人口の創出に向けた取組に関する周知・協力等"),
             costs=("事業実施に係る基本的な費用を負担", "必要に応じてその他個別費用を負担")),
    52: dict(name="職員交流", area_no=3, field_no=3, category_code="b", category_title="職員等の交流", fy2024=0,
             roles=("職員の派遣・受入", "職員の派遣・受入"), costs=("事業実施に必要な費用を負担", "事業実施に必要な費用を負担")),
}

AREA_TITLES = {1: "圏域全体の経済成長のけん引", 2: "高次の都市機能の集積・強化", 3: "圏域全体の生活関連機能サービスの向上"}
FIELD_TITLES = {1: "生活機能の強化", 2: "結びつきやネットワークの強化", 3: "圏域マネジメント能力の強化"}


@pytest.mark.parametrize("no", sorted(PROJECTS))
def test_project_fields(plan_build, no):
    expected = PROJECTS[no]
    p = _project(plan_build, no)
    assert p["name"] == expected["name"]
    assert p["area_no"] == expected["area_no"] and p["area_title"] == AREA_TITLES[expected["area_no"]]
    if expected["field_no"] is None:
        assert _null(p["field_no"]) and _null(p["field_title"])
    else:
        assert p["field_no"] == expected["field_no"] and p["field_title"] == FIELD_TITLES[expected["field_no"]]
    assert p["category_code"] == expected["category_code"]
    assert p["category_title"] == expected["category_title"]
    b = _budgets(plan_build, no)
    assert sorted(b) == [2024, 2025, 2026, 2027, 2028]
    assert b[2024]["amount_thousand_yen"] == expected["fy2024"]
    r = plan_build["responsibilities"]
    r = {row["party"]: row for row in r[r.project_no == no].to_dict("records")}
    for column, values in (("role", expected["roles"]), ("cost_share", expected["costs"])):
        if values is None:
            continue
        for party, value in zip(("札幌市", "連携市町村"), values):
            if value is not None:
                assert r[party][column] == value, (no, party, column)


def test_summaries_join_lines_without_spaces(plan_build):
    p1 = _project(plan_build, 1)
    assert p1["summary"] == ("圏域・道内経済のけん引や圏域の魅力・活力の向上等に寄与するため、「さっぽろ連携中枢都市圏ビジョン懇談会」"
                             "の運営や、「さっぽろ連携中枢都市圏関係首長会議」等を通じて、連携事業の企画、立案、効果検証を行う。")
    p22 = _project(plan_build, 22)
    assert "(Kitaraファースト・コンサート)" in p22["summary"]


def test_page_split_tables_are_one_project(plan_build):
    p3 = _project(plan_build, 3)
    assert (p3["page_start"], p3["page_end"]) == (1, 2)
    assert _budgets(plan_build, 3)[2024]["amount_thousand_yen"] == 622_868
    assert _budgets(plan_build, 3)[2024]["page"] == 2
    (ind,) = _indicators(plan_build, 3)
    assert ind["item"] == "事業の参加者数"
    assert _q(ind, "target")["value"] == 5000 and _q(ind, "target")["unit"] == "名"
    p22 = _project(plan_build, 22)
    assert p22["page_end"] == p22["page_start"] + 1


def test_co2_subscript_kept(plan_build):
    text = " ".join(plan_build["projects"].summary) + " ".join(plan_build["overview"].summary)
    assert "CO2" in text
    assert "CO₂" not in text


# -- overview ---------------------------------------------------------------------------------------
def test_overview_linked(plan_build):
    o = plan_build["overview"]
    assert o.groupby("area_no").size().to_dict() == {1: 8, 2: 5, 3: 20}
    assert o.project_no.notna().all()
    projects = plan_build["projects"].set_index("project_no")
    for row in o.to_dict("records"):
        assert projects.loc[row["project_no"], "area_no"] == row["area_no"]
    name_of = dict(zip(o.name, o.project_no))
    assert name_of["連携した企業誘致の推進"] == 2
    assert name_of["三次救急医療等の提供"] == 13
    assert name_of["「札幌UIターン就職センター」の広域的利用"] == projects.index[
        projects.name == "「札幌UIターン就職センター」の広域的利用"][0]


# -- provenance and determinism ---------------------------------------------------------------------
def test_provenance_points_at_cells(plan_build):
    cells = plan_build["cells"]
    b = plan_build["budgets"]
    row = b[(b.project_no == 2) & (b.fiscal_year == 2024)].iloc[0]
    cell = cells[(cells.table_id == row.table_id) & (cells.row == row.row) & (cells.col == row.col)].iloc[0]
    assert cell.text == "1,198,011" and cell.page == row.page


def test_same_input_same_bytes(plan_build, tmp_path):
    from pipeline.stages.build import build

    build(RAW / "plan_vi.pdf", RAW / "overview.pdf", tmp_path / "again", progress=False)
    for parquet in sorted(plan_build.path.glob("*.parquet")):
        assert (tmp_path / "again" / parquet.name).read_bytes() == parquet.read_bytes(), parquet.name
    for name in ("manifest.json", "metrics.json"):
        assert (tmp_path / "again" / name).read_bytes() == (plan_build.path / name).read_bytes()


def test_the_command_end_to_end_in_a_subprocess(plan_build, tmp_path):
    """The one CLI test in a real process (the others call pipeline.cli.main in-process): the command a
    user runs gives the same bytes as the in-process build, and says nothing but the row counts."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([sys.executable, "-m", "pipeline", "build", "--pdf", str(RAW / "plan_vi.pdf"),
                             "--overview", str(RAW / "overview.pdf"), "--out", str(tmp_path / "cli")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr.startswith("budgets=265 ") and "Traceback" not in result.stderr
    for parquet in sorted(plan_build.path.glob("*.parquet")):
        assert (tmp_path / "cli" / parquet.name).read_bytes() == parquet.read_bytes(), parquet.name
