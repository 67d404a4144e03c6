"""Validation: the good build passes; every expectation catches a defect planted in a copy of it.

Each planted-defect test copies the session's good build, rewrites one Parquet file (with its
original pyarrow schema; where that schema already forbids the defect, e.g. a null in a required
column, with just that field made nullable, as a writer that bypassed the schema would) or
metrics.json, runs validate, and checks the exit status and that the expectation it targets failed
and was printed. To keep the suite fast the defect tests run only the suite of the expectation they
target (``suites=[...]``, the CLI's ``--suite``); a few tests run everything through the CLI.
``test_every_expectation_has_a_defect_test`` keeps the list complete when a suite grows.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.normalizers.quantity import is_no_value, parse_quantity
from pipeline.checks import reconcile
from pipeline.checks.validate import SUITES_DIR, load_suites, run_validate

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params.yaml"


# -- helpers ---------------------------------------------------------------------------------------
def copy_build(src: Path, dst: Path) -> Path:
    """The build's tables and JSON files (not its stage intermediates or earlier validation)."""
    dst.mkdir(parents=True)
    for path in src.iterdir():
        if path.is_file() and path.suffix in (".parquet", ".json"):
            shutil.copy2(path, dst / path.name)
    return dst


def rewrite(build: Path, table: str, mutate: Callable[[pd.DataFrame], pd.DataFrame | None],
            nullable: tuple[str, ...] = ()) -> None:
    """Rewrite ``table`` with ``mutate`` applied, keeping the original schema (``nullable`` fields
    relaxed to accept a null)."""
    path = build / f"{table}.parquet"
    original = pq.read_table(path)
    schema = original.schema
    for name in nullable:
        i = schema.get_field_index(name)
        schema = schema.set(i, schema.field(i).with_nullable(True))
    frame = original.to_pandas()
    changed = mutate(frame)
    frame = frame if changed is None else changed
    pq.write_table(pa.Table.from_pandas(frame.reset_index(drop=True), schema=schema, preserve_index=False), path)


def edit_metrics(build: Path, mutate: Callable[[dict], None]) -> None:
    path = build / "metrics.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def first(frame: pd.DataFrame, query: str) -> int:
    """Index label of the first row matching ``query`` (fails loudly if none: the defect would be void)."""
    rows = frame.query(query)
    assert len(rows), f"no row matches {query!r}"
    return rows.index[0]


def setv(table: str, query: str, column: str, value, nullable: bool = False):
    """Plant: set ``column`` of the first row matching ``query`` to ``value``."""
    def plant(build: Path) -> None:
        def mutate(df: pd.DataFrame) -> None:
            if value is None:
                df[column] = df[column].astype("float64") if df[column].dtype.kind in "iu" else df[column]
            df.loc[first(df, query), column] = value
        rewrite(build, table, mutate, (column,) if nullable else ())
    return plant


def drop(table: str, query: str, all_rows: bool = False):
    """Plant: delete the first (or every) row matching ``query``."""
    def plant(build: Path) -> None:
        def mutate(df: pd.DataFrame) -> pd.DataFrame:
            rows = df.query(query).index
            assert len(rows), f"no row matches {query!r}"
            return df.drop(rows if all_rows else rows[:1])
        rewrite(build, table, mutate)
    return plant


def duplicate(table: str, query: str):
    """Plant: append a copy of the first row matching ``query``."""
    def plant(build: Path) -> None:
        rewrite(build, table, lambda df: pd.concat([df, df.loc[[first(df, query)]]]))
    return plant


def with_rows(table: str, fn: Callable[[pd.DataFrame], None]):
    def plant(build: Path) -> None:
        rewrite(build, table, fn)
    return plant


def metrics_edit(fn: Callable[[dict], None]):
    def plant(build: Path) -> None:
        edit_metrics(build, fn)
    return plant


@dataclass(frozen=True)
class Defect:
    id: str
    suite: str
    label: str              # the expectation it must trip, as validate prints it
    plant: Callable[[Path], None]
    position: int | None = None  # which of the suite's expectations with that label (when several)
    also: tuple[str, ...] = field(default=())  # text that must appear in its printed line


def _shift_fy2024(df: pd.DataFrame) -> None:
    i = first(df, "fiscal_year == 2024 and amount_thousand_yen > 0")
    df.loc[i, "amount_thousand_yen"] += 10
    df.loc[i, "amount_yen"] += 10_000


def _negative(df: pd.DataFrame) -> None:
    i = first(df, "fiscal_year == 2024 and amount_thousand_yen > 0")
    df.loc[i, ["amount_thousand_yen", "amount_yen"]] = [-5, -5000]


def _wrong_scale(df: pd.DataFrame) -> None:
    i = first(df, "amount_thousand_yen > 0")
    df.loc[i, "amount_yen"] = df.loc[i, "amount_thousand_yen"] * 100


def _year_twice(df: pd.DataFrame) -> None:
    i = first(df, "project_no == 5 and fiscal_year == 2028")
    df.loc[i, ["fiscal_year", "era_label"]] = [2027, "令和9年度"]


def _first_year(df: pd.DataFrame) -> int:
    return int(df["fiscal_year"].min())


