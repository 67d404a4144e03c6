"""pipeline/stages/table_rows.py `header_columns`: the named columns of a header row (KPI and 評価指標 tables)."""

from __future__ import annotations

from extractors.ruled import GridCell
from pipeline.stages.table_rows import header_columns

OPENINGS = (("指標", "name"), ("現状", "current"), ("目標", "target"))


def cell(text: str, x0: float, x1: float) -> GridCell:
    return GridCell(row=0, col=0, rowspan=1, colspan=1, x0=x0, top=0.0, x1=x1, bottom=10.0, text=text)


def test_each_label_names_the_column_it_spans():
    cells = [cell("指標名", 10, 200), cell("現状値(基準年)", 200, 300), cell("目標値(目標年)", 300, 400)]
    assert header_columns(cells, [c.text for c in cells], OPENINGS) == [
        ("name", 10, 200), ("current", 200, 300), ("target", 300, 400)]


def test_a_missing_label_is_no_header():
    cells = [cell("指標名", 10, 200), cell("現状値", 200, 300), cell("備考", 300, 400)]
    assert header_columns(cells, [c.text for c in cells], OPENINGS) is None
