"""Normalise stage: parsed records (text as printed) → rows of the contract's tables.

Here, and only here, text becomes numbers, years and codes. Every interpreted column sits beside the
raw text it came from and the cell it was read in.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import regex

from pipeline.normalizers.eras import parse_year_header
from pipeline.normalizers.municipalities import Members, expand_municipalities
from pipeline.errors import ParseError
from pipeline.normalizers.quantity import null_sum, parse_budget_cell, parse_quantity
from pipeline.stages.records import ParsedDocument, ProjectRecord, Source
from schemas.tables import page_label_columns

Rows = list[dict[str, Any]]


def located(source: Source | None, prefix: str = "") -> dict[str, Any]:
    """The location columns of one value (``<prefix>page`` … ``<prefix>bottom``, schemas.fields.LOCATION_PARTS
    but the page label, which `add_page_labels` fills) from the cell the parse stage read it in; all null
    where nothing was printed."""
    parts = ("page", "table_id", "row", "col", "x0", "top", "x1", "bottom")
    return {f"{prefix}{part}": None if source is None else getattr(source, part) for part in parts}


def _box(source: Source) -> dict[str, Any]:
    return {edge: getattr(source, edge) for edge in ("x0", "top", "x1", "bottom")}


def _where(project: ProjectRecord) -> str:
    return f"project {project.project_no} (page {project.pages[0]}, table {project.table_id})"


def project_rows(doc: ParsedDocument) -> Rows:
    return [{
        "project_no": p.project_no, "name": p.name, "summary": p.summary,
        "area_no": p.area_no, "area_title": p.area_title, "field_no": p.field_no, "field_title": p.field_title,
        "category_code": p.category_code, "category_title": p.category_title,
        "municipalities_raw": p.municipalities.text, "page_start": p.pages[0], "page_end": p.pages[-1],
        "table_id": p.table_id, **located(p.name_source, "name_"),
    } for p in doc.projects]


def municipality_rows(doc: ParsedDocument, members: Members) -> Rows:
    """One row per partner of each project: its 連携市町村 cell read against the edition's ``members``."""
    rows = []
    for p in doc.projects:
        src = p.municipalities.source
        try:
            names = expand_municipalities(p.municipalities.text, members)
        except ValueError as error:
            raise ParseError(f"{_where(p)}: 連携市町村: {error}") from None
        for order, name in enumerate(names, start=1):
            rows.append({"project_no": p.project_no, "municipality": name, "lg_code": members.lg_code(name),
                         "list_order": order, "page": src.page, "table_id": src.table_id, "row": src.row,
                         "col": src.col, **_box(src)})
    return rows


def responsibility_rows(doc: ParsedDocument) -> Rows:
    rows = []
    for p in doc.projects:
        roles = {r.party: r for r in p.roles}
        costs = {r.party: r for r in p.cost_shares}
        for party in sorted(set(roles) | set(costs)):
            role, cost = roles.get(party), costs.get(party)
            rows.append({
                "project_no": p.project_no, "party": party,
                "role": role.text if role else None, "cost_share": cost.text if cost else None,
                **located(role.source if role else None, "role_"),
                **located(cost.source if cost else None, "cost_share_"),
            })
    return rows


def _plan_years(p: ProjectRecord, years: list[int], plan: list[int] | None) -> None:
    """The plan period is the document's: the first project's headers set it (consecutive years, each
    once), and every other project's headers must name the same years, or the build stops here."""
    if not years:
        raise ParseError(f"{_where(p)}: no fiscal-year header")
    if years != list(range(years[0], years[0] + len(years))):
        raise ParseError(f"{_where(p)}: fiscal-year headers {', '.join(map(str, years))} are not consecutive years")
    if plan is not None and years != plan:
        raise ParseError(f"{_where(p)}: fiscal years {years[0]}–{years[-1]} differ from the plan period "
                         f"{plan[0]}–{plan[-1]} of the first project table")


def budget_rows(doc: ParsedDocument) -> Rows:
    """One row per project and fiscal year of the plan period (the years its own headers print). A cell
    merged over several years gives its note to each year it covers, and its amount to the first of them
    only, so that sums over years never count one amount twice."""
    rows = []
    plan: list[int] | None = None
    for p in doc.projects:
        years: list[tuple[str, int, str]] = []
        for header in p.year_headers:
            try:
                year, era = parse_year_header(header.text)
            except ValueError as error:
                raise ParseError(f"page {header.source.page}: project {p.project_no} (table "
                                 f"{header.source.table_id}): fiscal-year header: {error}") from None
            years.append((header.text, year, era))
        _plan_years(p, [y for _, y, _ in years], plan)
        plan = plan or [y for _, y, _ in years]
        for header_text, year, era in years:
            cell = next((b for b in p.budget_cells if header_text in b.year_headers), None)
            if cell is None:
                raise ParseError(f"{_where(p)}: no budget cell under {header_text!r}")
            amount, note = parse_budget_cell(cell.text)
            first_year = cell.year_headers[0] == header_text
            amount = amount if first_year else None
            rows.append({
                "project_no": p.project_no, "fiscal_year": year, "era_label": era, "raw": cell.text,
                "amount_thousand_yen": amount, "amount_yen": amount * 1000 if amount is not None else None,
                "note": note, "page": cell.source.page, "table_id": cell.source.table_id,
                "row": cell.source.row, "col": cell.source.col, "colspan": cell.source.colspan,
                **_box(cell.source),
            })
    return rows


