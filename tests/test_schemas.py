"""Contract schemas (schemas/) and enforce()."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from schemas.enforce import SchemaError, enforce
from schemas.fields import (CONSTRAINTS, DERIVED, FIELDS, FROM_PROJECT, IDENTITY, POSITION, PROVENANCE, PROVENANCE_PARTS, QUANTITY_PREFIXES,
                            QUANTITY_SUFFIXES, Field, location_fields, provenance, quantity_fields)
from schemas.tables import (CONTRACT_VERSION, NATURAL_KEY, TABLES, arrow_schema, column_role, columns_of_role,
                            datapackage, located_columns, page_label_columns)

BOX = ["x0", "top", "x1", "bottom"]
EXPECTED_COLUMNS = {
    "projects": [
        "project_no", "name", "summary", "area_no", "area_title", "field_no", "field_title",
        "category_code", "category_title", "municipalities_raw", "page_start", "page_start_label", "page_end",
        "page_end_label", "table_id", "project_id", "name_page", "name_page_label", "name_table_id", "name_row",
        "name_col", "name_x0", "name_top", "name_x1", "name_bottom",
    ],
    "project_municipalities": [
        "project_no", "project_id", "municipality", "lg_code", "list_order", "page", "page_label", "table_id",
        "row", "col", *BOX,
    ],
    "responsibilities": [
        "project_no", "project_id", "party", "role", "cost_share", "role_page", "role_page_label",
        "role_table_id", "role_row", "role_col", "role_x0", "role_top", "role_x1", "role_bottom",
        "cost_share_page", "cost_share_page_label", "cost_share_table_id", "cost_share_row", "cost_share_col",
        "cost_share_x0", "cost_share_top", "cost_share_x1", "cost_share_bottom",
    ],
    "budgets": [
        "project_no", "project_id", "fiscal_year", "era_label", "raw", "amount_thousand_yen", "amount_yen", "note",
        "page", "page_label", "table_id", "row", "col", "colspan", *BOX,
    ],
    "footnotes": ["footnote_no", "term", "text", "project_no", "project_id", "page", "page_label", *BOX],
    "overview": ["area_no", "row_no", "name", "summary", "project_no", "project_id", "page", "page_label",
                 "table_id", "row", "col", *BOX],
    "cells": [
        "source", "page", "page_label", "table_id", "row", "col", "rowspan", "colspan", "text", "marks",
        *BOX,
    ],
}

NULLABLE = {
    "projects": {"field_no", "field_title", "page_start_label", "page_end_label", "name_page_label"},
    "budgets": {"amount_thousand_yen", "amount_yen", "note", "page_label"},
    "footnotes": {"page_label"},
    "overview": {"page_label"},
    "cells": {"marks", "page_label"},
}


def _value(name: str, typ: pa.DataType, i: int):
    c = CONSTRAINTS.get(name, {})
    if "enum" in c:
        return c["enum"][0]
    if "maximum" in c:
        low = c.get("minimum", 0)
        return low + i % (c["maximum"] - low + 1)
    if name == "lg_code":
        return f"{12033 + i:06d}"
    if name == "project_id":
        return f"P{i + 1:03d}"
    if c.get("pattern") == "[a-z]":
        return chr(ord("a") + i % 26)
    if pa.types.is_integer(typ):
        return i + 1
    if pa.types.is_floating(typ):
        return 10.5 * (i + 1)
    return f"{name}の値{i}"


def good_frame(table: str, n: int = 3) -> pd.DataFrame:
    """A valid frame for ``table``, rows in descending key order (so sorting is visible)."""
    schema = arrow_schema(table)
    rows = range(n - 1, -1, -1)
    return pd.DataFrame({f.name: [_value(f.name, f.type, i) for i in rows] for f in schema})


# ---------------------------------------------------------------------------- fields / tables


def test_fields_shape_and_descriptions():
    for name, f in FIELDS.items():
        typ, nullable, ja, en, unit, example, role = f  # a 7-tuple
        assert isinstance(typ, pa.DataType), name
        assert isinstance(nullable, bool), name
        assert ja.strip() and en.strip(), name
        assert any(ord(ch) > 0x3000 for ch in ja), f"{name}: description_ja has no Japanese"
        assert "{" not in ja + en, name


# ---------------------------------------------------------------------------- column roles


def test_every_column_has_at_most_one_role():
    """Each column of each table is the natural key, provenance, a position, derived, or plain data: a
    natural-key column has no field role of its own, and every role is one the consumers know."""
    for name, spec in TABLES.items():
        for column in spec.fields:
            field_role = FIELDS[column].role
            in_key = bool(spec.natural_key) and column in spec.natural_key
            assert not (in_key and field_role is not None), (name, column)
            role = column_role(name, column)
            assert role is None or role.kind in (NATURAL_KEY, PROVENANCE, POSITION, DERIVED, IDENTITY,
                                                 FROM_PROJECT), (name, column)
            if role is not None and role.kind == PROVENANCE:
                assert role.part in PROVENANCE_PARTS, (name, column)


def test_indicators_carry_their_projects_area_which_the_diff_compares_in_projects_only(plan_build):
    """indicators.area_no is the project's area_no (a from_project column): equal row by row, and not an edit
    of the indicator when a project moves (the projects table reports it once)."""
    from pipeline.diff.compare import is_compared

    assert column_role("indicators", "area_no").kind == FROM_PROJECT
    merged = plan_build["indicators"].merge(plan_build["projects"][["project_no", "area_no"]], on="project_no",
                                            suffixes=("", "_of_project"))
    assert len(merged) == len(plan_build["indicators"]) and merged["area_no"].notna().all()
    assert (merged["area_no"] == merged["area_no_of_project"]).all()
    assert is_compared("projects", "area_no") and not is_compared("indicators", "area_no")


def test_derived_columns_name_a_printed_source_in_their_table():
    for name, spec in TABLES.items():
        for column in columns_of_role(name, DERIVED):
            source = FIELDS[column].role.of
            assert source in spec.fields, (name, column, source)
            source_role = column_role(name, source)
            # read from what was printed: plain data or the natural key, never from another reading
            assert source_role is None or source_role.kind == NATURAL_KEY, (name, column, source)


def test_derived_roles_transcribed():
    """The readings the brief names, checked against the declaration (by hand, not copied from it)."""
    for column in ("amount_thousand_yen", "amount_yen", "note"):
        assert FIELDS[column].role.kind == DERIVED and FIELDS[column].role.of == "raw", column
    assert FIELDS["raw"].role is None and FIELDS["lg_code"].role.of == "municipality"
    for prefix in QUANTITY_PREFIXES:
        for suffix in ("value", "unit", "canonical_value", "canonical_unit", "year", "year_kind", "period",
                       "comparator", "text"):
            role = FIELDS[f"{prefix}_{suffix}"].role
            assert role.kind == DERIVED and role.of == f"{prefix}_raw", (prefix, suffix)
        assert FIELDS[f"{prefix}_raw"].role is None


def test_page_columns_come_with_their_label():
    """Every page column of every table has the label column that names it, in the same table."""
    labels = page_label_columns()
    for name, spec in TABLES.items():
        pages = [c for c in spec.fields
                 if (r := FIELDS[c].role) is not None and r.kind == PROVENANCE and r.part == "page"]
        assert pages, name
        for page in pages:
            label = next(lab for lab, of in labels.items() if of == page)
            assert label in spec.fields, (name, page)
    assert labels["page_label"] == "page" and labels["role_page_label"] == "role_page"


def test_natural_keys():
    assert {n: t.natural_key for n, t in TABLES.items()} == {
        "projects": (), "project_municipalities": ("municipality",), "responsibilities": ("party",),
        "budgets": ("fiscal_year",), "indicators": ("item",), "kpis": ("name",), "footnotes": ("term",),
        "overview": None, "cells": None}


def test_enforce_names_the_location_from_roles():
    """A refused row is located by the table's provenance roles: indicators by page, table and row."""
    assert located_columns("indicators") == [
        {"page": "page", "table": "table_id", "row": "row", "col": "col"},
        *({"page": f"{p}_page", "table": f"{p}_table_id", "row": f"{p}_row", "col": f"{p}_col"}
          for p in ("baseline", "target"))]
    assert [sorted(g) for g in located_columns("responsibilities")] == [["col", "page", "row", "table"]] * 2
    frame = good_frame("indicators", 1)
    frame["target_year"] = 1999
    with pytest.raises(SchemaError, match=r"\(page 1, table table_idの値0, row 1, col 1\)$"):
        enforce(frame, "indicators")
    frame = good_frame("responsibilities", 1)
    frame["party"] = "北海道"
    frame["role_page"] = None  # no role cell: the cost-share cell locates the row
    frame["role_table_id"] = None
    frame["role_row"] = None
    frame["role_col"] = None
    with pytest.raises(SchemaError, match=r"\(page 1, table cost_share_table_idの値0, row 1, col 1\)$"):
        enforce(frame, "responsibilities")


