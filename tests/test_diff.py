"""`python -m pipeline diff`: project matching, row changes, reports and exit codes.

Unit tests run on tiny hand-made build directories (written with the contract's schemas through
pipeline.stages.write.write_tables); the end-to-end tests compare raw/plan_vi.pdf with
tests/fixtures/plan_vi_revised_sample.pdf, whose changes (a project inserted, one deleted, one renamed,
budgets, a target, two municipalities, a summary and a KPI target edited) are transcribed in the tests below,
and require the diff to report exactly those.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main as cli_main
from pipeline.diff.compare import FORMAT_VERSION, DiffError, diff_builds, is_compared
from pipeline.identity import MATCH_THRESHOLD, Project, match_projects, similarity
from pipeline.diff.report import char_diff, md_escape, render
from pipeline.publish.diffcommand import run_diff
from pipeline.publish.diffview import render_diff_page, show_diff
from pipeline.publish.html import html_escape
from pipeline.stages.atomic import write_json
from pipeline.stages.write import write_tables
from schemas.tables import CONTRACT_VERSION, TABLES

DIFF_TABLES = ("projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis",
               "footnotes")


# -- tiny builds -------------------------------------------------------------------------------------
def _fill(table: str, row: dict) -> dict:
    """A full contract row: the given values, defaults for the other non-nullable columns."""
    spec = TABLES[table]
    out = {}
    for name in spec.fields:
        if name in row:
            out[name] = row[name]
            continue
        f = spec.field(name)
        if f.nullable:
            out[name] = None
        elif str(f.type).startswith("int"):
            out[name] = 1
        elif str(f.type) == "double":
            out[name] = 0.0
        elif name == "project_id":
            out[name] = f"P{row['project_no']:03d}" if row.get("project_no") is not None else "P999"
        else:
            out[name] = "p001-t01" if name.endswith("table_id") else "-"
    return out


def _project(no: int, name: str, summary: str, **extra) -> dict:
    return {"project_no": no, "name": name, "summary": summary, "area_no": 1, "area_title": "圏域全体の経済成長のけん引",
            "category_code": "a", "category_title": "経済戦略の推進", "municipalities_raw": "全市町村",
            "page_start": no, "page_end": no, "page_start_label": str(60 + no), "page_end_label": str(60 + no),
            "table_id": f"p{no:03d}-t01", **extra}


def _budgets(no: int, amounts: dict[int, int | None]) -> list[dict]:
    return [{"project_no": no, "fiscal_year": fy, "era_label": f"令和{fy - 2018}年度",
             "raw": "-" if a is None else f"{a:,}", "amount_thousand_yen": a,
             "amount_yen": None if a is None else a * 1000, "page": no, "row": 2, "col": fy - 2022}
            for fy, a in amounts.items()]


def make_build(path: Path, projects: list[dict], *, budgets=(), indicators=(), municipalities=(),
               responsibilities=(), kpis=(), footnotes=(), version: str = CONTRACT_VERSION,
               source: str = "plan.pdf", members: dict | None = None) -> Path:
    rows = {"projects": projects, "budgets": budgets, "indicators": indicators,
            "project_municipalities": municipalities, "responsibilities": responsibilities, "kpis": kpis,
            "footnotes": footnotes}
    frames = {t: pd.DataFrame([_fill(t, r) for r in rows[t]], columns=TABLES[t].fields) for t in DIFF_TABLES}
    counts = write_tables(frames, path)
    plan = {"file": source, **({"members": members} if members is not None else {})}
    write_json({"contract_version": version, "sources": {"plan": plan}, "row_counts": counts},
               path / "manifest.json")
    return path


A = _project(1, "連携事業の企画、立案、効果検証", "連携事業の効果的な実施のため、企画立案と効果検証を行う。")
B = _project(2, "連携した企業誘致の推進", "圏域内への企業立地を促進するため、連携して誘致活動を行う。")
C = _project(3, "MICE誘致の推進", "国際会議等の誘致を圏域で連携して行い、経済効果を波及させる。")
D = _project(4, "森林整備等に関する取組の推進", "森林環境の保全のため、森林整備や地域材の利用を広域で行う。")
NEW = _project(2, "事業承継の支援", "中小企業の円滑な事業承継を支援するため、相談対応やセミナーを行う。")


def _renumber(project: dict, no: int) -> dict:
    return {**project, "project_no": no, "page_start": no, "page_end": no, "page_start_label": str(60 + no),
            "page_end_label": str(60 + no), "table_id": f"p{no:03d}-t01"}


def _brief(projects: dict) -> dict:
    """The projects section without pages and the content of added/removed projects."""
    keep = ("old_no", "new_no", "name", "old_name", "new_name")
    return {kind: [{k: v for k, v in entry.items() if k in keep} for entry in entries]
            for kind, entries in projects.items()}


def _diff(tmp_path: Path, old: dict, new: dict) -> dict:
    """to_json() without pages, the projects section in brief."""
    a = make_build(tmp_path / "old", **old)
    b = make_build(tmp_path / "new", **new)
    out = diff_builds(a, b).to_json(pages=False)
    return {"projects": _brief(out["projects"]), "changes": out["changes"]}


def html_page(old: Path, new: Path, pdfs=()) -> str:
    """`diff --format html` of two builds (pipeline.publish renders it, crops where the PDFs are given)."""
    return render_diff_page(show_diff(old, new, diff_builds(old, new).to_json(), pdfs), inline=True)


EMPTY_PROJECTS = {"added": [], "removed": [], "renamed": [], "renumbered": []}


# -- matching ----------------------------------------------------------------------------------------
def test_exact_match_no_differences(tmp_path):
    build = make_build(tmp_path / "b", [A, B, C], budgets=_budgets(2, {2024: 100, 2025: None}))
    out = diff_builds(build, build).to_json()
    assert out["format_version"] == FORMAT_VERSION == 5
    assert out["projects"] == EMPTY_PROJECTS and out["changes"] == []
    assert out["summary"]["edits"] == 0 and set(out["summary"]["by_kind"].values()) == {0}
    assert out["old"] == out["new"] == {"source": "plan.pdf", "projects": 3}
    # totals: a year with no printed amount is null, not 0
    assert out["totals"] == {"budget_thousand_yen_by_fiscal_year": [
        {"fiscal_year": 2024, "old": 100, "new": 100, "change": 0},
        {"fiscal_year": 2025, "old": None, "new": None, "change": None}]}


def test_fuzzy_rename_is_reported_once(tmp_path):
    renamed = {**C, "name": "MICE誘致・開催の推進"}
    out = _diff(tmp_path, {"projects": [A, B, C], "budgets": _budgets(3, {2024: 10})},
                {"projects": [A, B, renamed], "budgets": _budgets(3, {2024: 20})})
    assert out["projects"] == {**EMPTY_PROJECTS, "renamed": [
        {"old_no": 3, "new_no": 3, "old_name": "MICE誘致の推進", "new_name": "MICE誘致・開催の推進"}]}
    assert {(c["old_no"], c["new_no"]) for c in out["changes"]} == {(3, 3)}
    # No `name` change; the budget edit carries the new name, its amounts ride along.
    assert [(c["table"], c["name"], c["column"], [d["column"] for d in c["derived"]]) for c in out["changes"]] == [
        ("budgets", "MICE誘致・開催の推進", "raw", ["amount_thousand_yen", "amount_yen"])]


def test_insertion_is_one_addition_and_a_renumbering(tmp_path):
    old = {"projects": [A, B, C], "budgets": _budgets(2, {2024: 5}) + _budgets(3, {2024: 7}),
           "municipalities": [{"project_no": 3, "municipality": "小樽市", "lg_code": "012033", "list_order": 1}]}
    new = {"projects": [A, NEW, _renumber(B, 3), _renumber(C, 4)],
           "budgets": _budgets(2, {2024: 1}) + _budgets(3, {2024: 5}) + _budgets(4, {2024: 7}),
           "municipalities": [{"project_no": 4, "municipality": "小樽市", "lg_code": "012033", "list_order": 1,
                               "page": 9, "row": 5}]}
    out = _diff(tmp_path, old, new)
    assert out == {"projects": {
        "added": [{"old_no": None, "new_no": 2, "name": "事業承継の支援"}], "removed": [], "renamed": [],
        "renumbered": [{"name": "連携した企業誘致の推進", "old_no": 2, "new_no": 3},
                       {"name": "MICE誘致の推進", "old_no": 3, "new_no": 4}]},
        "changes": []}


def test_removal(tmp_path):
    out = _diff(tmp_path, {"projects": [A, B, C, D], "budgets": _budgets(4, {2024: 9})},
                {"projects": [A, B, C]})
    assert out == {"projects": {**EMPTY_PROJECTS, "removed": [
        {"old_no": 4, "new_no": None, "name": "森林整備等に関する取組の推進"}]}, "changes": []}


def test_unrelated_projects_are_not_paired(tmp_path):
    # D removed and NEW added at the same number: different identities, not a rename.
    out = _diff(tmp_path, {"projects": [A, _renumber(D, 2)]}, {"projects": [A, NEW]})
    assert out["projects"] == {**EMPTY_PROJECTS, "added": [{"old_no": None, "new_no": 2, "name": "事業承継の支援"}],
                               "removed": [{"old_no": 2, "new_no": None, "name": "森林整備等に関する取組の推進"}]}
    assert out["changes"] == []


def test_matching_is_one_to_one_with_deterministic_ties():
    old = [Project(1, "X事業の推進", "同じ概要"), Project(2, "X事業の推進", "同じ概要")]
    new = [Project(7, "X事業の推進", "同じ概要")]
    m = match_projects(old, new)
    assert [(p.old.no, p.new.no) for p in m.pairs] == [(1, 7)]
    assert [p.no for p in m.removed] == [2]
    # Best score wins over order; every project is used at most once.
    old = [Project(1, "観光の推進", "観光資源を活用する。"), Project(2, "観光PRの推進", "観光資源をPRする。")]
    new = [Project(5, "観光PRの推進等", "観光資源をPRする。"), Project(6, "観光の推進等", "観光資源を活用する。")]
    m = match_projects(old, new)
    assert sorted((p.old.no, p.new.no) for p in m.pairs) == [(1, 6), (2, 5)]
    assert match_projects(list(reversed(old)), list(reversed(new))).pairs == m.pairs


def test_threshold_separates_rename_from_similar_projects():
    rename = similarity(Project(12, "MICE誘致の推進", C["summary"]), Project(13, "MICE誘致・開催の推進", C["summary"]))
    assert rename >= MATCH_THRESHOLD
    # Two real projects of the plan whose names share the boilerplate.
    unrelated = similarity(
        Project(21, "特色ある教育活動の充実に向けた取組の推進", "圏域内の特色ある教育活動を促進するため、児童生徒の交流を行う。"),
        Project(22, "文化的な教育活動の充実に向けた取組の推進", "圏域内における文化的な教育活動を促進するため、演奏の鑑賞機会を提供する。"))
    assert unrelated < MATCH_THRESHOLD


# -- row changes -------------------------------------------------------------------------------------
def _indicator(no: int, item: str, target_raw: str, value: float | None, **extra) -> dict:
    return {"project_no": no, "indicator_no": 1, "item": item, "baseline_raw": "-", "target_raw": target_raw,
            "target_value": value, "target_unit": "名", "target_canonical_value": value,
            "target_canonical_unit": "名", "target_period": "every_year", **extra}


def test_changes_by_natural_key_with_json_types(tmp_path):
    old = {"projects": [A, B], "budgets": _budgets(1, {2024: 10, 2025: None}),
           "indicators": [_indicator(1, "参加者数", "5,000名(毎年度)", 5000.0)],
           "responsibilities": [{"project_no": 2, "party": "札幌市", "role": "企画", "cost_share": "負担"}],
           "kpis": [{"area_no": 1, "kpi_no": 1, "name": "観光入込客数", "current_raw": "1", "target_raw": "35,000千人",
                     "target_value": 35000.0}],
           "footnotes": [{"footnote_no": 10, "term": "MICE", "text": "会議等の総称", "project_no": 2}]}
    new = {"projects": [A, {**B, "summary": B["summary"].replace("連携して", "連携して広域で")}],
           "budgets": _budgets(1, {2024: 10, 2025: 1_250_000}),
           "indicators": [_indicator(1, "参加者数", "6,000名(毎年度)", 6000.0, indicator_no=3, row=9)],
           "responsibilities": [{"project_no": 2, "party": "札幌市", "role": "企画・実施", "cost_share": "負担"},
                                {"project_no": 2, "party": "連携市町村", "role": "協力", "cost_share": "負担なし"}],
           "kpis": [{"area_no": 1, "kpi_no": 2, "name": "観光入込客数", "current_raw": "1", "target_raw": "35,000千人",
                     "target_value": float("nan"), "page": 4}],
           "footnotes": [{"footnote_no": 11, "term": "MICE", "text": "会議等の総称", "project_no": 2, "page": 7}]}
    a, b = make_build(tmp_path / "old", **old), make_build(tmp_path / "new", **new)
    out = diff_builds(a, b).to_json(pages=False)
    assert out["projects"] == EMPTY_PROJECTS
    budget = "連携事業の企画、立案、効果検証"
    def d(table, column, old, new):
        return {"table": table, "column": column, "old": old, "new": new}

    assert [c.get("project_id") for c in out["changes"]] == ["P001"] * 2 + ["P002"] * 3 + [None]  # kpis: none
    assert [{k: v for k, v in c.items() if k not in ("old_no", "new_no", "project_id")} for c in out["changes"]] == [
        {"kind": "budget", "table": "budgets", "name": budget, "key": {"fiscal_year": 2025}, "row": "changed",
         "column": "raw", "old": "-", "new": "1,250,000",
         "derived": [d("budgets", "amount_thousand_yen", None, 1250000), d("budgets", "amount_yen", None, 1250000000)]},
        {"kind": "indicator", "table": "indicators", "name": budget, "key": {"item": "参加者数"}, "row": "changed",
         "column": "target_raw", "old": "5,000名(毎年度)", "new": "6,000名(毎年度)",
         "derived": [d("indicators", "target_value", 5000.0, 6000.0),
                     d("indicators", "target_canonical_value", 5000.0, 6000.0)]},
        {"kind": "project", "table": "projects", "name": "連携した企業誘致の推進", "key": {}, "row": "changed",
         "column": "summary", "old": B["summary"], "new": new["projects"][1]["summary"], "derived": []},
        {"kind": "responsibility", "table": "responsibilities", "name": "連携した企業誘致の推進",
         "key": {"party": "札幌市"}, "row": "changed", "column": "role", "old": "企画", "new": "企画・実施",
         "derived": []},
        {"kind": "responsibility", "table": "responsibilities", "name": "連携した企業誘致の推進",
         "key": {"party": "連携市町村"}, "row": "added", "column": None, "old": None,
         "new": {"role": "協力", "cost_share": "負担なし"}, "derived": []},
        # a derived column that changed alone (the printed cell did not) is still one edit of that cell
        {"kind": "kpi", "table": "kpis", "name": None, "key": {"name": "観光入込客数"}, "row": "changed",
         "column": "target_raw", "old": "35,000千人", "new": "35,000千人",
         "derived": [d("kpis", "target_value", 35000.0, None)]},
    ]
    assert [(c["old_no"], c["new_no"]) for c in out["changes"]] == [(1, 1)] * 2 + [(2, 2)] * 3 + [(None, None)]
    assert out["summary"] == {"edits": 6, "renumbered": 0, "by_kind": {
        "project_added": 0, "project_removed": 0, "project_renamed": 0, "project_moved": 0, "heading": 0, "member_joined": 0,
        "member_left": 0,
        "project": 1, "membership": 0, "responsibility": 2, "budget": 1, "indicator": 1, "kpi": 1, "footnote": 0}}
    text = render(diff_builds(a, b), "json")
    assert '"new": 1250000\n' in text and '"new": 6000.0\n' in text and "NaN" not in text


def test_footnote_project_compared_by_identity(tmp_path):
    note = {"footnote_no": 10, "term": "MICE", "text": "会議等の総称"}
    # Renumbered with its project: no change.
    out = _diff(tmp_path / "same", {"projects": [A, B, C], "footnotes": [{**note, "project_no": 3}]},
                {"projects": [A, NEW, _renumber(B, 3), _renumber(C, 4)], "footnotes": [{**note, "project_no": 4}]})
    assert out["changes"] == []
    # Same number, other project: a change.
    out = _diff(tmp_path / "moved", {"projects": [A, B, C], "footnotes": [{**note, "project_no": 3}]},
                {"projects": [A, NEW, _renumber(B, 3), _renumber(C, 4)], "footnotes": [{**note, "project_no": 3}]})
    assert out["changes"] == [{"kind": "footnote", "table": "footnotes", "name": None, "old_no": None, "new_no": None,
                               "key": {"term": "MICE"}, "row": "changed", "column": "project_no", "old": 3, "new": 3,
                               "derived": []}]
    # A footnote that comes with an added project or goes with a removed one is part of that project's entry;
    # one that appears in a matched project is a change.
    other = {"footnote_no": 11, "term": "PR", "text": "宣伝"}
    out = _diff(tmp_path / "with", {"projects": [A, _renumber(D, 2)], "footnotes": [{**note, "project_no": 2}]},
                {"projects": [A, NEW],
                 "footnotes": [{**other, "project_no": 2}, {**note, "term": "新語", "project_no": 1}]})
    assert out["changes"] == [{"kind": "footnote", "table": "footnotes", "name": None, "old_no": None, "new_no": None,
                               "key": {"term": "新語"}, "row": "added", "column": None, "old": None,
                               "new": {"text": "会議等の総称", "project_no": 1}, "derived": []}]


def test_duplicate_natural_keys_pair_in_order(tmp_path):
    old = [_indicator(1, "参加者数", "1名", 1.0), _indicator(1, "参加者数", "2名", 2.0, indicator_no=2)]
    new = [_indicator(1, "参加者数", "1名", 1.0), _indicator(1, "参加者数", "3名", 3.0, indicator_no=2)]
    out = _diff(tmp_path, {"projects": [A], "indicators": old}, {"projects": [A], "indicators": new})
    assert [(c["column"], json.dumps(c["key"], ensure_ascii=False), [d["column"] for d in c["derived"]])
            for c in out["changes"]] == [
        ("target_raw", '{"item": "参加者数", "occurrence": 2}', ["target_value", "target_canonical_value"])]


def test_only_content_columns_are_compared():
    for table, column in [("projects", "page_start"), ("projects", "table_id"), ("projects", "project_no"),
                          ("projects", "name"), ("budgets", "colspan"), ("budgets", "col"),
                          ("responsibilities", "role_page"), ("responsibilities", "cost_share_row"),
                          ("project_municipalities", "list_order"), ("indicators", "indicator_no"),
                          ("kpis", "kpi_no"), ("footnotes", "footnote_no"), ("footnotes", "page")]:
        assert not is_compared(table, column), (table, column)
    for table, column in [("projects", "summary"), ("projects", "municipalities_raw"), ("budgets", "note"),
                          ("responsibilities", "cost_share"), ("project_municipalities", "lg_code"),
                          ("indicators", "target_unit"), ("kpis", "current_year"), ("footnotes", "project_no")]:
        assert is_compared(table, column), (table, column)


# -- reports -----------------------------------------------------------------------------------------
def test_char_diff_and_escaping():
    assert char_diff("MICE誘致の推進", "MICE誘致・開催の推進", html_escape) == "MICE誘致<ins>・開催</ins>の推進"
    assert char_diff("5,000名", "6,000名", html_escape) == "<del>5</del><ins>6</ins>,000名"
    assert char_diff("a<b", "a&b", html_escape) == "a<del>&lt;</del><ins>&amp;</ins>b"
    assert char_diff("圏域内の企業", "別の概要", html_escape) == "<del>圏域内の企業</del><ins>別の概要</ins>"
    assert md_escape("*x*|<y>") == r"\*x\*\|\<y\>"


def test_reports_escape_text_and_render_offline(tmp_path):
    evil = {**B, "summary": "<script>alert(1)</script> *強調* | 区切り"}
    town = [{"project_no": 2, "municipality": "<b>町|", "lg_code": "012033", "list_order": 1}]
    a = make_build(tmp_path / "old", [A, B], budgets=_budgets(2, {2024: 100}), municipalities=town)
    b = make_build(tmp_path / "new", [A, evil], budgets=_budgets(2, {2024: 90}), municipalities=town)
    result = diff_builds(a, b)
    page = html_page(a, b)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<summary>&lt;b&gt;町| (012033) — 0 projects added, removed or renamed; 2 edits</summary>" in page and "<b>" not in page
    assert "### \\<b\\>町\\| (012033)" in render(result, "md")
    assert "http://" not in page and "https://" not in page and "<link" not in page and "<style>" in page
    assert '<p class="amount">100 → 90 千円 (-10)</p>' in page
    md = render(result, "md")
    assert "| 2 | 2 | 連携した企業誘致の推進 | 2024 | 100 | 90 | -10 | p. 62 → p. 62 |" in md  # printed labels
    assert r"\<script\>" in md and "<script>" not in md.replace("<ins>", "").replace("</ins>", "")


def test_reports_are_deterministic(tmp_path):
    a = make_build(tmp_path / "old", [A, B, C, D], budgets=_budgets(2, {2024: 1}))
    b = make_build(tmp_path / "new", [A, NEW, _renumber(B, 3), {**_renumber(C, 4), "name": "MICE誘致・開催の推進"}],
                   budgets=_budgets(3, {2024: 2}))
    for fmt in ("json", "md", "html"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        assert run_diff(a, b, fmt, first) == 1
        assert run_diff(a, b, fmt, second) == 1
        assert first.read_bytes() == second.read_bytes()


# -- exit status -------------------------------------------------------------------------------------
def test_exit_codes(tmp_path, capsys):
    a = make_build(tmp_path / "a", [A, B])
    b = make_build(tmp_path / "b", [A, {**B, "summary": "別の概要"}])
    assert run_diff(a, a, "json", None) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["projects"] == EMPTY_PROJECTS and out["changes"] == []
    assert cli_main(["diff", str(a), str(b), "--format", "md"]) == 1
    assert f"<del>{B['summary']}</del><ins>別の概要</ins>" in capsys.readouterr().out


@pytest.mark.parametrize("break_it", ["missing_dir", "missing_table", "missing_manifest", "other_version"])
def test_failures_exit_2_with_one_line(tmp_path, capsys, break_it):
    a = make_build(tmp_path / "a", [A, B])
    b = make_build(tmp_path / "b", [A, B], version="1" if break_it == "other_version" else CONTRACT_VERSION)
    if break_it == "missing_dir":
        b = tmp_path / "nowhere"
    elif break_it == "missing_table":
        (b / "budgets.parquet").unlink()
    elif break_it == "missing_manifest":
        (b / "manifest.json").unlink()
    out = tmp_path / "report.json"
    assert cli_main(["diff", str(a), str(b), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(DiffError):
        diff_builds(a, b)


# -- the revised sample (document.md lists every change it carries) -------------------------------------
RENUMBERED = [  # old No. 10–35 move down by one (事業承継の支援 is inserted as No. 10); No. 12 is renamed
    "共同プロモーションや観光資源の活用等の推進", "圏域の共同PR", None, "三次救急医療等の提供", "丘珠空港の利用促進",
    "札幌駅交流拠点の整備等", "社会や企業等のニーズに対応できる人材の育成", "公共施設の相互利用や配置に関する検討",
    "救急医療の維持・向上等に向けた取組の推進", "保育サービスの向上に向けた取組の推進",
    "生活困窮者自立支援法の任意事業に関する情報共有", "特色ある教育活動の充実に向けた取組の推進",
    "文化的な教育活動の充実に向けた取組の推進", "公立夜間中学の共同活用", "図書館間のネットワークに関する取組の推進",
    "都市計画に関する情報共有", "にぎわいの創出", "女性活躍の推進", "子どもの社会体験活動等の場の創出に関する取組の促進",
    "子育て環境の向上に向けた取組の推進", "災害に備える連携の推進", "消防の連携・協力の推進", "災害時における連携の推進",
    "廃棄物対策における連携の推進", "脱炭素に向けた取組の推進", "鳥獣対策等に関する取組の推進",
]
SUMMARY_6 = "次世代半導体メーカーの千歳市進出{}を契機に、圏域の産業活性化のため必要となる取組や人材育成について、情報の共有等を行う。"
HOIKU = "保育サービスの向上に向けた取組の推進"
PARTNERS_8 = "小樽市、岩見沢市、江別市、千歳市、恵庭市、北広島市、石狩市、当別町"


@pytest.fixture(scope="module")
def revised_diff(plan_build, revised_build):
    return diff_builds(plan_build.path, revised_build.path)


def test_revised_sample_projects(revised_diff):
    assert _brief(revised_diff.to_json()["projects"]) == {
        "added": [{"old_no": None, "new_no": 10, "name": "事業承継の支援"}],
        "removed": [{"old_no": 36, "new_no": None, "name": "森林整備等に関する取組の推進"}],
        "renamed": [{"old_no": 12, "new_no": 13, "old_name": "MICE誘致の推進", "new_name": "MICE誘致・開催の推進"}],
        "renumbered": [{"name": name, "old_no": no, "new_no": no + 1}
                       for no, name in enumerate(RENUMBERED, start=10) if name is not None],
    }


def _changes(result) -> dict[tuple, dict]:
    """{(kind, table, name, key, column): the edit's JSON}; each edit once."""
    out = {}
    for c in result.to_json()["changes"]:
        key = (c["kind"], c["table"], c["name"], tuple(c["key"].items()), c["column"])
        assert key not in out, key
        out[key] = c
    return out


def _derived(change: dict) -> dict[str, tuple]:
    return {f"{d['table']}.{d['column']}": (d["old"], d["new"]) for d in change["derived"]}


def test_revised_sample_changes_are_exactly_the_documented_ones(revised_diff):
    """Each edit document.md lists is reported once, with its derived columns inside it, and nothing else."""
    changes = _changes(revised_diff)
    assert set(changes) == {
        # FY2025 budgets of 連携した企業誘致の推進 and 三次救急医療等の提供, FY2024 of 鳥獣対策等に関する取組の推進
        ("budget", "budgets", "連携した企業誘致の推進", (("fiscal_year", 2025),), "raw"),
        ("budget", "budgets", "三次救急医療等の提供", (("fiscal_year", 2025),), "raw"),
        ("budget", "budgets", "鳥獣対策等に関する取組の推進", (("fiscal_year", 2024),), "raw"),
        # 創業の促進 target 5,000名 → 6,000名（毎年度）
        ("indicator", "indicators", "創業の促進", (("item", "事業の参加者数"),), "target_raw"),
        # 南幌町 and 長沼町 added to 保育サービスの向上に向けた取組の推進: one membership each
        ("membership", "project_municipalities", HOIKU, (("municipality", "南幌町"),), None),
        ("membership", "project_municipalities", HOIKU, (("municipality", "長沼町"),), None),
        # the summary of 新たな企業進出等を契機とした連携の推進
        ("project", "projects", "新たな企業進出等を契機とした連携の推進", (), "summary"),
        # 観光入込客数 target → 36,000千人 (2028年度)
        ("kpi", "kpis", None, (("name", "観光入込客数"),), "target_raw"),
    }

    def budget(name: str, year: int) -> dict:
        return changes[("budget", "budgets", name, (("fiscal_year", year),), "raw")]

    for name, year, old, new in (("連携した企業誘致の推進", 2025, None, 1_250_000),
                                 ("三次救急医療等の提供", 2025, None, 1_950_000),
                                 ("鳥獣対策等に関する取組の推進", 2024, 124_573, 130_000)):
        change = budget(name, year)
        assert (change["old"], change["new"]) == ("-" if old is None else f"{old:,}", f"{new:,}")
        assert _derived(change) == {"budgets.amount_thousand_yen": (old, new),
                                    "budgets.amount_yen": (None if old is None else old * 1000, new * 1000)}
    for change in changes.values():
        assert change["row"] == ("added" if change["kind"] == "membership" else "changed")
        for value in [change["old"], change["new"], *(v for d in change["derived"] for v in (d["old"], d["new"]))]:
            assert type(value) in (int, float, str, dict, type(None))
            assert not (isinstance(value, float) and math.isnan(value))

    target = changes[("indicator", "indicators", "創業の促進", (("item", "事業の参加者数"),), "target_raw")]
    assert (target["old"], target["new"]) == ("5,000名(毎年度)", "6,000名(毎年度)")
    assert _derived(target) == {"indicators.target_value": (5000.0, 6000.0),
                                "indicators.target_canonical_value": (5000.0, 6000.0)}
    kpi = changes[("kpi", "kpis", None, (("name", "観光入込客数"),), "target_raw")]
    assert (kpi["old"], kpi["new"]) == ("35,000千人(2028年度)", "36,000千人(2028年度)")
    assert _derived(kpi) == {"kpis.target_value": (35000.0, 36000.0),
                             "kpis.target_canonical_value": (35_000_000.0, 36_000_000.0)}
    summary = changes[("project", "projects", "新たな企業進出等を契機とした連携の推進", (), "summary")]
    assert (summary["old"], summary["new"], summary["derived"]) == \
        (SUMMARY_6.format(""), SUMMARY_6.format("及び工場の稼働"), [])
    # a membership: the municipality named, its code on its side, 連携市町村 as printed riding along
    for town, code in (("南幌町", "014231"), ("長沼町", "014281")):
        member = changes[("membership", "project_municipalities", HOIKU, (("municipality", town),), None)]
        assert (member["old"], member["new"]) == (None, {"lg_code": code})
        assert _derived(member) == {"projects.municipalities_raw": (PARTNERS_8, PARTNERS_8 + "、南幌町、長沼町")}
        assert (member["old_no"], member["new_no"]) == (19, 20)


@pytest.fixture(scope="module")
def revised_page(plan_build, revised_build):
    return html_page(plan_build.path, revised_build.path)


def test_revised_sample_summary_counts_edits(revised_diff, revised_page):
    out = revised_diff.to_json()
    assert out["summary"] == {"edits": 11, "renumbered": 25, "by_kind": {
        "project_added": 1, "project_removed": 1, "project_renamed": 1, "project_moved": 0, "heading": 0, "member_joined": 0,
        "member_left": 0,
        "project": 1, "membership": 2, "responsibility": 0, "budget": 3, "indicator": 1, "kpi": 1, "footnote": 0}}
    line = ("53 → 53 projects; 11 edits: 1 project added, 1 project removed, 1 project renamed, 1 project field, "
            "2 membership, 3 budget, 1 indicator, 1 KPI; 25 projects renumbered.")
    assert f"**Summary:** {md_escape(line)}" in render(revised_diff, "md")
    assert f'<p class="summary" id="summary">{html_escape(line)}</p>' in revised_page


def test_revised_sample_per_municipality(revised_diff, revised_page):
    out = revised_diff.to_json()
    by_name = {m["municipality"]: m for m in out["municipalities"]}
    # every partner of the plan, in local government code order
    assert list(by_name) == ["小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町", "新篠津村",
                             "南幌町", "長沼町"]
    assert [m["lg_code"] for m in out["municipalities"]] == sorted(m["lg_code"] for m in out["municipalities"])

    def edits(town: str) -> set[tuple]:
        listed = (out["changes"][i] for i in by_name[town]["changes"])
        return {(c["kind"], c["name"], tuple(c["key"].items())) for c in listed}

    nanporo = by_name["南幌町"]
    assert nanporo["lg_code"] == "014231"
    assert ("membership", HOIKU, (("municipality", "南幌町"),)) in edits("南幌町")
    # 全市町村 projects count for every partner: the project added (No. 10), removed (old No. 36), renamed (13)
    for m in out["municipalities"]:
        assert (m["projects_added"], m["projects_removed"], m["projects_renamed"]) == ([10], [36], [13]), m
    # 保育サービス… is shared by nine partners before the edit and eleven after: its edits are under each of those,
    # and not under 新篠津村, which it does not partner; the 全市町村 budget edit is under all eleven.
    hoiku = {("membership", HOIKU, (("municipality", t),)) for t in ("南幌町", "長沼町")}
    for town in by_name:
        assert (hoiku <= edits(town)) == (town != "新篠津村"), town
        assert ("budget", "連携した企業誘致の推進", (("fiscal_year", 2025),)) in edits(town)
    # KPIs belong to an area, not to a municipality
    assert not any(c[0] == "kpi" for town in by_name for c in edits(town))
    md = render(revised_diff, "md")
    section = md.split("## Per partner municipality")[1]
    assert "| 南幌町 | 014231 | 1 | 1 | 1 | 7 |" in section and "| 新篠津村 | 013048 | 1 | 1 | 1 | 5 |" in section
    nanporo_md = section.split("### 南幌町 (014231)")[1].split("###")[0]
    assert f"- New No. 20 (old No. 19) {HOIKU}: membership 南幌町 added" in nanporo_md
    assert "- project added: New No. 10 事業承継の支援" in nanporo_md
    assert "<summary>南幌町 (014231) — 3 projects added, removed or renamed; 7 edits</summary>" in revised_page


def test_shared_project_edit_is_listed_under_each_partner(tmp_path):
    def member(no: int, town: str, code: str, order: int) -> dict:
        return {"project_no": no, "municipality": town, "lg_code": code, "list_order": order}

    shared = [member(2, "小樽市", "012033", 1), member(2, "江別市", "012173", 2)]
    alone = [member(1, "千歳市", "012246", 1)]
    old = {"projects": [A, B], "budgets": _budgets(2, {2024: 10}), "municipalities": shared + alone}
    new = {"projects": [A, B], "budgets": _budgets(2, {2024: 12}), "municipalities": shared[:1] + alone}
    out = diff_builds(make_build(tmp_path / "old", **old), make_build(tmp_path / "new", **new)).to_json()
    kinds = [(c["kind"], c["row"], c["key"]) for c in out["changes"]]
    assert kinds == [("membership", "removed", {"municipality": "江別市"}), ("budget", "changed", {"fiscal_year": 2024})]
    assert out["changes"][0]["old"] == {"lg_code": "012173"}
    assert {m["municipality"]: m["changes"] for m in out["municipalities"]} == {
        "小樽市": [0, 1], "江別市": [0, 1], "千歳市": []}
    md = render(diff_builds(tmp_path / "old", tmp_path / "new"), "md")
    assert "No changes for: 千歳市." in md
    assert md.count("- New No. 2 (old No. 2) 連携した企業誘致の推進: budget 2024: 10 → 12 千円 (+2)") == 2
    assert "- membership `project_municipalities` · 江別市 (row removed)" in md


def test_revised_sample_reports(revised_diff, revised_page):
    md = render(revised_diff, "md")
    assert "| 2 | 2 | 連携した企業誘致の推進 | 2025 | - | 1,250,000 | +1,250,000 | p. 61 → p. 61 |" in md
    assert "| 35 | 36 | 鳥獣対策等に関する取組の推進 | 2024 | 124,573 | 130,000 | +5,427 | p. 71 → pp. 71–72 |" in md
    # which numbering each number is in
    assert "“Old No.” is a project's number as printed in the old edition" in md
    assert "## Added projects (new numbering)" in md and "### New No. 10 事業承継の支援 (pp. 63–64)" in md
    assert "## Removed projects (old numbering)" in md and "### Old No. 36 森林整備等に関する取組の推進 (pp. 71–72)" in md
    assert "### New No. 20 (old No. 19) 保育サービスの向上に向けた取組の推進 — p. 67 (old p. 67)" in md
    # totals per fiscal year, and the content of the added and removed projects
    assert "| 2024 | 17,567,701 | 17,588,128 | +20,427 |" in md
    assert "| 2026 | - | - | – |" in md
    assert "- 事業費 (千円): FY2024 15,000; FY2025 15,000; FY2026 -; FY2027 -; FY2028 -" in md
    assert "- 評価指標 1: 具体的な取組の構築: - → 2024年度まで" in md
    assert "千歳市進出<ins>及び工場の稼働</ins>を契機に" in md
    assert "MICE誘致<ins>・開催</ins>の推進" in md
    assert "当別町<ins>、南幌町、長沼町</ins>" in revised_page and revised_page.startswith("<!DOCTYPE html>")


def test_revised_sample_numbers_pages_totals_and_content(revised_diff):
    out = revised_diff.to_json()
    assert out["format_version"] == 5
    assert out["old"] == {"source": "plan_vi.pdf", "projects": 53}
    assert out["new"] == {"source": "plan_vi_revised_sample.pdf", "projects": 53}
    assert out["totals"]["budget_thousand_yen_by_fiscal_year"] == [
        {"fiscal_year": 2024, "old": 17_567_701, "new": 17_588_128, "change": 20_427},
        {"fiscal_year": 2025, "old": None, "new": 3_215_000, "change": None},
        *({"fiscal_year": y, "old": None, "new": None, "change": None} for y in (2026, 2027, 2028))]
    # every change carries both numbers and both sides' pages
    for c in out["changes"]:
        assert set(c) == {"kind", "table", "name", "old_no", "new_no", "key", "row", "column", "old", "new", "derived",
                          "old_pages", "new_pages", "old_page_labels", "new_page_labels",
                          *(("project_id",) if c["table"] not in ("kpis", "footnotes") else ())}
        assert c["old_pages"] and c["new_pages"], c
        # the printed labels beside the PDF page indexes (the chapter's page 1 prints 61)
        assert c["old_page_labels"] == [str(p + 60) for p in c["old_pages"]], c
        assert c["new_page_labels"] == [str(p + 60) for p in c["new_pages"]], c
    numbers = {(c["name"], c["old_no"], c["new_no"]) for c in out["changes"] if c["table"] == "budgets"}
    assert numbers == {("連携した企業誘致の推進", 2, 2), ("三次救急医療等の提供", 13, 14),
                       ("鳥獣対策等に関する取組の推進", 35, 36)}
    added, = out["projects"]["added"]
    assert (added["old_no"], added["new_no"], added["old_pages"], added["new_pages"]) == (None, 10, None, [3, 4])
    assert (added["old_page_labels"], added["new_page_labels"]) == (None, ["63", "64"])
    assert added["project"]["municipalities_raw"] == "全市町村" and added["project"]["category_code"] == "c"
    assert [(b["fiscal_year"], b["amount_thousand_yen"]) for b in added["budgets"]] == [
        (2024, 15000), (2025, 15000), (2026, None), (2027, None), (2028, None)]
    assert added["indicators"] == [{"indicator_no": 1, "item": "事業承継に関する相談件数",
                                    "baseline_raw": "120件(2022年度)", "target_raw": "200件(毎年度)"}]
    assert [r["party"] for r in added["responsibilities"]] == ["札幌市", "連携市町村"]
    assert len(added["municipalities"]) == 11
    removed, = out["projects"]["removed"]
    assert (removed["old_no"], removed["new_no"], removed["old_pages"], removed["new_pages"]) == (36, None, [11, 12], None)
    assert removed["budgets"][0] == {"fiscal_year": 2024, "era_label": "令和6年度", "raw": "0",
                                     "amount_thousand_yen": 0, "note": None}
    renamed, = out["projects"]["renamed"]
    assert (renamed["old_pages"], renamed["new_pages"]) == ([4, 4], [4, 4])
    assert all(r["old_pages"] and r["new_pages"] for r in out["projects"]["renumbered"])


def test_build_against_itself_is_identical(plan_build, capsys):
    assert run_diff(plan_build.path, plan_build.path, "json", None) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["projects"] == EMPTY_PROJECTS and out["changes"] == []


def test_partners_printed_differently_without_a_membership_change_is_one_project_edit(tmp_path):
    """全市町村 printed as the list of the same partners: no membership changed, so the printed column is
    the edit (of the project's own field); with a partner added, the membership is the edit and the printed
    column rides along inside it."""
    towns = [{"project_no": 1, "municipality": t, "lg_code": c, "list_order": i}
             for i, (t, c) in enumerate((("小樽市", "012033"), ("江別市", "012173")), start=1)]
    listed = {**A, "municipalities_raw": "小樽市、江別市"}
    out = _diff(tmp_path / "same", {"projects": [A], "municipalities": towns},
                {"projects": [listed], "municipalities": towns})
    assert [(c["kind"], c["column"], c["old"], c["new"], c["derived"]) for c in out["changes"]] == [
        ("project", "municipalities_raw", "全市町村", "小樽市、江別市", [])]
    out = _diff(tmp_path / "added", {"projects": [{**A, "municipalities_raw": "小樽市"}], "municipalities": towns[:1]},
                {"projects": [listed], "municipalities": towns})
    assert [(c["kind"], c["key"], c["row"], c["new"], c["derived"]) for c in out["changes"]] == [
        ("membership", {"municipality": "江別市"}, "added", {"lg_code": "012173"},
         [{"table": "projects", "column": "municipalities_raw", "old": "小樽市", "new": "小樽市、江別市"}])]


def test_two_pdfs_are_both_checked_before_either_is_built(tmp_path, capsys):
    """`renkei diff OLD.pdf NEW.pdf --out DIR`: a missing or broken PDF on either side is one line, exit 2,
    and nothing is built or written."""
    from tests.conftest import RAW

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    for old, new in ((RAW / "plan_vi.pdf", broken), (tmp_path / "nowhere.pdf", RAW / "plan_vi.pdf")):
        out = tmp_path / "diff"
        assert cli_main(["diff", str(old), str(new), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
        assert not out.exists()


def test_where_the_reports_go(tmp_path):
    from pipeline.publish.diffcommand import targets

    assert targets(None, None) == {"json": None} and targets("md", None) == {"md": None}
    assert targets("md", tmp_path / "x.txt") == {"md": tmp_path / "x.txt"}
    assert targets(None, tmp_path / "d.html") == {"html": tmp_path / "d.html"}
    assert targets(None, tmp_path / "out") == {f: tmp_path / "out" / f"diff.{f}" for f in ("json", "md", "html")}


# -- members of the agreement ---------------------------------------------------------------------------
def _members(*partners: str, source: str = "document") -> dict:
    return {"source": source, "center": "札幌市", "partners": list(partners), "pages": [4] if source == "document" else [],
            "page_labels": ["3"] if source == "document" else []}


def _partners(no: int, names: list[str]) -> list[dict]:
    return [{"project_no": no, "municipality": n, "lg_code": "000000", "list_order": i, "page": no, "row": 3, "col": 1}
            for i, n in enumerate(names, start=1)]


def test_a_member_joining_is_one_edit_with_its_all_partner_projects_riding_along(tmp_path):
    """全市町村 projects gain the new member without a printed value changing: one edit, the member's. A
    project whose printed list names the member (a printed change) is its own membership edit."""
    old_names, new_names = ["小樽市", "江別市"], ["小樽市", "江別市", "栗山町"]
    listed = _project(3, "MICE誘致の推進", "国際会議等の誘致を圏域で連携して行い、経済効果を波及させる。",
                      municipalities_raw="小樽市")
    old = make_build(tmp_path / "old", [A, B, listed], members=_members(*old_names),
                     municipalities=_partners(1, old_names) + _partners(2, old_names) + _partners(3, ["小樽市"]))
    listed_new = {**listed, "municipalities_raw": "小樽市、栗山町"}
    new = make_build(tmp_path / "new", [A, B, listed_new], members=_members(*new_names),
                     municipalities=_partners(1, new_names) + _partners(2, new_names) +
                     _partners(3, ["小樽市", "栗山町"]))
    result = diff_builds(old, new)
    out = result.to_json()
    assert out["members"] == [{"kind": "member_joined", "municipality": "栗山町", "pages": [4], "page_labels": ["3"],
                               "source": "document", "projects": [1, 2]}]
    assert out["summary"]["by_kind"]["member_joined"] == 1 and out["summary"]["by_kind"]["membership"] == 1
    assert out["summary"]["edits"] == 2
    assert [(c["new_no"], c["kind"]) for c in out["changes"]] == [(3, "membership")]
    md = render(result, "md")
    assert "2 edits: 1 member joined, 1 membership" in md and "| member joined | 栗山町 | p. 3 | 1, 2 |" in md
    page = html_page(old, new)
    assert "1 member joined" in page and "<td>栗山町</td>" in page


def test_a_member_leaving_is_one_edit(tmp_path):
    names = ["小樽市", "江別市"]
    old = make_build(tmp_path / "old", [A], members=_members(*names), municipalities=_partners(1, names))
    new = make_build(tmp_path / "new", [A], members=_members("小樽市", source="reviewed"),
                     municipalities=_partners(1, ["小樽市"]))
    out = diff_builds(old, new).to_json()
    assert out["summary"]["edits"] == 1 and out["summary"]["by_kind"]["member_left"] == 1
    assert out["changes"] == [] and out["members"][0]["projects"] == [1]


def test_without_members_in_either_manifest_the_partner_rows_are_the_edits(tmp_path):
    old = make_build(tmp_path / "old", [A], municipalities=_partners(1, ["小樽市"]))
    new = make_build(tmp_path / "new", [A], municipalities=_partners(1, ["小樽市", "江別市"]))
    out = diff_builds(old, new).to_json()
    assert out["members"] == [] and out["summary"]["by_kind"]["membership"] == 1


# -- edits counted as a reviewer counts them (issue 24) ------------------------------------------------------
def _kinds(out: dict) -> dict[str, int]:
    return {k: v for k, v in out["summary"]["by_kind"].items() if v}


def test_a_project_moved_to_another_category_is_one_edit(tmp_path):
    moved = {**B, "category_code": "c", "category_title": "地域経済の裾野拡大"}
    out = diff_builds(make_build(tmp_path / "old", [A, B]), make_build(tmp_path / "new", [A, moved])).to_json()
    assert out["summary"]["edits"] == 1 and _kinds(out) == {"project_moved": 1}
    move, = out["changes"]
    assert (move["kind"], move["table"], move["column"], move["old"], move["new"]) == (
        "project_moved", "projects", "category_code", "a", "c")
    assert [(d["column"], d["old"], d["new"]) for d in move["derived"]] == [
        ("category_title", "経済戦略の推進", "地域経済の裾野拡大")]


def test_a_project_moved_to_another_area_and_field_is_one_edit(tmp_path):
    moved = {**B, "area_no": 3, "area_title": "圏域全体の生活関連機能サービスの向上", "field_no": 1,
             "field_title": "生活機能の強化", "category_code": "a", "category_title": "地域医療"}
    edited = {**moved, "summary": B["summary"] + "また、情報を共有する。"}
    a, b = make_build(tmp_path / "old", [A, B]), make_build(tmp_path / "new", [A, edited])
    result = diff_builds(a, b)
    out = result.to_json()
    # the move and the summary: two printed edits
    assert out["summary"]["edits"] == 2 and _kinds(out) == {"project_moved": 1, "project": 1}
    move = out["changes"][0]
    assert (move["kind"], move["column"], move["old"], move["new"]) == ("project_moved", "area_no", 1, 3)
    assert [d["column"] for d in move["derived"]] == ["area_title", "field_no", "field_title", "category_title"]
    line = "2 → 2 projects; 2 edits: 1 project moved, 1 project field."
    assert f"**Summary:** {md_escape(line)}" in render(result, "md")
    assert html_escape(line) in html_page(a, b)


def _merged(no: int, raw: str, amount: int | None, years=(2024, 2025), rest=(2026,)) -> list[dict]:
    """A budget cell merged over ``years`` (the amount read into the first), then single cells."""
    rows = [{"project_no": no, "fiscal_year": fy, "era_label": f"令和{fy - 2018}年度", "raw": raw,
             "amount_thousand_yen": amount if i == 0 else None, "amount_yen": None if amount is None or i else amount * 1000,
             "note": "共同撮影の実施", "page": no, "row": 7, "col": 2, "colspan": len(years)}
            for i, fy in enumerate(years)]
    return rows + [{**r, "colspan": 1} for r in _budgets(no, {fy: None for fy in rest})]


def test_a_merged_budget_cell_is_one_edit(tmp_path):
    old = {"projects": [A, B], "budgets": _merged(2, "0(共同撮影の実施)", 0)}
    new = {"projects": [A, B], "budgets": _merged(2, "100(共同撮影の実施)", 100)}
    a, b = make_build(tmp_path / "old", **old), make_build(tmp_path / "new", **new)
    result = diff_builds(a, b)
    out = result.to_json(pages=False)
    assert out["summary"]["edits"] == 1 and _kinds(out) == {"budget": 1}
    edit, = out["changes"]
    assert (edit["key"], edit["spans"], edit["column"], edit["old"], edit["new"]) == (
        {"fiscal_year": 2024}, [{"fiscal_year": 2024}, {"fiscal_year": 2025}], "raw", "0(共同撮影の実施)",
        "100(共同撮影の実施)")
    assert [(d["column"], d.get("key"), d["old"], d["new"]) for d in edit["derived"]] == [
        ("amount_thousand_yen", None, 0, 100), ("amount_yen", None, 0, 100000)]
    md = render(result, "md")
    assert "| 2 | 2 | 連携した企業誘致の推進 | 2024–2025 | 0 | 100 | +100 | p. 62 → p. 62 |" in md
    # a single cell beside it is still its own edit
    new["budgets"] = _merged(2, "100(共同撮影の実施)", 100, rest=())
    new["budgets"] += [{**r, "colspan": 1} for r in _budgets(2, {2026: 5})]
    out = diff_builds(a, make_build(tmp_path / "new2", **new)).to_json()
    assert _kinds(out) == {"budget": 2}


def test_a_cell_merged_in_one_edition_only_is_one_edit(tmp_path):
    old = {"projects": [A, B], "budgets": [{**r, "colspan": 1} for r in _budgets(2, {2024: 0, 2025: 0, 2026: None})]}
    new = {"projects": [A, B], "budgets": _merged(2, "0(共同撮影の実施)", 0)}
    out = diff_builds(make_build(tmp_path / "old", **old), make_build(tmp_path / "new", **new)).to_json()
    assert out["summary"]["edits"] == 1, out["changes"]
    assert out["changes"][0]["spans"] == [{"fiscal_year": 2024}, {"fiscal_year": 2025}]
    # the 2025 row's cell changed as the 2024 one did (not repeated); its readings ride along with its year
    assert [(d["column"], d.get("key"), d["old"], d["new"]) for d in out["changes"][0]["derived"]] == [
        ("note", None, None, "共同撮影の実施"), ("amount_thousand_yen", {"fiscal_year": 2025}, 0, None),
        ("amount_yen", {"fiscal_year": 2025}, 0, None), ("note", {"fiscal_year": 2025}, None, "共同撮影の実施")]


def test_a_reworded_indicator_item_is_one_edit_of_it(tmp_path):
    old = [_indicator(1, "イベント参加人数", "20名(毎年度)", 20.0), _indicator(1, "情報共有の実施", "1回(毎年度)", 1.0, indicator_no=2)]
    new = [_indicator(1, "イベントの参加人数", "20名(毎年度)", 20.0), _indicator(1, "情報共有の実施", "1回(毎年度)", 1.0, indicator_no=2)]
    a = make_build(tmp_path / "old", [A], indicators=old)
    b = make_build(tmp_path / "new", [A], indicators=new)
    result = diff_builds(a, b)
    out = result.to_json()
    assert out["summary"]["edits"] == 1 and _kinds(out) == {"indicator": 1}
    edit, = out["changes"]
    assert (edit["key"], edit["old_key"], edit["row"], edit["column"], edit["old"], edit["new"]) == (
        {"item": "イベントの参加人数"}, {"item": "イベント参加人数"}, "changed", "item", "イベント参加人数", "イベントの参加人数")
    # reworded and its target changed: two printed values
    new[0] = _indicator(1, "イベントの参加人数", "30名(毎年度)", 30.0)
    out = diff_builds(a, make_build(tmp_path / "new2", [A], indicators=new)).to_json()
    assert [(c["column"], c["row"]) for c in out["changes"]] == [("item", "changed"), ("target_raw", "changed")]
    # another indicator in its place (other text, other values): one removed and one added
    new[0] = _indicator(1, "相談件数", "200件(毎年度)", 200.0, baseline_raw="120件")
    out = diff_builds(a, make_build(tmp_path / "new3", [A], indicators=new)).to_json()
    assert sorted(c["row"] for c in out["changes"]) == ["added", "removed"]
    page = html_page(a, b)
    assert "イベント<ins>の</ins>参加人数" in page


def test_a_renamed_kpi_and_footnote_term_are_one_edit_each(tmp_path):
    kpi = {"area_no": 1, "kpi_no": 1, "name": "圏域内民営事業所売上", "current_raw": "28兆9千億円(2020年)",
           "target_raw": "30兆7千億円(2028年)", "page": 1, "page_label": "61"}
    other = {**kpi, "kpi_no": 2, "name": "観光入込客数", "current_raw": "1", "target_raw": "35,000千人"}
    note = {"footnote_no": 13, "term": "エクスカージョン", "text": "地域の自然や歴史、文化などをテーマにした体験型の視察会。",
            "project_no": 2, "page": 2, "page_label": "62"}
    a = make_build(tmp_path / "old", [A, B], kpis=[kpi, other], footnotes=[note])
    b = make_build(tmp_path / "new", [A, B], kpis=[{**kpi, "name": "圏域内民営事業所売上高"}, other],
                   footnotes=[{**note, "term": "エクスカーション"}])
    out = diff_builds(a, b).to_json()
    assert out["summary"]["edits"] == 2 and _kinds(out) == {"kpi": 1, "footnote": 1}
    assert [(c["kind"], c["column"], c["old_key"], c["key"], c["old_page_labels"], c["new_page_labels"])
            for c in out["changes"]] == [
        ("kpi", "name", {"name": "圏域内民営事業所売上"}, {"name": "圏域内民営事業所売上高"}, ["61", "61"], ["61", "61"]),
        ("footnote", "term", {"term": "エクスカージョン"}, {"term": "エクスカーション"}, ["62", "62"], ["62", "62"])]


def test_a_project_renamed_with_its_summary_kept_is_one_rename(tmp_path):
    """A name rewritten beyond the identity threshold, the summary as printed before: one rename, its rows
    riding along (not a project removed and one added)."""
    renamed = {**C, "name": "国際会議等の圏域への誘致"}
    old = {"projects": [A, B, C], "budgets": _budgets(3, {2024: 10}),
           "indicators": [_indicator(3, "誘致件数", "3件(毎年度)", 3.0)]}
    new = {"projects": [A, B, renamed], "budgets": _budgets(3, {2024: 10}),
           "indicators": [_indicator(3, "誘致件数", "3件(毎年度)", 3.0)]}
    out = diff_builds(make_build(tmp_path / "old", **old), make_build(tmp_path / "new", **new)).to_json()
    assert out["summary"]["edits"] == 1 and _kinds(out) == {"project_renamed": 1}
    assert _brief(out["projects"])["renamed"] == [
        {"old_no": 3, "new_no": 3, "old_name": "MICE誘致の推進", "new_name": "国際会議等の圏域への誘致"}]
    assert out["changes"] == []
    # a different project (other summary) at that place stays one removed and one added
    other = {**renamed, "summary": "圏域の観光資源を活用し、周遊を促す。"}
    out = diff_builds(make_build(tmp_path / "old", **old),
                      make_build(tmp_path / "new2", **{**new, "projects": [A, B, other]})).to_json()
    assert _kinds(out) == {"project_added": 1, "project_removed": 1}


def test_md_cites_printed_labels_and_the_pdf_page_without_one(tmp_path):
    unlabelled = {**B, "page_start_label": None, "page_end_label": None}
    a = make_build(tmp_path / "old", [A, unlabelled], budgets=_budgets(2, {2024: 1}))
    b = make_build(tmp_path / "new", [A, B], budgets=_budgets(2, {2024: 2}))
    md = render(diff_builds(a, b), "md")
    assert "| 2024 | 1 | 2 | +1 | PDF page 2 → p. 62 |" in md
    out = diff_builds(a, b).to_json()
    assert (out["changes"][0]["old_page_labels"], out["changes"][0]["new_page_labels"]) == ([None, None], ["62", "62"])


# -- a printed revision with known edits: the count is the reviewer's -------------------------------------
@pytest.fixture(scope="module")
def printed_revision(tmp_path_factory, plan_build):
    """The reference content with tests/diff_revision.py's EDITS made, printed by Chromium and built."""
    from pipeline.stages.build import build
    from tests.conftest import Build
    from tests.diff_revision import revise
    from tests.printers import producers
    from tests.printers.content import content_from_build
    from tests.printers.html import HtmlStyle, plan_html

    content, edits = revise(content_from_build(plan_build))
    folder = tmp_path_factory.mktemp("printed-revision")
    pdf = producers.chromium(plan_html(content, HtmlStyle(paper="A4")), folder / "plan_vi_revision.pdf")
    build(pdf, None, folder / "out", progress=False)
    return Build(folder / "out"), edits


def test_a_printed_revision_counts_each_printed_edit_once(plan_build, printed_revision, tmp_path):
    from collections import Counter
    from html.parser import HTMLParser

    from tests import browser

    revision, edits = printed_revision
    result = diff_builds(plan_build.path, revision.path)
    out = result.to_json()
    expected = Counter(kind for kind, _ in edits)
    assert out["summary"]["edits"] == len(edits) == 13, out["summary"]
    assert _kinds(out) == dict(expected), out["summary"]
    # the projects after the one removed and those between the moved one and its new place renumber, not counted
    assert out["summary"]["renumbered"] > 0
    moves = {(c["name"], c["column"]) for c in out["changes"] if c["kind"] == "project_moved"}
    assert moves == {("先端技術の活用に関する支援", "category_code"), ("公共施設の相互利用や配置に関する検討", "area_no")}
    merged, = [c for c in out["changes"] if c.get("spans")]
    assert (merged["old"], merged["new"]) == ("0(共同撮影の実施)", "100(共同撮影の実施)")
    reworded = {(c["kind"], c["old"], c["new"]) for c in out["changes"] if c.get("old_key")}
    assert reworded == {("indicator", "イベント参加人数", "イベントの参加人数"),
                        ("kpi", "圏域内民営事業所売上", "圏域内民営事業所売上高"),
                        ("footnote", "エクスカージョン", "エクスカーション")}
    assert {(p["old_name"], p["new_name"]) for p in out["projects"]["renamed"]} == {
        ("丘珠空港の利用促進", "丘珠空港の利用促進等"), ("にぎわいの創出", "圏域内の交流イベント等の実施")}
    # the same count in the three reports (written as `renkei diff OLD NEW --out DIR` writes them)
    assert run_diff(plan_build.path, revision.path, None, tmp_path) == 1
    written = json.loads((tmp_path / "diff.json").read_text(encoding="utf-8"))
    assert written["summary"] == out["summary"]
    line = summary_line_of(written)
    assert line.startswith("53 → 52 projects; 13 edits: ") and "2 project renamed, 2 project moved, 1 heading" in line, line
    heading, = [c for c in out["changes"] if c["kind"] == "heading"]
    assert (heading["old"], heading["new"], len(heading["projects"])) == ("地域振興", "地域振興・交流", 4)
    assert f"**Summary:** {md_escape(line)}" in (tmp_path / "diff.md").read_text(encoding="utf-8")

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    page = (tmp_path / "diff.html").read_text(encoding="utf-8")
    text = Text()
    text.feed(page)
    assert line in " ".join("".join(text.parts).split())
    # one section per edit of a value (the projects added, removed, renamed have their own)
    assert page.count('<section class="edit value"') == len(out["changes"])
    # every page cited by its printed label (the chapter starts at 61)
    assert "PDF page " not in page.replace("keeps the PDF page index", "") and all(int(label) > 60 for c in out["changes"] for label in c["new_page_labels"])
    if browser.available():
        with browser.started(width=1280, height=900) as b:
            tab = b.open(tmp_path / "diff.html")
            assert tab.evaluate("document.getElementById('summary').innerText") == line


def summary_line_of(document: dict) -> str:
    from pipeline.diff.report import summary_text

    s = document["summary"]
    return summary_text(document["old"]["projects"], document["new"]["projects"], s["by_kind"], s["renumbered"])


def test_a_reworded_heading_is_one_edit_not_a_move_of_each_project(tmp_path):
    """A category's heading text printed once above its projects: reworded (its letter kept), one edit."""
    b2 = {**B, "category_code": "b", "category_title": "戦略産業の育成"}
    c2 = {**C, "category_code": "b", "category_title": "戦略産業の育成"}
    a = make_build(tmp_path / "old", [A, b2, c2])
    b = make_build(tmp_path / "new", [A, {**b2, "category_title": "戦略産業の育成・振興"},
                                      {**c2, "category_title": "戦略産業の育成・振興"}])
    result = diff_builds(a, b)
    out = result.to_json()
    assert out["summary"]["edits"] == 1 and _kinds(out) == {"heading": 1}
    edit, = out["changes"]
    assert (edit["kind"], edit["name"], edit["key"], edit["column"], edit["old"], edit["new"], edit["projects"]) == (
        "heading", None, {"area_no": 1, "category_code": "b"}, "category_title", "戦略産業の育成", "戦略産業の育成・振興",
        [2, 3])
    assert edit["new_page_labels"] == ["62", "62"]
    assert "projects under it (new No.): 2, 3" in render(result, "md")
    assert "1 heading" in html_page(a, b)
    # one of them moved to another category as well: that one is a move
    moved = {**c2, "category_code": "c", "category_title": "地域経済の裾野拡大"}
    out = diff_builds(a, make_build(tmp_path / "new2", [A, {**b2, "category_title": "戦略産業の育成・振興"}, moved])).to_json()
    assert _kinds(out) == {"heading": 1, "project_moved": 1}
