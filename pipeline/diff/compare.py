"""`python -m pipeline diff OLD_DIR NEW_DIR`: what changed between two builds (two editions of the plan).

``diff_builds(old_dir, new_dir) -> DiffResult`` does the comparison; ``DiffResult.to_json()`` is the JSON
shape (``FORMAT_VERSION``; docs/diff.md describes every field); ``pipeline.diff.report`` renders it as
JSON, Markdown or HTML (pipeline.diff.report); ``pipeline.diff.command.run_diff`` is the CLI entry point.

- Numbers: a project has a number in each edition. Every entry carries both, ``old_no`` (as printed in
  OLD) and ``new_no`` (as printed in NEW), null on the side where the project does not exist; and the
  pages of the project in each build (``old_pages``/``new_pages``: [page_start, page_end]).
- ``totals``: the budget per fiscal year in each edition (sum of ``amount_thousand_yen``, null where no
  amount of that year is printed) and the change.
- Added and removed projects carry their content: project fields, budget rows, indicators, roles and
  cost shares, partner municipalities.

- Projects are matched by identity (``pipeline.diff.match``): same name, else name+summary similarity
  above a threshold, else added/removed. Renumbering and renames are reported under ``projects`` only.
- ``changes``: rows of matched projects, matched by natural key (the schema's ``natural_key``), and rows of ``kpis`` (by
  name) and ``footnotes`` (by term); one entry per changed content column; a row on one side only has
  ``old`` or ``new`` null and lists its non-null columns. Provenance and position columns are not compared
  (``is_compared``). footnotes' ``project_no`` is compared as the linked project's identity: it is reported
  (with the numbers as printed in each edition) only when the footnote moved to another project; a
  footnote that comes or goes with an added or removed project is part of that project's entry.
- ``overview`` and ``cells`` are not compared (the excerpt is optional; cells are provenance).
- Every list is sorted (projects by number; changes by new project number, table, key, column), values
  are plain JSON (ints, floats, strings; NaN → null), so two runs give identical bytes.

Exit status (pudl-diff's convention): 0 identical, 1 differences found, 2 the comparison failed (missing
directory, manifest or table, different contract versions): one line on stderr, no traceback.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.diff.match import MATCH_THRESHOLD, Matching, Project, match_projects
from schemas.fields import DERIVED, FIELDS
from schemas.tables import CONTRACT_VERSION, FOREIGN_KEYS, TABLES, column_role, project_tables

__all__ = [
    "FORMAT_VERSION", "MATCH_THRESHOLD", "COMPARED_TABLES", "row_key", "Change", "DiffError", "DiffResult", "diff_builds",
    "compare_tables", "load_build", "is_compared",
]

# The shape of DiffResult.to_json(); raised whenever a field is renamed, removed or changes meaning
# (1: projects + changes with a name only; 2: old_no/new_no and pages everywhere, totals, the content of
# added and removed projects, the two sources).
FORMAT_VERSION = 2

# Tables compared, in report order: every table whose rows have an identity across editions (a natural
# key), the excerpt (optional) aside. Those keyed by project_no belong to a project; footnotes' project_no is a
# link, compared by identity.
COMPARED_TABLES = tuple(name for name, spec in TABLES.items() if spec.natural_key is not None and not spec.optional)
PROJECT_TABLES = tuple(project_tables())


def row_key(table: str) -> tuple[str, ...]:
    """The natural key of a row (within its project for the project tables), from the schema."""
    return TABLES[table].natural_key or ()


def is_compared(table: str, column: str) -> bool:
    """Whether ``column`` of ``table`` is content that the diff compares: not the natural key, not
    provenance, not a position (schema roles); a project's name is its identity (a rename is reported
    under projects.renamed); a link to a project is compared by identity."""
    if table == "projects" and column == "name":
        return False
    if column in _links(table):
        return True
    if column in TABLES[table].fields:
        role = column_role(table, column)
    else:  # a column a newer build has: its field's role, if the schema knows it
        role = FIELDS[column].role if column in FIELDS else None
    return role is None or role.kind == DERIVED


def _links(table: str) -> set[str]:
    """Columns of ``table`` that name a project without belonging to it (footnotes' project_no)."""
    key = set(TABLES[table].primary_key)
    return {c for cols, parent, _ in FOREIGN_KEYS.get(table, []) if parent == "projects" for c in cols
            if c not in key}


class DiffError(Exception):
    """The comparison cannot be made (not a build, a table missing, contract versions differ)."""


# -- loading ---------------------------------------------------------------------------------------
@dataclass
class Build:
    path: Path
    contract_version: str
    source: str  # the plan PDF's file name, for the report's heading
    tables: dict[str, list[dict[str, Any]]]
    columns: dict[str, list[str]]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def load_build(path: Path) -> Build:
    from pipeline.stages.builddir import require_build
    from pipeline.inputs import InputError

    path = Path(path)
    try:
        manifest = require_build(path)  # the one check every command makes of a build folder
    except InputError as error:
        raise DiffError(str(error)) from None
    version = manifest["contract_version"]
    sources = manifest.get("sources") or {}
    source = (sources.get("plan") or {}).get("file") or path.name
    tables: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, list[str]] = {}
    for name in COMPARED_TABLES:
        file = path / f"{name}.parquet"
        if not file.exists():
            raise DiffError(f"{path}: table {name} missing ({file.name})")
        try:
            table = pq.read_table(file)
        except (OSError, pa.ArrowException) as error:
            raise DiffError(f"{file}: unreadable ({_one_line(error)})") from None
        missing = [c for c in TABLES[name].fields if c not in table.column_names]
        if missing:
            raise DiffError(f"{file}: column {missing[0]} missing")
        columns[name] = list(table.column_names)
        tables[name] = [{k: _clean(v) for k, v in row.items()} for row in table.to_pylist()]
    return Build(path, str(version), str(source), tables, columns)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


