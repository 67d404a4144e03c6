"""`python -m pipeline diff OLD_DIR NEW_DIR`: what changed between two builds (two editions of the plan).

``diff_builds(old_dir, new_dir) -> DiffResult`` does the comparison; ``DiffResult.to_json()`` is the JSON
shape (``FORMAT_VERSION``; docs/diff.md describes every field); ``pipeline.diff.report`` renders it as
JSON or Markdown, ``pipeline.publish.diffview`` as HTML; ``pipeline.publish.diffcommand.run_diff`` is the CLI
entry point.

- Numbers: a project has a number in each edition. Every entry carries both, ``old_no`` (as printed in
  OLD) and ``new_no`` (as printed in NEW), null on the side where the project does not exist; and the
  pages of the project in each build (``old_pages``/``new_pages``: [page_start, page_end]) with the labels
  printed on them (``old_page_labels``/``new_page_labels``).
- ``totals``: the budget per fiscal year in each edition (sum of ``amount_thousand_yen``, null where no
  amount of that year is printed) and the change.
- Added and removed projects carry their content: project fields, budget rows, indicators, roles and
  cost shares, partner municipalities.

- Projects are matched by identity (``pipeline.identity``): same name, else name+summary similarity
  above a threshold, else added/removed. Renumbering and renames are reported under ``projects`` only.
- ``changes``: the edits of rows of matched projects, matched by natural key (the schema's
  ``natural_key``), and of rows of ``kpis`` (by name) and ``footnotes`` (by term). One entry per printed
  value that changed; the columns derived from it (schema role ``derived``: ``amount_yen`` from ``raw``,
  ``target_value`` from ``target_raw``) ride along in its ``derived``. A row on one side only is one entry
  (``row`` "added"/"removed", ``column`` null, its compared values on its side): a partner municipality
  added is one membership edit, with 連携市町村 as printed riding along (``TableSpec.rows_derived_from``).
  Edits are counted as a reviewer counts printed changes: a project printed under other headings is one
  ``project_moved`` edit (``_fold_move``), a merged budget cell one edit (``_fold_merged_cells``: ``spans``),
  a row whose key text was reworded one edit of that text (``_rekey``: ``old_key``), a project renamed with
  its summary kept one rename (``_summary_kept``), a heading reworded one ``heading`` edit over the projects
  printed under it (``_fold_headings``).
  Provenance and position columns are not compared (``is_compared``). footnotes' ``project_no`` is
  compared as the linked project's identity: it is reported (with the numbers as printed in each edition)
  only when the footnote moved to another project; a footnote that comes or goes with an added or removed
  project is part of that project's entry.
- ``overview`` and ``cells`` are not compared (the excerpt is optional; cells are provenance).
- ``summary``: the edits counted by kind; ``municipalities``: per partner municipality, what changed in the
  projects it partners (``municipality_edits``).
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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import one_line
from pipeline.normalizers.quantity import null_sum
from pipeline.identity import MATCH_THRESHOLD, Matching, Project, match_projects
from schemas.fields import DERIVED, FIELDS
from schemas.tables import CONTRACT_VERSION, FOREIGN_KEYS, TABLES, column_role, project_tables

__all__ = [
    "FORMAT_VERSION", "MATCH_THRESHOLD", "COMPARED_TABLES", "row_key", "Change", "DiffError", "DiffResult", "diff_builds",
    "compare_tables", "load_build", "is_compared",
]

# The shape of DiffResult.to_json(); raised whenever a field is renamed, removed or changes meaning
# (1: projects + changes with a name only; 2: old_no/new_no and pages everywhere, totals, the content of
# added and removed projects, the two sources; 3: one change per edit — a printed value with the columns
# derived from it in ``derived``, or a row added or removed — with its ``kind``, the ``summary`` counts by
# kind and the per-municipality section ``municipalities``; 4: every project entry and every change of a
# project's row carries the project's stable ``project_id``, and ``old_project_id`` where OLD gave it another;
# 5: edits counted as printed — a project moved to other headings is one ``project_moved`` edit, a heading
# reworded one ``heading`` edit (``projects``: those under it), a merged
# budget cell one edit (``spans``: the rows it covers, their readings in ``derived`` with a ``key``), a row
# whose key text was reworded one edit of that text (``old_key``), a project renamed with its summary kept
# one rename — and printed page labels beside every page index (``old_page_labels``/``new_page_labels``)).
FORMAT_VERSION = 5

# Tables compared, in report order: every table whose rows have an identity across editions (a natural
# key), the excerpt (optional) aside. Those keyed by project_no belong to a project; footnotes' project_no
# is a link, compared by identity.
COMPARED_TABLES = tuple(name for name, spec in TABLES.items()
                        if spec.natural_key is not None and not spec.optional)
PROJECT_TABLES = tuple(project_tables())

# What an edit of each table's rows is called, in the summary's order (after the projects added, removed and
# renamed): an edit of a project's own printed fields, of its partner municipalities (a membership: one
# municipality added or removed), …
KINDS: dict[str, str] = {"projects": "project", "project_municipalities": "membership",
                         "responsibilities": "responsibility", "budgets": "budget", "indicators": "indicator",
                         "kpis": "kpi", "footnotes": "footnote"}
PROJECT_KINDS = ("project_added", "project_removed", "project_renamed")
# A project printed under other headings (role, field, category: the columns below) is one edit, a move:
# ``column`` the outermost heading that changed, the other heading columns that changed riding along.
MOVED = "project_moved"
PLACEMENT = ("area_no", "area_title", "field_no", "field_title", "category_code", "category_title")
# A heading's text reworded (its number or letter kept) is printed once, above every project under it: one
# edit of kind ``heading`` (``projects`` the new numbers of the projects under it, riding along), not a move
# of each. Each title with the number it is printed beside.
HEADING = "heading"
HEADING_TITLES = {"area_title": "area_no", "field_title": "field_no", "category_title": "category_code"}
# A project whose name changed beyond the identity threshold but whose summary is printed (nearly) as before
# is the same project renamed (its rows ride along), not one removed and one added. Different projects of
# the plan share at most 52.4 of their summaries (pipeline/identity.py); a light edit of one scores above 90.
SUMMARY_KEPT = 90.0
# A row whose natural key is its printed text (an indicator's 項目, a KPI's name, a footnote's term) and that
# no longer matches by key pairs with a row of the other side when the key texts and the row's other values
# are alike (mean of the key's rapidfuzz ratio and the share of other values equal, 0–100): the key text
# was reworded, one edit of it. A replaced row (other text, other values) stays a row removed and one added.
REKEY_THRESHOLD = 60.0
# A municipality joining or leaving the agreement: one edit each (the partner rows of the 全市町村 projects
# that it adds or removes ride along in it).
MEMBER_KINDS = ("member_joined", "member_left")
assert set(KINDS) == set(COMPARED_TABLES), set(KINDS) ^ set(COMPARED_TABLES)


def source_column(column: str) -> str:
    """The printed column an edit of ``column`` belongs to: the column it is derived from (schema role), or
    itself."""
    role = FIELDS[column].role if column in FIELDS else None
    return role.of if role is not None and role.kind == DERIVED else column


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
    members: dict[str, Any] | None = None  # manifest.json's sources.plan.members (None: a build without it)


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
            raise DiffError(f"{file}: unreadable ({one_line(error, 200)})") from None
        missing = [c for c in TABLES[name].fields if c not in table.column_names]
        if missing:
            raise DiffError(f"{file}: column {missing[0]} missing")
        columns[name] = list(table.column_names)
        tables[name] = [{k: _clean(v) for k, v in row.items()} for row in table.to_pylist()]
    return Build(path, str(version), str(source), tables, columns, (sources.get("plan") or {}).get("members"))


# -- the result ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Derived:
    """A column read from the edited one (schema role ``derived``), or a column whose rows are read from it
    (``TableSpec.rows_derived_from``): it rides along inside the edit."""
    table: str
    column: str
    old: Any
    new: Any
    # the row it belongs to when that is not the edit's own row (another fiscal year of a merged cell)
    key: tuple[tuple[str, Any], ...] | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"table": self.table, "column": self.column, "old": self.old, "new": self.new}
        if self.key is not None:
            out["key"] = dict(self.key)
        return out


@dataclass(frozen=True)
class Change:
    """One edit: a printed value that changed (``column``, with the columns read from it in ``derived``),
    or a row added or removed (``column`` None; ``old``/``new`` the row's compared values)."""
    kind: str  # KINDS[table]
    table: str
    name: str | None  # the project's name in NEW (None for kpis and footnotes)
    key: tuple[tuple[str, Any], ...]
    column: str | None
    old: Any
    new: Any
    new_no: int | None = None  # the project's number in NEW (None for kpis and footnotes)
    old_no: int | None = None  # … in OLD
    row: str = "changed"  # "changed", "added" (row only in NEW) or "removed" (row only in OLD)
    old_pages: tuple[int, int] | None = None  # the project's (or KPI's, footnote's) pages in OLD
    new_pages: tuple[int, int] | None = None  # … in NEW
    derived: tuple[Derived, ...] = ()
    project_id: str | None = None  # the project's stable id in NEW (OLD for a removed row's project)
    old_project_id: str | None = None  # … in OLD, when it differs (builds made with different crosswalks)
    old_key: tuple[tuple[str, Any], ...] | None = None  # the row's key in OLD when its key text was reworded
    spans: tuple[tuple[tuple[str, Any], ...], ...] = ()  # the rows one printed cell covers (a merged cell)
    projects: tuple[int, ...] = ()  # a heading edit: the new numbers of the projects printed under it
    old_page_labels: tuple[str | None, str | None] | None = None  # the pages' printed labels in OLD
    new_page_labels: tuple[str | None, str | None] | None = None  # … in NEW

    def value(self, column: str) -> tuple[Any, Any]:
        """(old, new) of ``column``: the edited one or one riding along (equal sides when unchanged; the
        edit's own row before another row of a merged cell)."""
        if column == self.column:
            return self.old, self.new
        for d in sorted(self.derived, key=lambda d: d.key is not None):
            if d.column == column:
                return d.old, d.new
        raise KeyError(column)

    def to_json(self, pages: bool = True) -> dict[str, Any]:
        out = {"kind": self.kind, "table": self.table, "name": self.name, "old_no": self.old_no,
               "new_no": self.new_no, "key": dict(self.key), "row": self.row, "column": self.column,
               "old": self.old, "new": self.new, "derived": [d.to_json() for d in self.derived]}
        if self.project_id is not None:
            out["project_id"] = self.project_id
        if self.old_project_id is not None:
            out["old_project_id"] = self.old_project_id
        if self.old_key is not None:
            out["old_key"] = dict(self.old_key)
        if self.spans:
            out["spans"] = [dict(k) for k in self.spans]
        if self.projects:
            out["projects"] = list(self.projects)
        if pages:
            out["old_pages"] = _pages_json(self.old_pages)
            out["new_pages"] = _pages_json(self.new_pages)
            out["old_page_labels"] = _labels_json(self.old_page_labels, self.old_pages)
            out["new_page_labels"] = _labels_json(self.new_page_labels, self.new_pages)
        return out


def _pages_json(pages: tuple[int, int] | None) -> list[int] | None:
    return None if pages is None else [int(pages[0]), int(pages[1])]


def _labels_json(labels: tuple | None, pages: tuple[int, int] | None) -> list[str | None] | None:
    """The printed labels of ``pages`` ([first, last]; null for a page that prints none), null without pages."""
    if pages is None:
        return None
    labels = labels or (None, None)
    return [None if v is None else str(v) for v in labels]


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
    # project number → the printed labels of those pages (page_start_label, page_end_label)
    old_labels: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    new_labels: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    # [{"fiscal_year", "old", "new", "change"}], by year
    totals: list[dict[str, Any]] = field(default_factory=list)
    # content of added (by new number) and removed (by old number) projects
    added_detail: dict[int, dict[str, Any]] = field(default_factory=dict)
    removed_detail: dict[int, dict[str, Any]] = field(default_factory=dict)
    # per partner municipality (``municipality_edits``)
    municipalities: list[dict[str, Any]] = field(default_factory=list)
    # project number → project_id in each build (empty for a build without ids)
    old_ids: dict[int, str] = field(default_factory=dict)
    new_ids: dict[int, str] = field(default_factory=dict)
    # municipalities that joined or left the agreement (``member_edits``)
    members: list[dict[str, Any]] = field(default_factory=list)

    def ids(self, old_no: int | None, new_no: int | None) -> dict[str, str]:
        """``project_id`` (NEW's, else OLD's) and ``old_project_id`` where OLD's differs."""
        new_id = self.new_ids.get(new_no) if new_no is not None else None
        old_id = self.old_ids.get(old_no) if old_no is not None else None
        out = {}
        if new_id or old_id:
            out["project_id"] = new_id or old_id
        if new_id and old_id and old_id != new_id:
            out["old_project_id"] = old_id
        return out

    def edit_counts(self) -> dict[str, int]:
        """Edits by kind, every kind (zeros kept), in the summary's order: projects added, removed,
        renamed, moved, the members joined and left, then the edits of each compared table (``KINDS``).
        Renumbering is not an edit (it follows from an insertion, a removal or a move)."""
        m = self.matching
        counts = dict(zip(PROJECT_KINDS, (len(m.added), len(m.removed), len(self.renamed))))
        counts[MOVED] = sum(c.kind == MOVED for c in self.changes)
        counts[HEADING] = sum(c.kind == HEADING for c in self.changes)
        counts.update({kind: sum(e["kind"] == kind for e in self.members) for kind in MEMBER_KINDS})
        counts.update({kind: sum(c.kind == kind for c in self.changes) for kind in KINDS.values()})
        return counts

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
                    or self.changes or self.members)

    def _numbers(self, old_no: int | None, new_no: int | None, pages: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"old_no": old_no, "new_no": new_no, **self.ids(old_no, new_no)}
        if pages:
            old_pages = self.old_pages.get(old_no) if old_no is not None else None
            new_pages = self.new_pages.get(new_no) if new_no is not None else None
            out["old_pages"] = _pages_json(old_pages)
            out["new_pages"] = _pages_json(new_pages)
            out["old_page_labels"] = _labels_json(self.old_labels.get(old_no), old_pages)
            out["new_page_labels"] = _labels_json(self.new_labels.get(new_no), new_pages)
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
        counts = self.edit_counts()
        out["summary"] = {"edits": sum(counts.values()), "by_kind": counts, "renumbered": len(self.renumbered)}
        out["totals"] = {"budget_thousand_yen_by_fiscal_year": [dict(t) for t in self.totals]}
        out["projects"] = self.projects_json(pages)
        out["members"] = [dict(e) for e in self.members]
        out["changes"] = [c.to_json(pages) for c in self.changes]
        out["municipalities"] = [dict(e) for e in self.municipalities]
        return out