def _last_year(df: pd.DataFrame) -> int:
    return int(df["fiscal_year"].max())


def _drop_year(which: Callable[[pd.DataFrame], int]):
    """Plant: project 5 loses its budget row of the plan's first (or last) year."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        return df.drop(df.index[(df["project_no"] == 5) & (df["fiscal_year"] == which(df))])
    return with_rows("budgets", mutate)


def _year_hole(df: pd.DataFrame) -> None:
    """The plan's last year printed two years later in every table: the years are no longer consecutive."""
    last = _last_year(df)
    df.loc[df["fiscal_year"] == last, "fiscal_year"] = last + 2


def _area_skipped(df: pd.DataFrame) -> None:
    last = df["area_no"].max()
    df.loc[df["area_no"] == last, "area_no"] = last + 1


def _field_skipped(df: pd.DataFrame) -> None:
    last = df["field_no"].max()
    df.loc[df["field_no"] == last, "field_no"] = last + 1


def _letter_skipped(df: pd.DataFrame) -> None:
    """Area 1's last category letter moved one on (a, b, c → a, b, d)."""
    area = df["area_no"] == 1
    last = df.loc[area, "category_code"].max()
    df.loc[area & (df["category_code"] == last), "category_code"] = chr(ord(last) + 1)


def _pages_reversed(df: pd.DataFrame) -> None:
    i = first(df, "project_no == 3")
    df.loc[i, "page_start"] = df.loc[i, "page_end"] + 1


def _second_indicator_renumbered(df: pd.DataFrame) -> None:
    df.loc[first(df, "project_no == 2 and indicator_no == 2"), "indicator_no"] = 1


def _lost_value(df: pd.DataFrame) -> None:
    i = first(df, "target_raw == '1回(毎年度)'")
    df.loc[i, ["target_value", "target_canonical_value"]] = [float("nan"), float("nan")]
    assert pd.isna(df.loc[i, "target_text"]) and pd.isna(df.loc[i, "target_year"])


def _dash_row(df: pd.DataFrame):
    return df.index[df["baseline_raw"].map(is_no_value).astype(bool)][0]


def _dash_with_value(df: pd.DataFrame) -> None:
    df.loc[_dash_row(df), "baseline_value"] = 5.0


def _dash_with_text(df: pd.DataFrame) -> None:
    df.loc[_dash_row(df), "baseline_text"] = "実施"


def _drop_fy2028(data: dict) -> None:
    del data["budget_thousand_yen"]["by_fiscal_year"]["fy2028"]


def _add_fy2029(data: dict) -> None:
    data["budget_thousand_yen"]["by_fiscal_year"]["fy2029"] = 0


def _zero_for_unprinted(data: dict) -> None:
    """The old bug: FY2025, where no amount is printed, reported as 0 instead of null."""
    assert data["budget_thousand_yen"]["by_fiscal_year"]["fy2025"] is None
    data["budget_thousand_yen"]["by_fiscal_year"]["fy2025"] = 0


