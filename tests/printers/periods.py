"""Other plan periods: the chapter's content with its fiscal years moved to another term and its budget
headers printed the way another edition prints them.

The printers (html.py, docx.py) ask ``year_header(year, project.year_form)`` for each budget column; the
reference form prints what the plan prints (``2026年度 (R8年度)``), so the reference fixtures keep their
bytes. ``shifted`` moves a content's years (every project's columns and merged budget cells), and
``expected_frame`` gives the dataset such a printing must build: the reference build's, with the years
moved and the era labels as that form prints them. Indicator and KPI texts keep their printed years: they
are the document's values, not its plan period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from tests.printers.content import BudgetCell, Content, content_frame

REIWA, HEISEI = 2018, 1988  # Western year = offset + era year
FORMS = ("western", "era_first", "heisei", "wrong_era")


def _n(year: int, offset: int = REIWA) -> str:
    n = year - offset
    return "元" if n == 1 else str(n)


def year_header(year: int, form: str = "western") -> str:
    """The budget column header of ``year`` in ``form``:

    western    ``2019年度 (R元年度)``, ``2033年度 (R15年度)`` (the plan's own form)
    era_first  ``令和6年度（2024年度）``
    heisei     FY2019 as ``平成31年度`` alone (the era of April 2019), later years as western
    wrong_era  western, but every third year's era one year on (``2026年度 (R9年度)``): a header to refuse
    """
    if form == "era_first":
        return f"令和{_n(year)}年度（{year}年度）"
    if form == "heisei" and year <= 2019:
        return f"平成{_n(year, HEISEI)}年度"
    if form == "wrong_era" and year % 3 == 2:
        return f"{year}年度 (R{_n(year + 1)}年度)"
    if form in FORMS:
        return f"{year}年度 (R{_n(year)}年度)"
    raise ValueError(f"unknown year form {form!r}; known: {', '.join(FORMS)}")


def era_label(year: int, form: str) -> str:
    """The era label a build gives for ``year`` printed in ``form``: the era as printed, 元 for year 1."""
    if form == "heisei" and year <= 2019:
        return f"平成{_n(year, HEISEI)}年度"
    return f"令和{_n(year)}年度"


@dataclass(frozen=True)
class Period:
    """A plan period: its first fiscal year and how its budget headers are printed."""

    first_year: int
    form: str = "western"

    def years(self, count: int) -> list[int]:
        return list(range(self.first_year, self.first_year + count))


def shifted(content: Content, period: Period) -> Content:
    """``content`` with every fiscal year moved so that the plan starts in ``period.first_year``."""
    first = min(y for p in content.projects for y in p.years)
    delta = period.first_year - first
    projects = [replace(p, years=[y + delta for y in p.years], year_form=period.form,
                        budget_cells=[BudgetCell([y + delta for y in c.years], c.raw) for c in p.budget_cells])
                for p in content.projects]
    return Content(projects, content.kpis)


def expected_frame(build, table: str, period: Period, content: Content | None = None) -> pd.DataFrame:
    """``content_frame`` of the reference build as a printing of ``period`` must give it."""
    df = content_frame(build, table, content)
    if table != "budgets":
        return df
    years = df["fiscal_year"].astype("int64")
    moved = years - int(years.min()) + period.first_year
    df = df.assign(fiscal_year=moved.astype(df["fiscal_year"].dtype),
                   era_label=[era_label(int(y), period.form) for y in moved])
    return df.astype({"era_label": build[table]["era_label"].dtype})