def budget_totals(old_budgets: list[dict], new_budgets: list[dict]) -> list[dict[str, Any]]:
    """Per fiscal year: the sum of ``amount_thousand_yen`` in each edition (null when none of that year's
    amounts is printed, so an unprinted year never reads as 0) and ``change`` = new − old (null unless
    both are numbers)."""
    def by_year(rows: list[dict]) -> dict[int, int | None]:
        years: dict[int, list] = defaultdict(list)
        for r in rows:
            years[int(r["fiscal_year"])].append(r["amount_thousand_yen"])
        return {y: null_sum(v) for y, v in years.items()}

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


def _rekeyed_tables() -> set[str]:
    """Tables whose natural key is one printed text (not a name from a list, not a number, not rows read from
    another column): a reworded key is an edit of that text, not a row removed and one added."""
    from schemas.fields import CONSTRAINTS

    out = set()
    for name in COMPARED_TABLES:
        spec = TABLES[name]
        key = spec.natural_key or ()
        if (len(key) == 1 and spec.rows_derived_from is None and FIELDS[key[0]].type == pa.string()
                and "enum" not in CONSTRAINTS.get(key[0], {})):
            out.add(name)
    return out


REKEYED = frozenset(_rekeyed_tables())


def _rekey(table: str, old_only: dict[tuple, dict], new_only: dict[tuple, dict], columns: list[str],
           same: Callable[[str, Any, Any], bool]) -> list[tuple[tuple, tuple]]:
    """[(old key, new key)]: rows found on one side only whose key text was reworded (``REKEY_THRESHOLD``),
    paired one to one, best score first, ties in printed order."""
    from rapidfuzz import fuzz

    if table not in REKEYED or not old_only or not new_only:
        return []
    key_column = row_key(table)[0]
    printed = [c for c in columns if source_column(c) == c]
    order = TABLES[table].primary_key
    rank_old = {k: i for i, k in enumerate(sorted(old_only, key=lambda k: tuple(_sortable(old_only[k][c]) for c in order)))}
    rank_new = {k: i for i, k in enumerate(sorted(new_only, key=lambda k: tuple(_sortable(new_only[k][c]) for c in order)))}
    candidates = []
    for ok, o in old_only.items():
        for nk, n in new_only.items():
            text = float(fuzz.ratio(str(o[key_column] or ""), str(n[key_column] or "")))
            score = (text + 100.0 * sum(same(c, o[c], n[c]) for c in printed) / len(printed)) / 2 if printed else text
            if score >= REKEY_THRESHOLD:
                candidates.append((-score, rank_old[ok], rank_new[nk], ok, nk))
    candidates.sort(key=lambda c: c[:3])
    pairs, taken_old, taken_new = [], set(), set()
    for _, _, _, ok, nk in candidates:
        if ok in taken_old or nk in taken_new:
            continue
        pairs.append((ok, nk))
        taken_old.add(ok)
        taken_new.add(nk)
    return pairs


