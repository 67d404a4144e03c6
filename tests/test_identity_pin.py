"""Stable project ids (the reviewed crosswalk), provenance on every value row, and the review flow of a new
edition: validate records, report and review are written, the gate fails naming them, `renkei pin` takes
the reviewed figures and ids, and then the gate passes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.checks.gate import run_gate
from pipeline.checks.validate import run_validate
from pipeline.errors import ParseError
from pipeline.pin import PinError, edit_pinned, run_pin
from pipeline.stages import identity
from pipeline.stages.identity import Entry, assign_ids, format_crosswalk, parse_crosswalk, read_crosswalk
from schemas.tables import TABLES, value_locations

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PARAMS = ROOT / "params.yaml"


# -- the crosswalk ----------------------------------------------------------------------------------
def test_the_shipped_crosswalk_reads_and_round_trips():
    entries = read_crosswalk()
    assert entries and all(e.name for e in entries)
    assert format_crosswalk(entries) == identity.CROSSWALK.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, message", [
    ("id,name,summary\n", "header"),
    ("project_id,name,summary\n20,a,b\n", "not P and 3"),
    ("project_id,name,summary\nP001,a,b\nP001,c,d\n", "given twice"),
    ("project_id,name,summary\nP001,,b\n", "no name"),
])
def test_a_malformed_crosswalk_is_one_line(text, message):
    with pytest.raises(ParseError, match=message):
        parse_crosswalk(text, "x.csv")


def test_ids_follow_identity_not_number_and_new_ones_are_provisional_after_the_highest():
    walk = [Entry("P001", "企業誘致", "道外企業の誘致"), Entry("P007", "MICE誘致の推進", "国際会議の誘致を推進する"),
            Entry("P003", "廃止された事業", "もう印字されない")]
    got = assign_ids([(1, "新しい事業", "まったく別の内容"), (2, "企業誘致", "道外企業の誘致"),
                      (3, "MICE誘致・開催の推進", "国際会議の誘致を推進する")], walk)
    assert got.ids == {2: "P001", 3: "P007", 1: "P008"}  # renumbered and renamed keep theirs; P003 not reused
    assert got.provisional == [{"project_no": 1, "project_id": "P008", "name": "新しい事業"}]
    assert [r["project_id"] for r in got.renamed] == ["P007"]


def test_the_plan_gets_the_crosswalk_ids_and_none_is_provisional(plan_build):
    projects = plan_build["projects"]
    walk = {e.project_id: e.name for e in read_crosswalk()}
    assert all(walk[i] == n for i, n in zip(projects["project_id"], projects["name"]))
    manifest = json.loads((plan_build.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provisional_project_ids"] == []
    for table in ("budgets", "indicators", "responsibilities", "project_municipalities", "footnotes"):
        frame = plan_build[table].merge(projects[["project_no", "project_id"]], on="project_no",
                                        suffixes=("", "_of_project"))
        assert (frame["project_id"] == frame["project_id_of_project"]).all(), table


def test_the_revised_edition_keeps_every_unchanged_or_renamed_id_and_names_the_new_one(plan_build, revised_build):
    old, new = plan_build["projects"], revised_build["projects"]
    old_by_name = dict(zip(old["name"], old["project_id"]))
    for name, pid in zip(new["name"], new["project_id"]):
        if name in old_by_name:
            assert pid == old_by_name[name], name
    renamed = new[new["name"] == "MICE誘致・開催の推進"]
    assert renamed["project_id"].tolist() == old[old["name"] == "MICE誘致の推進"]["project_id"].tolist()
    inserted = new[new["name"] == "事業承継の支援"]
    highest = max(int(i[1:]) for i in old["project_id"])
    assert inserted["project_id"].tolist() == [f"P{highest + 1:03d}"]
    # the number moved under 25 projects, the id did not
    moved = new.merge(old, on="project_id", suffixes=("_new", "_old"))
    assert (moved["project_no_new"] != moved["project_no_old"]).sum() >= 20
    manifest = json.loads((revised_build.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provisional_project_ids"] == [
        {"project_no": int(inserted["project_no"].iloc[0]), "project_id": f"P{highest + 1:03d}",
         "name": "事業承継の支援"}]


def test_the_diff_json_carries_project_ids(plan_build, revised_build):
    from pipeline.diff.compare import diff_builds

    data = diff_builds(plan_build.path, revised_build.path).to_json()
    assert data["format_version"] == 5  # 4 + edits counted as printed, page labels (docs/diff.md)
    assert [p["name"] for p in data["projects"]["added"]] == ["事業承継の支援"]
    assert data["projects"]["added"][0]["project_id"].startswith("P")
    renamed = data["projects"]["renamed"][0]
    assert renamed["project_id"] and "old_project_id" not in renamed
    assert all(c["project_id"] for c in data["changes"] if c["table"] != "kpis" and c["table"] != "footnotes")


# -- provenance on every value row ------------------------------------------------------------------
def test_every_printed_value_carries_the_box_of_its_cell(plan_build):
    """Each located value's (table_id, row, col) is a cell of `cells` with exactly that page and box: the
    parse stage's cell, not a guess; and every value that is printed has one."""
    cells = plan_build["cells"]
    plan = cells[cells["source"] == "plan"].set_index(["table_id", "row", "col"])
    excerpt = cells[cells["source"] == "overview"].set_index(["table_id", "row", "col"])
    for table in TABLES:
        if table == "cells":
            continue
        frame = plan_build[table]
        for location in value_locations(table):
            cols = location.columns
            printed = frame[frame[location.value].astype(str) != ""]
            assert printed[cols["x0"]].notna().all(), (table, location.value)
            if "table_id" not in cols:
                continue  # footnotes: a line, not a cell
            index = excerpt if table == "overview" else plan
            for row in printed.itertuples(index=False):
                r = row._asdict()
                cell = index.loc[(r[cols["table_id"]], r[cols["row"]], r[cols["col"]])]
                assert cell["page"] == r[cols["page"]], (table, location.value)
                assert [cell[e] for e in ("x0", "top", "x1", "bottom")] == \
                    [r[cols[e]] for e in ("x0", "top", "x1", "bottom")], (table, location.value)