DEFECTS = [
    # projects
    Defect("project_count", "projects", "expect_table_row_count_to_equal", drop("projects", "project_no == 53")),
    Defect("project_no_duplicate", "schema_projects", "expect_column_values_to_be_unique(project_no)",
           setv("projects", "project_no == 2", "project_no", 1)),
    Defect("project_no_null", "schema_projects", "expect_column_values_to_not_be_null(project_no)",
           setv("projects", "project_no == 2", "project_no", None, nullable=True)),
    Defect("area_no_range", "schema_projects", "expect_column_values_to_be_between(area_no)",
           setv("projects", "project_no == 7", "area_no", 0)),
    Defect("area_title_null", "schema_projects", "expect_column_values_to_not_be_null(area_title)",
           setv("projects", "project_no == 7", "area_title", None, nullable=True)),
    Defect("category_code", "schema_projects", "expect_column_values_to_match_regex(category_code)",
           setv("projects", "project_no == 7", "category_code", "A")),
    Defect("category_title_null", "schema_projects", "expect_column_values_to_not_be_null(category_title)",
           setv("projects", "project_no == 7", "category_title", None, nullable=True)),
    Defect("field_no_range", "schema_projects", "expect_column_values_to_be_between(field_no)",
           setv("projects", "field_no == field_no", "field_no", 0)),
    # areas, fields and categories: as many as the document has, numbered without gaps
    Defect("field_missing_in_a_fielded_area", "area_fields", "expect_column_values_to_be_between(mixed)",
           setv("projects", "field_no == field_no", "field_no", None), also=("area_no=3",)),
    Defect("field_in_an_unfielded_area", "area_fields", "expect_column_values_to_be_between(mixed)",
           setv("projects", "area_no == 1", "field_no", 1), also=("area_no=1",)),
    Defect("area_skipped", "area_numbering", "expect_column_values_to_be_between(gap)",
           with_rows("projects", _area_skipped)),
    Defect("field_skipped", "field_numbering", "expect_column_values_to_be_between(gap)",
           with_rows("projects", _field_skipped)),
    Defect("category_letter_skipped", "category_letters", "expect_column_values_to_be_between(gap)",
           with_rows("projects", _letter_skipped), also=("area_no=1",)),
    Defect("name_null", "schema_projects", "expect_column_values_to_not_be_null(name)",
           setv("projects", "project_no == 9", "name", None, nullable=True)),
    Defect("name_empty", "schema_projects", "expect_column_value_lengths_to_be_between(name)",
           setv("projects", "project_no == 9", "name", "")),
    Defect("summary_null", "schema_projects", "expect_column_values_to_not_be_null(summary)",
           setv("projects", "project_no == 9", "summary", None, nullable=True)),
    Defect("summary_empty", "schema_projects", "expect_column_value_lengths_to_be_between(summary)",
           setv("projects", "project_no == 9", "summary", "")),
    Defect("municipalities_raw_null", "schema_projects", "expect_column_values_to_not_be_null(municipalities_raw)",
           setv("projects", "project_no == 9", "municipalities_raw", None, nullable=True)),
    Defect("pages_reversed", "projects", "expect_column_pair_values_a_to_be_greater_than_b(page_end, page_start)",
           with_rows("projects", _pages_reversed)),
    # project numbering
    Defect("project_no_gap", "project_numbering", "expect_column_values_to_be_between(gap)",
           setv("projects", "project_no == 53", "project_no", 54)),
    # project completeness (cross-table)
    Defect("sapporo_party_missing", "project_completeness", "expect_column_values_to_be_between(n_sapporo)",
           drop("responsibilities", "project_no == 5 and party == '札幌市'")),
    Defect("partner_party_missing", "project_completeness", "expect_column_values_to_be_between(n_partners)",
           drop("responsibilities", "project_no == 5 and party == '連携市町村'")),
    Defect("no_budget_rows", "project_completeness", "expect_column_values_to_be_between(n_budget_rows)",
           drop("budgets", "project_no == 5", all_rows=True)),
    # the plan period, whatever it is
    Defect("plan_years_not_consecutive", "plan_period", "expect_column_pair_values_to_be_equal(plan_span, plan_years)",
           with_rows("budgets", _year_hole)),
    Defect("budget_row_twice", "plan_period", "expect_column_pair_values_to_be_equal(n_rows, plan_years)",
           duplicate("budgets", "project_no == 5")),
    Defect("budget_year_twice", "plan_period", "expect_column_pair_values_to_be_equal(n_years, plan_years)",
           with_rows("budgets", _year_twice), also=("project_no=5",)),
    Defect("first_year_missing", "plan_period", "expect_column_pair_values_to_be_equal(first_year, plan_first)",
           _drop_year(_first_year), also=("project_no=5",)),
    Defect("last_year_missing", "plan_period", "expect_column_pair_values_to_be_equal(last_year, plan_last)",
           _drop_year(_last_year), also=("project_no=5",)),
    Defect("no_indicator", "project_completeness", "expect_column_values_to_be_between(n_indicators)",
           drop("indicators", "project_no == 5", all_rows=True)),
    Defect("no_municipality", "project_completeness", "expect_column_values_to_be_between(n_municipalities)",
           drop("project_municipalities", "project_no == 23", all_rows=True), position=4),
    Defect("all_municipalities_short", "project_completeness", "expect_column_values_to_be_between(n_municipalities)",
           drop("project_municipalities", "project_no == 1 and municipality == '長沼町'"), position=5,
           also=("where municipalities_raw == 全市町村",)),
    # budgets
    Defect("budget_key_duplicate", "schema_budgets", "expect_compound_columns_to_be_unique(project_no, fiscal_year)",
           duplicate("budgets", "project_no == 5 and fiscal_year == 2026")),
    Defect("budget_year_out_of_range", "schema_budgets", "expect_column_values_to_be_between(fiscal_year)",
           setv("budgets", "project_no == 5", "fiscal_year", 2100)),
    Defect("era_label_mismatch", "era_labels", "expect_column_pair_values_to_be_equal(label_year, fiscal_year)",
           setv("budgets", "project_no == 5 and fiscal_year == 2024", "era_label", "令和7年度"),
           also=("era_label=令和7年度",)),
    Defect("era_label_unreadable", "era_labels", "expect_column_pair_values_to_be_equal(label_year, fiscal_year)",
           setv("budgets", "project_no == 5 and fiscal_year == 2024", "era_label", "R6")),
    Defect("budget_raw_null", "schema_budgets", "expect_column_values_to_not_be_null(raw)",
           setv("budgets", "project_no == 5 and fiscal_year == 2025", "raw", None, nullable=True)),
    Defect("amount_negative", "schema_budgets", "expect_column_values_to_be_between(amount_thousand_yen)",
           with_rows("budgets", _negative)),
    Defect("amount_yen_negative", "schema_budgets", "expect_column_values_to_be_between(amount_yen)",
           setv("budgets", "amount_yen > 0", "amount_yen", -1000)),
    Defect("amount_yen_scale", "budgets", "expect_column_pair_values_to_be_equal(amount_yen, expected_amount_yen)",
           with_rows("budgets", _wrong_scale)),
    Defect("pinned_budget_total", "budgets", "expect_column_sum_to_be_between(amount_thousand_yen)",
           with_rows("budgets", _shift_fy2024), also=("where fiscal_year == budget_total.fiscal_year=2024",
                                                      "min_value=budget_total.thousand_yen=17567701")),
    # metrics.json against the rows
    Defect("metric_missing", "metrics_reconciliation", "expect_column_values_to_be_in_set(reported_present)",
           metrics_edit(_drop_fy2028)),
    Defect("metric_extra", "metrics_reconciliation", "expect_column_values_to_be_in_set(computed_present)",
           metrics_edit(_add_fy2029)),
    Defect("metric_zero_for_unprinted", "metrics_reconciliation", "expect_column_values_to_not_be_null(difference)",
           metrics_edit(_zero_for_unprinted), also=("budget_thousand_yen.by_fiscal_year.fy2025",)),
    Defect("metric_differs", "metrics_reconciliation", "expect_column_values_to_be_between(difference)",
           with_rows("budgets", _shift_fy2024), also=("budget_thousand_yen.by_fiscal_year.fy2024",)),
    # responsibilities
    Defect("party_twice", "schema_responsibilities", "expect_compound_columns_to_be_unique(project_no, party)",
           duplicate("responsibilities", "project_no == 8")),
    Defect("party_unknown", "schema_responsibilities", "expect_column_values_to_be_in_set(party)",
           setv("responsibilities", "project_no == 8", "party", "北海道")),
    Defect("role_null", "schema_responsibilities", "expect_column_values_to_not_be_null(role)",
           setv("responsibilities", "project_no == 8", "role", None, nullable=True)),
    Defect("role_empty", "schema_responsibilities", "expect_column_value_lengths_to_be_between(role)",
           setv("responsibilities", "project_no == 8", "role", "")),
    Defect("cost_share_null", "schema_responsibilities", "expect_column_values_to_not_be_null(cost_share)",
           setv("responsibilities", "project_no == 8", "cost_share", None, nullable=True)),
    # municipality lists
    Defect("not_a_partner", "project_municipalities", "expect_column_values_to_be_in_set(municipality)",
           setv("project_municipalities", "municipality == '小樽市'", "municipality", "函館市")),
    Defect("wrong_lg_code", "project_municipalities", "expect_column_pair_values_to_be_in_set(municipality, lg_code)",
           setv("project_municipalities", "municipality == '小樽市'", "lg_code", "012034")),
    Defect("municipality_twice", "schema_project_municipalities",
           "expect_compound_columns_to_be_unique(project_no, municipality)",
           duplicate("project_municipalities", "project_no == 1 and municipality == '千歳市'")),
    Defect("lg_code_twice", "project_municipalities", "expect_compound_columns_to_be_unique(project_no, lg_code)",
           setv("project_municipalities", "project_no == 1 and municipality == '千歳市'", "lg_code", "012033")),
    # indicators
    Defect("indicator_count", "indicators", "expect_table_row_count_to_equal",
           drop("indicators", "project_no == 2 and indicator_no == 2")),
    Defect("indicator_key_duplicate", "schema_indicators", "expect_compound_columns_to_be_unique(project_no, indicator_no)",
           with_rows("indicators", _second_indicator_renumbered)),
    Defect("indicator_item_null", "schema_indicators", "expect_column_values_to_not_be_null(item)",
           setv("indicators", "project_no == 3", "item", None, nullable=True)),
    Defect("baseline_raw_null", "schema_indicators", "expect_column_values_to_not_be_null(baseline_raw)",
           setv("indicators", "project_no == 3", "baseline_raw", None, nullable=True)),
    Defect("target_raw_null", "schema_indicators", "expect_column_values_to_not_be_null(target_raw)",
           setv("indicators", "project_no == 3", "target_raw", None, nullable=True)),
    # quantity cells of indicators and KPIs
    Defect("quantity_raw_null", "schema_kpis", "expect_column_values_to_not_be_null(current_raw)",
           setv("kpis", "area_no == 2", "current_raw", None, nullable=True)),
    Defect("unit_unknown", "quantity_cells", "expect_column_values_to_be_in_set(unit)",
           setv("indicators", "target_unit == '回'", "target_unit", "ha")),
    Defect("year_out_of_range", "schema_indicators", "expect_column_values_to_be_between(target_year)",
           setv("indicators", "target_year == 2027", "target_year", 2050)),
    Defect("period_unknown", "schema_indicators", "expect_column_values_to_be_in_set(target_period)",
           setv("indicators", "target_period == 'every_year'", "target_period", "sometimes")),
    Defect("year_kind_unknown", "schema_kpis", "expect_column_values_to_be_in_set(target_year_kind)",
           setv("kpis", "area_no == 1", "target_year_kind", "decade")),
    Defect("comparator_unknown", "schema_indicators", "expect_column_values_to_be_in_set(target_comparator)",
           setv("indicators", "target_comparator == '>='", "target_comparator", "<=")),
    Defect("printed_cell_parsed_to_nothing", "quantity_cells", "expect_column_values_to_not_be_null(year)",
           with_rows("indicators", _lost_value), also=("raw=1回(毎年度)",)),
    Defect("dash_cell_with_value", "quantity_cells", "expect_column_values_to_be_null(value)",
           with_rows("indicators", _dash_with_value)),
    Defect("dash_cell_with_text", "quantity_cells", "expect_column_values_to_be_null(text)",
           with_rows("indicators", _dash_with_text)),
    # KPIs
    Defect("kpi_count", "kpis", "expect_table_row_count_to_equal", drop("kpis", "area_no == 1 and kpi_no == 2")),
    Defect("kpi_key_duplicate", "schema_kpis", "expect_compound_columns_to_be_unique(area_no, kpi_no)",
           setv("kpis", "area_no == 1 and kpi_no == 2", "kpi_no", 1)),
    Defect("kpi_area_range", "schema_kpis", "expect_column_values_to_be_between(area_no)",
           setv("kpis", "area_no == 3", "area_no", 0)),
    Defect("kpi_name_null", "schema_kpis", "expect_column_values_to_not_be_null(name)",
           setv("kpis", "area_no == 3", "name", None, nullable=True)),
    Defect("area_without_kpi", "kpi_coverage", "expect_column_values_to_be_between(n_kpis)",
           drop("kpis", "area_no == 3", all_rows=True)),
    # footnotes
    Defect("footnote_no_duplicate", "schema_footnotes", "expect_column_values_to_be_unique(footnote_no)",
           setv("footnotes", "footnote_no == 11", "footnote_no", 10)),
    Defect("footnote_unreferenced", "schema_footnotes", "expect_column_values_to_not_be_null(project_no)",
           setv("footnotes", "footnote_no == 11", "project_no", None, nullable=True)),
    Defect("footnote_term_null", "schema_footnotes", "expect_column_values_to_not_be_null(term)",
           setv("footnotes", "footnote_no == 11", "term", None, nullable=True)),
    Defect("footnote_text_null", "schema_footnotes", "expect_column_values_to_not_be_null(text)",
           setv("footnotes", "footnote_no == 11", "text", None, nullable=True)),
    Defect("footnote_gap", "footnote_numbering", "expect_column_values_to_be_between(gap)",
           drop("footnotes", "footnote_no == 12")),
    # references to projects
    Defect("dangling_project_no", "references", "expect_column_values_to_be_in_set(found)",
           setv("footnotes", "footnote_no == 11", "project_no", 99), also=("table=footnotes project_no=99",)),
    # overview excerpt
    Defect("overview_key_duplicate", "schema_overview", "expect_compound_columns_to_be_unique(area_no, row_no)",
           setv("overview", "area_no == 1 and row_no == 2", "row_no", 1)),
    Defect("overview_area_range", "schema_overview", "expect_column_values_to_be_between(area_no)",
           setv("overview", "area_no == 1 and row_no == 2", "area_no", 0)),
    Defect("overview_name_null", "schema_overview", "expect_column_values_to_not_be_null(name)",
           setv("overview", "area_no == 1 and row_no == 2", "name", None, nullable=True)),
    Defect("overview_unlinked", "schema_overview", "expect_column_values_to_not_be_null(project_no)",
           setv("overview", "area_no == 1 and row_no == 2", "project_no", None, nullable=True)),
]