def _compare_rows(table: str, old_rows: list[dict], new_rows: list[dict], columns: list[str],
                  name: str | None, old_no: int | None, new_no: int | None,
                  same: Callable[[str, Any, Any], bool] | None = None,
                  one_sided: Callable[[str, dict], bool] | None = None,
                  old_pages: tuple[int, int] | None = None,
                  new_pages: tuple[int, int] | None = None,
                  old_labels: tuple | None = None, new_labels: tuple | None = None) -> list[Change]:
    """Edits between two lists of rows, matched by natural key (rows left over whose key text was reworded
    paired by ``_rekey``): one per printed column that changed, the columns derived from it riding along
    (``Change.derived``), and one per row found on one side only. ``same(column, old, new)`` overrides
    equality for rows on both sides; ``one_sided(side, row)`` false drops a row found on one side only.
    ``old_pages``/``new_pages`` (and their printed ``*_labels``): the project's pages in each build; without
    them (kpis, footnotes) each edit carries its row's own ``page`` and ``page_label``."""
    def row_pages(row: dict | None, given: tuple[int, int] | None) -> tuple[int, int] | None:
        if given is not None or row is None or row.get("page") is None:
            return given
        return (int(row["page"]), int(row["page"]))

    def row_labels(row: dict | None, pages: tuple | None, given: tuple | None) -> tuple | None:
        if given is not None or row is None or pages is None:
            return given
        return (row.get("page_label"), row.get("page_label"))

    equal = same if same is not None else (lambda c, a, b: a == b)
    kind = KINDS[table]
    old_keyed = _keyed(old_rows, table, new_rows)
    new_keyed = _keyed(new_rows, table, old_rows)

    def keep(side: str, row: dict) -> bool:
        return one_sided is None or one_sided(side, row)

    old_only = {k: r for k, r in old_keyed.items() if k not in new_keyed and keep("old", r)}
    new_only = {k: r for k, r in new_keyed.items() if k not in old_keyed and keep("new", r)}
    rekeyed = _rekey(table, old_only, new_only, columns, equal)
    entries = [(k, k) for k in old_keyed if k in new_keyed] + rekeyed
    entries += [(k, None) for k in old_only if k not in {ok for ok, _ in rekeyed}]
    entries += [(None, k) for k in new_only if k not in {nk for _, nk in rekeyed}]

    def sort_key(entry: tuple) -> tuple:
        k = entry[1] if entry[1] is not None else entry[0]
        return tuple((c, _sortable(v)) for c, v in k)

    changes = []
    key_columns = list(row_key(table))  # compared only for a row whose key text was reworded
    for okey, nkey in sorted(entries, key=sort_key):
        o = old_keyed.get(okey) if okey is not None else None
        n = new_keyed.get(nkey) if nkey is not None else None
        key = nkey if nkey is not None else okey
        row = "changed" if o is not None and n is not None else "removed" if o is not None else "added"
        op, np_ = (row_pages(o, old_pages) if o is not None or old_pages else None,
                   row_pages(n, new_pages) if n is not None or new_pages else None)
        where = {"old_pages": op, "new_pages": np_, "old_page_labels": row_labels(o, op, old_labels),
                 "new_page_labels": row_labels(n, np_, new_labels)}
        if o is None or n is None:
            present = o if n is None else n
            values = {c: present[c] for c in columns if present[c] is not None}
            changes.append(Change(kind, table, name, key, None, values if row == "removed" else None,
                                  values if row == "added" else None, new_no, old_no, row, **where))
            continue
        compared = (key_columns + columns) if okey != nkey else columns
        changed = [c for c in compared if not equal(c, o[c], n[c])]
        by_source: dict[str, list[str]] = {}
        for column in changed:
            by_source.setdefault(source_column(column), []).append(column)
        for source, group in by_source.items():
            derived = tuple(Derived(table, c, o[c], n[c]) for c in group if c != source)
            changes.append(Change(kind, table, name, key, source, o.get(source), n.get(source), new_no, old_no,
                                  row, derived=derived, old_key=okey if okey != nkey else None, **where))
    return changes


