"""The parse stage refuses a layout that would give a quietly wrong dataset: glyphs that end in no field or
in two, projects or areas missing, pages between tables that gave nothing, indicator rows folded together.

Each test damages the reference layout the way a misread page would and asserts the one-line refusal that
names the page; the undamaged layout must parse (test_reference_layout_parses), so none of these refusals
is a false alarm on the plan itself."""

from __future__ import annotations

import copy
import json

import pytest

from pipeline.checks.conservation import GlyphsNotConserved, glyphs
from pipeline.errors import ParseError
from pipeline.stages.extract import layout_from_json
from pipeline.stages.parse import parse_layout


@pytest.fixture
def layout(plan_layout) -> dict:
    return copy.deepcopy(plan_layout)


def _parse(layout: dict):
    # Through JSON, as the parse stage reads layout.json.
    return parse_layout(layout_from_json(json.loads(json.dumps(layout, ensure_ascii=False))))


def _page(layout: dict, number: int) -> dict:
    return next(p for p in layout["pages"] if p["page"] == number)


def _cell(layout: dict, text: str) -> tuple[dict, dict]:
    """The fragment and cell whose text starts with `text` (unique in the plan)."""
    found = [(f, c) for p in layout["pages"] for f in p["fragments"] for c in f["cells"] if c["text"].startswith(text)]
    assert len(found) == 1, (text, len(found))
    return found[0]


def test_reference_layout_parses(layout):
    document = _parse(layout)
    assert [p.project_no for p in document.projects] == list(range(1, 54))
    assert sorted({k.area_no for k in document.kpis}) == [1, 2, 3]


def test_glyph_counter_ignores_spaces_only():
    assert glyphs(["圏域 の", "PR\n"]) == glyphs(["圏域の", "P", "R"])
    assert glyphs(["圏域"]) != glyphs(["域"])


def _row_of(fragment: dict, cell: dict) -> list[dict]:
    return sorted((c for c in fragment["cells"] if c["row"] == cell["row"]), key=lambda c: c["x0"])


def _insert_page(layout: dict, number: int, lines: list[dict]) -> None:
    """A page inserted before page `number`; later pages are renumbered."""
    for page in layout["pages"]:
        if page["page"] >= number:
            page["page"] += 1
            for fragment in page["fragments"]:
                fragment["page"] += 1
    template = _page(layout, number + 1)
    layout["pages"].insert(number - 1, {**template, "page": number, "fragments": [], "lines": lines,
                                         "char_count": sum(len(line["text"]) for line in lines)})


def _line(text: str, top: float = 100, size: float = 9) -> dict:
    return {"text": text, "x0": 50, "top": top, "x1": 300, "bottom": top + size, "size": size,
            "marks": [], "leading_marks": [], "fontnames": []}


def test_cell_outside_every_indicator_column_is_refused(layout):
    # An indicator's target cell pushed right of every column header: the parser cannot place it.
    fragment, item = _cell(layout, "誘致施策を活用した立地企業数")
    cell = _row_of(fragment, item)[-1]
    assert cell["text"].startswith("15社")
    width = cell["x1"] - cell["x0"]
    cell["x0"], cell["x1"] = fragment["x1"] + 50, fragment["x1"] + 50 + width
    with pytest.raises(GlyphsNotConserved, match=r"page \d+, table p\d{3}-t\d{2}: project \d+: .*end in no field"):
        _parse(layout)


def test_glyph_in_no_cell_of_the_grid_is_refused(layout):
    fragment, _ = _cell(layout, "MICE")
    fragment["unplaced"] = [["圏", fragment["x0"] + 3, fragment["top"] + 3]]
    with pytest.raises(GlyphsNotConserved, match=r"1 glyph\(s\) '圏' inside the table lie in no cell"):
        _parse(layout)


def test_kpi_value_without_a_name_is_refused(layout):
    # A 基本KPI row whose name cell lost its text: its values would be dropped with the row.
    fragment, cell = _cell(layout, "観光入込客数")
    cell["text"] = ""
    with pytest.raises(GlyphsNotConserved, match="基本KPI of area 1: .* end in no field"):
        _parse(layout)


def test_lost_project_tables_are_refused(layout):
    # A whole project table could not be read (a damaged stream): the numbers jump from 1 to 3.
    page = _page(layout, 1)
    starts = [f for f in page["fragments"] if f["cells"][0]["text"].startswith("No")]
    numbers = [_row_of(f, f["cells"][0])[1]["text"] for f in starts]
    assert numbers[:3] == ["1", "2", "3"]
    page["fragments"] = [f for f in page["fragments"] if f is not starts[1]]
    with pytest.raises(ParseError, match=r"^page 1: project 3 follows project 1: project 2 not found"):
        _parse(layout)


def test_blank_page_inside_the_chapter_is_refused(layout):
    _insert_page(layout, 9, [])
    with pytest.raises(ParseError, match=r"^page 9: the page is blank \(no text\), between pages 1 and 18"):
        _parse(layout)


def test_page_of_prose_only_inside_the_chapter_is_refused(layout):
    _insert_page(layout, 12, [_line("(読み取れない本文)")])
    with pytest.raises(ParseError, match=r"^page 12: the page holds no table, heading or footnote"):
        _parse(layout)


def test_area_without_its_kpi_table_is_refused(layout):
    page = _page(layout, 4)
    page["fragments"] = [f for f in page["fragments"] if not f["cells"][0]["text"].startswith("指標名")]
    with pytest.raises(ParseError, match=r"^page 4: area 2 has no 基本KPI table"):
        _parse(layout)