def _run(build: Path, tmp_path: Path, **kwargs) -> tuple[int, str, dict]:
    stream = io.StringIO()
    out = tmp_path / "validation"
    code = run_validate(build, kwargs.pop("params", PARAMS), out, stream=stream, **kwargs)
    results = json.loads((out / "results.json").read_text(encoding="utf-8")) if (out / "results.json").exists() else {}
    return code, stream.getvalue(), results


@pytest.fixture
def good(plan_build, tmp_path) -> Path:
    """A private copy of the session's good build, to plant a defect in."""
    return copy_build(plan_build.path, tmp_path / "build")


# -- the good build ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def good_validation(plan_build, tmp_path_factory) -> tuple[int, str, Path]:
    out = tmp_path_factory.mktemp("validation")
    build = copy_build(plan_build.path, out / "build")
    stream = io.StringIO()
    code = run_validate(build, PARAMS, out / "validation", stream=stream)
    return code, stream.getvalue(), out / "validation"


def test_good_build_passes_every_expectation(good_validation):
    code, output, out = good_validation
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert code == 0, output
    assert "FAIL" not in output
    assert output.strip().splitlines()[-1].startswith("validate passed: ")
    assert results["success"] is True
    assert results["statistics"]["expectations_failed"] == 0
    assert all(status == "passed" for status in results["suites"].values())
    assert all(e["error"] is None for e in results["results"])  # no expectation raised (exception_info)
    assert results["parameters"]["budget_total"] == {"fiscal_year": 2024, "thousand_yen": 17567701}