def _summary_kept(matching: Matching) -> Matching:
    """Projects left unmatched whose summaries are alike (``SUMMARY_KEPT``): renamed, not removed and added
    (best score first, ties by the lower old, then new, number)."""
    from rapidfuzz import fuzz

    from pipeline.identity import Pair

    candidates = []
    for o in matching.removed:
        for n in matching.added:
            if o.summary and n.summary:
                score = float(fuzz.ratio(o.summary, n.summary))
                if score >= SUMMARY_KEPT:
                    candidates.append((-score, o.no, n.no, o, n))
    if not candidates:
        return matching
    pairs, taken_old, taken_new = list(matching.pairs), set(), set()
    for negative, _, _, o, n in sorted(candidates, key=lambda c: c[:3]):
        if o.no in taken_old or n.no in taken_new:
            continue
        pairs.append(Pair(o, n, -negative, "summary"))
        taken_old.add(o.no)
        taken_new.add(n.no)
    return Matching(pairs=sorted(pairs, key=lambda p: p.new.no),
                    removed=[p for p in matching.removed if p.no not in taken_old],
                    added=[p for p in matching.added if p.no not in taken_new])


def _fold_move(changes: list[Change]) -> list[Change]:
    """A project's heading columns that changed (``PLACEMENT``: role, field, category) are one edit, the
    project moved: the outermost one edited, the others riding along."""
    moved = sorted((c for c in changes if c.table == "projects" and c.column in PLACEMENT),
                   key=lambda c: PLACEMENT.index(c.column))
    if not moved:
        return changes
    first = moved[0]
    riding = tuple(d for c in moved for d in ((Derived("projects", c.column, c.old, c.new),) if c is not first
                                              else ()) + c.derived)
    move = replace(first, kind=MOVED, derived=first.derived + riding)
    return [move if c is first else c for c in changes if c is first or c not in moved]


