"""Derived frames for cross-table checks, built in pandas and then checked by ordinary expectations.

Great Expectations validates one frame at a time, and its only cross-table expectation is SQL-only.
So the checks that span tables (every project has both parties, a budget row per year of the plan and an
indicator; metrics.json equals the sums of the rows; …) are split in two: a *derivation* here that turns the
tables into one small frame (one row per project, per metric, per reference …), and ordinary
expectations on that frame in the suite JSON. The suite names its frame in ``meta.frame``:

    {"table": "budgets"}                                     a table of the build as it is
    {"derive": "child_counts", ...}                          one of DERIVATIONS below, with its arguments
    {..., "assign": {"expected_amount_yen": "amount_thousand_yen * 1000"}}
                                                             extra columns (DataFrame.eval) on either

Derivations only count, sum, join and reshape; every judgement (= 5, ≥ 1, difference 0) stays in
the suite, where a reviewer reads it. They never raise on bad data: a missing key becomes a null or a
zero that an expectation then reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.normalizers.eras import label_year
from pipeline.normalizers.quantity import is_no_value

__all__ = ["DERIVATIONS", "TableMissing", "Tables", "build_frame"]


class TableMissing(LookupError):
    """A suite needs a table (Parquet file) the build does not have."""


class Tables(Mapping[str, pd.DataFrame]):
    """The Parquet tables of a build directory, read lazily (numpy-backed dtypes, as pandas reads them)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = Path(build_dir)
        self._frames: dict[str, pd.DataFrame] = {}

    def path(self, name: str) -> Path:
        return self.build_dir / f"{name}.parquet"

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._frames or self.path(name).exists())

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            if not self.path(name).exists():
                raise TableMissing(name)
            self._frames[name] = pd.read_parquet(self.path(name))
        return self._frames[name]

    def __iter__(self):
        return iter(sorted(p.stem for p in self.build_dir.glob("*.parquet")))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def json(self, name: str) -> Any:
        path = self.build_dir / name
        if not path.exists():
            raise TableMissing(name)
        return json.loads(path.read_text(encoding="utf-8"))


def _query(frame: pd.DataFrame, query: str | None) -> pd.DataFrame:
    return frame.query(query) if query else frame


# -- derivations -----------------------------------------------------------------------------------
def sequence(tables: Tables, *, table: str, column: str, start: int | str | None = None,
             group_by: list[str] | None = None, distinct: bool = False) -> pd.DataFrame:
    """The values of ``column`` in ascending order beside the value a gap-free numbering would have
    there (``start``, start+1, …; ``start`` defaults to the smallest value). ``gap`` is their
    difference: 0 on every row iff the numbering is contiguous (a duplicate or a hole shifts it).

    With ``distinct`` each value counts once (many projects share one area); with ``group_by`` each group
    is numbered on its own (fields restart in each area, category letters in each area and field). Letters
    count by their place in the alphabet, so categories a, b, d have a gap at d."""
    frame = tables[table]
    if group_by is None and not distinct:
        values = frame[column].dropna().sort_values().reset_index(drop=True)
        first = start if start is not None else (values.iloc[0] if len(values) else 0)
        out = pd.DataFrame({column: values.astype("int64")})
        out["expected"] = range(int(first), int(first) + len(out))
        out["gap"] = out[column] - out["expected"]
        return out
    keys = list(group_by or [])
    part = frame[[*keys, column]].dropna(subset=[column])
    if distinct:
        part = part.drop_duplicates()
    letters = isinstance(start, str) or part[column].dtype == object
    number = part[column].map(ord) if letters else part[column].astype("int64")
    part = part.assign(_number=number).sort_values([*keys, "_number"], na_position="first")
    base = (ord(start) if isinstance(start, str) else start) if start is not None else None
    groups = part.groupby(keys, dropna=False, sort=False) if keys else [((), part)]
    pieces = []
    for _, group in groups:
        first = base if base is not None else int(group["_number"].iloc[0])
        expected = pd.Series(range(first, first + len(group)), index=group.index)
        pieces.append(group.assign(expected=expected.map(chr) if letters else expected,
                                   gap=group["_number"] - expected))
    if not pieces:
        return pd.DataFrame(columns=[*keys, column, "expected", "gap"])
    out = pd.concat(pieces).drop(columns="_number").reset_index(drop=True)
    out["gap"] = out["gap"].astype("int64")
    return out