def test_no_data_docs_and_every_path_printed_exists(good_validation):
    """Data Docs are not written (report.html lists every expectation offline); every file the summary
    line names exists."""
    _, output, out = good_validation
    assert not (out / "data_docs").exists()
    summary = output.strip().splitlines()[-1]
    assert "Data Docs" not in summary and "data_docs" not in summary
    named = [Path(word.rstrip(",;")) for word in summary.split() if word.rstrip(",;").endswith((".json", ".html"))]
    assert named and all(path.exists() for path in named), summary


def test_stale_data_docs_of_an_earlier_version_are_removed(good, tmp_path):
    stale = tmp_path / "validation" / "data_docs"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("old", encoding="utf-8")
    code, _, _ = _run(good, tmp_path, suites=["kpis"])
    assert code == 0 and not stale.exists()


def test_results_are_deterministic(good_validation, plan_build, tmp_path):
    """Same build, same results.json bytes: DVC sees no change when nothing changed."""
    _, _, out = good_validation
    code, _, _ = _run(copy_build(plan_build.path, tmp_path / "b"), tmp_path)
    assert code == 0
    assert (tmp_path / "validation" / "results.json").read_bytes() == (out / "results.json").read_bytes()


# -- one planted defect per expectation --------------------------------------------------------------
@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.id)
def test_planted_defect_is_caught(defect: Defect, good: Path, tmp_path: Path):
    defect.plant(good)
    code, output, results = _run(good, tmp_path, suites=[defect.suite])
    assert code == 1, output
    failed = [e for e in results["results"] if not e["success"]]
    matches = [e for e in failed if e["expectation"] == defect.label
               and (defect.position is None or e["position"] == defect.position)]
    assert matches, f"{defect.label} did not fail:\n{output}"
    assert all(e["error"] is None for e in matches), matches
    lines = [line for line in output.splitlines() if line.startswith(f"FAIL {defect.suite}: {defect.label}")]
    assert lines, output
    for text in defect.also:
        assert any(text in line for line in lines), f"{text!r} not in {lines}"
    assert "validate FAILED" in output.splitlines()[-1]