def _fold_headings(changes: list[Change], new_projects: list[dict]) -> list[Change]:
    """Moves that change only heading texts (``HEADING_TITLES``: the number or letter beside each kept) are
    the headings reworded: one ``heading`` edit per title and old → new text, over all the projects printed
    under it (``projects``; keyed by the heading's numbers in NEW, the pages of its first project). A project
    moved as well (a number or letter changed) stays a move."""
    rows = {int(r["project_no"]): r for r in new_projects}
    groups: dict[tuple, list[Change]] = defaultdict(list)
    kept = []
    for c in changes:
        parts = [Derived("projects", c.column, c.old, c.new), *c.derived] if c.kind == MOVED else []
        if not parts or any(d.column not in HEADING_TITLES for d in parts):
            kept.append(c)
            continue
        for d in parts:
            row = rows.get(c.new_no, {})
            numbers = PLACEMENT[:PLACEMENT.index(HEADING_TITLES[d.column]) + 1]
            key = tuple((k, row.get(k)) for k in numbers if k not in HEADING_TITLES and row.get(k) is not None)
            groups[(d.column, d.old, d.new, key)].append(c)
    for (column, old, new, key), members in groups.items():
        members.sort(key=lambda m: m.new_no)
        first = members[0]
        kept.append(Change(HEADING, "projects", None, key, column, old, new, None, None, "changed",
                           old_pages=first.old_pages, new_pages=first.new_pages,
                           old_page_labels=first.old_page_labels, new_page_labels=first.new_page_labels,
                           projects=tuple(m.new_no for m in members)))
    return kept