# -- the result ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    table: str
    name: str | None  # the project's name in NEW (None for kpis and footnotes)
    key: tuple[tuple[str, Any], ...]
    column: str
    old: Any
    new: Any
    new_no: int | None = None  # the project's number in NEW (None for kpis and footnotes)
    old_no: int | None = None  # … in OLD
    row: str = "both"  # "both", "old" (row removed) or "new" (row added)
    old_pages: tuple[int, int] | None = None  # the project's (or KPI's, footnote's) pages in OLD
    new_pages: tuple[int, int] | None = None  # … in NEW

    def to_json(self, pages: bool = True) -> dict[str, Any]:
        out = {"table": self.table, "name": self.name, "old_no": self.old_no, "new_no": self.new_no,
               "key": dict(self.key), "column": self.column, "old": self.old, "new": self.new}
        if pages:
            out["old_pages"] = _pages_json(self.old_pages)
            out["new_pages"] = _pages_json(self.new_pages)
        return out


def _pages_json(pages: tuple[int, int] | None) -> list[int] | None:
    return None if pages is None else [int(pages[0]), int(pages[1])]


# Columns of an added or removed project's content (what was printed, in the contract's names).
DETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "projects": ("summary", "area_no", "area_title", "field_no", "field_title", "category_code",
                 "category_title", "municipalities_raw"),
    "budgets": ("fiscal_year", "era_label", "raw", "amount_thousand_yen", "note"),
    "indicators": ("indicator_no", "item", "baseline_raw", "target_raw"),
    "responsibilities": ("party", "role", "cost_share"),
}


