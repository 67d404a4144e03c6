"""Rows (dicts, as the build's stage files hold them) → a pyarrow Table of a contract table, or a refusal,
with pyarrow alone: no pandas, no numpy.

``enforce_rows(rows, table)`` is ``schemas.enforce.enforce(pd.DataFrame(rows), table)`` for the values JSON
holds (None, bool, int, float, str, lists and objects): the same checks in the same order (column set;
per column, in the contract's order, every value exact in the declared type, no null where none is
allowed, the value constraints of ``schemas.fields.CONSTRAINTS``; then the primary key), the same
`SchemaError` at the first defect (naming the table, the column, the first value, its index and where it
is printed), and for an accepted table the same Table: columns in the contract's order, rows sorted by the
primary key, one chunk (tests/test_rows.py compares the two on the plan's tables and on defects).

It exists so that the build's write step needs neither pandas nor numpy (about 0.3 s of CPU to import on
the bench machine, more than the steps after extract spend), nor pyarrow.compute (~0.03 s): the values are
checked, and the rows sorted, as Python values before the arrays are made (`pipeline.stages.write.write_rows`;
``check_constraints`` and ``check_primary_key``, the same checks on arrays, are schemas.enforce's). A
pandas frame of a table as it is written differs only where pandas would have changed a value first
(an integer above 2**53 in a column that also holds floats, which pandas rounds to a float and this keeps
exact and refuses or accepts as it is).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from schemas.errors import SchemaError
from schemas.fields import CONSTRAINTS
from schemas.tables import TABLES, arrow_schema, located_columns

_MAX_EXACT_FLOAT_INT = 2**53
_PART_LABELS = {"page": "page", "table": "table", "row": "row", "col": "col"}


def _one_line(value: Any, limit: int = 60) -> str:
    s = repr(value).replace("\n", "\\n").replace("\r", "\\r")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _is_null(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


class _Column:
    """One column's values and the table's columns, for error messages (`schemas.enforce._Column`)."""

    def __init__(self, table: str, name: str, columns: Mapping[str, list]) -> None:
        self.table, self.name, self.columns = table, name, columns
        self.values = columns[name]

    def error(self, reason: str) -> SchemaError:
        return SchemaError(f"table {self.table!r} column {self.name!r}: {reason}")

    def bad_at(self, reason: str, positions: list[int]) -> SchemaError:
        pos = positions[0]
        where = _provenance(self.columns, pos, self.table)
        return self.error(f"{reason}: {len(positions)} value(s), first {_one_line(self.values[pos])} at index {pos}"
                          + (f" ({where})" if where else ""))

    def refuse_where(self, reason: str, values: list, test: Callable[[Any], bool]) -> None:
        """Raise for the positions whose value is not null and passes ``test``."""
        positions = [i for i, v in enumerate(values) if v is not None and test(v)]
        if positions:
            raise self.bad_at(reason, positions)


def _provenance(columns: Mapping[str, list], pos: int, table: str) -> str:
    """'page 6, table p006-t02, row 3' for the row at ``pos``: the first location of the table's provenance
    columns (``schemas.tables.located_columns``) that the row fills."""
    for location in located_columns(table):
        parts = [(part, c) for part, c in location.items() if c in columns]
        if not parts:
            continue
        values = [columns[c][pos] for _, c in parts]
        if any(_is_null(v) for v in values):
            continue
        return ", ".join(f"{_PART_LABELS[part]} {v}" for (part, _), v in zip(parts, values))
    return ""


def converter(target: pa.DataType, ints: tuple[type, ...] = (int,), floats: tuple[type, ...] = (float,),
              bools: tuple[type, ...] = (bool,)) -> Callable[[Any], Any]:
    """A function value -> exact Python value for ``target``; raises ValueError with a reason. ``ints``,
    ``floats``, ``bools``: the scalar types taken as such (`schemas.enforce` adds numpy's; the build's rows are
    plain Python, and this module imports no numpy)."""
    if pa.types.is_integer(target):
        bits = target.bit_width
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if pa.types.is_signed_integer(target) else (0, 2**bits - 1)

        def to_int(v: Any) -> int:
            if isinstance(v, bools):
                raise ValueError(f"boolean in {target} column")
            if isinstance(v, ints):
                iv = int(v)
            elif isinstance(v, floats):
                if not math.isfinite(v) or not float(v).is_integer():
                    raise ValueError(f"not an integer, cannot be represented as {target}")
                iv = int(v)
            else:
                raise ValueError(f"{type(v).__name__} cannot be represented as {target}")
            if not lo <= iv <= hi:
                raise ValueError(f"out of range for {target} [{lo}, {hi}]")
            return iv

        return to_int
    if pa.types.is_floating(target):

        def to_float(v: Any) -> float:
            if isinstance(v, bools):
                raise ValueError(f"boolean in {target} column")
            if isinstance(v, ints):
                if abs(int(v)) > _MAX_EXACT_FLOAT_INT:
                    raise ValueError(f"integer too large to be exact in {target}")
                return float(v)
            if isinstance(v, floats):
                return float(v)
            raise ValueError(f"{type(v).__name__} cannot be represented as {target}")

        return to_float
    if pa.types.is_string(target) or pa.types.is_large_string(target):

        def to_str(v: Any) -> str:
            if isinstance(v, str):
                return str(v)
            raise ValueError(f"{type(v).__name__} in a string column")

        return to_str
    if pa.types.is_boolean(target):

        def to_bool(v: Any) -> bool:
            if isinstance(v, bools):
                return bool(v)
            raise ValueError(f"{type(v).__name__} in a boolean column")

        return to_bool

    def generic(v: Any) -> Any:
        try:
            return pa.array([v], type=target)[0].as_py()
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
            raise ValueError(f"{type(v).__name__} cannot be represented as {target}") from e

    return generic


def _converted(col: _Column, target: pa.DataType) -> list:
    """The column's values as exact Python values of ``target`` (None for null); the first bad one refused."""
    convert = converter(target)
    out: list[Any] = []
    bad: list[int] = []
    first_reason = ""
    for i, v in enumerate(col.values):
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
    return out