def test_a_new_provenance_column_is_one_declaration(monkeypatch):
    """Declaring a field with a provenance role is all it takes: normalize fills a new page label, and the
    diff does not compare a new provenance column."""
    from pipeline.diff.compare import is_compared
    from pipeline.stages.normalize import add_page_labels

    monkeypatch.setitem(FIELDS, "target_page", Field(pa.int16(), False, "目標値のページ", "Page of the target", None,
                                                     3, provenance("page", "target_raw")))
    monkeypatch.setitem(FIELDS, "target_page_label", Field(pa.string(), True, "目標値の印字ページ", "Printed page",
                                                           None, "63", provenance("page_label", "target_page")))
    monkeypatch.setitem(FIELDS, "target_table_id", Field(pa.string(), False, "目標値の表", "Table of the target",
                                                         None, "p001-t01", provenance("table", "target_raw")))
    rows = {"indicators": [{"page": 1, "target_page": 2}]}
    add_page_labels(rows, {"plan": {1: "61", 2: "62"}})
    assert rows["indicators"] == [{"page": 1, "target_page": 2, "page_label": "61", "target_page_label": "62"}]
    for column in ("target_page", "target_page_label", "target_table_id"):
        assert not is_compared("indicators", column), column
    assert is_compared("indicators", "target_raw") and is_compared("indicators", "target_value")


