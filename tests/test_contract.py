"""What another team adopts: datapackage.json that frictionless accepts, renkei.duckdb commented from the schema,
the data dictionary and the contract in docs/, the printed page beside every PDF page index."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.enforce import enforce
from schemas.fields import FIELDS
from schemas.generate import data_dictionary
from schemas.tables import FOREIGN_KEYS, TABLES

ROOT = Path(__file__).resolve().parent.parent


# -- fields ------------------------------------------------------------------------------------------
def test_every_field_has_an_example_that_fits_it():
    for table, spec in TABLES.items():
        frame = pd.DataFrame([{c: spec.field(c).example for c in spec.fields}])
        enforce(frame, table)  # type, constraints, non-null: raises SchemaError on a bad example
    assert all(f.example is not None for f in FIELDS.values())


def test_examples_are_values_of_the_plan(plan_build):
    """Each example of a column outside the quantity columns occurs in a table of the plan's build."""
    quantity = re.compile(r"^(baseline|target|current)_")
    for column, f in FIELDS.items():
        if quantity.match(column):
            continue
        values = set()
        for table, spec in TABLES.items():
            if column in spec.fields:
                values |= set(plan_build[table][column].dropna().tolist())
        assert f.example in values, f"{column}: example {f.example!r} is no value of the plan's build"


def test_indicators_say_what_the_plan_prints():
    texts = [TABLES["indicators"].description, TABLES["indicators"].description_ja,
             FIELDS["item"].description_ja, FIELDS["indicator_no"].description_ja]
    assert all("評価指標" in t and "成果指標" not in t for t in texts)
    assert "source" in FIELDS["table_id"].description_en and "source" in TABLES["cells"].description


def test_every_page_column_has_its_label():
    for table, spec in TABLES.items():
        for column in spec.fields:
            if column == "page" or column.endswith(("_page", "page_start", "page_end")):
                label = f"{column}_label"
                assert label in spec.fields, (table, column)
                assert spec.fields.index(label) == spec.fields.index(column) + 1, (table, label)
                assert spec.field(label).type == pa.string() and spec.field(label).nullable


def test_page_label_is_the_printed_number(plan_build):
    projects = plan_build["projects"]
    first = projects.loc[projects["page_start"] == 1, "page_start_label"].iloc[0]
    assert first == "61"  # PDF page 1 of the chapter is printed 「- 61 -」
    for table, spec in TABLES.items():
        frame = plan_build[table]
        for column in [c for c in spec.fields if c.endswith("_label") and "page" in c]:
            page = frame[column.removesuffix("_label")]
            label = frame[column]
            if table == "overview":
                assert label.isna().all()  # the excerpt prints no page numbers
                continue
            plan = frame["source"] == "plan" if "source" in frame.columns else pd.Series(True, index=frame.index)
            assert (label[plan].astype(int) == page[plan] + 60).all(), (table, column)
            if "source" in frame.columns:
                assert label[~plan].isna().all()


# -- datapackage.json --------------------------------------------------------------------------------
def test_datapackage_sources_licenses_foreign_keys(plan_build):
    package = json.loads((plan_build.path / "datapackage.json").read_text(encoding="utf-8"))
    manifest = json.loads((plan_build.path / "manifest.json").read_text(encoding="utf-8"))
    plan = next(s for s in package["sources"] if s["role"] == "plan")
    assert plan["publisher"] == "札幌市" and "第2期さっぽろ連携中枢都市圏ビジョン" in plan["title"]
    assert plan["sha256"] == manifest["sources"]["plan"]["sha256"] and plan["pages"] == 17
    assert package["licenses"] and package["licenses"][0]["name"] == "notspecified"
    keyed = {r["name"] for r in package["resources"] if r["schema"].get("foreignKeys")}
    assert keyed == set(FOREIGN_KEYS)


def _frictionless_errors(path: Path) -> list[str]:
    import frictionless  # pinned in requirements.lock: a missing one is a broken environment, a failure
    report = frictionless.validate(str(path / "datapackage.json"))
    return [f"{task.name}: {error.type}: {error.note}" for task in report.tasks for error in task.errors] + \
        [f"{error.type}: {error.note}" for error in report.errors]


def test_frictionless_accepts_the_build_as_published(plan_build):
    assert _frictionless_errors(plan_build.path) == []


def test_frictionless_sees_a_broken_build(plan_build, tmp_path):
    """The package is no blank cheque: a dangling project_no and a null in a required column are errors."""
    broken = tmp_path / "broken"
    shutil.copytree(plan_build.path, broken, ignore=shutil.ignore_patterns("*.duckdb", "validation"))
    table = pq.read_table(broken / "budgets.parquet")
    i = table.schema.get_field_index("project_no")
    table = table.set_column(i, table.schema.field(i), pa.array([999, *table.column(i).to_pylist()[1:]], pa.int16()))
    pq.write_table(table, broken / "budgets.parquet")
    table = pq.read_table(broken / "projects.parquet")
    i = table.schema.get_field_index("area_no")
    table = table.set_column(i, pa.field("area_no", pa.int8()), pa.array([None, *table.column(i).to_pylist()[1:]], pa.int8()))
    pq.write_table(table, broken / "projects.parquet")
    errors = _frictionless_errors(broken)
    assert any("foreign-key" in e and "999" in e for e in errors), errors
    assert any(e.startswith("projects: constraint-error") and "required" in e for e in errors), errors