def _check_values(col: _Column, values: list) -> None:
    """`check_constraints` on Python values: the same refusals in the same order, without pyarrow.compute
    (its import alone is ~0.03 s, a tenth of the build's write step). A pattern is matched whole, with ASCII
    classes, as RE2 matches ``^(?:pattern)$``."""
    c = CONSTRAINTS.get(col.name)
    if not c or not values:
        return
    if "enum" in c:
        allowed = set(c["enum"])
        col.refuse_where(f"value not in {c['enum']}", values, lambda v: v not in allowed)
    if "pattern" in c:
        pattern = re.compile(f"(?:{c['pattern']})", re.ASCII)
        col.refuse_where(f"value does not match pattern {c['pattern']!r}", values,
                         lambda v: pattern.fullmatch(v) is None)
    if "minimum" in c:
        col.refuse_where(f"value below the minimum {c['minimum']}", values, lambda v: v < c["minimum"])
    if "maximum" in c:
        col.refuse_where(f"value above the maximum {c['maximum']}", values, lambda v: v > c["maximum"])
    if "minLength" in c:
        col.refuse_where(f"text shorter than {c['minLength']} character(s)", values, lambda v: len(v) < c["minLength"])


def _sorted_by_key(table: str, key: list[str], columns: dict[str, list]) -> dict[str, list]:
    """`check_primary_key` on Python values, then the columns in key order (ascending; strings by code
    point, as pyarrow sorts them): the same refusal, the same order as ``Table.sort_by``."""
    keys = list(zip(*(columns[k] for k in key)))
    counts = Counter(keys)
    dups = sorted(k for k, n in counts.items() if n > 1)
    if dups:
        shown = ", ".join(f"{k}={_one_line(v)}" for k, v in zip(key, dups[0]))
        raise SchemaError(
            f"table {table!r} primary key columns {key}: duplicate key ({shown}) occurs "
            f"{counts[dups[0]]} times; {len(dups)} duplicated key(s) in all"
        )
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return {name: [values[i] for i in order] for name, values in columns.items()}


