"""Stage-boundary records: what the parse stage hands to the normalise stage.

Everything here is still text as printed (folded and joined, nothing interpreted), each value with the
place it came from, so that normalisation can be rerun and checked on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Source:
    """Where a value sits in the PDF: page, table fragment, grid position and the cell's box (PDF points)."""

    page: int
    table_id: str
    row: int
    col: int
    colspan: int = 1
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None


@dataclass
class TextValue:
    text: str
    source: Source


@dataclass
class BudgetCell:
    """One printed amount cell and the fiscal-year columns it covers (a merged cell covers several)."""

    text: str
    year_headers: list[str]
    source: Source


@dataclass
class IndicatorRow:
    item: str
    baseline: str
    target: str
    source: Source  # the 項目 cell
    # the cell each value begins in (None where nothing is printed under it)
    baseline_source: Source | None = None
    target_source: Source | None = None


@dataclass
class PartyRow:
    party: str
    text: str
    source: Source


@dataclass
class ProjectRecord:
    project_no: int
    name: str
    summary: str
    municipalities: TextValue
    area_no: int
    area_title: str
    field_no: int | None
    field_title: str | None
    category_code: str
    category_title: str
    pages: list[int]
    table_id: str
    roles: list[PartyRow]
    cost_shares: list[PartyRow]
    year_headers: list[TextValue]
    budget_cells: list[BudgetCell]
    indicators: list[IndicatorRow]
    marks: list[str] = field(default_factory=list)
    name_source: Source | None = None  # the 連携事業名 cell


@dataclass
class KpiRecord:
    area_no: int
    kpi_no: int
    name: str
    current: str
    target: str
    source: Source  # the 指標名 cell
    current_source: Source | None = None
    target_source: Source | None = None


@dataclass
class FootnoteRecord:
    footnote_no: int
    term: str
    text: str
    page: int
    # the box around the footnote's lines on its page (PDF points)
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None


@dataclass
class ParsedDocument:
    projects: list[ProjectRecord]
    kpis: list[KpiRecord]
    footnotes: list[FootnoteRecord]
