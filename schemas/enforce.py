"""Turn a pandas DataFrame into a pyarrow Table of a contract table, or refuse it.

``enforce(df, table)`` checks, in this order, and raises ``SchemaError`` (one line, naming the
table and the column) at the first defect:

1. column set: no missing column, no unknown extra column, no duplicated column name;
2. per column, in the table's column order: every value representable *exactly* in the declared
   type (no strings in numeric columns, no bools in numeric columns, no numbers in string columns,
   no fractional or non-finite floats in integer columns, no out-of-range integers, no integers
   beyond 2**53 in float64 columns); no nulls in a non-nullable column; the value constraints of
   ``schemas.fields.CONSTRAINTS`` (enum, full-match pattern, minimum/maximum, minLength);
3. primary key: no nulls (key columns are non-nullable), no duplicates.

Null values accepted on input: None, NaN (float and in object columns), pd.NA, pd.NaT. NaN is
always read as null, never kept as a float NaN. The DataFrame's index is ignored; columns are
reordered to the contract's order; rows are sorted by the primary key (ascending; strings by
Unicode code point), so the result does not depend on the input row order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from schemas.errors import SchemaError  # defined apart from pandas; callers import it from here too
from schemas.rows import check_constraints as _check_constraints  # shared with enforce_rows (no pandas)
from schemas.rows import check_primary_key as _check_primary_key
from schemas.rows import converter  # one value converter for frames and rows
from schemas.tables import TABLES, arrow_schema, located_columns

_MAX_EXACT_FLOAT_INT = 2**53


def _one_line(value: Any, limit: int = 60) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    s = repr(value)
    s = s.replace("\n", "\\n").replace("\r", "\\r")
    return s if len(s) <= limit else s[: limit - 1] + "…"


_PART_LABELS = {"page": "page", "table": "table", "row": "row", "col": "col"}


def _provenance(frame: pd.DataFrame, pos: int, table: str) -> str:
    """'page 6, table p006-t02, row 3' for the row at `pos`, so a refusal can be found in the PDF: the first
    location the table's provenance columns give (``schemas.tables.located_columns``) that the row fills."""
    for location in located_columns(table):
        columns = [(part, c) for part, c in location.items() if c in frame.columns]
        if not columns:
            continue
        values = [frame[c].iloc[pos] for _, c in columns]
        if any(_is_null(v) for v in values):
            continue
        return ", ".join(f"{_PART_LABELS[part]} {v}" for (part, _), v in zip(columns, values))
    return ""


class _Column:
    """Context for error messages about one column."""

    def __init__(self, table: str, name: str, series: pd.Series, frame: pd.DataFrame | None = None):
        self.table, self.name, self.series, self.frame = table, name, series, frame

    def error(self, reason: str) -> SchemaError:
        return SchemaError(f"table {self.table!r} column {self.name!r}: {reason}")

    def bad_at(self, reason: str, positions: list[int]) -> SchemaError:
        pos = positions[0]
        label = self.series.index[pos]
        value = self.series.iloc[pos]
        where = _provenance(self.frame, pos, self.table) if self.frame is not None else ""
        return self.error(
            f"{reason}: {len(positions)} value(s), first {_one_line(value)} at index {_one_line(label)}"
            + (f" ({where})" if where else "")
        )

    def bad_mask(self, reason: str, mask: pa.Array) -> SchemaError | None:
        """Error for the positions where ``mask`` is true (nulls in mask count as false)."""
        m = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
        positions = np.flatnonzero(m).tolist()
        return self.bad_at(reason, positions) if positions else None


# --------------------------------------------------------------------------------------------
# object columns: check each Python value
# --------------------------------------------------------------------------------------------


