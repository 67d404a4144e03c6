"""schemas.rows.enforce_rows (pyarrow alone, what the build writes with) is schemas.enforce.enforce of
``pd.DataFrame(rows)``: the same Table and Parquet bytes for good rows, the same refusal for bad ones."""

from __future__ import annotations

import io
import math
import random
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.stages.write import PARQUET_OPTIONS, write_rows, write_tables
from schemas.enforce import enforce
from schemas.errors import SchemaError
from schemas.rows import enforce_rows
from schemas.tables import TABLES, arrow_schema
from tests.conftest import ROOT
from tests.test_schemas import good_frame


def _rows(table: str, n: int = 4) -> list[dict]:
    rows = good_frame(table, n).to_dict("records")
    # JSON's values (the stage files'): NaN is null there; ints stay ints
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()} for row in rows]


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


@pytest.mark.parametrize("table", list(TABLES))
def test_good_rows_give_the_frames_table_and_bytes(table):
    rows = _rows(table)
    random.Random(0).shuffle(rows)
    expected = enforce(pd.DataFrame(rows), table)
    got = enforce_rows(rows, table)
    assert got.equals(expected, check_metadata=True)
    assert _parquet(got) == _parquet(expected)


@pytest.mark.parametrize("table", list(TABLES))
def test_no_rows_is_an_empty_table_with_the_contracts_columns(table):
    got = enforce_rows([], table)
    assert got.num_rows == 0 and got.schema.equals(arrow_schema(table), check_metadata=True)
    assert got.equals(enforce(pd.DataFrame(columns=TABLES[table].fields), table))


def _defects():
    """(table, column, value) put in row 1: each one a refusal."""
    cases = []
    for table in ("budgets", "indicators", "cells", "projects"):
        seen: set[tuple[str, bool]] = set()  # one column of each type and nullability per table
        for f in arrow_schema(table):
            kind = (str(f.type), f.nullable)
            if kind in seen:
                continue
            seen.add(kind)
            if pa.types.is_integer(f.type):
                cases += [(table, f.name, "12"), (table, f.name, 2.5), (table, f.name, True),
                          (table, f.name, 10**20), (table, f.name, float("inf"))]
            elif pa.types.is_floating(f.type):
                cases += [(table, f.name, "1.5"), (table, f.name, False)]
            else:
                cases += [(table, f.name, 12), (table, f.name, [1])]
            if not f.nullable:
                cases.append((table, f.name, None))
    return cases


@pytest.mark.parametrize("table,column,value", _defects(), ids=lambda v: repr(v)[:30])
def test_a_bad_value_is_refused_with_the_frames_message(table, column, value):
    rows = _rows(table)
    rows[1][column] = value
    with pytest.raises(SchemaError) as frame_error:
        enforce(pd.DataFrame(rows), table)
    with pytest.raises(SchemaError) as rows_error:
        enforce_rows(rows, table)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(rows[0][column], (int, float)):
        # pandas keeps a numeric column typed (int64, float64, uint64): its messages name the dtype
        assert f"column {column!r}" in str(rows_error.value)
    elif value is None:  # pandas made it NaN in a numeric column first; the rows' message shows the None
        assert str(rows_error.value) == str(frame_error.value).replace("first nan ", "first None ")
    else:
        assert str(rows_error.value) == str(frame_error.value)


def _set(table: str, n: int, **values) -> list[dict]:
    rows = _rows(table)
    rows[n] = {**rows[n], **values}
    return rows


@pytest.mark.parametrize("table,rows", [
    ("cells", _set("cells", 2, source="pdf")),  # enum
    ("budgets", _set("budgets", 1, fiscal_year=1900)),  # minimum
    ("budgets", _set("budgets", 1, fiscal_year=2100)),  # maximum
    ("projects", _set("projects", 0, project_id="X1")),  # pattern
    ("projects", _set("projects", 0, name="")),  # minLength
    ("cells", [*_rows("cells"), _rows("cells")[0]]),  # a duplicate primary key
    ("cells", [{k: v for k, v in r.items() if k != "text"} for r in _rows("cells")]),  # a missing column
    ("cells", [{**r, "colour": "red"} for r in _rows("cells")]),  # an extra column
], ids=["enum", "minimum", "maximum", "pattern", "minLength", "duplicate key", "missing", "extra"])
def test_constraint_key_and_column_set_refusals_match(table, rows):
    with pytest.raises(SchemaError) as frame_error:
        enforce(pd.DataFrame(rows), table)
    with pytest.raises(SchemaError) as rows_error:
        enforce_rows(rows, table)
    assert str(rows_error.value) == str(frame_error.value)


def test_an_integer_inexact_as_a_float_is_refused_where_pandas_would_round_it_first():
    rows = _set("cells", 1, x0=2**60 + 1)
    with pytest.raises(SchemaError, match="integer too large to be exact in double"):
        enforce_rows(rows, "cells")


def test_write_rows_writes_the_bytes_write_tables_writes(tmp_path):
    rows = {name: _rows(name) for name in TABLES}
    assert write_rows(rows, tmp_path / "rows") == write_tables(
        {name: pd.DataFrame(r) for name, r in rows.items()}, tmp_path / "frames")
    for path in sorted((tmp_path / "frames").iterdir()):
        assert (tmp_path / "rows" / path.name).read_bytes() == path.read_bytes(), path.name


def test_rows_need_neither_pandas_nor_numpy(tmp_path):
    code = ("import sys; sys.modules['pandas'] = sys.modules['numpy'] = None; "
            "from pipeline.stages.write import write_rows; "
            "print(write_rows({'kpis': [], 'footnotes': []}, sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "{'kpis': 0, 'footnotes': 0}", done.stderr
    assert pq.read_table(tmp_path / "kpis.parquet").schema.equals(arrow_schema("kpis"), check_metadata=True)
