"""`python -m pipeline report BUILD --validation results.json --out report.html`: the build for people
who would rather look than read, plus the figures for `dvc metrics` and `dvc plots`.

Writes
  report.html    one self-contained page (templates/report.html.j2, the shared renkei.css): budget by
                 role (area) and category (inline SVG bars and plain tables), one row per project and
                 per partner municipality, indicator coverage, KPIs, cross-check agreement, and the
                 validation: every expectation of every suite with pass/FAIL and offending rows, a
                 suite that passed folded (<details>), a failed one open with its failures first (the
                 one validation report; GX Data Docs are not written). Written also when validation
                 failed (it is how a reviewer looks at a new edition). Fiscal years without a printed
                 amount are left out of the tables and named (no column of blanks, no total repeating
                 the one printed year). No external assets, no scripts: it renders offline, ≤ 1,280 px.
  --metrics      metrics.json: the build's counts and budget totals (already reconciled with the rows
                 by validate), the budget per area, the validation and cross-check figures.
  --plots DIR    budget_by_category.csv (all years), budget_first_year_by_area.csv (the plan's first
                 fiscal year, named in its fiscal_year column); dvc.yaml's `plots:` draw them.

The years are the document's: the *focus year* is the plan period's first fiscal year (the smallest
fiscal_year of the budgets: the year a plan prints its amounts for, later years mostly "-"), and every
year, era label and metrics key (fy<year>) comes from the rows. Nothing here names a plan period.

Everything is a pure function of its inputs (no clock, no host): same inputs, same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.normalizers.quantity import is_no_value
from pipeline.publish.attention import attention, outcome

FIRST_YEAR_PLOT = "budget_first_year_by_area.csv"


def focus_year(budgets: pd.DataFrame) -> int | None:
    """The plan period's first fiscal year (None for a build without budget rows)."""
    years = budgets["fiscal_year"].dropna()
    return int(years.min()) if len(years) else None


def _era_of(budgets: pd.DataFrame, year: int | None) -> str | None:
    labels = budgets.loc[budgets["fiscal_year"] == year, "era_label"].dropna()
    return str(labels.iloc[0]) if len(labels) else None


# -- inputs ----------------------------------------------------------------------------------------
def _read_json(path: Path | None) -> dict | None:
    if path is None or not Path(path).exists():
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _area_label(area_no: int, field_no: float | None = None) -> str:
    if field_no is None or (isinstance(field_no, float) and math.isnan(field_no)):
        return f"{int(area_no)}"
    return f"{int(area_no)}({int(field_no)})"