@dataclass
class DiffResult:
    matching: Matching
    changes: list[Change] = field(default_factory=list)
    old_source: str = "old"
    new_source: str = "new"
    old_count: int = 0
    new_count: int = 0
    # project number → (page_start, page_end), in each build
    old_pages: dict[int, tuple[int, int]] = field(default_factory=dict)
    new_pages: dict[int, tuple[int, int]] = field(default_factory=dict)
    # [{"fiscal_year", "old", "new", "change"}], by year
    totals: list[dict[str, Any]] = field(default_factory=list)
    # content of added (by new number) and removed (by old number) projects
    added_detail: dict[int, dict[str, Any]] = field(default_factory=dict)
    removed_detail: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def renamed(self) -> list:
        return [p for p in self.matching.pairs if p.renamed]

    @property
    def renumbered(self) -> list:
        """Matched projects whose number changed, renamed ones excluded (``renamed`` carries both numbers)."""
        return [p for p in self.matching.pairs if p.renumbered and not p.renamed]

    @property
    def identical(self) -> bool:
        """No difference in content (pages and sources are provenance: a reprint is identical)."""
        return not (self.matching.added or self.matching.removed or self.renamed or self.renumbered
                    or self.changes)

    def _numbers(self, old_no: int | None, new_no: int | None, pages: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"old_no": old_no, "new_no": new_no}
        if pages:
            out["old_pages"] = _pages_json(self.old_pages.get(old_no)) if old_no is not None else None
            out["new_pages"] = _pages_json(self.new_pages.get(new_no)) if new_no is not None else None
        return out

    def projects_json(self, pages: bool = True) -> dict[str, list[dict[str, Any]]]:
        m = self.matching
        return {
            "added": [{**self._numbers(None, p.no, pages), "name": p.name, **self.added_detail.get(p.no, {})}
                      for p in m.added],
            "removed": [{**self._numbers(p.no, None, pages), "name": p.name, **self.removed_detail.get(p.no, {})}
                        for p in m.removed],
            "renamed": [{**self._numbers(p.old.no, p.new.no, pages), "old_name": p.old.name, "new_name": p.new.name}
                        for p in self.renamed],
            "renumbered": [{**self._numbers(p.old.no, p.new.no, pages), "name": p.new.name}
                           for p in self.renumbered],
        }

    def to_json(self, pages: bool = True) -> dict[str, Any]:
        """The diff as plain JSON. ``pages=False`` leaves out the sources and every page (provenance), so
        that two printings of the same editions give equal objects."""
        out: dict[str, Any] = {"format_version": FORMAT_VERSION}
        if pages:
            out["old"] = {"source": self.old_source, "projects": self.old_count}
            out["new"] = {"source": self.new_source, "projects": self.new_count}
        out["totals"] = {"budget_thousand_yen_by_fiscal_year": [dict(t) for t in self.totals]}
        out["projects"] = self.projects_json(pages)
        out["changes"] = [c.to_json(pages) for c in self.changes]
        return out


def _null_sum(values: list[Any]) -> int | None:
    printed = [v for v in values if v is not None]
    return sum(printed) if printed else None


def budget_totals(old_budgets: list[dict], new_budgets: list[dict]) -> list[dict[str, Any]]:
    """Per fiscal year: the sum of ``amount_thousand_yen`` in each edition (null when none of that year's
    amounts is printed, so an unprinted year never reads as 0) and ``change`` = new − old (null unless
    both are numbers)."""
    def by_year(rows: list[dict]) -> dict[int, int | None]:
        years: dict[int, list] = defaultdict(list)
        for r in rows:
            years[int(r["fiscal_year"])].append(r["amount_thousand_yen"])
        return {y: _null_sum(v) for y, v in years.items()}

    old, new = by_year(old_budgets), by_year(new_budgets)
    out = []
    for year in sorted(set(old) | set(new)):
        a, b = old.get(year), new.get(year)
        out.append({"fiscal_year": year, "old": a, "new": b,
                    "change": b - a if a is not None and b is not None else None})
    return out


def project_detail(tables: dict[str, list[dict]], no: int) -> dict[str, Any]:
    """What an added or removed project prints: its fields, budget rows, indicators, roles and cost
    shares, and partner municipalities (in printed order)."""
    def rows(table: str) -> list[dict]:
        return [r for r in tables.get(table, []) if r.get("project_no") == no]

    def pick(row: dict, table: str) -> dict:
        return {c: row.get(c) for c in DETAIL_COLUMNS[table]}

    project = next((r for r in rows("projects")), {})
    order = {t: TABLES[t].primary_key for t in ("budgets", "indicators", "responsibilities",
                                                "project_municipalities")}

    def ordered(table: str) -> list[dict]:
        return sorted(rows(table), key=lambda r: tuple(_sortable(r.get(c)) for c in order[table]))

    municipalities = sorted(rows("project_municipalities"),
                            key=lambda r: (_sortable(r.get("list_order")), r.get("municipality") or ""))
    return {
        "project": pick(project, "projects") if project else None,
        "budgets": [pick(r, "budgets") for r in ordered("budgets")],
        "indicators": [pick(r, "indicators") for r in ordered("indicators")],
        "responsibilities": [pick(r, "responsibilities") for r in ordered("responsibilities")],
        "municipalities": [r.get("municipality") for r in municipalities],
    }


# -- comparing -------------------------------------------------------------------------------------
def _sortable(value: Any) -> tuple:
    return (1,) if value is None else (0, value)


