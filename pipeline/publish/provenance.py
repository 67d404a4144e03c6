"""Where each value of a build is printed: the cell box (PDF points) of every value field of every row.

Today only ``cells`` carries boxes; the value tables carry ``table_id``/``row`` (and ``col`` for budgets and
municipalities), so a value's box is found by joining ``cells`` on (source, table_id, row, col), and where a
table has no ``col`` (indicators, KPIs, responsibilities, the excerpt, a project's own cells) by the cell of
that row whose text is the value's printed text. A value whose cell cannot be told for sure gets no box rather
than a guessed one: a box drawn on the wrong cell would be worse than none.

`value_boxes` is the one place that knows this. When every value row carries its own box columns (issue 16
item 3), only `value_boxes` changes: read the row's ``x0, top, x1, bottom`` (prefixed per side) instead of
searching ``cells``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

Row = Mapping[str, Any]


@dataclass(frozen=True, order=True)
class Box:
    """A printed cell: which PDF (``source``: plan or overview), which page (index and printed label), where
    (PDF points, origin top-left as in pdfplumber) and which grid position it has."""

    source: str
    page: int
    table_id: str
    row: int
    col: int
    x0: float
    top: float
    x1: float
    bottom: float
    page_label: str | None = None
    text: str = ""

    @cached_property
    def id(self) -> str:
        """A stable HTML id for the cell: the same cell gives the same id in every run (made once: the
        review asks for it tens of thousands of times)."""
        return "c-" + "-".join(_safe(str(p)) for p in (self.source, self.table_id, self.row, self.col))


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _squash(text: Any) -> str:
    return "".join(str(text).split()) if text is not None else ""


class CellIndex:
    """The ``cells`` table by (source, table_id, row, col) and by (source, table_id, row)."""

    def __init__(self, cells: Iterable[Row]) -> None:
        self.by_key: dict[tuple[str, str, int, int], Box] = {}
        self.by_row: dict[tuple[str, str, int], list[Box]] = defaultdict(list)
        self.by_table: dict[tuple[str, str], list[Box]] = defaultdict(list)
        for c in cells:
            label = c.get("page_label")
            box = Box(str(c["source"]), int(c["page"]), str(c["table_id"]), int(c["row"]), int(c["col"]),
                      float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]),
                      None if label is None else str(label), str(c.get("text") or ""))
            self.by_key[(box.source, box.table_id, box.row, box.col)] = box
            self.by_row[(box.source, box.table_id, box.row)].append(box)
            self.by_table[(box.source, box.table_id)].append(box)
        for boxes in [*self.by_row.values(), *self.by_table.values()]:
            boxes.sort(key=lambda b: (b.row, b.col))
        # (source, page) → the table that starts highest on that page
        tops: dict[tuple[str, int], tuple[float, str]] = {}
        for (source, table_id), boxes in self.by_table.items():
            for page in {b.page for b in boxes}:
                top = min(b.top for b in boxes if b.page == page)
                tops[(source, page)] = min(tops.get((source, page), (top, table_id)), (top, table_id))
        self.first_table: dict[tuple[str, int], str] = {k: tid for k, (_, tid) in tops.items()}

    def cell(self, source: str, table_id: Any, row: Any, col: Any) -> Box | None:
        if table_id is None or row is None or col is None:
            return None
        return self.by_key.get((source, str(table_id), int(row), int(col)))

    def continuation(self, source: str, table_id: Any) -> list[Box]:
        """The cells of the table fragment that continues ``table_id`` over a page break: the first table at
        the top of the next page (a table broken over pages is two fragments, each with its own id)."""
        boxes = self.by_table.get((source, str(table_id)), [])
        if not boxes:
            return []
        first = self.first_table.get((source, max(b.page for b in boxes) + 1))
        return [] if first is None else self.by_table[(source, first)]

    def by_text(self, candidates: list[Box], values: list[Any], following: list[Box] = ()) -> list[list[Box]]:
        """For each value in printed order, the cells that print it: the first not yet taken candidate (in
        reading order) whose text is the value's text, whitespace aside; or, for a cell cut by a page break,
        a candidate whose text begins the value and a cell of ``following`` (the continuation) that holds
        the rest. An empty list when neither is there (no guess)."""
        taken: set[Box] = set()
        found: list[list[Box]] = []
        for value in values:
            want = _squash(value)
            hit: list[Box] = []
            if want:
                exact = next((b for b in [*candidates, *following] if b not in taken and _squash(b.text) == want),
                             None)
                if exact is not None:
                    hit = [exact]
                else:
                    for b in candidates:
                        head = _squash(b.text)
                        if b in taken or not head or not want.startswith(head):
                            continue
                        rest = next((c for c in following if c not in taken and _squash(c.text) == want[len(head):]),
                                    None)
                        if rest is not None:
                            hit = [b, rest]
                            break
            taken.update(hit)
            found.append(hit)
        return found

    def in_row(self, source: str, table_id: Any, row: Any, fields: list[str], record: Row) -> dict[str, list[Box]]:
        if table_id is None or row is None:
            return {f: [] for f in fields}
        candidates = self.by_row.get((source, str(table_id), int(row)), [])
        following = self.continuation(source, table_id)
        return dict(zip(fields, self.by_text(candidates, [record.get(f) for f in fields], following)))


# The value fields of each table that the review shows and draws, in printed order.
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "projects": ("project_no", "name", "summary", "municipalities_raw"),
    "project_municipalities": ("municipality",),
    "responsibilities": ("role", "cost_share"),
    "budgets": ("raw",),
    "indicators": ("item", "baseline_raw", "target_raw"),
    "kpis": ("name", "current_raw", "target_raw"),
    "overview": ("name", "summary"),
    "footnotes": (),  # a footnote is a text line, not a cell: it carries its page only
}


def value_boxes(table: str, record: Row, cells: CellIndex) -> dict[str, list[Box]]:
    """The boxes of each value field (`VALUE_FIELDS`) of one row of ``table``: one cell, two where a page
    break cuts the cell, none where the build does not say for sure. The one record → box lookup (see the
    module docstring)."""
    def one(box: Box | None) -> list[Box]:
        return [] if box is None else [box]

    if table == "budgets":
        return {"raw": one(cells.cell("plan", record.get("table_id"), record.get("row"), record.get("col")))}
    if table == "project_municipalities":
        # the 連携市町村 cell holds every partner: the municipality's box is that cell
        return {"municipality": one(cells.cell("plan", record.get("table_id"), record.get("row"),
                                               record.get("col")))}
    if table == "indicators":
        return cells.in_row("plan", record.get("table_id"), record.get("row"), list(VALUE_FIELDS[table]), record)
    if table == "kpis":
        return cells.in_row("plan", record.get("table_id"), record.get("row"), list(VALUE_FIELDS[table]), record)
    if table == "overview":
        return cells.in_row("overview", record.get("table_id"), record.get("row"), list(VALUE_FIELDS[table]), record)
    if table == "responsibilities":
        return {
            "role": cells.in_row("plan", record.get("role_table_id"), record.get("role_row"), ["role"],
                                 record)["role"],
            "cost_share": cells.in_row("plan", record.get("cost_share_table_id"), record.get("cost_share_row"),
                                       ["cost_share"], record)["cost_share"],
        }
    if table == "projects":
        # The project's first table fragment holds No., 連携事業名, 事業概要 and 連携市町村, in this order.
        candidates = cells.by_table.get(("plan", str(record.get("table_id"))), [])
        following = cells.continuation("plan", record.get("table_id")) if (
            record.get("page_end") or 0) > (record.get("page_start") or 0) else []
        fields = list(VALUE_FIELDS[table])
        return dict(zip(fields, cells.by_text(candidates, [record.get(f) for f in fields], following)))
    if table == "footnotes":
        return {}
    raise KeyError(f"no value fields known for table {table!r}")