def check_constraints(col, arr: pa.Array) -> None:
    """The value constraints of ``schemas.fields.CONSTRAINTS`` for ``col.name`` (``col.bad_mask`` names the
    first offending value)."""
    import pyarrow.compute as pc

    c = CONSTRAINTS.get(col.name)
    if not c or not len(arr):
        return
    if "enum" in c:
        allowed = pa.array(c["enum"], type=arr.type)
        err = col.bad_mask(
            f"value not in {c['enum']}", pc.and_(pc.is_valid(arr), pc.invert(pc.is_in(arr, value_set=allowed)))
        )
        if err:
            raise err
    if "pattern" in c:
        ok = pc.match_substring_regex(arr, f"^(?:{c['pattern']})$")
        err = col.bad_mask(f"value does not match pattern {c['pattern']!r}", pc.invert(ok))
        if err:
            raise err
    if "minimum" in c:
        err = col.bad_mask(f"value below the minimum {c['minimum']}", pc.less(arr, pa.scalar(c["minimum"], arr.type)))
        if err:
            raise err
    if "maximum" in c:
        err = col.bad_mask(f"value above the maximum {c['maximum']}", pc.greater(arr, pa.scalar(c["maximum"], arr.type)))
        if err:
            raise err
    if "minLength" in c:
        err = col.bad_mask(f"text shorter than {c['minLength']} character(s)", pc.less(pc.utf8_length(arr), c["minLength"]))
        if err:
            raise err


def check_primary_key(t: pa.Table, table: str, key: list[str]) -> None:
    import pyarrow.compute as pc

    for k in key:  # key columns are non-nullable, so this holds already; keep it explicit
        if t.column(k).null_count:
            raise SchemaError(f"table {table!r} column {k!r}: null in primary key {key}")
    if t.num_rows < 2:
        return
    counts = t.select(key).group_by(key).aggregate([([], "count_all")])
    dup = counts.filter(pc.greater(counts.column("count_all"), 1))
    if dup.num_rows:
        dup = dup.sort_by([(k, "ascending") for k in key])
        first = dup.slice(0, 1).to_pylist()[0]
        shown = ", ".join(f"{k}={_one_line(first[k])}" for k in key)
        raise SchemaError(
            f"table {table!r} primary key columns {key}: duplicate key ({shown}) occurs "
            f"{first['count_all']} times; {dup.num_rows} duplicated key(s) in all"
        )


def enforce_rows(rows: Sequence[Mapping[str, Any]], table: str) -> pa.Table:
    """Check ``rows`` (dicts, one per row) against contract table ``table``; return them as a Table with
    the exact schema, rows sorted by the primary key. Raises ``SchemaError`` on the first defect. No rows:
    an empty table with the contract's columns."""
    if table not in TABLES:
        raise SchemaError(f"table {table!r}: unknown table; known: {', '.join(TABLES)}")
    spec = TABLES[table]
    schema = arrow_schema(table)
    if rows:
        names: dict[str, None] = {}  # every key of every row, in order of first appearance (as pandas)
        for row in rows:
            if not isinstance(row, Mapping):
                raise TypeError(f"enforce_rows() needs rows as dicts, got {type(row).__name__}")
            names.update(dict.fromkeys(row))
        missing = [f for f in spec.fields if f not in names]
        if missing:
            raise SchemaError(f"table {table!r} column {missing[0]!r}: missing column; all missing: {missing}")
        extra = [c for c in names if c not in spec.fields]
        if extra:
            raise SchemaError(f"table {table!r} column {extra[0]!r}: unknown extra column; all extra: {extra}")
    columns = {name: [row.get(name) for row in rows] for name in spec.fields}

    values: dict[str, list] = {}
    for field in schema:
        col = _Column(table, field.name, columns)
        converted = _converted(col, field.type)
        nulls = [i for i, v in enumerate(converted) if v is None] if not field.nullable else []
        if nulls:
            raise col.bad_at("null in a non-nullable column", nulls)
        _check_values(col, converted)
        values[field.name] = converted

    values = _sorted_by_key(table, spec.primary_key, values)  # key columns are non-nullable: checked above
    result = pa.Table.from_arrays([pa.array(values[f.name], type=f.type) for f in schema], schema=schema)
    assert result.schema.equals(schema, check_metadata=True)
    return result
