"""The offline HTML report, the metrics for `dvc metrics` and the plot data for `dvc plots`."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from pipeline.publish.report import run_report
from tests import browser

ROOT = Path(__file__).resolve().parent.parent

CROSSCHECK = {"summary": {"agreement": 0.995, "cells_compared": 2000, "cells_agreeing": 1990, "cells_disagreeing": 10,
                          "tables_pdfplumber": 67, "tables_matched": 67, "tables_missing_in_camelot": 0,
                          "tables_extra_in_camelot": 0}, "disagreements": []}


@pytest.fixture(scope="module")
def validated(plan_build, tmp_path_factory) -> dict[str, Path]:
    """The good build's validation results (no Data Docs) and a cross-check summary."""
    from pipeline.checks.validate import run_validate

    tmp = tmp_path_factory.mktemp("report")
    assert run_validate(plan_build.path, ROOT / "params.yaml", tmp / "validation",
                        stream=io.StringIO()) == 0
    crosscheck = tmp / "crosscheck.json"
    crosscheck.write_text(json.dumps(CROSSCHECK), encoding="utf-8")
    return {"results": tmp / "validation" / "results.json", "crosscheck": crosscheck}


@pytest.fixture(scope="module")
def report(plan_build, validated, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("report-out")
    code = run_report(plan_build.path, validated["results"], out / "report.html", crosscheck=validated["crosscheck"],
                      metrics_out=out / "metrics.json", plots_dir=out / "plots")
    assert code == 0
    return {"html": out / "report.html", "metrics": out / "metrics.json", "plots": out / "plots", "dir": out}


def test_report_renders_offline(report):
    html = report["html"].read_text(encoding="utf-8")
    assert not re.search(r"https?://", html), "the report must not reference anything online"
    assert not re.search(r"<(script|link|img|iframe)\b", html, re.I), "no external assets, no scripts"
    assert re.search(r"(src|href)\s*=", html) is None
    assert "<style>" in html and "<svg" in html


def _text(html: str) -> str:
    """The page's visible text, tags removed and white space folded: what a reader sees side by side."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_report_shows_first_year_total_and_status(report, validated):
    """The focus year is the plan's first fiscal year, named from the data (FY2024, 令和6年度 here)."""
    html = report["html"].read_text(encoding="utf-8")
    text = _text(html)
    assert "17,567,701" in html
    expectations = json.loads(validated["results"].read_text(encoding="utf-8"))["statistics"]["expectations"]
    assert expectations > 0
    # The validation card: its status right after its title, then how many expectations held.
    assert f"Validation passed {expectations} of {expectations} expectations met" in text
    assert "FAILED" not in text and "not validated" not in text
    assert "FY2024 budget total" in html and "令和6年度 = FY2024" in html and "Budget by category (FY2024)" in html
    assert "99.5%" in html  # cross-check agreement
    for title in ("圏域全体の経済成長のけん引", "高次の都市機能の集積・強化", "圏域全体の生活関連機能サービスの向上"):
        assert title in html
    assert "経済戦略の推進" in html  # a category
    assert "Indicator coverage" in html


@pytest.fixture(scope="module")
def failed(plan_build, validated, tmp_path_factory) -> dict:
    """The report of a build whose validation failed (the review flow: it must still be written)."""
    tmp = tmp_path_factory.mktemp("failed")
    results = json.loads(validated["results"].read_text(encoding="utf-8"))
    entry = dict(results["results"][0], success=False, unexpected_count=1, rows=[{"project_no": 5}])
    results["results"][0] = entry
    results["success"] = False
    results["statistics"]["expectations_failed"] = 1
    broken = tmp / "results.json"
    broken.write_text(json.dumps(results), encoding="utf-8")
    assert run_report(plan_build.path, broken, tmp / "r.html") == 0
    return {"html": tmp / "r.html", "results": results, "entry": entry}


def test_report_lists_failures(failed):
    results, entry = failed["results"], failed["entry"]
    html = failed["html"].read_text(encoding="utf-8")
    assert "FAILED" in html and entry["expectation"] in html and "project_no=5" in html
    expectations = results["statistics"]["expectations"]
    assert f"Validation FAILED {expectations - 1} of {expectations} expectations met" in _text(html)
    assert "Validation passed" not in _text(html)


def _suites(html: str) -> dict[str, str]:
    """suite name → its <details> opening tag."""
    return {re.search(r"</span> (\S+) —", d).group(1): re.match(r"<details[^>]*>", d).group(0)
            for d in re.findall(r'<details class="suite[^"]*".*?</summary>', html, re.S)}


def test_passing_suites_are_folded_and_failures_open(report, failed):
    passing = _suites(report["html"].read_text(encoding="utf-8"))
    assert passing and not any(" open" in tag for tag in passing.values())
    html = failed["html"].read_text(encoding="utf-8")
    suites = _suites(html)
    failed_suite = failed["entry"]["suite"]
    assert " open" in suites[failed_suite] and "failed" in suites[failed_suite]
    assert [s for s, tag in suites.items() if " open" in tag] == [failed_suite]
    # within the open suite, the failure comes first
    block = html.split(suites[failed_suite], 1)[1].split("</details>", 1)[0]
    assert block.index('<tr class="fail">') < (block.index('<tr class="pass">') if '<tr class="pass">' in block
                                               else len(block))


def test_report_without_validation_results_still_renders(plan_build, tmp_path):
    assert run_report(plan_build.path, tmp_path / "none.json", tmp_path / "r.html") == 0
    text = _text((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "Validation not validated" in text and "No validation results." in text


def _table(html: str, heading: str) -> list[list[str]]:
    """The rows of the first table after ``<h2>heading``, as visible cell texts."""
    body = html.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_per_project_and_per_municipality_tables(report, plan_build):
    html = report["html"].read_text(encoding="utf-8")
    projects = _table(html, "Projects")
    assert [int(r[0]) for r in projects] == sorted(plan_build["projects"]["project_no"])
    # project 20's FY2024 amount and partners, as printed (transcribed from the seed)
    p20 = next(r for r in projects if r[0] == "20")
    budgets = plan_build["budgets"]
    amount = budgets[(budgets.project_no == 20) & (budgets.fiscal_year == 2024)]["amount_thousand_yen"].iloc[0]
    assert p20[-1] == f"{int(amount):,}" and "当別町" in p20[3]
    towns = _table(html, "Partner municipalities")
    partners = plan_build["project_municipalities"]
    assert sorted(r[0] for r in towns) == sorted(partners["municipality"].unique())
    ebetsu = next(r for r in towns if r[0] == "江別市")
    mine = partners[partners.municipality == "江別市"]["project_no"].unique()
    assert ebetsu[1] == "012173" and ebetsu[2] == str(len(mine))
    whole = budgets[budgets.project_no.isin(mine) & (budgets.fiscal_year == 2024)]["amount_thousand_yen"].sum()
    assert ebetsu[-1] == f"{int(whole):,}"
    assert "not its share" in html


def test_no_column_repeats_the_one_printed_year(report):
    """The reference plan prints amounts for FY2024 only: no Total / All years column repeating it, the
    unprinted years named in a note (null in the data, never 0)."""
    html = report["html"].read_text(encoding="utf-8")
    assert "All years" not in html and ">Total</th>" not in html
    assert "FY2025" not in html.split("<h2>Budget by role (area)</h2>", 1)[1].split("</table>", 1)[0]
    assert "No amount is printed for FY2025, FY2026, FY2027, FY2028" in _text(html)


def _edited(build: Path, table: str, edit, tmp: Path) -> Path:
    """A copy of ``build`` with ``edit(row)`` applied to every row of ``table`` (same Parquet schema)."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    copy = tmp / "build"
    shutil.copytree(build, copy)
    frame = pq.read_table(copy / f"{table}.parquet")
    rows = frame.to_pylist()
    for row in rows:
        edit(row)
    pq.write_table(pa.Table.from_pylist(rows, schema=frame.schema), copy / f"{table}.parquet")
    return copy


def test_a_second_printed_year_brings_the_totals_back(plan_build, validated, tmp_path):
    def print_fy2025(row: dict) -> None:
        if row["fiscal_year"] == 2025 and row["project_no"] == 2:
            row["amount_thousand_yen"], row["raw"] = 1000.0, "1,000"

    build = _edited(plan_build.path, "budgets", print_fy2025, tmp_path)
    assert run_report(build, validated["results"], tmp_path / "r.html") == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "All years" in html and ">Total</th>" in html and "FY2025</th>" in html
    assert "No amount is printed for FY2026, FY2027, FY2028" in _text(html)


def test_pdf_text_is_escaped(plan_build, validated, tmp_path):
    def hostile(row: dict) -> None:
        if row["project_no"] == 1:
            row["name"] = "<script>alert(1)</script>&"

    build = _edited(plan_build.path, "projects", hostile, tmp_path)
    assert run_report(build, validated["results"], tmp_path / "r.html") == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html


@pytest.fixture(scope="module")
def chromium_1280():
    with browser.started(width=1280, height=900) as b:
        yield b


@pytest.mark.parametrize("which", ["passed", "failed"])
def test_the_report_in_chromium_fits_1280_px(chromium_1280, report, failed, which, tmp_path_factory):
    """Opened offline in a 1,280 px window: nothing fetched, nothing wider than the window (also with a
    failed suite open), the bars drawn, a screenshot that is not blank."""
    from PIL import Image, ImageStat

    path = report["html"] if which == "passed" else failed["html"]
    tab = chromium_1280.open(path)
    assert tab.requests() == [path.resolve().as_uri()]
    assert tab.evaluate("document.images.length") == 0 and tab.evaluate("document.querySelectorAll('svg rect.bar').length") > 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    assert tab.evaluate("Math.max(...Array.from(document.querySelectorAll('table')).map(t => t.getBoundingClientRect().right))") <= 1280
    opened = tab.evaluate("Array.from(document.querySelectorAll('details.suite')).filter(d => d.open).length")
    assert opened == (0 if which == "passed" else 1)
    png = tab.screenshot()
    (tmp_path_factory.mktemp("screenshots") / f"report-{which}.png").write_bytes(png)
    with Image.open(io.BytesIO(png)) as image:
        assert max(ImageStat.Stat(image.convert("L")).var) > 100


def test_report_lists_every_expectation_with_its_outcome(report, validated):
    """The one validation report: every expectation of every suite, pass or FAIL (no Data Docs)."""
    html = report["html"].read_text(encoding="utf-8")
    results = json.loads(validated["results"].read_text(encoding="utf-8"))
    assert html.count('<tr class="pass">') == len(results["results"]) == results["statistics"]["expectations"]
    assert '<tr class="fail">' not in html
    for entry in results["results"]:
        assert f"<code>{entry['expectation']}</code>" in html
    assert "data_docs" not in html and "Data Docs" not in html
    assert not (validated["results"].parent / "data_docs").exists()


def test_metrics_merge_build_validation_and_crosscheck(report, plan_build):
    metrics = json.loads(report["metrics"].read_text(encoding="utf-8"))
    build = json.loads((plan_build.path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["counts"] == build["counts"]
    budget = metrics["budget_thousand_yen"]
    assert budget["by_fiscal_year"]["fy2024"] == 17567701
    assert sum(budget["by_area"].values()) == budget["total"]
    # nothing printed for FY2025–2028: null, not 0
    assert [budget["by_fiscal_year"][f"fy{y}"] for y in range(2025, 2029)] == [None] * 4
    assert budget["by_area_fiscal_year"]["area2_fy2026"] is None
    assert metrics["validation"]["success"] == 1 and metrics["validation"]["expectations_failed"] == 0
    assert metrics["crosscheck"]["agreement"] == 0.995


def test_plot_data(report):
    with open(report["plots"] / "budget_first_year_by_area.csv", encoding="utf-8") as f:
        by_area = list(csv.DictReader(f))
    assert [r["area"][0] for r in by_area] == ["1", "2", "3"]
    assert {r["fiscal_year"] for r in by_area} == {"2024"}  # the plan's first year, as data
    assert sum(int(r["amount_thousand_yen"]) for r in by_area) == 17567701
    with open(report["plots"] / "budget_by_category.csv", encoding="utf-8") as f:
        by_category = list(csv.DictReader(f))
    assert sum(int(r["projects"]) for r in by_category) == 53
    assert sum(int(r["amount_thousand_yen"]) for r in by_category) == 17567701


def test_report_is_deterministic(report, plan_build, validated, tmp_path):
    run_report(plan_build.path, validated["results"], tmp_path / "report.html", crosscheck=validated["crosscheck"],
               metrics_out=tmp_path / "metrics.json", plots_dir=tmp_path / "plots")
    for name in ("report.html", "metrics.json", "plots/budget_by_category.csv", "plots/budget_first_year_by_area.csv"):
        assert (tmp_path / name).read_bytes() == (report["dir"] / name).read_bytes(), name


def test_dvc_yaml_declares_metrics_and_plots():
    import yaml

    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))
    stages = dvc["stages"]
    assert list(stages) == ["extract", "parse", "normalize", "write", "crosscheck", "validate", "report", "review",
                            "gate"]
    # validate records (a new edition still gets its report and review); the gate fails the run after both
    assert "--no-fail" in stages["validate"]["cmd"]
    assert "out/validation/results.json" in stages["review"]["deps"]
    assert {"out/validation/results.json", "out/report.html", "out/review"} <= set(stages["gate"]["deps"])
    # renkei.duckdb's bytes differ per run: not a DVC output; `make run` writes it after dvc repro
    assert "--no-duckdb" in stages["write"]["cmd"]
    assert "pipeline duckdb out/data --out out/renkei.duckdb" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert stages["report"]["metrics"] == [{"out/metrics.json": {"cache": False}}]
    plotted = {next(iter(p["y"])) for plot in dvc["plots"] for p in plot.values()}
    assert plotted == {"out/plots/budget_by_category.csv", "out/plots/budget_first_year_by_area.csv"}
    assert not re.search(r"20\d\d", (ROOT / "dvc.yaml").read_text(encoding="utf-8")), "dvc.yaml names no year"
    assert stages["validate"]["params"] == ["pinned"]


@pytest.fixture(scope="module")
def new_edition_report(revised_build, tmp_path_factory) -> dict:
    """The report of the shipped revised edition validated against the reviewed params: a provisional id
    (P054, 事業承継の支援) and a FAIL row (its first-year total is not the pinned one)."""
    from pipeline.checks.validate import run_validate

    tmp = tmp_path_factory.mktemp("new-edition-report")
    assert run_validate(revised_build.path, ROOT / "params.yaml", tmp / "validation", fail=False,
                        stream=io.StringIO()) == 0
    results = json.loads((tmp / "validation" / "results.json").read_text(encoding="utf-8"))
    assert run_report(revised_build.path, tmp / "validation" / "results.json", tmp / "r.html") == 0
    return {"html": tmp / "r.html", "failed": [e for e in results["results"] if not e["success"]]}


def test_a_new_editions_report_in_chromium_names_its_provisional_id_and_fail_rows(chromium_1280, new_edition_report,
                                                                                  tmp_path_factory):
    from PIL import Image, ImageStat

    path = new_edition_report["html"]
    assert new_edition_report["failed"]
    tab = chromium_1280.open(path)
    assert tab.requests() == [path.resolve().as_uri()]
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    attention = tab.evaluate("document.getElementById('attention').innerText")
    assert "P054" in attention and "事業承継の支援" in attention and "provisional" in attention
    assert tab.evaluate("document.querySelectorAll('#attention tr.fail').length") == len(new_edition_report["failed"])
    for entry in new_edition_report["failed"]:
        assert entry["expectation"] in attention
    # the id links to the project's row, which carries it; the failed suite's link to its open results
    href = tab.evaluate("document.querySelector('#attention tr.provisional-id a').getAttribute('href')")
    assert href == "#project-10"
    assert "P054 provisional" in tab.evaluate("document.getElementById('project-10').innerText")
    suite = tab.evaluate("document.querySelector('#attention tr.fail a').getAttribute('href')")
    assert tab.evaluate(f"document.querySelector('{suite}').open")
    png = tab.screenshot()
    (tmp_path_factory.mktemp("screenshots") / "report-new-edition.png").write_bytes(png)
    with Image.open(io.BytesIO(png)) as image:
        assert max(ImageStat.Stat(image.convert("L")).var) > 100
