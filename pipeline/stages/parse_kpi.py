"""One 基本KPI table (over one or more pages) → `KpiRecord`s, its glyphs proven conserved."""

from __future__ import annotations

from pipeline.checks import check_conserved
from pipeline.errors import ParseError
from pipeline.stages.records import KpiRecord
from pipeline.stages.sections import squash
from pipeline.stages.table_rows import OpenTable, best_column, glue_cut_rows, header_columns, printed_cells
from extractors.textnorm import join_cell_lines

# The header's column labels (what each opens with) → the KpiRecord field they head.
KPI_COLUMNS = (("指標", "name"), ("現状", "current"), ("目標", "target"))


def build_kpis(table: OpenTable, start_no: int) -> list[KpiRecord]:
    """The KPIs of one table, numbered from `start_no` (an area's KPIs may come in several tables)."""
    printed = printed_cells(table.rows)
    header, *rows = glue_cut_rows(table.rows, table.rows[0].fragment.x0, table.layout.label_slack, labelled=False)
    columns = header_columns(header.cells, [squash(c.text) for c in header.cells], KPI_COLUMNS)
    if columns is None:
        raise ParseError(f"page {header.fragment.page}: 基本KPI header is {[c.text for c in header.cells]!r}")
    kpis = []
    area_no = table.context["area"][0]
    for row in rows:
        values: dict[str, list[str]] = {name: [] for _, name in KPI_COLUMNS}
        starts = {}  # the cell each value begins in
        for c in row.cells:
            key = best_column(c, columns)
            if key and c.text:
                values[key].append(c.text)
                starts.setdefault(key, row.source(c))
        if not values["name"]:
            continue
        kpis.append(KpiRecord(area_no, start_no + len(kpis), join_cell_lines(values["name"]),
                              join_cell_lines(values["current"]), join_cell_lines(values["target"]),
                              row.source(row.cells[0]), starts.get("current"), starts.get("target")))
    first = table.rows[0].fragment
    check_conserved(f"page {first.page}, table {first.table_id}: 基本KPI of area {area_no}", printed,
                    [*(c.text for c in header.cells), *(t for k in kpis for t in (k.name, k.current, k.target))])
    return kpis