def test_every_expectation_has_a_defect_test():
    """Every hand-written expectation trips on a planted defect. The generated schema_* suites restate the
    schema (tests/test_schema_suites.py checks each rule against it); the defects above plant one per kind."""
    covered = {}
    for d in DEFECTS:
        covered.setdefault((d.suite, d.label), set()).add(d.position)
    from pipeline.checks.validate import _label

    missing = []
    for suite in load_suites(SUITES_DIR):
        if suite["name"].startswith("schema_"):
            continue
        labels = [_label(e) for e in suite["expectations"]]
        for position, label in enumerate(labels):
            positions = covered.get((suite["name"], label), set())
            ambiguous = labels.count(label) > 1
            if (position not in positions) if ambiguous else not positions:
                missing.append(f"{suite['name']}[{position}] {label}")
    assert not missing, "expectations without a planted-defect test: " + ", ".join(missing)


def test_defects_name_real_expectations():
    from pipeline.checks.validate import _label

    labels = {(suite["name"], i): _label(e) for suite in load_suites(SUITES_DIR)
              for i, e in enumerate(suite["expectations"])}
    for d in DEFECTS:
        assert (d.suite, d.label) in {(s, label) for (s, _), label in labels.items()}, d.id
        if d.position is not None:
            assert labels[(d.suite, d.position)] == d.label, d.id
    assert len({d.id for d in DEFECTS}) == len(DEFECTS)


# -- end to end through the CLI ---------------------------------------------------------------------
def test_cli_reports_cross_table_failures_and_exits_nonzero(good, tmp_path, capsys):
    """The whole run, as `python -m pipeline validate DIR`: a project loses a budget year."""
    from pipeline.cli import main

    drop("budgets", "project_no == 5 and fiscal_year == 2028")(good)
    code = main(["validate", str(good), "--params", str(PARAMS), "--out", str(tmp_path / "v")])
    output = capsys.readouterr().out
    assert code == 1
    assert "FAIL plan_period: expect_column_pair_values_to_be_equal(n_rows, plan_years)" in output
    assert "project_no=5" in output
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("validate FAILED: ") and "suites failed" in summary
    assert (tmp_path / "v" / "results.json").exists()


def test_revised_plan_fails_until_pins_are_reviewed(good, tmp_path):
    """A pinned value that no longer matches (as after a revision) fails loudly."""
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS.read_text(encoding="utf-8").replace("project_count: 53", "project_count: 54"),
                      encoding="utf-8")
    code, output, _ = _run(good, tmp_path, params=params, suites=["projects"])
    assert code == 1
    assert "FAIL projects: expect_table_row_count_to_equal [value=project_count=54] — observed 53" in output


def test_revised_sample_fails_on_the_pinned_total(revised_build, tmp_path):
    """The revised sample edition (no overview) changes budgets: only the pinned first-year total notices."""
    code, output, results = _run(copy_build(revised_build.path, tmp_path / "revised"), tmp_path)
    assert code == 1
    failed = [(e["suite"], e["expectation"]) for e in results["results"] if not e["success"]]
    assert failed == [("budgets", "expect_column_sum_to_be_between(amount_thousand_yen)")], output
    assert results["suites"]["schema_overview"].startswith("skipped")


def test_missing_table_fails(good, tmp_path):
    (good / "kpis.parquet").unlink()
    code, output, _ = _run(good, tmp_path, suites=["kpis", "kpi_coverage"])
    assert code == 1
    assert "FAIL kpis: frame — error: table kpis missing from the build" in output


