"""Examples for the data dictionary, per table and column, taken from a build of the reference plan.

A column name is shared across tables (``name`` is a project's name in ``projects`` and a KPI's in ``kpis``),
so one example per column would show a project's name for a KPI. The examples are therefore read from a
build, table by table, and committed as ``docs/data-dictionary-examples.json``: ``python -m schemas.generate
--examples BUILD`` writes them, and the dictionary is generated from the committed file, so ``--check`` needs no build
and stays deterministic. tests/test_schema_suites.py compares the committed file with a fresh build of
raw/plan_vi.pdf (and raw/overview.pdf), so a change of the schema or the reader that changes an example
is seen.

Each table's examples come from one row where it can (the columns of one printed cell read together:
``baseline_raw`` 2,583名(2022年度) beside its value, unit and year): the row, in primary-key order, with the
most columns printed; a column that row leaves null takes its first printed value in that order.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

# beside the dictionary it feeds (it holds values of one plan, years included: no such value lives in schemas/)
EXAMPLES_FILE = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary-examples.json"
MAX_CHARS = 40  # a long text (a project's summary) is cut here, with "…"


def _printed(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value != ""


def _shown(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_CHARS:
        return value[:MAX_CHARS - 1] + "…"
    return value


def table_examples(rows: list[dict], columns: list[str], key: list[str]) -> dict[str, object]:
    """column → example for one table's rows (see the module docstring); a column never printed has none."""
    ordered = sorted(rows, key=lambda r: tuple((r.get(k) is None, str(r.get(k)).zfill(12)) for k in key))
    if not ordered:
        return {}
    best = max(ordered, key=lambda r: sum(_printed(r.get(c)) for c in columns))  # the first of the fullest
    out: dict[str, object] = {}
    for column in columns:
        value = best.get(column)
        if not _printed(value):
            value = next((r.get(column) for r in ordered if _printed(r.get(column))), None)
        if _printed(value):
            out[column] = _shown(value)
    return out


def examples_from_build(build: Path) -> dict[str, dict[str, object]]:
    """table → column → example, for every table of the contract the build holds."""
    import pyarrow.parquet as pq

    from schemas.tables import TABLES

    out = {}
    for name, spec in TABLES.items():
        path = Path(build) / f"{name}.parquet"
        if path.is_file():
            out[name] = table_examples(pq.read_table(path).to_pylist(), list(spec.fields), list(spec.primary_key))
    return out


def dumps(examples: dict[str, dict[str, object]]) -> str:
    return json.dumps(examples, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def load_examples(path: Path = EXAMPLES_FILE) -> dict[str, dict[str, object]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
