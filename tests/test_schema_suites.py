"""The schema-level suites (expectations/schema_<table>.json) and docs/data-dictionary.md are generated from
the schema and current; every rule of those suites follows from the schema, so `build` (which enforces the
schema before it writes a table) can never write a dataset that they would reject. The hand-written suites
keep only what the schema cannot say (pinned, edition-specific values, cross-column, cross-table and document
rules): a schema-level rule there is a second copy of a fact and fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from schemas.enforce import SchemaError, enforce
from schemas.fields import CONSTRAINTS
from schemas.generate import REGENERATE, SUITE_PREFIX, schema_suite, stale_files
from schemas.tables import TABLES

SUITES = sorted((Path(__file__).resolve().parent.parent / "expectations").glob("*.json"))
GENERATED = [p for p in SUITES if p.name.startswith(SUITE_PREFIX)]
HAND_WRITTEN = [p for p in SUITES if not p.name.startswith(SUITE_PREFIX)]
# Rules about more than one column, the whole table, or a pinned value: validate's job, not the schema's.
DOCUMENT_RULES = {
    "expect_table_row_count_to_equal", "expect_column_sum_to_be_between", "expect_column_pair_values_to_be_in_set",
    "expect_column_pair_values_to_be_equal", "expect_column_pair_values_a_to_be_greater_than_b",
}

# Unique column sets that are not the key: they hold because of a document rule validate checks.
DOCUMENT_KEYS = {
    # one code per municipality: the (municipality, lg_code) pairs are checked against params' reviewed list
    ("project_municipalities", ("project_no", "lg_code")),
}


def _is_parameter(value) -> bool:
    return isinstance(value, dict) and "$PARAMETER" in value


def _table_rules(paths) -> list[tuple[str, str, dict]]:
    rules = []
    for path in paths:
        suite = json.loads(path.read_text(encoding="utf-8"))
        frame = suite["meta"]["frame"]
        if "derive" in frame:
            continue  # a derived frame (counts, sequences, references): a document rule
        for expectation in suite["expectations"]:
            rules.append((frame["table"], expectation["type"], expectation["kwargs"]))
    return rules


RULES = _table_rules(GENERATED)
HAND_RULES = _table_rules(HAND_WRITTEN)


def test_generated_files_are_current():
    stale = stale_files()
    assert not stale, f"generated from schemas/ but out of date: {', '.join(stale)}; run `{REGENERATE}`"


def test_every_table_has_its_generated_suite():
    assert sorted(p.stem for p in GENERATED) == sorted(f"{SUITE_PREFIX}{name}" for name in TABLES)
    assert schema_suite("overview")["meta"]["optional"] is True  # a build without the excerpt skips it


def _implied(table: str, kind: str, kwargs: dict) -> str | None:
    """None when the schema implies the rule, else why not."""
    spec = TABLES[table]
    column = kwargs.get("column")
    constraint = CONSTRAINTS.get(column, {}) if column else {}
    if "row_condition" in kwargs or kind in DOCUMENT_RULES:
        return None if kind in DOCUMENT_RULES or "row_condition" in kwargs else "?"
    if kind == "expect_column_values_to_be_unique":
        return None if spec.primary_key == [column] else f"{column} is not the key {spec.primary_key}"
    if kind == "expect_compound_columns_to_be_unique":
        if (table, tuple(kwargs["column_list"])) in DOCUMENT_KEYS:
            return None
        return None if set(kwargs["column_list"]) >= set(spec.primary_key) else \
            f"{kwargs['column_list']} is not (a superset of) the key {spec.primary_key}"
    if kind == "expect_column_values_to_not_be_null":
        return None if not spec.field(column).nullable else f"{column} is nullable in the schema"
    if kind == "expect_column_values_to_be_in_set":
        if _is_parameter(kwargs["value_set"]):
            return None  # a reviewed list from params (the partner municipalities): validate checks it
        enum = constraint.get("enum")
        return None if enum is not None and set(enum) <= set(kwargs["value_set"]) else \
            f"{column} has no enum within {kwargs['value_set']}"
    if kind == "expect_column_values_to_be_between":
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if _is_parameter(low) or _is_parameter(high):
            return None
        ok_low = low is None or ("minimum" in constraint and constraint["minimum"] >= low) or \
            ("enum" in constraint and min(constraint["enum"]) >= low)
        ok_high = high is None or ("maximum" in constraint and constraint["maximum"] <= high) or \
            ("enum" in constraint and max(constraint["enum"]) <= high)
        return None if ok_low and ok_high else f"{column} has no schema range within [{low}, {high}]"
    if kind == "expect_column_value_lengths_to_be_between":
        return None if constraint.get("minLength", 0) >= kwargs.get("min_value", 0) and "max_value" not in kwargs \
            else f"{column} has no minLength {kwargs.get('min_value')}"
    if kind == "expect_column_values_to_match_regex":
        pattern = constraint.get("pattern")
        return None if pattern is not None and kwargs["regex"] == f"^(?:{pattern})$" else \
            f"{column} has no schema pattern {kwargs['regex']}"
    return f"unknown kind of rule {kind}"


@pytest.mark.parametrize("table,kind,kwargs", RULES, ids=[f"{t}-{k}-{kw.get('column', '')}" for t, k, kw in RULES])
def test_generated_rule_follows_from_schema(table, kind, kwargs):
    assert _implied(table, kind, kwargs) is None, (table, kind, kwargs, _implied(table, kind, kwargs))


def _schema_level(table: str, kind: str, kwargs: dict) -> bool:
    """A rule the schema states alone (no row condition, pinned value or document key)."""
    if "row_condition" in kwargs or kind in DOCUMENT_RULES or any(_is_parameter(v) for v in kwargs.values()):
        return False
    if kind == "expect_compound_columns_to_be_unique" and (table, tuple(kwargs["column_list"])) in DOCUMENT_KEYS:
        return False
    return _implied(table, kind, kwargs) is None


@pytest.mark.parametrize("table,kind,kwargs", HAND_RULES,
                         ids=[f"{t}-{k}-{kw.get('column', '')}" for t, k, kw in HAND_RULES])
def test_hand_written_rule_is_no_schema_rule(table, kind, kwargs):
    assert not _schema_level(table, kind, kwargs), \
        f"{table}: {kind} {kwargs} is a schema-level rule: the generated suite schema_{table} has it; remove it"


def test_hand_written_suites_hold_no_schema_enum():
    """No enum of the schema is copied into a hand-written suite (derived frames included)."""
    enums = [c["enum"] for c in CONSTRAINTS.values() if "enum" in c]
    for path in HAND_WRITTEN:
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            value_set = expectation["kwargs"].get("value_set")
            assert value_set not in enums, (path.name, expectation)


def test_the_check_sees_real_rules():
    assert len(RULES) > 100
    assert _schema_level("projects", "expect_column_values_to_not_be_null", {"column": "name"})
    assert _implied("projects", "expect_column_values_to_be_between",
                    {"column": "area_no", "min_value": 1, "max_value": 2}) is not None
    assert _implied("projects", "expect_column_values_to_be_in_set",
                    {"column": "name", "value_set": ["x"]}) is not None


@pytest.mark.parametrize("table,column,value,reason", [
    ("projects", "area_no", 0, "below the minimum 1"),
    ("projects", "category_code", "A", "does not match pattern"),
    ("projects", "summary", "", "shorter than 1"),
    ("budgets", "amount_thousand_yen", -1.0, "below the minimum 0"),
    ("budgets", "fiscal_year", 2100, "above the maximum 2099"),
    ("footnotes", "project_no", None, "null in a non-nullable column"),
])
def test_build_refuses_what_the_suites_refuse(plan_build, table, column, value, reason):
    frame = plan_build[table].astype(object).copy()
    frame.loc[frame.index[1], column] = value
    with pytest.raises(SchemaError, match=reason) as error:
        enforce(frame, table)
    if "page" in frame.columns or "page_start" in frame.columns:
        assert "(page " in str(error.value)  # the refusal says where in the PDF


def test_data_dictionary_shows_each_columns_role():
    """The dictionary's role column says what the schema's roles say, for every column of every table."""
    from schemas.generate import data_dictionary
    from schemas.tables import column_role

    text = data_dictionary()
    sections = dict(zip(TABLES, text.split("\n## ")[1:]))
    assert "| `amount_yen` | int64 (integer) | no | derived from `raw` |" in sections["budgets"]
    assert "| `fiscal_year` | int16 (integer) | key | natural key |" in sections["budgets"]
    assert "| `role_row` | int16 (integer) | yes | provenance: row of `role` |" in sections["responsibilities"]
    assert "| `page_label` | string (string) | no | provenance: page label of `page` |" in sections["kpis"]
    for name, spec in TABLES.items():
        for column in spec.fields:
            line = next(row for row in sections[name].splitlines() if row.startswith(f"| `{column}` |"))
            role_cell = line.split(" | ")[3]
            role = column_role(name, column)
            assert (role_cell == "data") == (role is None), (name, column, role_cell)


# -- examples: each table's own, from a build -------------------------------------------------------------
def test_committed_examples_are_those_of_a_fresh_build(plan_build):
    """docs/data-dictionary-examples.json is what `python -m schemas.generate --examples BUILD` writes for a fresh
    build of raw/plan_vi.pdf with raw/overview.pdf (the plan_build fixture): a reader or schema change that moves an
    example shows here; regenerate with that command."""
    from schemas.examples import EXAMPLES_FILE, dumps, examples_from_build

    assert EXAMPLES_FILE.read_text(encoding="utf-8") == dumps(examples_from_build(plan_build.path)), (
        f"stale: run `python -m schemas.generate --examples BUILD` on a build of raw/plan_vi.pdf")


def test_examples_are_each_tables_own(plan_build):
    """A column shared by tables shows each table's value: kpis.name a KPI, footnotes.text a footnote."""
    from schemas.generate import data_dictionary

    sections = dict(zip(TABLES, data_dictionary().split("\n## ")[1:]))

    def example(table: str, column: str) -> str:
        line = next(row for row in sections[table].splitlines() if row.startswith(f"| `{column}` |"))
        return line.split(" | ")[6].strip("`")

    kpi_names = set(plan_build["kpis"]["name"].astype(str))
    assert example("kpis", "name") in kpi_names
    assert example("projects", "name") in set(plan_build["projects"]["name"].astype(str))
    assert example("kpis", "name") != example("projects", "name")
    footnote = example("footnotes", "text")
    assert any(str(t).startswith(footnote.rstrip("…")) for t in plan_build["footnotes"]["text"])
    assert not any(str(t).startswith(footnote.rstrip("…")) for t in plan_build["projects"]["summary"])


def test_table_examples_take_one_row_and_fill_its_gaps():
    from schemas.examples import table_examples

    rows = [{"k": 2, "a": "x", "b": None}, {"k": 1, "a": None, "b": 5.0}, {"k": 3, "a": "y", "b": 7.0}]
    assert table_examples(rows, ["k", "a", "b"], ["k"]) == {"k": 3, "a": "y", "b": 7.0}  # the fullest row
    rows = [{"k": 2, "a": "x", "b": None}, {"k": 1, "a": None, "b": float("nan")}]
    assert table_examples(rows, ["k", "a", "b"], ["k"]) == {"k": 2, "a": "x"}  # b never printed: no example
    assert table_examples([{"k": 1, "a": "長" * 60}], ["k", "a"], ["k"])["a"] == "長" * 39 + "…"