def test_quantity_fields():
    for prefix, word in [("baseline", "基準値"), ("target", "目標値"), ("current", "現状値")]:
        cols = quantity_fields(prefix)
        assert cols == [f"{prefix}_{s}" for s in QUANTITY_SUFFIXES]
        assert len(cols) == 10
        for c in cols:
            assert FIELDS[c].nullable == (c != f"{prefix}_raw")
            assert word in FIELDS[c].description_ja
        assert FIELDS[f"{prefix}_year"].type == pa.int16()
        assert FIELDS[f"{prefix}_canonical_value"].type == pa.float64()


@pytest.mark.parametrize("table", list(TABLES))
def test_arrow_schema_builds(table):
    spec = TABLES[table]
    schema = arrow_schema(table)
    assert schema.names == spec.fields
    if table in EXPECTED_COLUMNS:
        assert schema.names == EXPECTED_COLUMNS[table]
    for f in schema:
        assert f.metadata[b"description_ja"].decode() and f.metadata[b"description_en"].decode()
        assert f.type == FIELDS[f.name].type
        if f.name in spec.primary_key:
            assert not f.nullable
    nullable = {f.name for f in schema if f.nullable}
    if table in NULLABLE:
        assert nullable == NULLABLE[table]
    md = schema.metadata
    assert json.loads(md[b"primary_key"]) == spec.primary_key
    assert md[b"contract_version"] == CONTRACT_VERSION.encode() == b"2"
    assert md[b"description"].decode() == spec.description


