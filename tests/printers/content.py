"""The chapter's content as a printer needs it, taken from the tables of a finished build.

Only the data set is read (projects, responsibilities, budgets, indicators, kpis, footnotes), so a
fixture prints exactly what the pipeline found in raw/plan_vi.pdf; comparing a fixture's build with
that build then tests the printing, not the transcription.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

import pandas as pd

from schemas.fields import FIELDS, IDENTITY, PROVENANCE
from schemas.tables import TABLES

from pipeline.stages.parse import PARTIES  # noqa: E402  (the contract's enum, schemas/fields.py)


@dataclass
class Footnote:
    number: int
    term: str
    text: str
    project_no: int | None


@dataclass
class BudgetCell:
    years: list[int]  # the fiscal years the cell covers (several for a merged cell)
    raw: str


@dataclass
class Indicator:
    item: str
    baseline: str
    target: str


@dataclass
class Project:
    no: int
    name: str
    summary: str
    municipalities: str
    area: tuple[int, str]
    field: tuple[int, str] | None
    category: tuple[str, str]
    roles: dict[str, str]
    cost_shares: dict[str, str]
    years: list[int]
    budget_cells: list[BudgetCell]
    indicators: list[Indicator]
    footnotes: list[Footnote] = field(default_factory=list)
    source_no: int = 0  # its number in the build the content came from (styles name projects by it)
    source_area: int = 0
    year_form: str = "western"  # how its budget headers are printed (tests/printers/periods.py)

    def __post_init__(self) -> None:
        self.source_no = self.source_no or self.no
        self.source_area = self.source_area or self.area[0]


@dataclass
class Kpi:
    area_no: int
    name: str
    current: str
    target: str


@dataclass
class Content:
    projects: list[Project]
    kpis: list[Kpi]

    def areas(self) -> list[int]:
        return sorted({p.area[0] for p in self.projects})

    def select(self, numbers: Iterable[int]) -> "Content":
        """The projects numbered, their footnotes, and the KPI tables of their areas, renumbered 1, 2, 3 …
        (projects and areas) as a plan with only these would print them: the build refuses gaps."""
        wanted = set(numbers)
        projects = [p for p in self.projects if p.no in wanted]
        missing = wanted - {p.no for p in projects}
        if missing:
            raise KeyError(f"no such projects: {sorted(missing)}")
        areas = {old: new for new, old in enumerate(sorted({p.area[0] for p in projects}), start=1)}
        renumbered = []
        for new_no, p in enumerate(projects, start=1):
            notes = [replace(f, project_no=new_no) for f in p.footnotes]
            renumbered.append(replace(p, no=new_no, area=(areas[p.area[0]], p.area[1]), footnotes=notes,
                                      source_no=p.source_no, source_area=p.source_area))
        kpis = [replace(k, area_no=areas[k.area_no]) for k in self.kpis if k.area_no in areas]
        return Content(renumbered, kpis)

    def source_numbers(self) -> dict[int, int]:
        """Number in the source build → number as printed."""
        return {p.source_no: p.no for p in self.projects}

    def source_areas(self) -> dict[int, int]:
        return {p.source_area: p.area[0] for p in self.projects}


def _text(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def content_from_build(build) -> Content:
    """Read a build (anything indexable by table name giving DataFrames) into printable content."""
    projects_df = build["projects"].sort_values("project_no")
    roles = build["responsibilities"]
    budgets = build["budgets"].sort_values(["project_no", "fiscal_year"])
    indicators = build["indicators"].sort_values(["project_no", "indicator_no"])
    footnotes = build["footnotes"].sort_values("footnote_no")

    projects: list[Project] = []
    for row in projects_df.to_dict("records"):
        no = int(row["project_no"])
        field_no = row["field_no"]
        field = None if _text(field_no) == "" else (int(field_no), _text(row["field_title"]))
        mine = roles[roles.project_no == no]
        role_map = {r["party"]: _text(r["role"]) for r in mine.to_dict("records") if _text(r["role"])}
        cost_map = {r["party"]: _text(r["cost_share"]) for r in mine.to_dict("records") if _text(r["cost_share"])}
        rows = budgets[budgets.project_no == no].to_dict("records")
        years = [int(r["fiscal_year"]) for r in rows]
        cells: list[BudgetCell] = []
        i = 0
        while i < len(rows):
            span = max(1, int(rows[i]["colspan"]))
            cells.append(BudgetCell([int(r["fiscal_year"]) for r in rows[i:i + span]], _text(rows[i]["raw"])))
            i += span
        inds = [Indicator(_text(r["item"]), _text(r["baseline_raw"]), _text(r["target_raw"]))
                for r in indicators[indicators.project_no == no].to_dict("records")]
        projects.append(Project(
            no=no, name=_text(row["name"]), summary=_text(row["summary"]),
            municipalities=_text(row["municipalities_raw"]),
            area=(int(row["area_no"]), _text(row["area_title"])), field=field,
            category=(_text(row["category_code"]), _text(row["category_title"])),
            roles=role_map, cost_shares=cost_map, years=years, budget_cells=cells, indicators=inds))
    by_no = {p.no: p for p in projects}
    for r in footnotes.to_dict("records"):
        owner = None if _text(r["project_no"]) == "" else int(r["project_no"])
        note = Footnote(int(r["footnote_no"]), _text(r["term"]), _text(r["text"]), owner)
        if owner is None or owner not in by_no:
            raise ValueError(f"footnote {note.number} belongs to no project: a printer cannot place its mark")
        by_no[owner].footnotes.append(note)
    kpis = [Kpi(int(r["area_no"]), _text(r["name"]), _text(r["current_raw"]), _text(r["target_raw"]))
            for r in build["kpis"].sort_values(["area_no", "kpi_no"]).to_dict("records")]
    return Content(projects, kpis)


# -- comparison -------------------------------------------------------------------------------------
# Where a value was printed (page, grid position, box) depends on the printing, not on the content; the
# stable project_id is the crosswalk's, not printed: both are left out of a comparison (the schema's roles).
POSITION_COLUMNS = {
    name: [c for c in TABLES[name].fields
           if (role := FIELDS[c].role) is not None and role.kind in (PROVENANCE, IDENTITY)]
    for name in ("projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis",
                 "footnotes", "overview")}
# Compared tables are sorted by the contract's own keys (schemas/tables.py), not a copy of them.
KEYS = {name: TABLES[name].primary_key for name in (
    "projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis", "footnotes")}


def content_frame(build, table: str, content: Content | None = None) -> pd.DataFrame:
    """A table of a build without its position columns, sorted by key; with `content`, restricted to what
    content prints and numbered as it prints it (projects and areas of a selection are renumbered)."""
    df = build[table]
    df = df.drop(columns=[c for c in POSITION_COLUMNS[table] if c in df.columns])
    if content is not None:
        numbers, areas = content.source_numbers(), content.source_areas()
        if "project_no" in df.columns:
            df = df[df.project_no.isin(list(numbers))].copy()
            df["project_no"] = df.project_no.map(numbers).astype(df.project_no.dtype)
        elif table == "kpis":
            df = df[df.area_no.isin(list(areas))].copy()
        if "area_no" in df.columns:
            df["area_no"] = df.area_no.map(areas).astype(df.area_no.dtype)
    return df.sort_values(TABLES[table].primary_key).reset_index(drop=True)


def excerpt_rows(build) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """A build's excerpt content as `html.overview_html` prints it: per area its number, title and rows."""
    ov = build["overview"].sort_values(["area_no", "row_no"])
    titles = build["projects"].drop_duplicates("area_no").set_index("area_no").area_title.to_dict()
    return [(int(a), titles[a], [(r.name, r.summary) for r in g.itertuples()]) for a, g in ov.groupby("area_no")]