def _column_order(table: str, old_columns: list[str], new_columns: list[str]) -> list[str]:
    """Compared columns present in both builds: the contract's order, then extra columns by name."""
    both = set(old_columns) & set(new_columns)
    spec = [c for c in TABLES[table].fields if c in both]
    extra = sorted(both - set(spec))
    return [c for c in spec + extra if is_compared(table, c)]


def _keyed(rows: list[dict], table: str, other: list[dict]) -> dict[tuple, dict]:
    """Rows by natural key. A key that occurs more than once (on either side) gets an ``occurrence``
    (1, 2, … in the order of the table's primary key), so duplicates pair up in printed order."""
    key_cols = row_key(table)
    order = TABLES[table].primary_key

    def natural(row: dict) -> tuple:
        return tuple((c, row[c]) for c in key_cols)

    mine, theirs = Counter(map(natural, rows)), Counter(map(natural, other))
    dup = {k for k in mine | theirs if max(mine[k], theirs[k]) > 1}
    seen: dict[tuple, int] = defaultdict(int)
    out: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: tuple(_sortable(r[c]) for c in order)):
        k = natural(row)
        if k in dup:
            seen[k] += 1
            k = k + (("occurrence", seen[k]),)
        out[k] = row
    return out


def _compare_rows(table: str, old_rows: list[dict], new_rows: list[dict], columns: list[str],
                  name: str | None, old_no: int | None, new_no: int | None,
                  same: Callable[[str, Any, Any], bool] | None = None,
                  one_sided: Callable[[str, dict], bool] | None = None,
                  old_pages: tuple[int, int] | None = None,
                  new_pages: tuple[int, int] | None = None) -> list[Change]:
    """Changes between two lists of rows, matched by natural key. ``same(column, old, new)`` overrides
    equality for rows on both sides; ``one_sided(side, row)`` false drops a row found on one side only.
    ``old_pages``/``new_pages``: the project's pages in each build; without them (kpis, footnotes) each
    change carries its row's own ``page``."""
    def row_pages(row: dict | None, given: tuple[int, int] | None) -> tuple[int, int] | None:
        if given is not None or row is None or row.get("page") is None:
            return given
        return (int(row["page"]), int(row["page"]))

    old_keyed = _keyed(old_rows, table, new_rows)
    new_keyed = _keyed(new_rows, table, old_rows)
    changes = []
    for key in sorted(set(old_keyed) | set(new_keyed), key=lambda k: tuple((c, _sortable(v)) for c, v in k)):
        o, n = old_keyed.get(key), new_keyed.get(key)
        row = "both" if o is not None and n is not None else "old" if o is not None else "new"
        if row != "both" and one_sided is not None and not one_sided(row, o if n is None else n):
            continue
        where = {"old_pages": row_pages(o, old_pages) if o is not None or old_pages else None,
                 "new_pages": row_pages(n, new_pages) if n is not None or new_pages else None}
        for column in columns:
            a = o[column] if o is not None else None
            b = n[column] if n is not None else None
            equal = same(column, a, b) if same is not None and o is not None and n is not None else a == b
            if not equal:
                changes.append(Change(table, name, key, column, a, b, new_no, old_no, row, **where))
        if row != "both" and not any(c.key == key for c in changes):
            # A row on one side only whose compared columns are all null: still say it is there.
            changes += [Change(table, name, key, column, None, None, new_no, old_no, row, **where)
                        for column in columns]
    return changes


def compare_builds(old: Build, new: Build, threshold: float = MATCH_THRESHOLD) -> DiffResult:
    if old.contract_version != new.contract_version:
        raise DiffError(f"contract versions differ: {old.contract_version} in {old.path}, "
                        f"{new.contract_version} in {new.path}")
    if old.contract_version != CONTRACT_VERSION:
        raise DiffError(f"contract version {old.contract_version}; this diff reads version {CONTRACT_VERSION}")
    return compare_tables(old.tables, new.tables, old.columns, new.columns, threshold=threshold,
                          old_source=old.source, new_source=new.source)