def test_indicator_and_kpi_columns():
    assert arrow_schema("indicators").names == [
        "project_no", "project_id", "area_no", "indicator_no", "item", *quantity_fields("baseline"),
        *quantity_fields("target"), "page", "page_label", "table_id", "row", "col", "x0", "top", "x1", "bottom",
        *location_fields("baseline"), *location_fields("target"),
    ]
    assert arrow_schema("kpis").names == [
        "area_no", "kpi_no", "name", *quantity_fields("current"), *quantity_fields("target"),
        "page", "page_label", "table_id", "row", "col", "x0", "top", "x1", "bottom",
        *location_fields("current"), *location_fields("target"),
    ]
    assert location_fields("baseline") == [
        "baseline_page", "baseline_page_label", "baseline_table_id", "baseline_row", "baseline_col",
        "baseline_x0", "baseline_top", "baseline_x1", "baseline_bottom"]
    assert arrow_schema("kpis").field("kpi_no").type == pa.int8()
    assert arrow_schema("budgets").field("amount_yen").type == pa.int64()


def test_primary_keys():
    assert {n: t.primary_key for n, t in TABLES.items()} == {
        "projects": ["project_no"],
        "project_municipalities": ["project_no", "municipality"],
        "responsibilities": ["project_no", "party"],
        "budgets": ["project_no", "fiscal_year"],
        "indicators": ["project_no", "indicator_no"],
        "kpis": ["area_no", "kpi_no"],
        "footnotes": ["footnote_no"],
        "overview": ["area_no", "row_no"],
        "cells": ["source", "table_id", "row", "col"],
    }


def test_datapackage():
    dp = datapackage(["cells", "projects"])
    json.dumps(dp, ensure_ascii=False)
    assert [r["name"] for r in dp["resources"]] == ["projects", "cells"]  # contract order
    res = dp["resources"][0]
    assert res["path"] == "projects.parquet"
    assert res["schema"]["primaryKey"] == ["project_no"]
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert list(fields) == TABLES["projects"].fields
    assert fields["project_no"]["type"] == "integer"
    assert fields["name"]["type"] == "string"
    assert fields["project_no"]["description"] == FIELDS["project_no"].description_en
    assert fields["field_no"]["constraints"]["required"] is False
    assert fields["project_no"]["constraints"]["required"] is True
    cells = {f["name"]: f for f in dp["resources"][1]["schema"]["fields"]}
    assert cells["x0"]["type"] == "number"
    assert cells["source"]["constraints"]["enum"] == ["plan", "overview"]
    with pytest.raises(KeyError):
        datapackage(["nope"])


# ---------------------------------------------------------------------------- enforce: good


@pytest.mark.parametrize("table", list(TABLES))
def test_good_frame_round_trips(table):
    df = good_frame(table)
    t = enforce(df, table)
    assert t.schema.equals(arrow_schema(table), check_metadata=True)
    assert t.num_rows == len(df)
    key = TABLES[table].primary_key
    rows = t.to_pylist()
    assert [tuple(r[k] for k in key) for r in rows] == sorted(tuple(r[k] for k in key) for r in rows)
    # same content as the frame, in key order
    assert rows == df.iloc[::-1].to_dict("records")
    # row order and column order of the input do not matter
    shuffled = df.sample(frac=1, random_state=1)[list(reversed(df.columns))]
    assert enforce(shuffled, table).equals(t, check_metadata=True)


def test_empty_frame():
    df = pd.DataFrame({c: [] for c in TABLES["budgets"].fields})
    t = enforce(df, "budgets")
    assert t.num_rows == 0 and t.schema.equals(arrow_schema("budgets"), check_metadata=True)


STRING_DTYPES = [object, "string", "string[pyarrow]", "str", pd.ArrowDtype(pa.string())]


