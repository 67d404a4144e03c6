"""What a review page shows, as plain dataclasses the templates read: pages with their boxes, and beside
each page the records read from it, every value pointing at the box(es) it was read from.

The kinds (which table and column a cell's text went to) decide a box's colour; a cell no value points at
is a label the parser recognised (No., 事業概要, the year headers); marks (`Mark`) are text the build left
out on purpose: a watermark, a skipped table, glyphs left to no field.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.publish.provenance import Box, CellIndex, value_boxes

# (table, field) → (kind id, legend text, colour). Municipalities share the 連携市町村 cell's kind.
KINDS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("projects", "project_no"): ("project_no", "No.", "#6b7280"),
    ("projects", "name"): ("name", "連携事業名 name", "#2563eb"),
    ("projects", "summary"): ("summary", "事業概要 summary", "#0891b2"),
    ("projects", "municipalities_raw"): ("partners", "連携市町村 partners", "#7c3aed"),
    ("project_municipalities", "municipality"): ("partners", "連携市町村 partners", "#7c3aed"),
    ("responsibilities", "role"): ("role", "役割分担 role", "#059669"),
    ("responsibilities", "cost_share"): ("cost_share", "費用負担 cost share", "#65a30d"),
    ("budgets", "raw"): ("budget", "事業費見込額 budget", "#dc2626"),
    ("indicators", "item"): ("indicator_item", "評価指標 項目", "#d97706"),
    ("indicators", "baseline_raw"): ("indicator_baseline", "基準値 baseline", "#ea580c"),
    ("indicators", "target_raw"): ("indicator_target", "目標値 target", "#c026d3"),
    ("kpis", "name"): ("kpi_name", "基本KPI 指標名", "#0d9488"),
    ("kpis", "current_raw"): ("kpi_current", "基本KPI 現状値", "#4f46e5"),
    ("kpis", "target_raw"): ("kpi_target", "基本KPI 目標値", "#db2777"),
    ("overview", "name"): ("overview_name", "抜粋 事業名", "#2563eb"),
    ("overview", "summary"): ("overview_summary", "抜粋 事業概要", "#0891b2"),
}
LABEL_KIND = ("label", "label (no value: No., 事業概要, year headers …)", "#9ca3af")
# Text a build leaves out on purpose, from the manifest's "excluded" list (docs/review.md).
MARK_KINDS = {
    "unplaced": ("unplaced", "glyphs left to no field", "#b91c1c"),
    "skipped_table": ("skipped_table", "skipped table", "#92400e"),
    "watermark": ("watermark", "watermark (left out)", "#6d28d9"),
}

FIELD_LABELS = {
    "summary": "事業概要", "municipalities_raw": "連携市町村", "role": "役割分担", "cost_share": "費用負担",
}


@dataclass(frozen=True)
class Mark:
    """A region of a page the build left out on purpose, as other stages report it (docs/review.md)."""

    kind: str  # one of MARK_KINDS
    source: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    reason: str = ""

    @property
    def id(self) -> str:
        return f"m-{self.kind}-{self.source}-{self.page}-{self.x0:g}-{self.top:g}".replace(".", "_")


@dataclass
class Value:
    """One shown value: ``vid`` names it across pages (a project shown on two pages shows it twice)."""

    vid: str
    label: str
    text: str
    cells: list[str]  # box ids, in this document
    elsewhere: list[str] = field(default_factory=list)  # "p. 62": pages of its boxes other than this one
    kind: str = LABEL_KIND[0]  # the colour: which table and column (KINDS)


@dataclass
class Line:
    label: str
    values: list[Value]


@dataclass
class Group:
    """The records of one project (or KPI table, footnote, excerpt row) shown beside a page."""

    kind: str  # project, kpi, footnote, overview
    title: str
    project_no: int | None
    search: str  # what the filter matches: number, name, municipalities (NFKC, lower case)
    lines: list[Line]


@dataclass
class DrawnBox:
    id: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    title: str


@dataclass
class Page:
    source: str
    file: str
    page: int
    page_label: str | None
    image: str  # file name under pages/
    width_pt: float
    height_pt: float
    width_px: int
    height_px: int
    image_bytes: int
    boxes: list[DrawnBox]
    groups: list[Group]

    @property
    def anchor(self) -> str:
        return f"{self.source}-p{self.page:03d}"


def search_text(*parts: Any) -> str:
    return unicodedata.normalize("NFKC", " ".join(str(p) for p in parts if p is not None)).lower()


def vid(table: str, key: tuple, column: str) -> str:
    return "v-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", str(p)) for p in (table, *key, column))


def page_ref(box: Box) -> str:
    return f"p. {box.page_label}" if box.page_label else f"PDF page {box.page}"


@dataclass
class Located:
    """Every value of a build with its boxes, and which kind each box has."""

    values: dict[str, list[Box]]  # vid → boxes
    kind_of: dict[str, str]  # box id → kind id (the first value, in table order, that points at it)


def locate(tables: Mapping[str, list[dict]], cells: CellIndex) -> Located:
    values: dict[str, list[Box]] = {}
    kind_of: dict[str, str] = {}
    for (table, column), (kind, _, _) in KINDS.items():
        for row in tables.get(table, []):
            boxes = value_boxes(table, row, cells).get(column, [])
            values[vid(table, row_key(table, row), column)] = boxes
            for b in boxes:
                kind_of.setdefault(b.id, kind)
    return Located(values, kind_of)


def row_key(table: str, row: Mapping[str, Any]) -> tuple:
    """The natural key of a row (the contract's primary key)."""
    from schemas.tables import TABLES

    return tuple(row[k] for k in TABLES[table].primary_key)


def _value(located: Located, table: str, row: Mapping, column: str, label: str, page: tuple[str, int],
           text: Any | None = None) -> Value:
    v = vid(table, row_key(table, row), column)
    boxes = located.values.get(v, [])
    shown = row.get(column) if text is None else text
    return Value(v, label, "" if shown is None else str(shown), [b.id for b in boxes],
                 sorted({page_ref(b) for b in boxes if (b.source, b.page) != page}),
                 KINDS.get((table, column), LABEL_KIND)[0])


def _on(v: Value, page: tuple[str, int], boxes_on: dict[tuple[str, int], set[str]]) -> bool:
    return any(c in boxes_on[page] for c in v.cells)


def groups_for_pages(tables: Mapping[str, list[dict]], located: Located,
                     boxes_on: dict[tuple[str, int], set[str]],
                     provisional: frozenset[str] = frozenset()) -> dict[tuple[str, int], list[Group]]:
    """The record groups beside each (source, page): every value whose box is on that page, grouped by
    project (then KPIs, footnotes, excerpt rows); footnotes, which have no box, beside their page. A
    project's title carries its project_id, marked "provisional" when it is one of ``provisional`` (the
    filter finds a project by its id too)."""
    by_page: dict[tuple[str, int], list[Group]] = defaultdict(list)
    children: dict[str, dict[int, list[dict]]] = {
        t: defaultdict(list) for t in ("budgets", "indicators", "responsibilities", "project_municipalities")}
    for t, rows in children.items():
        for row in tables.get(t, []):
            rows[int(row["project_no"])].append(row)
    for p in tables.get("projects", []):
        no = int(p["project_no"])
        partners = [m["municipality"] for m in sorted(children["project_municipalities"][no],
                                                       key=lambda m: m["list_order"])]
        pid = p.get("project_id")
        search = search_text(no, p["name"], pid, p.get("municipalities_raw"), *partners)
        id_text = "" if not pid else f" · {pid}" + (" (provisional)" if pid in provisional else "")
        for page in sorted(boxes_on):
            if page[0] != "plan":
                continue
            lines: list[Line] = []

            def add(label: str, values: list[Value]) -> None:
                shown = [v for v in values if _on(v, page, boxes_on)]
                if shown:
                    lines.append(Line(label, shown))

            add("No. / 連携事業名", [_value(located, "projects", p, "project_no", "No.", page),
                                  _value(located, "projects", p, "name", "連携事業名", page)])
            add("事業概要", [_value(located, "projects", p, "summary", "事業概要", page)])
            add("連携市町村", [_value(located, "projects", p, "municipalities_raw", "連携市町村", page)])
            for r in sorted(children["responsibilities"][no], key=lambda r: str(r["party"])):
                add(f"{r['party']}", [_value(located, "responsibilities", r, "role", "役割分担", page),
                                      _value(located, "responsibilities", r, "cost_share", "費用負担", page)])
            for b in sorted(children["budgets"][no], key=lambda r: r["fiscal_year"]):
                amount = b.get("amount_thousand_yen")
                text = b["raw"] if amount is None else f"{b['raw']}  (= {amount:,} 千円)"
                if b.get("note"):
                    text += f"  note: {b['note']}"
                add(f"FY{b['fiscal_year']} {b.get('era_label') or ''}".strip(),
                    [_value(located, "budgets", b, "raw", f"FY{b['fiscal_year']}", page, text)])
            for i in sorted(children["indicators"][no], key=lambda r: r["indicator_no"]):
                add(f"評価指標 {i['indicator_no']}", [
                    _value(located, "indicators", i, "item", "項目", page),
                    _value(located, "indicators", i, "baseline_raw", "基準値", page),
                    _value(located, "indicators", i, "target_raw", "目標値", page)])
            if lines:
                by_page[page].append(Group("project", f"No. {no} {p['name']}{id_text}", no, search, lines))
    for k in tables.get("kpis", []):
        page = ("plan", int(k["page"]))
        line = Line(f"基本KPI {k['area_no']}-{k['kpi_no']}", [
            _value(located, "kpis", k, "name", "指標名", page),
            _value(located, "kpis", k, "current_raw", "現状値", page),
            _value(located, "kpis", k, "target_raw", "目標値", page)])
        by_page[page].append(Group("kpi", f"基本KPI (area {k['area_no']})", None, "", [line]))
    names = {int(p["project_no"]): p["name"] for p in tables.get("projects", [])}
    search_of = {g.project_no: g.search for gs in by_page.values() for g in gs if g.project_no is not None}
    for f in tables.get("footnotes", []):
        page = ("plan", int(f["page"]))
        no = f.get("project_no")
        v = Value(vid("footnotes", (f["footnote_no"],), "text"), f"※{f['footnote_no']}",
                  f"【{f['term']}】{f['text']}", [], [], "footnote")
        title = f"※{f['footnote_no']} {f['term']}" + (f" (No. {no} {names.get(int(no), '')})" if no else "")
        by_page[page].append(Group("footnote", title, None if no is None else int(no),
                                   search_of.get(None if no is None else int(no), search_text(no)),
                                   [Line("脚注 (no box: a footnote is a text line)", [v])]))
    for o in tables.get("overview", []):
        boxes = [b for c in ("name", "summary") for b in located.values.get(vid("overview", row_key("overview", o), c), [])]
        page = (boxes[0].source, boxes[0].page) if boxes else ("overview", int(o["page"]))
        no = o.get("project_no")
        line = Line(f"抜粋 {o['area_no']}-{o['row_no']}", [
            _value(located, "overview", o, "name", "事業名", page),
            _value(located, "overview", o, "summary", "事業概要", page)])
        by_page[page].append(Group("overview", f"抜粋 row {o['area_no']}-{o['row_no']} → No. {no}",
                                   None if no is None else int(no),
                                   search_of.get(None if no is None else int(no), search_text(no, o["name"])),
                                   [line]))
    # KPIs before projects, as printed (each area opens with its KPI table); then by number
    order = {"kpi": 0, "project": 1, "footnote": 2, "overview": 3}
    for groups in by_page.values():
        groups.sort(key=lambda g: (order[g.kind], g.project_no or 0, g.title))
    return by_page