def indicator_rows(doc: ParsedDocument) -> Rows:
    rows = []
    for p in doc.projects:
        for number, ind in enumerate(p.indicators, start=1):
            rows.append({
                "project_no": p.project_no, "area_no": p.area_no, "indicator_no": number, "item": ind.item,
                **parse_quantity(ind.baseline).as_columns("baseline"),
                **parse_quantity(ind.target).as_columns("target"),
                **located(ind.source), **located(ind.baseline_source, "baseline_"),
                **located(ind.target_source, "target_"),
            })
    return rows


def kpi_rows(doc: ParsedDocument) -> Rows:
    return [{
        "area_no": k.area_no, "kpi_no": k.kpi_no, "name": k.name,
        **parse_quantity(k.current).as_columns("current"),
        **parse_quantity(k.target).as_columns("target"),
        **located(k.source), **located(k.current_source, "current_"), **located(k.target_source, "target_"),
    } for k in doc.kpis]


def footnote_rows(doc: ParsedDocument) -> Rows:
    """Link each footnote to the project whose table carries its mark (the first, if several do)."""
    marked_by: dict[int, int] = {}
    for p in sorted(doc.projects, key=lambda p: p.project_no):
        for mark in p.marks:
            if mark.isdigit():
                marked_by.setdefault(int(mark), p.project_no)
    return [{"footnote_no": f.footnote_no, "term": f.term, "text": f.text,
             "project_no": marked_by.get(f.footnote_no), "page": f.page,
             "x0": f.x0, "top": f.top, "x1": f.x1, "bottom": f.bottom} for f in doc.footnotes]


_PRINTED_NUMBER = regex.compile(r"\d+")


def page_labels(pages) -> dict[int, str | None]:
    """{page index: the number printed on that page, as text without its decorations ("- 61 -" → "61"),
    or None where the page prints none}, from the extract stage's pages (`PageLayout.page_label`)."""
    return {page.page: printed_number(page.page_label) for page in pages}


def printed_number(label: str | None) -> str | None:
    """The number a page prints, without its decorations ("- 61 -" → "61"); None without one."""
    match = _PRINTED_NUMBER.search(label or "")
    return match.group() if match else None


def add_page_labels(tables: dict[str, Rows], labels: dict[str, dict[int, str | None]]) -> None:
    """Fill every page label column (the printed page number) from its page column, in every row that has
    the page column, in place (the schema's roles say which label belongs to which page column);
    ``labels`` maps a source ("plan", "overview") to `page_labels`. Rows of the cells table say their source;
    the other tables' rows are the plan's, except overview's (the excerpt's)."""
    page_of = page_label_columns()
    for name, rows in tables.items():
        for row in rows:
            source = row.get("source") or ("overview" if name == "overview" else "plan")
            by_page = labels.get(source, {})
            for label, column in page_of.items():
                if column in row:
                    row[label] = by_page.get(row[column]) if row[column] is not None else None


def normalize_document(doc: ParsedDocument, members: Members) -> dict[str, Rows]:
    numbers = [p.project_no for p in doc.projects]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise ParseError(f"project numbers printed twice: {duplicates}")
    return {
        "projects": project_rows(doc),
        "project_municipalities": municipality_rows(doc, members),
        "responsibilities": responsibility_rows(doc),
        "budgets": budget_rows(doc),
        "indicators": indicator_rows(doc),
        "kpis": kpi_rows(doc),
        "footnotes": footnote_rows(doc),
    }


def metrics(tables: dict[str, Rows]) -> dict[str, Any]:
    """Counts and budget totals for `dvc metrics` and the validation suite's reconciliation.

    A total over amounts none of which is printed (the plan's "-" cells in all years but the first) is null, not 0;
    0 means printed zeros."""
    area_of = {p["project_no"]: p["area_no"] for p in tables["projects"]}
    by_year: dict[int, list[int | None]] = defaultdict(list)
    by_area_year: dict[str, list[int | None]] = defaultdict(list)
    for b in tables["budgets"]:
        amount = b["amount_thousand_yen"]
        by_year[b["fiscal_year"]].append(amount)
        by_area_year[f"area{area_of[b['project_no']]}_fy{b['fiscal_year']}"].append(amount)
    return {
        "counts": {name: len(rows) for name, rows in sorted(tables.items()) if name != "cells"},
        "budget_thousand_yen": {
            "total": null_sum([a for amounts in by_year.values() for a in amounts]),
            "by_fiscal_year": {f"fy{y}": null_sum(v) for y, v in sorted(by_year.items())},
            "by_area_fiscal_year": {k: null_sum(v) for k, v in sorted(by_area_year.items())},
        },
    }