def plan_years(tables: Tables, *, table: str, key: list[str], column: str) -> pd.DataFrame:
    """One row per ``key`` (a project) of ``table`` (budgets): how many rows and distinct ``column`` values
    (fiscal years) it has and its first and last, beside the same figures of the whole table (the plan
    period as printed: ``plan_years``, ``plan_first``, ``plan_last``). No period is assumed: the suite
    compares each project with the plan's own figures."""
    frame = tables[table]
    years = frame[column].dropna()
    grouped = frame.groupby(key, dropna=False)[column]
    out = pd.DataFrame({"n_rows": grouped.size(), "n_years": grouped.nunique(),
                        "first_year": grouped.min(), "last_year": grouped.max()}).reset_index()
    out["plan_years"] = int(years.nunique())
    out["plan_first"] = int(years.min()) if len(years) else 0
    out["plan_last"] = int(years.max()) if len(years) else 0
    out["plan_span"] = out["plan_last"] - out["plan_first"] + 1
    return out.sort_values(key).reset_index(drop=True)


def _label_year(label: object) -> float | None:
    try:
        return float(label_year(str(label)))
    except ValueError:
        return None


def era_labels(tables: Tables, *, table: str, year: str, label: str) -> pd.DataFrame:
    """Each distinct (``year``, ``label``) pair of ``table`` with ``label_year``, the fiscal year the era
    label names (平成31年度 and 令和元年度 both name 2019), null when the label is no era label."""
    pairs = tables[table][[year, label]].drop_duplicates().sort_values([year, label]).reset_index(drop=True)
    pairs["label_year"] = pd.array([_label_year(v) for v in pairs[label]], dtype="Float64").astype("float64")
    pairs[year] = pairs[year].astype("float64")
    return pairs


def child_counts(tables: Tables, *, parent: dict, key: list[str], children: dict[str, dict]) -> pd.DataFrame:
    """One row per parent (``parent.table``'s ``parent.columns``, deduplicated with
    ``parent.distinct``), with a count column per entry of ``children``: how many rows of
    ``children[name].table`` (filtered by its ``query``) share the parent's ``key``, or with
    ``distinct`` how many distinct values of that column they have. Parents without children get 0."""
    base = tables[parent["table"]]
    columns = parent.get("columns") or list(base.columns)
    out = _query(base, parent.get("query"))[columns]
    if parent.get("distinct"):
        out = out.drop_duplicates()
    out = out.sort_values(key).reset_index(drop=True)
    for name, spec in children.items():
        child = _query(tables[spec["table"]], spec.get("query"))
        grouped = child.groupby(key, dropna=False)
        counts = grouped[spec["distinct"]].nunique() if spec.get("distinct") else grouped.size()
        counts = counts.rename(name).reset_index()
        out = out.merge(counts, on=key, how="left")
        out[name] = out[name].fillna(0).astype("int64")
    return out


_MISSING = object()


def _lookup(data: Any, dotted: str) -> Any:
    """The value at ``a.b.c``; ``_MISSING`` when there is none (a JSON null is a value: None)."""
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def metrics_reconciliation(tables: Tables, *, metrics_file: str, checks: list[dict]) -> pd.DataFrame:
    """One row per reported figure in ``metrics_file`` (a JSON of the build) and per figure
    recomputed from the rows: ``metric`` (dotted path), ``reported``, ``computed``,
    ``reported_present`` / ``computed_present`` (the figure is in metrics.json / the rows give it) and
    ``difference``.

    Sums are null-aware: a group none of whose values is printed sums to null (metrics.json writes
    null there, not 0). ``difference`` is reported − computed, 0 when both are null and null when only
    one is (an unprinted year reported as 0, or a printed total reported as null).

    Each check is one of
      {"metric": "a.b", "table": T, "sum": COL}                        one total
      {"metric": "a.b", "table": T, "sum": COL, "group_by": [...], "key": "fy{fiscal_year}",
       "join": {"table": P, "on": [...], "columns": [...]}}             one figure per group
      {"metric": "counts", "row_counts": [T, ...]}                      row count per table
    """
    reported_doc = tables.json(metrics_file)
    rows: list[dict] = []
    for check in checks:
        reported = _lookup(reported_doc, check["metric"])
        computed: dict[str, float | None] = {}
        if "row_counts" in check:
            computed = {name: len(tables[name]) for name in check["row_counts"] if name in tables}
            reported = {k: v for k, v in (reported if isinstance(reported, dict) else {}).items()
                        if k in check["row_counts"]}
        else:
            frame = tables[check["table"]]
            if "join" in check:
                join = check["join"]
                right = tables[join["table"]][[*join["on"], *join["columns"]]].drop_duplicates()
                frame = frame.merge(right, on=join["on"], how="left")
            if "group_by" in check:
                sums = frame.groupby(check["group_by"], dropna=False)[check["sum"]].sum(min_count=1)
                for group, value in sums.items():
                    group = group if isinstance(group, tuple) else (group,)
                    label = check["key"].format(**dict(zip(check["group_by"], group)))
                    computed[label] = None if pd.isna(value) else float(value)
            else:
                value = frame[check["sum"]].sum(min_count=1)
                computed = {"": None if pd.isna(value) else float(value)}
                reported = {} if reported is _MISSING else {"": reported}
        reported = reported if isinstance(reported, dict) else {}
        for label in sorted(set(reported) | set(computed)):
            metric = f"{check['metric']}.{label}" if label else check["metric"]
            rows.append({"metric": metric, "reported": reported.get(label), "computed": computed.get(label),
                         "reported_present": label in reported, "computed_present": label in computed})
    out = pd.DataFrame(rows, columns=["metric", "reported", "computed", "reported_present", "computed_present"])
    out["reported"] = pd.to_numeric(out["reported"], errors="coerce").astype("float64")
    out["computed"] = pd.to_numeric(out["computed"], errors="coerce").astype("float64")
    out["reported_present"] = out["reported_present"].astype(bool)
    out["computed_present"] = out["computed_present"].astype(bool)
    both_null = out["reported"].isna() & out["computed"].isna()
    out["difference"] = (out["reported"] - out["computed"]).mask(both_null, 0.0)
    return out