# -- figures ---------------------------------------------------------------------------------------
def budget_by_area(projects: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Per role (area): its title, project count, amount per fiscal year and in all (千円)."""
    merged = budgets.merge(projects[["project_no", "area_no", "area_title"]], on="project_no", how="left")
    # min_count=1: a year without any printed amount stays empty (shown as –), unlike a printed 0
    wide = (merged.groupby(["area_no", "fiscal_year"])["amount_thousand_yen"].sum(min_count=1)
            .unstack("fiscal_year"))
    wide.columns = [f"fy{int(c)}" for c in wide.columns]
    wide = wide.reset_index()
    years = [c for c in wide.columns if c.startswith("fy")]
    wide["total"] = wide[years].sum(axis=1, min_count=1)  # null when no year has a printed amount
    counts = projects.groupby("area_no").agg(area_title=("area_title", "first"), projects=("project_no", "size"))
    out = counts.reset_index().merge(wide, on="area_no", how="left")
    return out.sort_values("area_no").reset_index(drop=True)


def budget_by_category(projects: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Per category (area, field, letter): label, title, project count, focus-year and all-years amounts."""
    keys = ["area_no", "field_no", "category_code", "category_title"]
    # min_count=1 throughout: a sum over amounts none of which is printed stays null, unlike a printed 0
    totals = budgets.groupby("project_no")["amount_thousand_yen"].sum(min_count=1).rename("total")
    focus = (budgets[budgets["fiscal_year"] == focus_year(budgets)].groupby("project_no")["amount_thousand_yen"]
             .sum(min_count=1).rename("focus"))
    p = projects[["project_no", *keys]].merge(totals, on="project_no", how="left").merge(focus, on="project_no", how="left")
    out = (p.groupby(keys, dropna=False)
           .agg(projects=("project_no", "size"), focus=("focus", lambda s: s.sum(min_count=1)),
                total=("total", lambda s: s.sum(min_count=1)))
           .reset_index())
    out["label"] = [f"{_area_label(a, f)}-{c}" for a, f, c in zip(out["area_no"], out["field_no"], out["category_code"])]
    return out.sort_values(["area_no", "field_no", "category_code"], na_position="first").reset_index(drop=True)


def indicator_coverage(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per role (area): projects, indicators, and how the targets and baselines are given."""
    # indicators carry their project's area_no (a build before it had none: taken from projects)
    ind = indicators if "area_no" in indicators.columns else indicators.merge(
        projects[["project_no", "area_no"]], on="project_no", how="left")
    target_numeric = ind["target_value"].notna()
    target_text = ind["target_value"].isna() & ind["target_text"].notna()
    target_year = ind["target_value"].isna() & ind["target_text"].isna() & ind["target_year"].notna()
    baseline_given = ~ind["baseline_raw"].map(is_no_value).astype(bool)
    ind = ind.assign(target_numeric=target_numeric, target_text_only=target_text, target_year_only=target_year,
                     baseline_given=baseline_given)
    per_area = ind.groupby("area_no").agg(
        indicators=("indicator_no", "size"),
        projects_with_indicator=("project_no", "nunique"),
        target_numeric=("target_numeric", "sum"),
        target_text_only=("target_text_only", "sum"),
        target_year_only=("target_year_only", "sum"),
        baseline_given=("baseline_given", "sum"),
    ).reset_index()
    projects_per_area = projects.groupby("area_no").size().rename("projects").reset_index()
    out = projects_per_area.merge(per_area, on="area_no", how="left").fillna(0)
    return out.astype("int64").sort_values("area_no").reset_index(drop=True)


def report_metrics(build_metrics: dict, by_area: pd.DataFrame, validation: dict | None,
                   crosscheck: dict | None) -> dict:
    """metrics.json for `dvc metrics`: the build's figures plus per-area totals, validation, cross-check."""
    out = json.loads(json.dumps(build_metrics))  # a copy
    budget = out.setdefault("budget_thousand_yen", {})
    budget["by_area"] = {f"area{int(r.area_no)}": _int_or_none(r.total) for r in by_area.itertuples()}
    if validation is not None:
        stats = validation.get("statistics", {})
        out["validation"] = {
            "success": 1 if validation.get("success") else 0,
            "expectations": stats.get("expectations"),
            "expectations_failed": stats.get("expectations_failed"),
            "suites": stats.get("suites"),
            "suites_failed": stats.get("suites_failed"),
        }
    if crosscheck is not None:
        summary = crosscheck.get("summary", {})
        out["crosscheck"] = {k: summary[k] for k in (
            "agreement", "cells_compared", "cells_agreeing", "cells_disagreeing", "tables_pdfplumber",
            "tables_matched", "tables_missing_in_camelot", "tables_extra_in_camelot") if k in summary}
    return out


def _int_or_none(value: object) -> int | None:
    """A JSON figure: an int, or None (null) for a sum over amounts none of which is printed."""
    return None if value is None or pd.isna(value) else int(value)


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def plot_files(by_area: pd.DataFrame, by_category: pd.DataFrame, year: int | None) -> dict[str, str]:
    """The plot data files for dvc.yaml's `plots:`, as name → CSV text; ``year`` is the focus year."""
    category_rows = [{"category": f"{r.label} {r.category_title}", "area": _area_label(r.area_no),
                      "projects": int(r.projects), "amount_thousand_yen": _int_or_none(r.total)}
                     for r in by_category.itertuples()]
    focus = f"fy{year}"
    amounts = by_area[focus] if focus in by_area.columns else pd.Series(None, index=by_area.index, dtype="float64")
    # an empty cell (not 0) where no amount is printed
    area_rows = [{"area": f"{int(r.area_no)} {r.area_title}", "fiscal_year": year,
                  "amount_thousand_yen": _int_or_none(amount)}
                 for r, amount in zip(by_area.itertuples(), amounts)]
    return {
        "budget_by_category.csv": _csv(category_rows, ["category", "area", "projects", "amount_thousand_yen"]),
        FIRST_YEAR_PLOT: _csv(area_rows, ["area", "fiscal_year", "amount_thousand_yen"]),
    }


# -- the page --------------------------------------------------------------------------------------
def printed_years(budgets: pd.DataFrame) -> list[int]:
    """The fiscal years for which at least one amount is printed (a year of “-” cells only is left out of
    the tables and named in a note: its column would be blank throughout, and an all-years total over one
    printed year would only repeat it)."""
    printed = budgets.loc[budgets["amount_thousand_yen"].notna(), "fiscal_year"].dropna()
    return sorted(int(y) for y in printed.unique())


def _amounts_by_project(budgets: pd.DataFrame) -> pd.DataFrame:
    """project_no × fy<year>: the printed amount (null where the cell prints none)."""
    wide = (budgets.groupby(["project_no", "fiscal_year"])["amount_thousand_yen"].sum(min_count=1)
            .unstack("fiscal_year"))
    wide.columns = [f"fy{int(c)}" for c in wide.columns]
    return wide


def project_table(projects: pd.DataFrame, budgets: pd.DataFrame, indicators: pd.DataFrame,
                  partners: pd.DataFrame | None, provisional: frozenset[str] = frozenset()) -> list[dict]:
    """One row per project: number, name, category label, partners as printed (全市町村 stays 全市町村) with
    how many municipalities that is, indicator count and its amount per fiscal year (None where none is
    printed); its project_id, marked when it is one of the build's ``provisional`` ids."""
    amounts = _amounts_by_project(budgets)
    counts = indicators.groupby("project_no").size() if len(indicators) else pd.Series(dtype="int64")
    partner_counts = {} if partners is None else partners.groupby("project_no")["municipality"].nunique().to_dict()
    rows = []
    for p in projects.sort_values("project_no").itertuples():
        no = int(p.project_no)
        per_year = {c: _int_or_none(amounts.at[no, c]) if no in amounts.index else None for c in amounts.columns}
        pid = getattr(p, "project_id", None)
        rows.append({"no": no, "project_id": pid, "provisional": pid in provisional, "name": p.name, "category": f"{_area_label(p.area_no, p.field_no)}-{p.category_code}",
                     "category_title": p.category_title, "partners": p.municipalities_raw,
                     "partner_count": int(partner_counts.get(no, 0)),
                     "indicators": int(counts.get(no, 0)), "amounts": per_year})
    return rows


def municipality_table(projects: pd.DataFrame, budgets: pd.DataFrame, partners: pd.DataFrame | None) -> list[dict]:
    """One row per partner municipality: its code, the projects it partners, and the sum per fiscal year of
    those projects' whole amounts (None where none is printed). A shared project counts under each partner,
    so these sums do not add up to the plan's total."""
    if partners is None or not len(partners):
        return []
    amounts = _amounts_by_project(budgets)
    rows = []
    order = partners.assign(_code=partners["lg_code"].fillna("")).sort_values(["_code", "municipality"])
    for (name, code), group in order.groupby(["municipality", "_code"], sort=False):
        nos = sorted(int(n) for n in group["project_no"].unique())
        per_year = {c: _int_or_none(amounts.reindex(nos)[c].sum(min_count=1)) for c in amounts.columns}
        rows.append({"municipality": name, "lg_code": code or None, "projects": nos, "amounts": per_year})
    return rows


def _bars(items: list[tuple[str, float | None]], width: int = 720) -> dict:
    """A horizontal bar chart's geometry (labels left, value right of the bar), drawn by the template."""
    label_w, value_w, row_h = 300, 130, 22
    bar_w = width - label_w - value_w
    top = max((v for _, v in items if v is not None and v == v), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        value = None if value is None or value != value else value  # NaN: nothing printed
        w = 0 if not value or value <= 0 else max(1, round(bar_w * value / top))
        bars.append({"y": i * row_h + 2, "w": w, "label": label,
                     "short": label if len(label) <= 24 else label[:23] + "…", "value": value})
    return {"width": width, "height": row_h * len(items) + 4, "label_w": label_w, "bars": bars}


_outcome = outcome  # the one line of a failed expectation, shared with the review page


def validation_suites(validation: dict | None) -> list[dict]:
    """Per suite, in the results' order: its name, status, expectations (failed ones first, each with its
    outcome line) and whether any failed (a failed suite is shown open, a passing one folded)."""
    if validation is None:
        return []
    entries: dict[str, list[dict]] = {name: [] for name in validation.get("suites", {})}
    for entry in validation.get("results", []):
        unexpected = entry.get("unexpected_count")
        entries.setdefault(str(entry.get("suite", "")), []).append({
            "position": "" if entry.get("position") is None else entry["position"] + 1,
            "expectation": entry.get("expectation", ""), "settings": entry.get("settings", ""),
            "success": bool(entry.get("success")),
            "unexpected": "" if unexpected is None else f"{unexpected} of {entry.get('element_count')}",
            "outcome": _outcome(entry)})
    suites = []
    for name, items in entries.items():
        failed = [e for e in items if not e["success"]]
        suites.append({"name": name, "status": validation.get("suites", {}).get(name, ""),
                       "entries": failed + [e for e in items if e["success"]], "failed": len(failed),
                       "total": len(items)})
    return suites


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, computed from the build and the check results."""

    manifest: dict
    build_metrics: dict
    by_area: pd.DataFrame
    by_category: pd.DataFrame
    coverage: pd.DataFrame
    kpis: pd.DataFrame
    projects: list[dict]
    municipalities: list[dict]
    years: list[int]  # every fiscal year of the budgets
    printed: list[int]  # those with a printed amount
    validation: dict | None
    crosscheck: dict | None
    validation_path: str | None
    year: int | None
    era: str | None


def render_html(data: ReportData) -> str:
    """The report page (templates/report.html.j2, autoescaped: every name in it was read from a PDF)."""
    from pipeline.publish.html import render

    validation, stats = data.validation, (data.validation or {}).get("statistics", {})
    status = "not validated" if validation is None else ("passed" if validation.get("success") else "FAILED")
    expectations = stats.get("expectations", 0) or 0
    met = expectations - (stats.get("expectations_failed", 0) or 0)
    summary = (data.crosscheck or {}).get("summary", {})
    agreement = summary.get("agreement")
    focus = f"fy{data.year}"
    by_area, by_category = data.by_area, data.by_category
    printed_columns = [f"fy{y}" for y in data.printed]
    suites = validation_suites(validation)
    suite_index = {s["name"]: i for i, s in enumerate(suites, start=1)}  # the template's suite-<n> anchors
    return render(
        "report.html.j2",
        plan=data.manifest.get("sources", {}).get("plan", {}), sources=list(data.manifest.get("sources", {}).values()),
        contract=data.manifest.get("contract_version", "?"), era=data.era,
        fy=f"FY{data.year}" if data.year is not None else "first year",
        focus_total=data.build_metrics.get("budget_thousand_yen", {}).get("by_fiscal_year", {}).get(focus),
        counts=data.build_metrics.get("counts", {}), status=status, met=met, expectations=expectations,
        suites_count=stats.get("suites", 0), validation_path=data.validation_path or "results.json",
        validated=validation is not None,
        agreement=f"{agreement:.1%}" if isinstance(agreement, (int, float)) else None, crosscheck=summary,
        has_crosscheck=data.crosscheck is not None,
        years=printed_columns, unprinted=[f"FY{y}" for y in data.years if y not in data.printed],
        several_years=len(data.printed) > 1,
        area_bars=_bars([(f"{int(r.area_no)} {r.area_title}", getattr(r, focus, None)) for r in by_area.itertuples()]),
        areas=[{"no": int(r.area_no), "title": r.area_title, "projects": int(r.projects),
                "amounts": {c: _int_or_none(getattr(r, c)) for c in printed_columns}, "total": _int_or_none(r.total)}
               for r in by_area.itertuples()],
        area_totals={"projects": int(by_area["projects"].sum()),
                     "amounts": {c: _int_or_none(by_area[c].sum(min_count=1)) for c in printed_columns},
                     "total": _int_or_none(by_area["total"].sum(min_count=1))},
        category_bars=_bars([(f"{r.label} {r.category_title}", r.focus) for r in by_category.itertuples()]),
        categories=[{"label": r.label, "title": r.category_title, "projects": int(r.projects),
                     "focus": _int_or_none(r.focus), "total": _int_or_none(r.total)} for r in by_category.itertuples()],
        coverage=[r._asdict() for r in data.coverage.itertuples(index=False)],
        kpis=[{"area": int(r.area_no), "no": int(r.kpi_no), "name": r.name, "current": r.current_raw,
               "target": r.target_raw} for r in data.kpis.itertuples()],
        projects=data.projects, municipalities=data.municipalities,
        suites=suites, suites_status=(validation or {}).get("suites", {}),
        attention=attention(data.manifest, validation), project_href=lambda no: f"#project-{no}",
        failure_href=lambda suite: f"#suite-{suite_index[suite]}" if suite in suite_index else "")

# -- entry point -----------------------------------------------------------------------------------
def run_report(build_dir: Path, validation: Path, out: Path, *, crosscheck: Path | None = None,
               metrics_out: Path | None = None, plots_dir: Path | None = None) -> int:
    import sys

    from pipeline.stages.atomic import write_json, write_text

    from pipeline.stages.builddir import require_build
    from pipeline.inputs import InputError

    build_dir = Path(build_dir)
    try:
        require_build(build_dir)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        projects = pd.read_parquet(build_dir / "projects.parquet")
        budgets = pd.read_parquet(build_dir / "budgets.parquet")
        indicators = pd.read_parquet(build_dir / "indicators.parquet")
        kpis = pd.read_parquet(build_dir / "kpis.parquet")
        manifest = _read_json(build_dir / "manifest.json") or {}
        build_metrics = _read_json(build_dir / "metrics.json") or {}
    except (OSError, ValueError) as error:
        print(f"error: report: {error}", file=sys.stderr)
        return 2
    try:
        partners = pd.read_parquet(build_dir / "project_municipalities.parquet")
    except (OSError, ValueError):
        partners = None  # a build without the table: the per-municipality table is left out
    results = _read_json(validation)
    cross = _read_json(crosscheck)
    by_area = budget_by_area(projects, budgets)
    by_category = budget_by_category(projects, budgets)
    coverage = indicator_coverage(projects, indicators)
    year = focus_year(budgets)
    data = ReportData(manifest, build_metrics, by_area, by_category, coverage, kpis,
                      project_table(projects, budgets, indicators, partners,
                                    frozenset(p["project_id"] for p in manifest.get("provisional_project_ids") or [])),
                      municipality_table(projects, budgets, partners),
                      sorted(int(y) for y in budgets["fiscal_year"].dropna().unique()), printed_years(budgets),
                      results, cross, str(validation) if results is not None else None, year, _era_of(budgets, year))
    write_text(render_html(data), Path(out))
    if metrics_out is not None:
        write_json(report_metrics(build_metrics, by_area, results, cross), Path(metrics_out))
    if plots_dir is not None:
        for name, text in plot_files(by_area, by_category, year).items():
            write_text(text, Path(plots_dir) / name)
    print(f"report: {out}", file=sys.stderr)
    return 0