@pytest.mark.parametrize("dtype", STRING_DTYPES, ids=str)
def test_string_dtypes(dtype):
    df = good_frame("cells")
    df["marks"] = pd.Series(["1,2", None, "3"], dtype=dtype)
    df["text"] = pd.Series(["a", "", "日本語"], dtype=dtype)
    t = enforce(df, "cells")
    assert t.column("marks").to_pylist() == ["3", None, "1,2"]
    assert t.column("text").to_pylist() == ["日本語", "", "a"]


def test_nan_is_null_in_object_string_column():
    df = good_frame("cells")
    df["marks"] = pd.Series(["1", np.nan, pd.NA], dtype=object)
    assert enforce(df, "cells").column("marks").to_pylist() == [None, None, "1"]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([1.0, np.nan, 3.0]),
        pd.Series([1, None, 3], dtype=object),
        pd.Series([np.int64(1), np.nan, 3.0], dtype=object),
        pd.Series([1, pd.NA, 3], dtype=object),
        pd.Series([1, None, 3], dtype=pd.ArrowDtype(pa.int64())),
        pd.Series([1, None, 3], dtype="int64[pyarrow]"),
    ],
    ids=["Int64", "float-nan", "object-None", "object-mixed", "object-NA", "arrow", "int64[pyarrow]"],
)
def test_nullable_int_inputs(values):
    df = good_frame("budgets")
    df["amount_thousand_yen"] = values
    t = enforce(df, "budgets")
    # rows come out reversed (sorted by key)
    assert t.column("amount_thousand_yen").to_pylist() == [3, None, 1]
    assert t.column("amount_thousand_yen").type == pa.int64()


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, 2, 3], dtype="int64"),
        pd.Series([1, 2, 3], dtype="Int16"),
        pd.Series([1.0, 2.0, 3.0]),
        pd.Series([1, 2, 3], dtype="uint8"),
        pd.Series([1, 2, 3], dtype=pd.ArrowDtype(pa.int32())),
    ],
    ids=str,
)
def test_int_columns_from_other_int_and_integral_float(values):
    df = good_frame("cells")
    df["rowspan"] = values
    assert enforce(df, "cells").column("rowspan").to_pylist() == [3, 2, 1]


def test_float_column_accepts_ints_and_float32():
    df = good_frame("cells")
    df["x0"] = [1, 2, 3]
    df["top"] = pd.Series([1.5, 2.5, 3.5], dtype="float32")
    df["x1"] = pd.Series([1, 2, 3], dtype=object)
    t = enforce(df, "cells")
    assert t.column("x0").to_pylist() == [3.0, 2.0, 1.0]
    assert t.column("top").to_pylist() == [3.5, 2.5, 1.5]
    assert t.column("x1").type == pa.float64()


def test_categorical_string_column():
    df = good_frame("responsibilities")
    df["party"] = pd.Categorical(["札幌市", "連携市町村", "札幌市"])
    assert enforce(df, "responsibilities").column("party").to_pylist() == ["札幌市", "連携市町村", "札幌市"]


def test_string_keys_sort_by_code_point():
    df = good_frame("project_municipalities", n=3)
    df["project_no"] = 1
    df["municipality"] = ["石狩市", "小樽市", "江別市"]
    t = enforce(df, "project_municipalities")
    assert t.column("municipality").to_pylist() == sorted(["石狩市", "小樽市", "江別市"])


def test_index_is_ignored():
    df = good_frame("footnotes").set_index(pd.Index(["x", "y", "z"]))
    assert enforce(df, "footnotes").num_rows == 3


# ---------------------------------------------------------------------------- enforce: defects


def _refused(df: pd.DataFrame, table: str, column: str) -> str:
    with pytest.raises(SchemaError) as ei:
        enforce(df, table)
    msg = str(ei.value)
    assert "\n" not in msg
    assert repr(table) in msg, msg
    assert repr(column) in msg, msg
    return msg


def test_schema_error_is_value_error():
    assert issubclass(SchemaError, ValueError)