def test_missing_column_is_a_failure_not_a_crash(good, tmp_path):
    """GX reports a broken expectation in exception_info with success False; validate prints it."""
    rewrite_without = pq.read_table(good / "footnotes.parquet").drop_columns(["term"])
    pq.write_table(rewrite_without, good / "footnotes.parquet")
    code, output, _ = _run(good, tmp_path, suites=["schema_footnotes"])
    assert code == 1
    assert "FAIL schema_footnotes: expect_column_values_to_not_be_null(term)" in output
    assert "error:" in output


def test_build_without_overview_skips_its_suite(good, tmp_path):
    (good / "overview.parquet").unlink()
    edit_metrics(good, lambda m: m["counts"].pop("overview"))
    code, output, results = _run(good, tmp_path, suites=["schema_overview", "references", "metrics_reconciliation"])
    assert code == 0, output
    assert results["suites"]["schema_overview"].startswith("skipped")
    assert "1 skipped" in output


def test_unknown_suite_and_missing_params_exit_2(good, tmp_path, capsys):
    assert run_validate(good, PARAMS, tmp_path / "v", suites=["nope"]) == 2
    assert run_validate(good, tmp_path / "missing.yaml", tmp_path / "v") == 2
    assert run_validate(tmp_path / "no-build", PARAMS, tmp_path / "v") == 2


def test_a_pinned_value_the_suites_need_is_missing_exit_2(good, tmp_path, capsys):
    """params.yaml of the old shape (fy2024_total_thousand_yen) or a budget_total without its year: one line,
    exit 2, nothing written."""
    for old, new in (("budget_total:", "budget_total_old:"), ("    fiscal_year: 2024", "    year: 2024")):
        params = tmp_path / "params.yaml"
        params.write_text(PARAMS.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert run_validate(good, params, tmp_path / "v") == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "suite budgets" in err and "budget_total" in err, err
        assert not (tmp_path / "v").exists()


def test_pins_of_another_year_are_data(good, tmp_path):
    """budget_total names its year: pinning another year's (null: no amount printed → sum 0) fails loudly,
    and the year appears in the printed line."""
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS.read_text(encoding="utf-8").replace("    fiscal_year: 2024", "    fiscal_year: 2026"),
                      encoding="utf-8")
    code, output, _ = _run(good, tmp_path, params=params, suites=["budgets"])
    assert code == 1 and "where fiscal_year == budget_total.fiscal_year=2026" in output, output


# -- derived frames ------------------------------------------------------------------------------------
class _Tables(dict):
    """In-memory stand-in for reconcile.Tables."""

    def json(self, name):
        return self[name]


def test_sequence_marks_gaps_and_repeats():
    frame = reconcile.sequence(_Tables(t=pd.DataFrame({"n": [1, 2, 2, 4]})), table="t", column="n", start=1)
    assert frame["gap"].tolist() == [0, 0, -1, 0]
    frame = reconcile.sequence(_Tables(t=pd.DataFrame({"n": [10, 11, 13]})), table="t", column="n")
    assert frame["gap"].tolist() == [0, 0, 1]


def test_sequence_of_distinct_values_per_group_and_letters():
    t = pd.DataFrame({"area": [1, 1, 1, 2, 2, 3], "field": [None, None, None, 1.0, 2.0, 1.0],
                      "letter": ["a", "b", "b", "a", "a", "a"]})
    tables = _Tables(t=t)
    areas = reconcile.sequence(tables, table="t", column="area", start=1, distinct=True)
    assert areas["gap"].tolist() == [0, 0, 0]
    letters = reconcile.sequence(tables, table="t", column="letter", start="a", group_by=["area", "field"],
                                 distinct=True)
    assert letters["gap"].tolist() == [0, 0, 0, 0, 0] and letters["expected"].tolist() == ["a", "b", "a", "a", "a"]
    t.loc[2, "letter"] = "d"  # area 1: a, b, d
    letters = reconcile.sequence(_Tables(t=t), table="t", column="letter", start="a", group_by=["area", "field"],
                                 distinct=True)
    assert letters["gap"].tolist() == [0, 0, 1, 0, 0, 0]
    fields = reconcile.sequence(_Tables(t=t.assign(field=[None, None, None, 1.0, 3.0, 1.0])), table="t",
                                column="field", start=1, group_by=["area"], distinct=True)
    assert fields["gap"].tolist() == [0, 1, 0]


def test_plan_years_compare_each_project_with_the_plan():
    b = pd.DataFrame({"p": [1, 1, 1, 2, 2, 2], "y": [2029, 2030, 2031, 2029, 2030, 2030]})
    frame = reconcile.plan_years(_Tables(b=b), table="b", key=["p"], column="y")
    assert frame.to_dict("list") == {"p": [1, 2], "n_rows": [3, 3], "n_years": [3, 2], "first_year": [2029, 2029],
                                     "last_year": [2031, 2030], "plan_years": [3, 3], "plan_first": [2029, 2029],
                                     "plan_last": [2031, 2031], "plan_span": [3, 3]}