def test_footnote_boxes_hold_their_lines(plan_build):
    notes = plan_build["footnotes"]
    assert ((notes["x1"] > notes["x0"]) & (notes["bottom"] > notes["top"])).all()


def test_the_provenance_view_answers_where_a_budget_value_is_printed(plan_build, tmp_path):
    import duckdb

    from pipeline.stages.database import write_database

    path = write_database(plan_build.path, tmp_path / "renkei.duckdb")
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.execute("SELECT * FROM provenance WHERE table_name = 'budgets' AND project_no = 20 "
                          "AND key = 'fiscal_year=2024'").fetchdf()
        comment = db.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'provenance'").fetchone()[0]
        counts = dict(db.execute("SELECT table_name, count(*) FROM provenance GROUP BY 1").fetchall())
    budgets = plan_build["budgets"]
    want = budgets[(budgets["project_no"] == 20) & (budgets["fiscal_year"] == 2024)].iloc[0]
    assert len(rows) == 1
    got = rows.iloc[0]
    assert (got["value"], got["page_label"], got["table_id"], got["row"], got["col"]) == \
        (want["raw"], "67", want["table_id"], want["row"], want["col"])  # 67: transcribed from the seed
    assert (got["x0"], got["top"], got["x1"], got["bottom"]) == (want["x0"], want["top"], want["x1"], want["bottom"])
    assert "One row per printed value" in comment
    assert counts["budgets"] == len(budgets) and counts["indicators"] == 3 * len(plan_build["indicators"])


# -- params.yaml pins --------------------------------------------------------------------------------
def test_pin_edits_only_the_values_and_keeps_every_comment():
    text = PARAMS.read_text(encoding="utf-8")
    values = {("project_count",): 99, ("indicator_count",): 77, ("kpi_count",): 5,
              ("budget_total", "fiscal_year"): 2030, ("budget_total", "thousand_yen"): 123}
    edited = edit_pinned(text, values)
    pinned = yaml.safe_load(edited)["pinned"]
    assert pinned == {"project_count": 99, "indicator_count": 77, "kpi_count": 5,
                      "budget_total": {"fiscal_year": 2030, "thousand_yen": 123}}
    comments = [line for line in text.splitlines() if "#" in line]
    assert [line.split("#", 1)[1] for line in edited.splitlines() if "#" in line] == \
        [line.split("#", 1)[1] for line in comments]
    assert yaml.safe_load(edited)["inputs"] == yaml.safe_load(text)["inputs"]
    changed = [(a, b) for a, b in zip(text.splitlines(), edited.splitlines()) if a != b]
    assert len(changed) == 5