def test_refuses_unknown_table():
    with pytest.raises(SchemaError):
        enforce(good_frame("cells"), "nope")


def test_refuses_missing_column():
    msg = _refused(good_frame("projects").drop(columns=["summary"]), "projects", "summary")
    assert "missing" in msg


def test_refuses_missing_column_hint_for_index():
    df = good_frame("footnotes").set_index("footnote_no")
    assert "reset_index" in _refused(df, "footnotes", "footnote_no")


def test_refuses_extra_column():
    df = good_frame("projects")
    df["surprise"] = 1
    assert "extra" in _refused(df, "projects", "surprise")


def test_refuses_duplicated_column_name():
    df = good_frame("footnotes")
    df = pd.concat([df, df[["term"]]], axis=1)
    _refused(df, "footnotes", "term")


@pytest.mark.parametrize("dtype", [object, "str", "string", "string[pyarrow]"], ids=str)
def test_refuses_strings_in_int_column(dtype):
    df = good_frame("projects")
    df["page_start"] = pd.Series(["1", "2", "x"], dtype=dtype)
    _refused(df, "projects", "page_start")


def test_refuses_mixed_object_int_column():
    df = good_frame("projects")
    df["page_start"] = pd.Series([1, "2", 3], dtype=object)
    msg = _refused(df, "projects", "page_start")
    assert "'2'" in msg and "index 1" in msg


@pytest.mark.parametrize(
    "values",
    [pd.Series([1.0, 2.5, 3.0]), pd.Series([1, 2.5, 3], dtype=object), pd.Series([1.0, np.inf, 3.0])],
    ids=["float64", "object", "inf"],
)
def test_refuses_fractional_float_in_int_column(values):
    df = good_frame("budgets")
    df["amount_thousand_yen"] = values
    _refused(df, "budgets", "amount_thousand_yen")


@pytest.mark.parametrize(
    "table,column,value",
    [
        ("projects", "area_no", 128),
        ("projects", "area_no", -129),
        ("projects", "page_start", 32768),
        ("cells", "page", 40000),
        ("kpis", "kpi_no", 300),
    ],
)
@pytest.mark.parametrize("container", ["int64", "object", "float64", "Int64", "arrow"])
def test_refuses_out_of_range(table, column, value, container):
    df = good_frame(table)
    vals = [1, value, 2]
    df[column] = {
        "int64": lambda: pd.Series(vals, dtype="int64"),
        "object": lambda: pd.Series(vals, dtype=object),
        "float64": lambda: pd.Series(vals, dtype="float64"),
        "Int64": lambda: pd.Series(vals, dtype="Int64"),
        "arrow": lambda: pd.Series(vals, dtype=pd.ArrowDtype(pa.int64())),
    }[container]()
    assert "out of range" in _refused(df, table, column)


def test_int8_bounds_accepted():
    df = good_frame("kpis")
    df["area_no"] = [1, 1, 1]
    df["kpi_no"] = [-128, 0, 127]
    assert enforce(df, "kpis").column("kpi_no").to_pylist() == [-128, 0, 127]


def test_refuses_uint64_out_of_range():
    df = good_frame("cells")
    df["row"] = pd.Series([0, 2**64 - 1, 1], dtype="uint64")
    _refused(df, "cells", "row")


def test_refuses_huge_int_in_float_column():
    df = good_frame("cells")
    df["x0"] = pd.Series([0, 2**53 + 1, 1], dtype="int64")
    _refused(df, "cells", "x0")


def test_refuses_bool_in_int_column():
    df = good_frame("cells")
    df["rowspan"] = [True, False, True]
    _refused(df, "cells", "rowspan")
    df["rowspan"] = pd.Series([1, True, 1], dtype=object)
    _refused(df, "cells", "rowspan")


@pytest.mark.parametrize("values", [[1, 2, 3], pd.Series(["a", 2, "c"], dtype=object), [1.5, 2.5, 3.5]])
def test_refuses_numbers_in_string_column(values):
    df = good_frame("projects")
    df["name"] = values
    _refused(df, "projects", "name")