# -- renkei.duckdb -----------------------------------------------------------------------------------
def test_duckdb_explains_itself(plan_build):
    import duckdb  # pinned in requirements.lock: a missing one is a broken environment, a failure
    con = duckdb.connect(str(plan_build.path / "renkei.duckdb"), read_only=True)
    try:
        columns = con.sql("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal "
                          "AND table_name IN (SELECT table_name FROM duckdb_tables())").fetchall()
        assert {(t, c) for t, c, _ in columns} == {(t, c) for t, s in TABLES.items() for c in s.fields}
        assert all(comment for _, _, comment in columns)
        tables = dict(con.sql("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        assert set(tables) == set(TABLES) and all(tables.values())
        counts = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        assert counts == {t: len(plan_build[t]) for t in TABLES}
        total = con.sql("SELECT sum(amount_thousand_yen) FROM budgets WHERE fiscal_year = 2024").fetchall()[0][0]
        assert total == plan_build["budgets"].query("fiscal_year == 2024")["amount_thousand_yen"].sum()
    finally:
        con.close()


def _view(con, query: str, *params):
    import pandas as pd

    return con.sql(query, params=list(params) or None).to_arrow_table().to_pandas(types_mapper=pd.ArrowDtype)


def test_municipality_projects_answers_a_partner_with_nulls_kept(plan_build):
    import duckdb

    con = duckdb.connect(str(plan_build.path / "renkei.duckdb"), read_only=True)
    try:
        ebetsu = _view(con, "SELECT * FROM municipality_projects WHERE municipality = '江別市'")
        comment = con.sql("SELECT comment FROM duckdb_views() WHERE view_name = 'municipality_projects'").fetchall()
        amount_comments = con.sql("SELECT comment FROM duckdb_columns() WHERE table_name = 'municipality_projects' "
                                  "AND column_name LIKE 'fy%'").fetchall()
    finally:
        con.close()
    partners = plan_build["project_municipalities"].query("municipality == '江別市'")
    assert sorted(ebetsu["project_no"]) == sorted(partners["project_no"])
    assert set(ebetsu["lg_code"]) == {"012173"}  # 江別市's 全国地方公共団体コード
    # The amount columns come from the build's fiscal years, one column each.
    years = sorted(plan_build["budgets"]["fiscal_year"].unique())
    assert [c for c in ebetsu.columns if c.startswith("fy")] == ([f"fy{y}_thousand_yen" for y in years]
                                                                 + [f"fy{y}_yen" for y in years])
    # Transcribed from the plan: project 2 (連携した企業誘致の推進) prints 1,198,011 千円 for 令和6年度; its
    # stable id beside its number, and the amount in yen as budgets has it.
    row = ebetsu.set_index("project_no").loc[2]
    assert row["project_name"] == "連携した企業誘致の推進" and row["fy2024_thousand_yen"] == 1198011
    assert row["project_id"] == "P002" and row["fy2024_yen"] == 1198011000
    ids = plan_build["projects"].set_index("project_no")["project_id"]
    assert (ebetsu.set_index("project_no")["project_id"] == ids.loc[ebetsu["project_no"]]).all()
    # "-" printed for the later years: null, never 0.
    assert ebetsu["fy2028_thousand_yen"].isna().all() and not (ebetsu["fy2028_thousand_yen"] == 0).any()
    budgets = plan_build["budgets"]
    for year in years:
        printed = budgets[(budgets["fiscal_year"] == year)].set_index("project_no")["amount_thousand_yen"]
        assert ebetsu.set_index("project_no")[f"fy{year}_thousand_yen"].isna().equals(
            printed.loc[ebetsu["project_no"]].isna())
        yen = budgets[(budgets["fiscal_year"] == year)].set_index("project_no")["amount_yen"]
        assert ebetsu.set_index("project_no")[f"fy{year}_yen"].astype("float64").equals(
            yen.loc[ebetsu["project_no"]].astype("float64"))
    # The view says that its amounts are the whole project's.
    assert "not the municipality's share" in comment[0][0] and "counts a shared project once per partner" in comment[0][0]
    assert len(amount_comments) == 2 * len(years)
    assert all("not the municipality's share" in c for (c,) in amount_comments[:len(years)])
    assert all("in yen" in c for (c,) in amount_comments[len(years):])


def test_the_helper_returns_the_view(plan_build):
    import duckdb

    from pipeline import municipality_projects

    con = duckdb.connect(str(plan_build.path / "renkei.duckdb"), read_only=True)
    try:
        view = _view(con, "SELECT * FROM municipality_projects")
        one = _view(con, "SELECT * FROM municipality_projects WHERE municipality = ?", "新篠津村")
    finally:
        con.close()
    pd.testing.assert_frame_equal(municipality_projects(plan_build.path), view)
    pd.testing.assert_frame_equal(municipality_projects(plan_build.path, "新篠津村"), one)
    assert len(view) == len(plan_build["project_municipalities"])  # one row per project × partner
    assert len(one) == (plan_build["project_municipalities"]["municipality"] == "新篠津村").sum() > 0


def test_the_database_is_sized_like_the_data(plan_build):
    size = (plan_build.path / "renkei.duckdb").stat().st_size
    assert size < 1_000_000, size  # 6.5 MB with DuckDB's default 256 KiB blocks


def test_a_rebuild_without_duckdb_drops_the_stale_one(tmp_path):
    from pipeline.stages.builddir import own_files
    from pipeline.stages.database import DUCKDB_NAME

    assert DUCKDB_NAME in own_files({"row_counts": {}})


# -- docs --------------------------------------------------------------------------------------------
def test_the_dictionary_names_every_column():
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert text == data_dictionary()
    for table, spec in TABLES.items():
        section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]
        for column in spec.fields:
            assert f"| `{column}` |" in section, (table, column)


def test_docs_link_only_inside_the_repository():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/" not in text, path
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://")):
                continue
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/data-contract.md" in readme and "docs/data-dictionary.md" in readme