def _fold_merged_cells(changes: list[Change], old_rows: list[dict], new_rows: list[dict]) -> list[Change]:
    """Budget rows read from one merged cell (several fiscal years: the same cell, ``colspan`` > 1, in either
    edition) are one printed value: their edits are one, keyed by the first year, ``spans`` the years'
    keys, the other years' columns riding along with their ``key``."""
    cell_of: dict[int, set] = defaultdict(set)
    for side, rows in (("old", old_rows), ("new", new_rows)):
        for r in rows:
            if (r.get("colspan") or 1) > 1:
                cell_of[int(r["fiscal_year"])].add((side, r.get("table_id"), r.get("row"), r.get("col")))
    if not cell_of:
        return changes
    # years sharing a cell on either side are one component (union-find over the years)
    parent: dict[int, int] = {}

    def find(y: int) -> int:
        while parent.setdefault(y, y) != y:
            y = parent[y]
        return y

    owners: dict[tuple, int] = {}
    for year, cells in sorted(cell_of.items()):
        for cell in cells:
            if cell in owners:
                parent[find(year)] = find(owners[cell])
            else:
                owners[cell] = year
    groups: dict[int, list[Change]] = defaultdict(list)
    for c in changes:
        year = dict(c.key).get("fiscal_year")
        if c.row == "changed" and year in cell_of:
            groups[find(int(year))].append(c)
    out = list(changes)
    for root, edits in groups.items():
        years = sorted(y for y in parent if find(y) == root)
        if len(years) < 2:
            continue
        edits.sort(key=lambda c: dict(c.key)["fiscal_year"])
        first = edits[0]
        riding = list(first.derived)
        for c in edits[1:]:
            if c.column != first.column or (c.old, c.new) != (first.old, first.new):
                riding.append(Derived(c.table, c.column, c.old, c.new, c.key))
            riding += [replace(d, key=c.key) for d in c.derived]
        spans = tuple((("fiscal_year", y),) for y in years)
        merged = replace(first, derived=tuple(riding), spans=spans)
        out = [merged if c is first else c for c in out if c is first or c not in edits]
    return out