QUANTITY_SUFFIXES = ("raw", "value", "unit", "year", "year_kind", "period", "comparator", "text")


def quantity_cells(tables: Tables, *, sides: dict[str, list[str]], keys: dict[str, list[str]]) -> pd.DataFrame:
    """Every quantity cell (indicators' baseline/target, KPIs' current/target …) as one long frame:
    ``table``, ``key`` (e.g. ``project_no=5 indicator_no=2``), ``side`` and the quantity
    columns without their prefix, so one expectation covers every cell of every table."""
    parts = []
    for table, prefixes in sides.items():
        if table not in tables:
            continue
        frame = tables[table]
        label = frame[keys[table]].astype("int64").astype(str)
        key = label.apply(lambda r, cols=keys[table]: " ".join(f"{c}={v}" for c, v in zip(cols, r)), axis=1)
        for prefix in prefixes:
            part = pd.DataFrame({"table": table, "key": key, "side": prefix})
            for suffix in QUANTITY_SUFFIXES:
                part[suffix] = frame[f"{prefix}_{suffix}"].to_numpy()
            parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["year"] = pd.to_numeric(out["year"]).astype("float64")
    out["value"] = pd.to_numeric(out["value"]).astype("float64")
    out["no_value"] = [is_no_value(raw) for raw in out["raw"]]  # a dash: pipeline.normalizers.quantity's one list
    return out


def references(tables: Tables, *, parent: str, key: list[str], children: list[str]) -> pd.DataFrame:
    """Every non-null reference to ``parent`` (by ``key``) from the ``children`` tables present in
    the build: ``table``, the key columns, and ``found`` (True iff the parent has that key)."""
    known = tables[parent][key].drop_duplicates().assign(found=True)
    parts = []
    for child in children:
        if child not in tables:
            continue
        refs = tables[child][key].dropna().drop_duplicates()
        refs = refs.astype({c: known[c].dtype for c in key})
        parts.append(refs.merge(known, on=key, how="left").assign(table=child))
    out = pd.concat(parts, ignore_index=True)
    out["found"] = out["found"].astype("boolean").fillna(False).astype(bool)
    return out[["table", *key, "found"]]


DERIVATIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "sequence": sequence,
    "plan_years": plan_years,
    "era_labels": era_labels,
    "child_counts": child_counts,
    "metrics_reconciliation": metrics_reconciliation,
    "quantity_cells": quantity_cells,
    "references": references,
}


def build_frame(spec: dict, tables: Tables) -> pd.DataFrame:
    """The frame a suite runs on: a table, or a derivation, plus ``assign`` columns."""
    if "derive" in spec:
        args = {k: v for k, v in spec.items() if k not in ("derive", "assign")}
        try:
            derive = DERIVATIONS[spec["derive"]]
        except KeyError:
            raise ValueError(f"unknown derivation {spec['derive']!r}; known: {', '.join(DERIVATIONS)}") from None
        frame = derive(tables, **args)
    else:
        frame = tables[spec["table"]].copy()
    for column, expression in (spec.get("assign") or {}).items():
        frame[column] = frame.eval(expression)
    return frame