def test_pin_refuses_a_params_file_without_the_values():
    with pytest.raises(PinError, match="pinned.kpi_count"):
        edit_pinned("pinned:\n  project_count: 1\n", {("project_count",): 2, ("kpi_count",): 3})


# -- the review flow of a new edition ------------------------------------------------------------------
def _stages(build_dir: Path, params: Path, out: Path) -> tuple[int, Path, Path]:
    """validate (recording), report, review and the gate on one build, as dvc.yaml runs them."""
    from pipeline.publish.report import run_report
    from pipeline.publish.review import run_review

    results = out / "validation" / "results.json"
    assert run_validate(build_dir, params, results.parent, fail=False) == 0
    report, review = out / "report.html", out / "review"
    assert run_report(build_dir, results, report) == 0
    assert run_review(build_dir, review, [FIXTURES / "plan_vi_revised_sample.pdf"], progress=False) == 0
    return run_gate(results, build_dir, report, review / "index.html"), report, review / "index.html"


def test_a_new_edition_fails_at_the_gate_with_report_and_review_written_and_passes_after_pin(
        tmp_path, monkeypatch, capsys):
    from pipeline.stages.build import build

    params, walk = tmp_path / "params.yaml", tmp_path / "project_ids.csv"
    shutil.copy(PARAMS, params)
    shutil.copy(identity.CROSSWALK, walk)
    monkeypatch.setattr(identity, "CROSSWALK", walk)
    revised = FIXTURES / "plan_vi_revised_sample.pdf"
    build_dir = tmp_path / "data"
    build(revised, None, build_dir, progress=False)
    assert "P054 = project 10 事業承継の支援" in capsys.readouterr().err

    status, report, review = _stages(build_dir, params, tmp_path / "one")
    err = capsys.readouterr().err
    assert status == 1 and report.is_file() and review.is_file()
    gate_line = [line for line in err.splitlines() if line.startswith("gate:")]
    assert len(gate_line) == 1 and str(report) in gate_line[0] and str(review) in gate_line[0]
    assert "validation failed" in gate_line[0] and "P054 = project 10" in gate_line[0]

    before = params.read_text(encoding="utf-8")
    assert run_pin(build_dir, params, walk, dry_run=True) == 0
    assert params.read_text(encoding="utf-8") == before  # a dry run writes nothing
    capsys.readouterr()
    assert run_pin(build_dir, params, walk) == 0
    out = capsys.readouterr().out
    assert f"--- a{params}" in out and f"+++ b{walk}" in out and "+P054,事業承継の支援," in out
    pinned = yaml.safe_load(params.read_text(encoding="utf-8"))["pinned"]
    metrics = json.loads((build_dir / "metrics.json").read_text(encoding="utf-8"))
    assert pinned["budget_total"]["thousand_yen"] == metrics["budget_thousand_yen"]["by_fiscal_year"]["fy2024"]
    assert "MICE誘致・開催の推進" in walk.read_text(encoding="utf-8")

    build(revised, None, build_dir, progress=False)  # dvc reruns the build: the crosswalk changed
    assert json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["provisional_project_ids"] == []
    status, _, _ = _stages(build_dir, params, tmp_path / "two")
    assert status == 0, capsys.readouterr().err
    assert run_pin(build_dir, params, walk) == 0
    assert "nothing to change" in capsys.readouterr().out


def test_pin_refuses_a_build_made_with_another_crosswalk(plan_build, tmp_path, capsys):
    params, walk = tmp_path / "params.yaml", tmp_path / "ids.csv"
    shutil.copy(PARAMS, params)
    walk.write_text("project_id,name,summary\nP900,別の事業,別の内容\n", encoding="utf-8")
    assert run_pin(plan_build.path, params, walk) == 2
    assert "rebuild first" in capsys.readouterr().err
    assert walk.read_text(encoding="utf-8").count("\n") == 2