def _fold_derived_rows(changes: list[Change]) -> list[Change]:
    """A table whose rows are read from a column of projects (``TableSpec.rows_derived_from``: partner
    municipalities from 連携市町村 as printed): when a project has edits of such rows, the column's change
    rides along inside each of them instead of being an edit of its own."""
    out = list(changes)
    for table, spec in TABLES.items():
        if spec.rows_derived_from is None or table not in KINDS:
            continue
        parent, _, column = spec.rows_derived_from.partition(".")
        for printed in [c for c in out if c.table == parent and c.column == column and c.row == "changed"]:
            rows = [c for c in out if c.table == table and c.new_no == printed.new_no and c.old_no == printed.old_no]
            if not rows:
                continue
            ride = Derived(parent, column, printed.old, printed.new)
            out = [replace(c, derived=c.derived + (ride,)) if c in rows else c for c in out if c is not printed]
    return out


def compare_builds(old: Build, new: Build, threshold: float = MATCH_THRESHOLD) -> DiffResult:
    if old.contract_version != new.contract_version:
        raise DiffError(f"contract versions differ: {old.contract_version} in {old.path}, "
                        f"{new.contract_version} in {new.path}")
    if old.contract_version != CONTRACT_VERSION:
        raise DiffError(f"contract version {old.contract_version}; this diff reads version {CONTRACT_VERSION}")
    return compare_tables(old.tables, new.tables, old.columns, new.columns, threshold=threshold,
                          old_source=old.source, new_source=new.source, old_members=old.members,
                          new_members=new.members)


