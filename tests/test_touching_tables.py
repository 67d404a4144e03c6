"""Tables whose rulings touch, and a pushed row's blank frames (pipeline/stages/parse.py).

WebKit paints the rest of a row cut by a page break over the table under it (extractors/frames.py clips
it back), so two tables share a rule and come as one fragment; and it leaves the frames of a No. row it
moved to the next page blank at the foot of the page. Each test changes the reference layout so, and the
parse must give the reference's records, or refuse in one line where the change is not that."""

from __future__ import annotations

import copy
import json

import pytest

from pipeline.errors import ParseError
from pipeline.stages.extract import layout_from_json
from pipeline.stages.parse import parse_layout


@pytest.fixture
def layout(plan_layout) -> dict:
    return copy.deepcopy(plan_layout)


def _parse(layout: dict):
    return parse_layout(layout_from_json(json.loads(json.dumps(layout, ensure_ascii=False))))


def _records(document) -> list[tuple]:
    """What a project says, without where it was printed."""
    return [(p.project_no, p.name, p.summary, p.municipalities.text,
             [(r.party, r.text) for r in p.roles], [(c.party, c.text) for c in p.cost_shares],
             [b.text for b in p.budget_cells], [(i.item, i.baseline, i.target) for i in p.indicators])
            for p in document.projects]


def _opens_project(fragment: dict) -> bool:
    return any(c["row"] == 0 and c["col"] == 0 and c["text"].startswith("No") for c in fragment["cells"])


def _touching_pair(layout: dict) -> tuple[dict, dict, dict]:
    """A page, a fragment on it, and the next fragment on it, which opens a project table."""
    for page in layout["pages"]:
        fragments = sorted(page["fragments"], key=lambda f: f["top"])
        for upper, lower in zip(fragments, fragments[1:]):
            between = [line for line in page["lines"] if upper["bottom"] <= line["top"] < lower["top"]]
            if _opens_project(lower) and not between:
                return page, upper, lower
    raise AssertionError("no page prints two project tables with nothing between them")


def _join(page: dict, upper: dict, lower: dict) -> dict:
    """The two fragments as the one fragment that a shared rule makes of them."""
    shift = upper["n_rows"]
    for cell in lower["cells"]:
        cell["row"] += shift
    upper["cells"] += lower["cells"]
    upper["n_rows"] += lower["n_rows"]
    upper["bottom"] = lower["bottom"]
    page["fragments"].remove(lower)
    return upper


def test_a_table_touching_the_one_above_opens_at_its_no_row(layout):
    reference = _records(_parse(copy.deepcopy(layout)))
    page, upper, lower = _touching_pair(layout)
    _join(page, upper, lower)
    assert _records(_parse(layout)) == reference


def test_a_no_row_that_a_cell_above_runs_across_is_refused(layout):
    page, upper, lower = _touching_pair(layout)
    last_row = upper["n_rows"] - 1
    joined = _join(page, upper, lower)
    # A cell of the upper table's last row now spans down into the No. row: no table begins there.
    spanning = next(c for c in joined["cells"] if c["row"] + c["rowspan"] - 1 == last_row)
    spanning["rowspan"] += 1
    with pytest.raises(ParseError, match=r"page \d+, table p\d{3}-t\d{2}: a second No\. row in project \d+"):
        _parse(layout)


def _next_opening(layout: dict) -> tuple[dict, dict, dict]:
    """A page whose first fragment opens a project table, the page before it, and that fragment."""
    pages = layout["pages"]
    for before, page in zip(pages, pages[1:]):
        first = min(page["fragments"], key=lambda f: f["top"], default=None)
        if first is not None and _opens_project(first) and not any(l["top"] < first["top"] for l in page["lines"]):
            return before, page, first
    raise AssertionError("no page opens with a project table")


def _blank_frames(before: dict, opening: dict, top: float, shift_x: float = 0.0) -> dict:
    """The blank frames of ``opening``'s first row, at ``top`` of the page before."""
    row = [c for c in opening["cells"] if c["row"] == 0]
    height = max(c["bottom"] - c["top"] for c in row)
    cells = [{**c, "text": "", "marks": [], "top": top, "bottom": top + height, "rowspan": 1,
              "x0": c["x0"] + shift_x, "x1": c["x1"] + shift_x} for c in row]
    fragment = {**opening, "page": before["page"], "index": len(before["fragments"]) + 1, "cells": cells,
                "top": top, "bottom": top + height, "n_rows": 1, "unplaced": []}
    before["fragments"].append(fragment)
    return fragment


def _foot(page: dict) -> float:
    return max([f["bottom"] for f in page["fragments"]] + [line["bottom"] for line in page["lines"]]) + 10


def test_a_pushed_no_rows_blank_frames_at_the_page_foot_carry_nothing(layout):
    reference = _records(_parse(copy.deepcopy(layout)))
    before, _, opening = _next_opening(layout)
    _blank_frames(before, opening, _foot(before))
    assert _records(_parse(layout)) == reference


def test_a_blank_table_with_other_columns_is_refused(layout):
    before, _, opening = _next_opening(layout)
    _blank_frames(before, opening, _foot(before), shift_x=12.0)
    with pytest.raises(ParseError, match=r"page \d+: table p\d{3}-t\d{2} starts with ''"):
        _parse(layout)


def test_a_blank_table_with_text_printed_under_it_is_refused(layout):
    before, _, opening = _next_opening(layout)
    top = _foot(before)
    blank = _blank_frames(before, opening, top)
    before["lines"].append({"text": "注記", "x0": 50, "top": blank["bottom"] + 5, "x1": 80,
                            "bottom": blank["bottom"] + 12, "size": 7, "marks": [], "leading_marks": [],
                            "fontnames": []})
    with pytest.raises(ParseError, match=r"page \d+: table p\d{3}-t\d{2} starts with ''"):
        _parse(layout)


def test_a_no_row_cut_with_its_label_at_the_page_foot_is_joined_back(layout):
    # WebKit on A5: 連携事業名 printed in the row's frames at the foot of a page, No., the number and the
    # name in the row again at the head of the next, its 連携事業名 cell empty.
    reference = _records(_parse(copy.deepcopy(layout)))
    before, _, opening = _next_opening(layout)
    start = _blank_frames(before, opening, _foot(before))
    label = next(c for c in opening["cells"] if c["row"] == 0 and c["text"] == "連携事業名")
    next(c for c in start["cells"] if c["x0"] == label["x0"])["text"] = "連携事業名"
    label["text"] = ""
    assert _records(_parse(layout)) == reference


def test_a_cut_no_row_whose_start_holds_a_value_is_refused(layout):
    # The start of the row holds the number: a value, which must stay in the cell it is printed in.
    before, _, opening = _next_opening(layout)
    start = _blank_frames(before, opening, _foot(before))
    number = next(c for c in opening["cells"] if c["row"] == 0 and c["col"] == 1)
    next(c for c in start["cells"] if c["x0"] == number["x0"])["text"] = number["text"]
    number["text"] = ""
    with pytest.raises(ParseError, match=r"page \d+: table p\d{3}-t\d{2} starts with ''"):
        _parse(layout)
