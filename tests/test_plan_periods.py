"""Any plan period: the chapter printed for other terms (FY2019–2023, FY2029–2033) and with other budget
header forms builds exactly, with its own years everywhere: tables, metrics, report and plots, and it
validates with pins reviewed for that period. Nothing of the pipeline names the reference's years.

The content is the reference build's (tests/printers/content.py) with its fiscal years moved and its
headers printed by tests/printers/periods.py; the printers are the producer matrix's own (Chromium from
HTML, LibreOffice from DOCX).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.checks.crosscheck import run_crosscheck
from pipeline.publish.report import run_report
from pipeline.checks.validate import run_validate
from pipeline.stages.build import build
from pipeline.stages.parse import ParseError
from tests.conftest import ROOT, Build
from tests.printers import producers
from tests.printers.content import KEYS, Content, content_frame, content_from_build
from tests.printers.docx import DocxStyle, plan_docx
from tests.printers.html import HtmlStyle, plan_html
from tests.printers.periods import Period, era_label, expected_frame, shifted, year_header

REFERENCE_FIRST_YEAR = 2024  # transcribed from the seed: the reference plan's first budget column


@pytest.fixture(scope="module")
def content(plan_build):
    return content_from_build(plan_build)


def _chromium(content, tmp: Path, **style) -> Path:
    return producers.chromium(plan_html(content, HtmlStyle(**{"paper": "A4", **style})), tmp / "plan.pdf")


def _libreoffice(content, tmp: Path, paper: str = "A4") -> Path:
    return producers.libreoffice(plan_docx(content, tmp / "plan.docx", DocxStyle(paper=paper)), tmp / "plan.pdf")


PRINTERS = {"chromium": _chromium, "libreoffice": _libreoffice,
            # B5: tables, rows and merged labels (the budget header too) cut by page breaks elsewhere
            "chromium-B5-rows-break": lambda c, tmp: _chromium(c, tmp, paper="B5", break_rows=True),
            "libreoffice-B5": lambda c, tmp: _libreoffice(c, tmp, paper="B5")}

# name → (period, printer); the two other terms by both printers, the other header forms by one each
CASES = {
    "fy2019-chromium": (Period(2019), "chromium"),
    "fy2019-libreoffice": (Period(2019), "libreoffice"),
    "fy2029-chromium": (Period(2029), "chromium"),
    "fy2029-libreoffice": (Period(2029), "libreoffice"),
    "fy2024-era-first-chromium": (Period(2024, "era_first"), "chromium"),
    "fy2019-heisei-libreoffice": (Period(2019, "heisei"), "libreoffice"),
    "fy2019-libreoffice-B5": (Period(2019), "libreoffice-B5"),
    "fy2029-chromium-B5-rows-break": (Period(2029), "chromium-B5-rows-break"),
}
FULL_RUN = {"fy2019-chromium", "fy2029-libreoffice"}  # also validated and reported


def _pins(plan_build, period: Period, tmp: Path) -> Path:
    """params.yaml with its pins reviewed for ``period``: the counts, and the first year's total named by
    that year (the amounts are the reference's, moved with their years)."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    b = plan_build["budgets"]
    total = int(b[b.fiscal_year == REFERENCE_FIRST_YEAR].amount_thousand_yen.sum())
    params["pinned"]["budget_total"] = {"fiscal_year": period.first_year, "thousand_yen": total}
    path = tmp / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def test_the_pipeline_names_no_plan_period():
    """The issue's criterion: no year of the reference plan in the code, the suites or dvc.yaml."""
    files = [ROOT / "dvc.yaml", *(path for folder in ("schemas", "pipeline", "extractors", "expectations")
                                   for path in sorted((ROOT / folder).rglob("*"))
                                   if path.suffix in (".py", ".json", ".yaml", ".md", ".txt"))]
    found = [f"{path.relative_to(ROOT)}:{n}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if "2024" in line or "2028" in line]
    assert len(files) > 20 and not found, found


@pytest.mark.parametrize("name", sorted(CASES))
def test_another_period_builds_exactly_with_its_own_years(name, tmp_path, plan_build, content):
    period, printer = CASES[name]
    printed = shifted(content, period)
    years = period.years(len(content.projects[0].years))
    assert all(p.years == years for p in printed.projects)
    pdf = PRINTERS[printer](printed, tmp_path)
    out = tmp_path / "out"
    build(pdf, None, out, progress=False)
    got = Build(out)
    for table in KEYS:
        pd.testing.assert_frame_equal(content_frame(got, table), expected_frame(plan_build, table, period),
                                      check_dtype=False, obj=table)
    budgets = got["budgets"]
    assert sorted(budgets.fiscal_year.unique()) == years
    assert sorted(budgets.era_label.unique()) == sorted({era_label(y, period.form) for y in years})
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["budget_thousand_yen"]
    assert list(metrics["by_fiscal_year"]) == [f"fy{y}" for y in years]
    reference = json.loads((plan_build.path / "metrics.json").read_text(encoding="utf-8"))["budget_thousand_yen"]
    assert list(metrics["by_fiscal_year"].values()) == list(reference["by_fiscal_year"].values())
    assert {k.split("_")[1] for k in metrics["by_area_fiscal_year"]} == {f"fy{y}" for y in years}
    if name in FULL_RUN:
        # the second extractor reads the same cells (the crosscheck stage of dvc repro passes)
        assert run_crosscheck(pdf, out, tmp_path / "crosscheck.json", require=1.0, progress=False) == 0
        _validates_and_reports(out, period, years, plan_build, tmp_path)


def _validates_and_reports(out: Path, period: Period, years: list[int], plan_build, tmp: Path) -> None:
    stream = io.StringIO()
    params = _pins(plan_build, period, tmp)
    assert run_validate(out, params, tmp / "validation", stream=stream) == 0, stream.getvalue()
    # the reference's own pins do not fit: its budget_total names another year
    stream = io.StringIO()
    assert run_validate(out, ROOT / "params.yaml", tmp / "validation-ref", stream=stream,
                        suites=["budgets"]) == 1
    assert f"where fiscal_year == budget_total.fiscal_year={REFERENCE_FIRST_YEAR}" in stream.getvalue()

    report = tmp / "report"
    assert run_report(out, tmp / "validation" / "results.json", report / "report.html",
                      crosscheck=tmp / "crosscheck.json", metrics_out=report / "metrics.json",
                      plots_dir=report / "plots") == 0
    html = (report / "report.html").read_text(encoding="utf-8")
    first = years[0]
    assert f"FY{first} budget total" in html and f"Budget by category (FY{first})" in html
    assert f"{era_label(first, period.form)} = FY{first}" in html
    # the budget-by-role table's year columns: the printed year (the reference prints amounts for its first
    # year only, moved with it here); the others named as printing no amount
    assert f'<th class="n">FY{first}</th>' in html
    assert f"No amount is printed for {', '.join(f'FY{y}' for y in years[1:])} " in html
    assert f"FY{REFERENCE_FIRST_YEAR}" not in html
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["validation"]["success"] == 1 and metrics["crosscheck"]["agreement"] == 1.0
    assert list(metrics["budget_thousand_yen"]["by_fiscal_year"]) == [f"fy{y}" for y in years]
    with open(report / "plots" / "budget_first_year_by_area.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["fiscal_year"] for r in rows} == {str(first)}
    pins = yaml.safe_load(params.read_text(encoding="utf-8"))["pinned"]["budget_total"]
    assert sum(int(r["amount_thousand_yen"]) for r in rows) == pins["thousand_yen"]


def test_a_header_whose_era_disagrees_is_refused_naming_the_page(tmp_path, content):
    """A header such as 2026年度 (R9年度), whose era says the next year: one line naming the page, nothing
    written."""
    period = Period(2029, "wrong_era")
    small = shifted(content.select([1, 2]), period)
    wrong = next(y for y in small.projects[0].years if year_header(y, period.form) != year_header(y))
    pdf = _chromium(small, tmp_path)
    out = tmp_path / "out"
    with pytest.raises(ParseError) as caught:
        build(pdf, None, out, progress=False)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("page 1: project 1"), message
    assert f"the era label says FY{wrong + 1}, the year FY{wrong}" in message, message
    assert not out.exists()


def test_a_project_of_another_period_is_refused(tmp_path, content):
    """One project table printed with the next term's years: the plan period is the first table's."""
    small = content.select([1, 2, 3])
    moved = shifted(Content([small.projects[2]], small.kpis), Period(2029)).projects[0]
    mixed = Content([*small.projects[:2], moved], small.kpis)
    pdf = _chromium(mixed, tmp_path)
    with pytest.raises(ParseError) as caught:
        build(pdf, None, tmp_path / "out", progress=False)
    message = str(caught.value)
    assert "\n" not in message and "project 3" in message and "page" in message, message
    assert "2029–2033" in message and "2024–2028" in message, message


@pytest.mark.parametrize(("years", "plan", "message"), [
    ([2029, 2030, 2032], None, "2029, 2030, 2032 are not consecutive years"),
    ([2029, 2029, 2030], None, "not consecutive"),
    ([2030, 2029], None, "not consecutive"),
    ([], None, "no fiscal-year header"),
    ([2030, 2031], [2029, 2030, 2031], "fiscal years 2030–2031 differ from the plan period 2029–2031"),
])
def test_plan_years_rules_refuse_in_one_line(years, plan, message):
    from types import SimpleNamespace

    from pipeline.stages.normalize import _plan_years

    project = SimpleNamespace(project_no=4, pages=[7], table_id="p007-t02")
    with pytest.raises(ParseError, match=message) as caught:
        _plan_years(project, years, plan)
    assert str(caught.value).startswith("project 4 (page 7, table p007-t02): ")


def test_plan_years_accept_any_consecutive_period():
    from types import SimpleNamespace

    from pipeline.stages.normalize import _plan_years

    project = SimpleNamespace(project_no=1, pages=[1], table_id="p001-t01")
    for first in (1989, 2019, 2029, 2099 - 4):
        years = list(range(first, first + 5))
        _plan_years(project, years, None)
        _plan_years(project, years, years)
    _plan_years(project, [2040], None)  # a one-year plan is a plan