def compare_tables(old: dict[str, list[dict]], new: dict[str, list[dict]],
                   old_columns: dict[str, list[str]] | None = None,
                   new_columns: dict[str, list[str]] | None = None,
                   threshold: float = MATCH_THRESHOLD,
                   old_source: str = "old", new_source: str = "new", old_members: dict | None = None,
                   new_members: dict | None = None) -> DiffResult:
    """Compare two builds given as {table: rows (dicts of plain values)}; ``old_members``/``new_members``:
    each build's members record (manifest), None where a build has none (no member edit is reported)."""
    def cols(tables: dict, given: dict | None, name: str) -> list[str]:
        if given is not None:
            return given[name]
        return list(tables[name][0]) if tables[name] else list(TABLES[name].fields)

    def projects(rows: list[dict]) -> list[Project]:
        return [Project(int(r["project_no"]), r["name"] or "", r["summary"] or "") for r in rows]

    try:
        matching = _summary_kept(match_projects(projects(old["projects"]), projects(new["projects"]), threshold))
    except ValueError as error:
        raise DiffError(str(error)) from None
    def pages(rows: list[dict]) -> dict[int, tuple[int, int]]:
        return {int(r["project_no"]): (int(r["page_start"]), int(r["page_end"])) for r in rows
                if r.get("page_start") is not None and r.get("page_end") is not None}

    def labels(rows: list[dict]) -> dict[int, tuple[str | None, str | None]]:
        return {int(r["project_no"]): (r.get("page_start_label"), r.get("page_end_label")) for r in rows}

    result = DiffResult(matching, old_source=old_source, new_source=new_source,
                        old_count=len(old["projects"]), new_count=len(new["projects"]),
                        old_pages=pages(old["projects"]), new_pages=pages(new["projects"]),
                        old_labels=labels(old["projects"]), new_labels=labels(new["projects"]),
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
            rows = _compare_rows(table, old_by.get(pair.old.no, []), new_by.get(pair.new.no, []), columns,
                                 pair.new.name, pair.old.no, pair.new.no,
                                 old_pages=result.old_pages.get(pair.old.no),
                                 new_pages=result.new_pages.get(pair.new.no),
                                 old_labels=result.old_labels.get(pair.old.no),
                                 new_labels=result.new_labels.get(pair.new.no))
            if table == "projects":
                rows = _fold_move(rows)
            elif table == "budgets":
                rows = _fold_merged_cells(rows, old_by.get(pair.old.no, []), new_by.get(pair.new.no, []))
            changes += rows

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
        """Project rows by new number, then kpis, then footnotes; within: table, key, column (a move first)."""
        in_project = c.table in PROJECT_TABLES
        ranks = column_rank[c.table]
        column = -2 if c.kind == MOVED else -1 if c.column is None else ranks.get(c.column, len(ranks))
        return (0 if in_project else 1, c.new_no if in_project and c.new_no is not None else 0, table_rank[c.table],
                tuple((k, _sortable(v)) for k, v in c.key), column, c.column or "")

    changes = _fold_headings(changes, new["projects"])
    result.members, changes = member_edits(old_members, new_members, changes, old["projects"], new["projects"],
                                           matching)
    result.old_ids = _ids(old["projects"])
    result.new_ids = _ids(new["projects"])
    result.changes = [replace(c, **result.ids(c.old_no, c.new_no)) if c.table in PROJECT_TABLES else c
                      for c in sorted(_fold_derived_rows(changes), key=order)]
    result.municipalities = municipality_edits(result, old.get("project_municipalities", []),
                                               new.get("project_municipalities", []))
    return result


def member_edits(old_members: dict | None, new_members: dict | None, changes: list[Change],
                 old_projects: list[dict], new_projects: list[dict], matching: Matching
                 ) -> tuple[list[dict[str, Any]], list[Change]]:
    """The municipalities that joined or left (one edit each, in the new, else the old, members' order) and
    ``changes`` without what rides along in them: a 全市町村 project (so printed in both editions) gains the
    partner that joined and loses the one that left without any printed value of it changing, so those
    partner rows are the member's edit, listed in its ``projects`` (new numbers), not edits of their own."""
    if old_members is None or new_members is None:
        return [], changes
    old_partners, new_partners = list(old_members["partners"]), list(new_members["partners"])
    joined = [n for n in new_partners if n not in old_partners]
    left = [n for n in old_partners if n not in new_partners]
    if not joined and not left:
        return [], changes
    old_raw = {int(r["project_no"]): r.get("municipalities_raw") for r in old_projects}
    new_raw = {int(r["project_no"]): r.get("municipalities_raw") for r in new_projects}
    everyone = {p.new.no for p in matching.pairs
                if _says_all(old_raw.get(p.old.no)) and _says_all(new_raw.get(p.new.no))}

    def rides_along(c: Change, name: str, row: str) -> bool:
        return (c.table == "project_municipalities" and c.row == row and c.new_no in everyone
                and dict(c.key).get("municipality") == name)

    edits, kept = [], list(changes)
    for kind, names, row, pages in (("member_joined", joined, "added", new_members.get("pages")),
                                    ("member_left", left, "removed", old_members.get("pages"))):
        for name in names:
            riding = [c for c in kept if rides_along(c, name, row)]
            kept = [c for c in kept if c not in riding]
            side = new_members if kind == "member_joined" else old_members
            edits.append({"kind": kind, "municipality": name, "pages": list(pages or []),
                          "page_labels": list(side.get("page_labels") or []), "source": side.get("source"),
                          "projects": sorted(c.new_no for c in riding)})
    return edits, kept


def _says_all(raw: str | None) -> bool:
    from pipeline.normalizers.municipalities import ALL_PARTNERS_LABEL
    return raw is not None and "".join(raw.split()) == ALL_PARTNERS_LABEL


def _ids(rows: list[dict]) -> dict[int, str]:
    return {int(r["project_no"]): str(r["project_id"]) for r in rows if r.get("project_id") is not None}


def municipality_edits(result: DiffResult, old_rows: list[dict], new_rows: list[dict]) -> list[dict[str, Any]]:
    """What changed for each partner municipality: the projects it partners (in either edition, 全市町村
    expanded) that were added, removed or renamed, and the indices (into ``result.changes``) of the edits of
    those projects. An edit of a shared project is listed under each of its partners; KPIs (per area) and
    footnotes belong to no municipality. Municipalities by local government code."""
    def partners(rows: list[dict]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = defaultdict(set)
        for r in rows:
            out[int(r["project_no"])].add(r["municipality"])
        return out

    old_of, new_of = partners(old_rows), partners(new_rows)
    codes = {r["municipality"]: r.get("lg_code") for r in [*old_rows, *new_rows]}
    entries = {m: {"municipality": m, "lg_code": codes[m], "projects_added": [], "projects_removed": [],
                   "projects_renamed": [], "changes": []} for m in codes}

    def of_project(old_no: int | None, new_no: int | None) -> set[str]:
        return (old_of.get(old_no, set()) if old_no is not None else set()) | \
            (new_of.get(new_no, set()) if new_no is not None else set())

    m = result.matching
    for p in m.added:
        for name in of_project(None, p.no):
            entries[name]["projects_added"].append(p.no)
    for p in m.removed:
        for name in of_project(p.no, None):
            entries[name]["projects_removed"].append(p.no)
    for p in result.renamed:
        for name in of_project(p.old.no, p.new.no):
            entries[name]["projects_renamed"].append(p.new.no)
    for index, c in enumerate(result.changes):
        if c.table in PROJECT_TABLES:
            for name in of_project(c.old_no, c.new_no):
                entries[name]["changes"].append(index)
    for entry in entries.values():
        for k in ("projects_added", "projects_removed", "projects_renamed"):
            entry[k].sort()
    return sorted(entries.values(), key=lambda e: (_sortable(e["lg_code"]), e["municipality"]))


def diff_builds(old_dir: Path, new_dir: Path, threshold: float = MATCH_THRESHOLD) -> DiffResult:
    """Load and compare two build directories. Raises ``DiffError``."""
    return compare_builds(load_build(old_dir), load_build(new_dir), threshold)


# -- CLI -------------------------------------------------------------------------------------------