def test_the_gate_names_a_missing_review(tmp_path, plan_build, capsys):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"success": True, "results": []}), encoding="utf-8")
    report = tmp_path / "report.html"
    report.write_text("x", encoding="utf-8")
    assert run_gate(results, plan_build.path, report, tmp_path / "review" / "index.html") == 2
    assert "review" in capsys.readouterr().err
    (tmp_path / "review").mkdir()
    (tmp_path / "review" / "index.html").write_text("x", encoding="utf-8")
    assert run_gate(results, plan_build.path, report, tmp_path / "review" / "index.html") == 0


def test_the_review_reads_a_value_box_from_its_row_not_from_cells():
    """A contract 2 row carries its own cell: value_boxes takes it (with the cell's text when `cells` has
    it), and a value cut by a page break still gets the rest from the next page's first table."""
    from pipeline.publish.provenance import CellIndex, value_boxes

    row = {"table_id": "p1", "row": 10, "col": 2, "item": "会議の回数", "page": 1, "page_label": "61",
           "x0": 1.0, "top": 2.0, "x1": 3.0, "bottom": 4.0,
           **{f"baseline_{k}": v for k, v in {"page": 1, "page_label": "61", "table_id": "p1", "row": 10, "col": 5,
                                              "x0": 5.0, "top": 700.0, "x1": 6.0, "bottom": 710.0}.items()},
           "baseline_raw": "包括連携協定を締結している全企業(2022年度)", "target_raw": ""}
    cells = CellIndex([
        {"source": "plan", "page": 1, "page_label": "61", "table_id": "p1", "row": 10, "col": 5,
         "text": "包括連携協定を締結してい", "x0": 5.0, "top": 700.0, "x1": 6.0, "bottom": 710.0},
        {"source": "plan", "page": 2, "page_label": "62", "table_id": "p2", "row": 0, "col": 5,
         "text": "る全企業(2022年度)", "x0": 5.0, "top": 60.0, "x1": 6.0, "bottom": 70.0}])
    boxes = value_boxes("indicators", row, cells)
    assert [(b.page, b.table_id, b.col, b.x0, b.top) for b in boxes["item"]] == [(1, "p1", 2, 1.0, 2.0)]
    assert [(b.page, b.table_id) for b in boxes["baseline_raw"]] == [(1, "p1"), (2, "p2")]
    assert boxes["target_raw"] == []  # nothing printed, no box (the row's target_* columns are absent)


def test_a_new_edition_goes_to_its_own_name_through_params_inputs_pdf(tmp_path):
    """The README's flow: a chapter-only edition keeps its own name in raw/ and params.yaml's inputs.pdf points
    at it; every stage of dvc.yaml that reads the plan then reads that file (and none reads plan_whole.pdf),
    as DVC resolves them. The README and docs/validation.md never copy an edition over raw/plan_whole.pdf."""
    from dvc.repo import Repo

    shutil.copy(ROOT / "dvc.yaml", tmp_path / "dvc.yaml")
    text = PARAMS.read_text(encoding="utf-8")
    line = "  pdf: raw/plan_whole.pdf"
    assert text.count(line) == 1
    (tmp_path / "params.yaml").write_text(text.replace(line, "  pdf: raw/plan_vi_2027.pdf"), encoding="utf-8")
    assert yaml.safe_load((tmp_path / "params.yaml").read_text(encoding="utf-8"))["inputs"]["pdf"] == \
        "raw/plan_vi_2027.pdf"
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text("[core]\n    no_scm = True\n    analytics = false\n", encoding="utf-8")
    repo = Repo(str(tmp_path))
    try:
        stages = {s.name: s for s in repo.index.stages}
    finally:
        repo.close()
    reading = {name for name, s in stages.items() if "--pdf raw/plan_vi_2027.pdf" in s.cmd}
    assert reading == {"extract", "crosscheck", "review"}
    for name in reading:
        assert "raw/plan_vi_2027.pdf" in [str(d.def_path) for d in stages[name].deps], name
    assert not any("plan_whole" in s.cmd or any("plan_whole" in str(d.def_path) for d in s.deps)
                   for s in stages.values())
    # the review shows the FAIL rows: it is given the validation's results
    assert "--validation out/validation/results.json" in stages["review"].cmd
    for doc in (ROOT / "README.md", ROOT / "docs" / "validation.md"):
        body = doc.read_text(encoding="utf-8")
        assert "raw/plan_whole.pdf &&" not in body and "cp new-edition.pdf raw/plan_whole.pdf" not in body, doc
        assert "pdf: raw/plan_vi_2027.pdf" in body, doc