def test_era_labels_read_back_their_year():
    b = pd.DataFrame({"y": [2019, 2019, 2020, 2019], "l": ["平成31年度", "令和元年度", "令和2年度", "R1"]})
    frame = reconcile.era_labels(_Tables(b=b), table="b", year="y", label="l")
    assert frame["l"].tolist() == ["R1", "令和元年度", "平成31年度", "令和2年度"]
    assert frame["label_year"].tolist()[1:] == [2019.0, 2019.0, 2020.0] and pd.isna(frame["label_year"][0])


def test_child_counts_fill_zero_for_childless_parents():
    tables = _Tables(p=pd.DataFrame({"k": [1, 2, 3]}), c=pd.DataFrame({"k": [1, 1, 3], "y": [5, 5, 6]}))
    frame = reconcile.child_counts(tables, parent={"table": "p"}, key=["k"],
                                   children={"n": {"table": "c"}, "d": {"table": "c", "distinct": "y"},
                                             "q": {"table": "c", "query": "y == 6"}})
    assert frame.to_dict("list") == {"k": [1, 2, 3], "n": [2, 0, 1], "d": [1, 0, 1], "q": [0, 0, 1]}


def test_metrics_reconciliation_pairs_both_sides():
    tables = _Tables(b=pd.DataFrame({"y": [2024, 2024, 2025, 2027], "v": [1.0, 2.0, float("nan"), 0.0]}),
                     m={"x": {"fy2024": 3, "fy2026": 0, "fy2027": 0}})
    frame = reconcile.metrics_reconciliation(tables, metrics_file="m", checks=[
        {"metric": "x", "table": "b", "sum": "v", "group_by": ["y"], "key": "fy{y}"}])
    rows = {r.metric: (r.reported, r.computed, r.reported_present, r.computed_present, r.difference)
            for r in frame.itertuples()}
    assert rows["x.fy2024"] == (3.0, 3.0, True, True, 0.0)
    # nothing printed in FY2025: the rows give null, metrics.json lacks the figure
    assert pd.isna(rows["x.fy2025"][1]) and rows["x.fy2025"][2:4] == (False, True)
    assert pd.isna(rows["x.fy2026"][1]) and rows["x.fy2026"][2:4] == (True, False)
    assert rows["x.fy2027"] == (0.0, 0.0, True, True, 0.0)  # a printed zero is 0


def test_metrics_reconciliation_null_for_unprinted():
    """A year whose amounts are all unprinted is null in metrics.json and in the rows: difference 0;
    reported as 0 instead, the difference is null (and fails validation)."""
    tables = _Tables(b=pd.DataFrame({"y": [2025, 2025], "v": [float("nan"), float("nan")]}),
                     good={"x": {"fy2025": None}, "t": None}, bad={"x": {"fy2025": 0}, "t": 0})
    checks = [{"metric": "x", "table": "b", "sum": "v", "group_by": ["y"], "key": "fy{y}"},
              {"metric": "t", "table": "b", "sum": "v"}]
    good = reconcile.metrics_reconciliation(tables, metrics_file="good", checks=checks)
    assert good["difference"].tolist() == [0.0, 0.0] and good["reported_present"].all()
    bad = reconcile.metrics_reconciliation(tables, metrics_file="bad", checks=checks)
    assert bad["difference"].isna().all()


def test_build_metrics_are_null_where_nothing_is_printed(plan_build):
    metrics = json.loads((plan_build.path / "metrics.json").read_text(encoding="utf-8"))
    budget = metrics["budget_thousand_yen"]
    assert budget["by_fiscal_year"] == {"fy2024": 17567701, "fy2025": None, "fy2026": None, "fy2027": None,
                                        "fy2028": None}
    assert budget["total"] == 17567701
    assert budget["by_area_fiscal_year"]["area1_fy2025"] is None
    assert budget["by_area_fiscal_year"]["area1_fy2024"] == 2221257


def test_build_metrics_printed_zero_is_zero():
    from pipeline.stages.normalize import metrics

    tables = {"projects": [{"project_no": 1, "area_no": 1}],
              "budgets": [{"project_no": 1, "fiscal_year": 2024, "amount_thousand_yen": 0},
                          {"project_no": 1, "fiscal_year": 2025, "amount_thousand_yen": None}]}
    budget = metrics(tables)["budget_thousand_yen"]
    assert budget == {"total": 0, "by_fiscal_year": {"fy2024": 0, "fy2025": None},
                      "by_area_fiscal_year": {"area1_fy2024": 0, "area1_fy2025": None}}


@pytest.mark.parametrize("dash", sorted(m for m in ("-", "‐", "‑", "–", "—", "―", "−", "ー")))
def test_every_no_value_dash_passes(dash: str, good: Path, tmp_path: Path):
    """A cell printed with any dash of pipeline.normalizers.quantity's one list parses to no value, and validate agrees
    (it once knew only three of them: a cell printed "–" failed `not_null(year)`)."""
    def mutate(df: pd.DataFrame) -> None:
        i = first(df, "baseline_value == baseline_value")  # a cell that had a value
        for column, value in parse_quantity(dash).as_columns("baseline").items():
            df[column] = df[column].astype(object)
            df.loc[i, column] = value
    rewrite(good, "indicators", mutate)
    code, output, _ = _run(good, tmp_path, suites=["quantity_cells"])
    assert code == 0, output