def test_refuses_strings_in_float_column():
    df = good_frame("cells")
    df["top"] = ["1.0", "2.0", "3.0"]
    _refused(df, "cells", "top")


@pytest.mark.parametrize(
    "table,column,null",
    [
        ("projects", "name", None),
        ("projects", "summary", np.nan),
        ("projects", "area_no", None),
        ("cells", "x0", np.nan),
        ("cells", "text", pd.NA),
        ("budgets", "era_label", None),
        ("indicators", "baseline_raw", None),
        ("kpis", "target_raw", None),
    ],
)
def test_refuses_null_in_non_nullable(table, column, null):
    df = good_frame(table)
    df[column] = df[column].astype(object)
    df.loc[1, column] = null
    assert "null" in _refused(df, table, column)


def test_refuses_null_in_non_nullable_string_dtype():
    df = good_frame("projects")
    df["name"] = pd.Series(["a", None, "c"], dtype="str")
    _refused(df, "projects", "name")


def test_nullable_columns_accept_nulls():
    df = good_frame("indicators")
    for c in quantity_fields("baseline")[1:]:
        df[c] = None
    t = enforce(df, "indicators")
    assert t.column("baseline_value").null_count == 3


@pytest.mark.parametrize(
    "table,column",
    [("projects", "project_no"), ("budgets", "fiscal_year"), ("cells", "table_id"), ("overview", "row_no")],
)
def test_refuses_null_primary_key(table, column):
    df = good_frame(table)
    df[column] = df[column].astype(object)
    df.loc[0, column] = None
    _refused(df, table, column)


@pytest.mark.parametrize("table", list(TABLES))
def test_refuses_duplicate_primary_key(table):
    df = good_frame(table)
    df = pd.concat([df, df.iloc[[1]]], ignore_index=True)
    msg = _refused(df, table, TABLES[table].primary_key[0])
    assert "duplicate" in msg
    for k in TABLES[table].primary_key:
        assert repr(k) in msg


def test_duplicate_in_one_key_column_is_fine():
    df = good_frame("budgets", n=2)
    df["project_no"] = [7, 7]
    df["fiscal_year"] = [2025, 2024]
    t = enforce(df, "budgets")
    assert t.column("fiscal_year").to_pylist() == [2024, 2025]


@pytest.mark.parametrize(
    "table,column,value",
    [
        ("responsibilities", "party", "北海道"),
        ("cells", "source", "Plan"),
        ("project_municipalities", "lg_code", "12033"),
        ("project_municipalities", "lg_code", "0120334"),
        ("indicators", "target_year_kind", "fy"),
        ("kpis", "current_period", "always"),
    ],
)
def test_refuses_constraint_violations(table, column, value):
    df = good_frame(table)
    df[column] = df[column].astype(object)
    df.loc[2, column] = value
    _refused(df, table, column)


def test_a_budget_cell_merged_over_two_years_is_as_the_dictionary_says(plan_build):
    """No. 53's 0(共同撮影の実施) spans FY2024–2025: both years repeat the text, only the first has the amount
    (the descriptions of raw and amount_thousand_yen say so)."""
    b = plan_build["budgets"].query("project_no == 53").set_index("fiscal_year")
    assert b.loc[2024, "raw"] == b.loc[2025, "raw"] == "0(共同撮影の実施)"
    assert b.loc[2024, "colspan"] == b.loc[2025, "colspan"] == 2
    assert b.loc[2024, "amount_thousand_yen"] == 0 and pd.isna(b.loc[2025, "amount_thousand_yen"])
    assert pd.isna(b.loc[2025, "amount_yen"]) and b.loc[2025, "note"] == "共同撮影の実施"
    assert "No. 53" in FIELDS["raw"].description_en and "first year only" in FIELDS["amount_thousand_yen"].description_en