def compare_tables(old: dict[str, list[dict]], new: dict[str, list[dict]],
                   old_columns: dict[str, list[str]] | None = None,
                   new_columns: dict[str, list[str]] | None = None,
                   threshold: float = MATCH_THRESHOLD,
                   old_source: str = "old", new_source: str = "new") -> DiffResult:
    """Compare two builds given as {table: rows (dicts of plain values)}."""
    def cols(tables: dict, given: dict | None, name: str) -> list[str]:
        if given is not None:
            return given[name]
        return list(tables[name][0]) if tables[name] else list(TABLES[name].fields)

    def projects(rows: list[dict]) -> list[Project]:
        return [Project(int(r["project_no"]), r["name"] or "", r["summary"] or "") for r in rows]

    try:
        matching = match_projects(projects(old["projects"]), projects(new["projects"]), threshold)
    except ValueError as error:
        raise DiffError(str(error)) from None
    def pages(rows: list[dict]) -> dict[int, tuple[int, int]]:
        return {int(r["project_no"]): (int(r["page_start"]), int(r["page_end"])) for r in rows
                if r.get("page_start") is not None and r.get("page_end") is not None}

    result = DiffResult(matching, old_source=old_source, new_source=new_source,
                        old_count=len(old["projects"]), new_count=len(new["projects"]),
                        old_pages=pages(old["projects"]), new_pages=pages(new["projects"]),
                        totals=budget_totals(old["budgets"], new["budgets"]),
                        added_detail={p.no: project_detail(new, p.no) for p in matching.added},
                        removed_detail={p.no: project_detail(old, p.no) for p in matching.removed})
    changes: list[Change] = []
    table_rank = {t: i for i, t in enumerate(COMPARED_TABLES)}

    # Rows of matched projects.
    for table in PROJECT_TABLES:
        columns = _column_order(table, cols(old, old_columns, table), cols(new, new_columns, table))
        old_by: dict[int, list[dict]] = defaultdict(list)
        new_by: dict[int, list[dict]] = defaultdict(list)
        for r in old[table]:
            old_by[int(r["project_no"])].append(r)
        for r in new[table]:
            new_by[int(r["project_no"])].append(r)
        for pair in matching.pairs:
            changes += _compare_rows(table, old_by.get(pair.old.no, []), new_by.get(pair.new.no, []), columns,
                                     pair.new.name, pair.old.no, pair.new.no,
                                     old_pages=result.old_pages.get(pair.old.no),
                                     new_pages=result.new_pages.get(pair.new.no))

    # KPIs by name.
    columns = _column_order("kpis", cols(old, old_columns, "kpis"), cols(new, new_columns, "kpis"))
    changes += _compare_rows("kpis", old["kpis"], new["kpis"], columns, None, None, None)

    # Footnotes by term; the linked project compared by identity, not number.
    identity_old = {p.old.no: ("matched", p.new.no) for p in matching.pairs}
    identity_old.update({p.no: ("removed", p.no) for p in matching.removed})
    identity_new = {p.new.no: ("matched", p.new.no) for p in matching.pairs}
    identity_new.update({p.no: ("added", p.no) for p in matching.added})

    def same_footnote_value(column: str, a: Any, b: Any) -> bool:
        if column != "project_no":
            return a == b
        ia = None if a is None else identity_old.get(int(a), ("unknown", a))
        ib = None if b is None else identity_new.get(int(b), ("unknown", b))
        return ia == ib

    def not_of_added_or_removed(side: str, row: dict) -> bool:
        # A footnote that comes or goes with its project is part of that project's addition/removal.
        identity = (identity_old if side == "old" else identity_new).get(row["project_no"])
        return identity is None or identity[0] == "matched"

    columns = _column_order("footnotes", cols(old, old_columns, "footnotes"), cols(new, new_columns, "footnotes"))
    changes += _compare_rows("footnotes", old["footnotes"], new["footnotes"], columns, None, None, None,
                             same=same_footnote_value, one_sided=not_of_added_or_removed)

    column_rank = {t: {c: i for i, c in enumerate(TABLES[t].fields)} for t in COMPARED_TABLES}

    def order(c: Change) -> tuple:
        """Project rows by new number, then kpis, then footnotes; within: table, key, column."""
        in_project = c.table in PROJECT_TABLES
        ranks = column_rank[c.table]
        return (0 if in_project else 1, c.new_no if in_project else 0, table_rank[c.table],
                tuple((k, _sortable(v)) for k, v in c.key), ranks.get(c.column, len(ranks)), c.column)

    result.changes = sorted(changes, key=order)
    return result


def diff_builds(old_dir: Path, new_dir: Path, threshold: float = MATCH_THRESHOLD) -> DiffResult:
    """Load and compare two build directories. Raises ``DiffError``."""
    return compare_builds(load_build(old_dir), load_build(new_dir), threshold)


# -- CLI -------------------------------------------------------------------------------------------