def test_projects_out_of_order_are_refused(layout):
    _, cell = _cell(layout, "MICE")  # its number is in the same row, left of it: swap it with project 1's
    numbers = [c for p in layout["pages"] for f in p["fragments"] for c in f["cells"]
               if c["row"] == 0 and c["text"] in {"1", "2"} and c["col"] <= 2]
    numbers[0]["text"], numbers[1]["text"] = numbers[1]["text"], numbers[0]["text"]
    with pytest.raises(ParseError, match=r"project 2 printed after project 0|project 2 follows project 0"):
        _parse(layout)


def test_indicator_row_without_item_on_the_same_page_is_refused(layout):
    fragment, cell = _cell(layout, "誘致施策を活用した立地企業数")
    cell["text"] = ""
    with pytest.raises(ParseError, match=r"評価指標 row \d+ of project \d+ has no 項目"):
        _parse(layout)


def test_glyph_astride_a_cut_table_edge_belongs_to_the_table():
    """A browser centres a merged label in its page-spanning cell; the page cut leaves it astride the table's
    bottom edge. A quarter of its height inside is enough; a line of text below the table is not taken."""
    from extractors.ruled import _nearest_inside, _straddles
    from extractors.settings import Layout

    box = (50.0, 100.0, 400.0, 630.0)
    label = {"x0": 55.0, "x1": 64.0, "top": 627.0, "bottom": 636.0}   # 3 of 9 pt inside
    below = {"x0": 55.0, "x1": 64.0, "top": 633.0, "bottom": 642.0}   # a footnote line under the table
    beside = {"x0": 420.0, "x1": 429.0, "top": 627.0, "bottom": 636.0}
    assert _straddles(label, box, Layout().straddle_share)
    assert not _straddles(below, box, Layout().straddle_share) and not _straddles(beside, box, Layout().straddle_share)
    moved = _nearest_inside(label, box)
    assert moved["bottom"] == 630.0 and moved["bottom"] - moved["top"] == 9.0


def test_a_single_undecodable_glyph_in_read_text_is_found(layout):
    """Below the text-layer threshold, one "(cid:N)" in a cell, heading, footnote or page number still makes
    that value wrong: extraction refuses it (seen in the fuzz run: a damaged font lost the page numbers' digits)."""
    from pipeline.checks.textlayer import undecoded_places

    pages = layout_from_json(json.loads(json.dumps(layout, ensure_ascii=False)))
    assert undecoded_places(pages) == []
    _, cell = _cell(layout, "誘致施策を活用した立地企業数")
    cell["text"] = cell["text"][:3] + "(cid:7)"
    _page(layout, 12)["lines"].append(_line("- (cid:2)(cid:1) -", top=800))
    places = undecoded_places(layout_from_json(json.loads(json.dumps(layout, ensure_ascii=False))))
    assert len(places) == 2 and "row" in places[0] and places[1].startswith("page 12, line")


def test_a_party_label_cut_in_two_is_refused_not_read_into_the_party_before(layout):
    # WebKit on A5 cut 費用負担's "連携市町村" party label across a page: "連携市町" with the text, "村" on the
    # next page. Read as the rest of 札幌市's row, 札幌市's text would take in the other party's, and with
    # both sections cut so, no party would be missing: wrong data, no null to catch it.
    fragment, _ = _cell(layout, "圏域内の中小製造業における人手不足を支援するため")
    for cell in fragment["cells"]:
        if cell["text"] == "連携市町村" and cell["col"] == 1:
            cell["text"] = "連携市町"
    with pytest.raises(ParseError, match=r"役割分担 row \d+ of project 9 names no party \(札幌市/連携市町村\): '連携市町'"):
        _parse(layout)


def _indicator_and_header(layout: dict) -> tuple[dict, dict, dict]:
    """Project 3's table fragment, its second indicator's 項目 cell and its 評価指標 header's 項目 cell."""
    fragment, item = _cell(layout, "誘致施策を活用した立地企業数")
    header = max((c for c in fragment["cells"] if c["text"] == "項目" and c["row"] < item["row"]),
                 key=lambda c: c["row"])
    return fragment, item, header


def test_an_indicator_joined_onto_the_indicator_header_is_refused(layout):
    # A cut row read as the rest of the header row above it (WebKit on Letter, with rules read otherwise):
    # its texts would count as header labels, and the project would lose the indicator with exit 0.
    fragment, item, header = _indicator_and_header(layout)
    row = _row_of(fragment, item)
    fragment["cells"] = [c for c in fragment["cells"] if c["row"] <= item["row"]]  # its only indicator
    header["text"] = "項目" + "".join(c["text"] for c in row)
    fragment["cells"] = [c for c in fragment["cells"] if c not in row]
    with pytest.raises(ParseError, match=r"評価指標 header is \['項目誘致施策を活用した立地企業数"):
        _parse(layout)


def test_a_project_with_no_indicator_under_its_header_is_refused(layout):
    fragment, _, header = _indicator_and_header(layout)
    fragment["cells"] = [c for c in fragment["cells"] if c["row"] <= header["row"]]
    with pytest.raises(ParseError, match=r"project \d+ has a 評価指標 header and no indicator under it"):
        _parse(layout)


def test_a_cell_lying_over_others_is_refused(layout):
    # A frame painted down across the next row (WebKit), read as one cell over the cells under it: its
    # text would take in theirs.
    fragment, item = _cell(layout, "誘致施策を活用した立地企業数")
    above = next(c for c in fragment["cells"] if c["row"] == item["row"] - 1 and c["col"] == item["col"])
    above["bottom"] = item["bottom"]
    with pytest.raises(ParseError, match=r"page 1, table p001-t03: cells at row 10, col 2 and row 11, col 2 overlap"):
        _parse(layout)
