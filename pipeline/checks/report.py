"""`python -m pipeline report BUILD --validation results.json --out report.html`: the build for people
who would rather look than read, plus the figures for `dvc metrics` and `dvc plots`.

Writes
  report.html    one self-contained page: budget by role (area) and category (inline SVG bars and
                 plain tables), indicator coverage, KPIs, cross-check agreement, and the validation:
                 every expectation of every suite with pass/FAIL and offending rows (the one
                 validation report; GX Data Docs are not written).
                 No external assets (inline CSS, no scripts, no web fonts): it renders offline.
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
import html
import io
import json
import math
from pathlib import Path

import pandas as pd

from pipeline.normalizers.quantity import is_no_value

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


def _write_text(path: Path, text: str) -> None:
    from pipeline.stages.write import _atomic_write

    _atomic_write(Path(path), lambda f: f.write(text.encode("utf-8")))


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
    ind = indicators.merge(projects[["project_no", "area_no"]], on="project_no", how="left")
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


# -- HTML ------------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Hiragino Sans","Yu Gothic","Noto Sans CJK JP",sans-serif;
     margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem} th,td{padding:.2rem .6rem;border-bottom:1px solid #eee}
th{text-align:left;background:#f5f5f5} td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:1.6rem;font-weight:600} .muted{color:#666;font-size:.85rem}
.ok{color:#17663a;font-weight:600} .bad{color:#a11;font-weight:600}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:11rem}
svg text{font-size:12px;fill:#222} svg rect.bar{fill:#4a78b5}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(round(value)):,}"


def _table(headers: list[str], rows: list[list[object]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(items: list[tuple[str, float]], unit: str, width: int = 720) -> str:
    """A horizontal bar chart as inline SVG (labels left, value right of the bar)."""
    items = [(label, 0 if value is None or value != value else value) for label, value in items]  # NaN → 0
    label_w, value_w, row_h = 300, 120, 22
    bar_w = width - label_w - value_w
    top = max((v for _, v in items), default=0) or 1
    height = row_h * len(items) + 4
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value) in enumerate(items):
        y = i * row_h + 2
        w = 0 if not value or value <= 0 else max(1, round(bar_w * value / top))
        text = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end"><title>{_e(label)}</title>{_e(text)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}">{_e(_n(value))} {_e(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


VALIDATION_CSS = "tr.fail td{background:#fdecea} td.pass{color:#17663a} td.fail{color:#a11;font-weight:600}"


def _outcome(entry: dict) -> str:
    """A failed expectation's error or offending rows (up to three), else what was observed, as one line."""
    if entry.get("error"):
        return f"error: {entry['error']}"
    rows = entry.get("rows") or []
    if rows and not entry.get("success"):
        more = " …" if (entry.get("unexpected_count") or 0) > 3 else ""
        return "; ".join(" ".join(f"{k}={v}" for k, v in r.items()) for r in rows[:3]) + more
    observed = entry.get("observed_value")
    if observed is None:
        return ""
    text = json.dumps(observed, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def expectations_table(entries: list[dict]) -> str:
    """Every expectation: suite, position, expectation, settings, pass/FAIL, unexpected rows of how many,
    offending rows or observed value. Failed rows are highlighted."""
    head = "".join(f"<th>{_e(h)}</th>" for h in
                   ["Suite", "#", "Expectation", "Settings", "Result", "Unexpected", "Offending rows / observed"])
    body = []
    for entry in entries:
        ok = bool(entry.get("success"))
        unexpected = entry.get("unexpected_count")
        count = "" if unexpected is None else f"{unexpected} of {entry.get('element_count')}"
        position = "" if entry.get("position") is None else entry["position"] + 1
        cells = [_e(entry.get("suite", "")), _e(position), f"<code>{_e(entry.get('expectation', ''))}</code>",
                 _e(entry.get("settings", "")),
                 '<td class="pass">pass</td>' if ok else '<td class="fail">FAIL</td>',
                 _e(count), _e(_outcome(entry))]
        row = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
        body.append(f'<tr class="{"pass" if ok else "fail"}">{row}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(manifest: dict, build_metrics: dict, by_area: pd.DataFrame, by_category: pd.DataFrame,
                coverage: pd.DataFrame, kpis: pd.DataFrame, validation: dict | None, crosscheck: dict | None,
                validation_path: str | None = None, year: int | None = None, era: str | None = None) -> str:
    """The report page; ``year`` is the focus year (the plan's first) and ``era`` its label as printed."""
    focus = f"fy{year}"
    fy = f"FY{year}" if year is not None else "first year"
    focus_total = build_metrics.get("budget_thousand_yen", {}).get("by_fiscal_year", {}).get(focus)
    counts = build_metrics.get("counts", {})
    sources = manifest.get("sources", {})
    plan = sources.get("plan", {})
    out: list[str] = []
    out.append('<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
               '<meta name="viewport" content="width=device-width, initial-scale=1">'
               f"<title>連携事業 report — {_e(plan.get('file', ''))}</title><style>{CSS}{VALIDATION_CSS}</style>"
               "</head><body>")
    out.append("<h1>さっぽろ連携中枢都市圏 連携事業 — data report</h1>")
    src = ", ".join(f"{_e(s.get('file'))} ({_e(s.get('pages'))} pages, sha256 {_e(str(s.get('sha256', ''))[:12])}…)"
                    for s in sources.values())
    out.append(f'<p class="muted">Source: {src}. Contract v{_e(manifest.get("contract_version", "?"))}. '
               "Amounts in 千円 (thousand yen) as printed"
               + (f"; {_e(era)} = {_e(fy)}" if era else "") + ".</p>")

    # headline cards
    if validation is None:
        status = '<span class="bad">not validated</span>'
    elif validation.get("success"):
        status = '<span class="ok">passed</span>'
    else:
        status = '<span class="bad">FAILED</span>'
    stats = (validation or {}).get("statistics", {})
    cards = [
        (f"{fy} budget total", f'<span class="big">{_n(focus_total)}</span> 千円'),
        ("Projects / indicators / KPIs",
         f'<span class="big">{_e(counts.get("projects", "–"))}</span> / {_e(counts.get("indicators", "–"))} / '
         f'{_e(counts.get("kpis", "–"))}'),
        ("Validation", f'{status}<br><span class="muted">{_e(stats.get("expectations", 0) - stats.get("expectations_failed", 0))}'
                       f' of {_e(stats.get("expectations", 0))} expectations met</span>'),
    ]
    if crosscheck is not None:
        s = crosscheck.get("summary", {})
        agreement = s.get("agreement")
        cards.append(("Camelot cross-check",
                      f'<span class="big">{_e(f"{agreement:.1%}" if isinstance(agreement, (int, float)) else "–")}</span>'
                      f'<br><span class="muted">{_e(s.get("cells_agreeing", "–"))} of {_e(s.get("cells_compared", "–"))} cells agree</span>'))
    out.append('<div class="cards">' + "".join(f'<div class="card"><div class="muted">{_e(t)}</div>{v}</div>'
                                               for t, v in cards) + "</div>")

    # budget by area
    years = [c for c in by_area.columns if c.startswith("fy")]
    out.append("<h2>Budget by role (area)</h2>")
    out.append(bar_chart([(f"{int(r.area_no)} {r.area_title}", getattr(r, focus, 0)) for r in by_area.itertuples()],
                         "千円"))
    out.append(_table(["Role", "Title", "Projects", *[y.upper() for y in years], "Total"],
                      [[int(r.area_no), r.area_title, int(r.projects), *[_n(getattr(r, y)) for y in years], _n(r.total)]
                       for r in by_area.itertuples()]
                      + [["", "Total", int(by_area["projects"].sum()), *[_n(by_area[y].sum(min_count=1)) for y in years],
                          _n(by_area["total"].sum(min_count=1))]],
                      numeric=set(range(2, 4 + len(years)))))
    empty = [y.upper() for y in years if by_area[y].isna().all()]
    if empty:
        out.append(f'<p class="muted">No amount is printed for {", ".join(empty)} (cells “-”).</p>')

    # budget by category
    out.append(f"<h2>Budget by category ({_e(fy)})</h2>")
    out.append(bar_chart([(f"{r.label} {r.category_title}", r.focus) for r in by_category.itertuples()], "千円"))
    out.append(_table(["Category", "Title", "Projects", fy, "All years"],
                      [[r.label, r.category_title, int(r.projects), _n(r.focus), _n(r.total)]
                       for r in by_category.itertuples()], numeric={2, 3, 4}))

    # indicators
    out.append("<h2>Indicator coverage</h2>")
    out.append(_table(["Role", "Projects", "With an indicator", "Indicators", "Numeric target", "Qualitative target",
                       "Milestone year only", "Baseline given"],
                      [[int(r.area_no), r.projects, r.projects_with_indicator, r.indicators, r.target_numeric,
                        r.target_text_only, r.target_year_only, r.baseline_given] for r in coverage.itertuples()],
                      numeric=set(range(1, 8))))
    out.append('<p class="muted">Qualitative: 常時, 維持, 実施 …; milestone: only a year (…年度, or …年度まで); '
               "baseline “-” means none was printed.</p>")

    # KPIs
    out.append("<h2>Basic KPIs</h2>")
    out.append(_table(["Role", "No.", "KPI", "Current", "Target"],
                      [[int(r.area_no), int(r.kpi_no), r.name, r.current_raw, r.target_raw] for r in kpis.itertuples()]))

    # validation: every expectation of every suite, with its outcome
    out.append("<h2>Validation</h2>")
    if validation is None:
        out.append("<p>No validation results.</p>")
    else:
        entries = validation.get("results", [])
        out.append(f"<p>{status}: {_e(stats.get('expectations', 0) - stats.get('expectations_failed', 0))} of "
                   f"{_e(stats.get('expectations', 0))} expectations met in {_e(stats.get('suites', 0))} suites "
                   f"(Great Expectations; the suites are <code>expectations/*.json</code>, the outcomes "
                   f"<code>{_e(validation_path or 'results.json')}</code>). Every expectation is listed below; "
                   "a failed one with up to three offending rows.</p>")
        out.append(_table(["Suite", "Status"], [[name, s] for name, s in validation.get("suites", {}).items()]))
        out.append(expectations_table(entries))
    out.append("</body></html>\n")
    return "".join(out)


# -- entry point -----------------------------------------------------------------------------------
def run_report(build_dir: Path, validation: Path, out: Path, *, crosscheck: Path | None = None,
               metrics_out: Path | None = None, plots_dir: Path | None = None) -> int:
    import sys

    from pipeline.stages.write import write_json

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
    results = _read_json(validation)
    cross = _read_json(crosscheck)
    by_area = budget_by_area(projects, budgets)
    by_category = budget_by_category(projects, budgets)
    coverage = indicator_coverage(projects, indicators)
    year = focus_year(budgets)
    _write_text(Path(out), render_html(manifest, build_metrics, by_area, by_category, coverage, kpis, results, cross,
                                       validation_path=str(validation) if results is not None else None,
                                       year=year, era=_era_of(budgets, year)))
    if metrics_out is not None:
        write_json(report_metrics(build_metrics, by_area, results, cross), Path(metrics_out))
    if plots_dir is not None:
        for name, text in plot_files(by_area, by_category, year).items():
            _write_text(Path(plots_dir) / name, text)
    print(f"report: {out}", file=sys.stderr)
    return 0