def _is_null(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return math.isnan(v)
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return False


def _int_bounds(t: pa.DataType) -> tuple[int, int]:
    info = np.iinfo(t.to_pandas_dtype())
    return int(info.min), int(info.max)


def _from_objects(col: _Column, values: list[Any], target: pa.DataType) -> pa.Array:
    convert = converter(target, ints=(int, np.integer), floats=(float, np.floating), bools=(bool, np.bool_))
    out: list[Any] = []
    bad: list[int] = []
    first_reason = ""
    for i, v in enumerate(values):
        if _is_null(v):
            out.append(None)
            continue
        try:
            out.append(convert(v))
        except ValueError as e:
            if not bad:
                first_reason = str(e)
            bad.append(i)
            out.append(None)
    if bad:
        raise col.bad_at(first_reason, bad)
    return pa.array(out, type=target)


# --------------------------------------------------------------------------------------------
# typed columns: convert with pyarrow and check with compute functions
# --------------------------------------------------------------------------------------------


def _nan_to_null(arr: pa.Array) -> pa.Array:
    if pa.types.is_floating(arr.type) and len(arr):
        nan = pc.fill_null(pc.is_nan(arr), False)
        if pc.any(nan).as_py():
            arr = pc.if_else(nan, pa.scalar(None, arr.type), arr)
    return arr


def _widen(arr: pa.Array) -> pa.Array:
    """Integers to int64/uint64, floats to float64 (lossless), for comparing with Python bounds."""
    t = arr.type
    if pa.types.is_unsigned_integer(t):
        return pc.cast(arr, pa.uint64())
    if pa.types.is_integer(t):
        return pc.cast(arr, pa.int64())
    return pc.cast(arr, pa.float64())


def _outside(arr: pa.Array, lo: int, hi: int) -> pa.Array:
    """Boolean mask: value < lo or value > hi (nulls stay null). Float input must be integral."""
    w = _widen(arr)
    if pa.types.is_floating(w.type):
        # lo = -2**k and hi + 1 = 2**k are exact doubles; hi itself may not be
        return pc.or_(pc.greater_equal(w, float(hi + 1)), pc.less(w, float(lo)))
    above = pc.greater(w, pa.scalar(hi, w.type))
    if pa.types.is_unsigned_integer(w.type):
        return above
    return pc.or_(above, pc.less(w, pa.scalar(lo, w.type)))


def _from_arrow(col: _Column, arr: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    arr = _nan_to_null(arr)
    t = arr.type
    if pa.types.is_null(t) or arr.null_count == len(arr):
        # no values, or only nulls: nothing can be misrepresented, whatever the input dtype
        return pa.nulls(len(arr), type=target)
    if t == target:
        return arr

    mismatch = f"values of type {t} cannot be represented as {target}"

    def refuse_all(reason: str = mismatch) -> SchemaError:
        err = col.bad_mask(reason, pc.is_valid(arr))
        return err if err is not None else col.error(reason)

    if pa.types.is_integer(target):
        lo, hi = _int_bounds(target)
        if pa.types.is_integer(t):
            pass
        elif pa.types.is_floating(t):
            finite = pc.is_finite(arr)
            integral = pc.and_(finite, pc.equal(pc.floor(arr), arr))
            err = col.bad_mask(f"not an integer, cannot be represented as {target}", pc.invert(integral))
            if err:
                raise err
        else:
            raise refuse_all()
        err = col.bad_mask(f"out of range for {target} [{lo}, {hi}]", _outside(arr, lo, hi))
        if err:
            raise err
        return pc.cast(arr, target, safe=True)

    if pa.types.is_floating(target):
        if pa.types.is_floating(t):
            return pc.cast(arr, target, safe=True)
        if pa.types.is_integer(t):
            too_big = _outside(arr, -_MAX_EXACT_FLOAT_INT, _MAX_EXACT_FLOAT_INT)
            err = col.bad_mask(f"integer too large to be exact in {target}", too_big)
            if err:
                raise err
            return pc.cast(arr, target, safe=True)
        raise refuse_all()

    if pa.types.is_string(target) or pa.types.is_large_string(target):
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return pc.cast(arr, target, safe=True)
        raise refuse_all()

    try:
        return pc.cast(arr, target, safe=True)
    except (pa.ArrowException, TypeError, ValueError) as e:
        raise refuse_all() from e


def _to_arrow(col: _Column, target: pa.DataType) -> pa.Array:
    s = col.series
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if s.dtype == object:
        return _from_objects(col, list(s.array), target)
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
        raise col.error(f"dtype {s.dtype} cannot be converted to {target} ({_one_line(str(e))})") from e
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return _from_arrow(col, arr, target)


# --------------------------------------------------------------------------------------------


def enforce(df: pd.DataFrame, table: str) -> pa.Table:
    """Check ``df`` against contract table ``table``; return it as a Table with the exact schema,
    rows sorted by the primary key. Raises ``SchemaError`` on the first defect."""
    if table not in TABLES:
        raise SchemaError(f"table {table!r}: unknown table; known: {', '.join(TABLES)}")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"enforce() needs a pandas DataFrame, got {type(df).__name__}")
    spec = TABLES[table]
    schema = arrow_schema(table)

    columns = list(df.columns)
    dupes = sorted({str(c) for c in columns if columns.count(c) > 1})
    if dupes:
        raise SchemaError(f"table {table!r} column {dupes[0]!r}: duplicated column name(s) {dupes}")
    missing = [f for f in spec.fields if f not in columns]
    if missing:
        index_names = [n for n in df.index.names if n is not None]
        hint = " (it is in the index: call reset_index())" if missing[0] in index_names else ""
        raise SchemaError(f"table {table!r} column {missing[0]!r}: missing column{hint}; all missing: {missing}")
    extra = [c for c in columns if c not in spec.fields]
    if extra:
        raise SchemaError(f"table {table!r} column {extra[0]!r}: unknown extra column; all extra: {extra}")

    arrays = []
    for field in schema:
        col = _Column(table, field.name, df[field.name], df)
        arr = _to_arrow(col, field.type)
        if not field.nullable and arr.null_count:
            err = col.bad_mask("null in a non-nullable column", pc.is_null(arr))
            assert err is not None
            raise err
        _check_constraints(col, arr)
        arrays.append(arr)

    result = pa.Table.from_arrays(arrays, schema=schema)
    _check_primary_key(result, table, spec.primary_key)
    if result.num_rows:
        result = result.sort_by([(k, "ascending") for k in spec.primary_key])
    result = result.combine_chunks()
    assert result.schema.equals(schema, check_metadata=True)
    return result
