"""A label cut inside its text by a page break, its rest painted past the cut (pipeline/stages/cut_labels.py).

Chromium, with table rows allowed to break across pages, centres a merged label over its cell's whole
height across both pages and paints the lines that fall past the page's cut edge there, outside every
cell ("費用負" in the cell, "担" under the cut). Each test cuts a label of the reference layout so, at
a page foot where its table goes on on the next page, and the parse must give the reference's records;
lines that do not complete a label must still be refused in one line naming the page.

The labels and the places are found in the reference layout with the vocabulary of
pipeline/stages/sections.py and the contract's parties, not written out here.
"""

from __future__ import annotations

import copy
import json

import pytest

from pipeline.errors import ParseError
from pipeline.stages.extract import layout_from_json
from pipeline.stages.parse import parse_layout
from pipeline.stages.parse_project import PARTIES
from pipeline.stages.sections import label_kind, squash


@pytest.fixture
def layout(plan_layout) -> dict:
    return copy.deepcopy(plan_layout)


@pytest.fixture(scope="module")
def reference(plan_layout) -> list[tuple]:
    return _records(_parse(copy.deepcopy(plan_layout)))


def _parse(layout: dict):
    return parse_layout(layout_from_json(json.loads(json.dumps(layout, ensure_ascii=False))))


def _records(document) -> list[tuple]:
    """What a project says, without where it was printed."""
    return [(p.project_no, p.name, p.summary, p.municipalities.text,
             [(r.party, r.text) for r in p.roles], [(c.party, c.text) for c in p.cost_shares],
             [b.text for b in p.budget_cells], [(i.item, i.baseline, i.target) for i in p.indicators])
            for p in document.projects]


def _goes_on(page: dict) -> bool:
    """Whether a page's first table, with nothing above it, continues a table (opens with no label of
    its own)."""
    first = min(page["fragments"], key=lambda f: f["top"], default=None)
    if first is None or any(line["top"] < first["top"] for line in page["lines"]):
        return False
    lead = min((c for c in first["cells"] if c["row"] == 0), key=lambda c: c["x0"])
    return label_kind(lead["text"]) != "header" and not squash(lead["text"]).startswith("指標名")


def _label_column(fragment: dict, cell: dict) -> bool:
    """Whether `cell` holds a label: a row label at the table's left edge, or a party."""
    text = squash(cell["text"])
    return (label_kind(text) is not None if abs(cell["x0"] - fragment["x0"]) <= 2 else text in PARTIES)


def _cut_places(layout: dict) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Each label (its column: row label or party, its text) printed at a page foot where its table goes on
    on the next page → (page, fragment, cell) indices of its first such place."""
    places: dict[tuple[str, str], tuple[int, int, int]] = {}
    pages = layout["pages"]
    for p, (page, following) in enumerate(zip(pages, pages[1:])):
        if not page["fragments"] or not _goes_on(following):
            continue
        f, last = max(enumerate(page["fragments"]), key=lambda e: e[1]["top"])
        for c, cell in enumerate(last["cells"]):
            if abs(cell["bottom"] - last["bottom"]) <= 1 and _label_column(last, cell):
                kind = "row label" if abs(cell["x0"] - last["x0"]) <= 2 else "party"
                places.setdefault((kind, squash(cell["text"])), (p, f, c))
    return places


def _line(text: str, x0: float, top: float, size: float) -> dict:
    return {"text": text, "x0": x0, "top": top, "x1": x0 + size * len(text), "bottom": top + size, "size": size,
            "marks": [], "leading_marks": [], "fontnames": []}


def _cut(layout: dict, place: tuple[int, int, int], at: int, rest: str | None = None) -> dict:
    """The label at `place` cut after its `at`-th character: the start stays in the cell, the rest (or
    `rest`) is painted past the cut as Chromium paints it, the first line astride the table's foot edge
    (less than a quarter of it inside) and each next line under it, as many as the cell's width needs."""
    p, f, c = place
    page = layout["pages"][p]
    fragment = page["fragments"][f]
    cell = fragment["cells"][c]
    text = squash(cell["text"])
    cell["text"], rest = text[:at], text[at:] if rest is None else rest
    size = fragment["body_size"] or 9.0
    per_line = max(1, int((cell["x1"] - cell["x0"] - 4) // size))
    top = fragment["bottom"] - 0.2 * size
    for start in range(0, len(rest), per_line):
        page["lines"].append(_line(rest[start:start + per_line], cell["x0"] + 2, top, size))
        top += 1.3 * size
    return cell


def test_every_label_at_a_cut_is_found(layout):
    # The reference (Word's print) cuts tables under row labels and party labels: the places the tests use.
    kinds = {kind for kind, _ in _cut_places(layout)}
    assert kinds == {"row label", "party"}, _cut_places(layout)


def test_a_label_cut_anywhere_inside_its_text_is_joined_back(plan_layout, reference):
    places = _cut_places(plan_layout)
    for (kind, label), place in places.items():
        for at in range(1, len(label)):
            layout = copy.deepcopy(plan_layout)
            _cut(layout, place, at)
            assert _records(_parse(layout)) == reference, (kind, label[:at], label[at:])


def test_lines_that_make_no_label_are_refused(layout):
    # The start of 費用負担 (or any row label) with a line under it that does not complete it: the line
    # stays free text, the table has no such section, and the build is refused naming the page.
    place = next(p for (kind, _), p in _cut_places(layout).items() if kind == "row label")
    _cut(layout, place, 1, rest="〇")
    with pytest.raises(ParseError, match=r"^page \d+, table p\d{3}-t\d{2}: "):
        _parse(layout)


def test_a_cut_party_label_with_lines_that_make_no_party_is_refused(layout):
    # "連携市町" with a line under it that is not "村": no party is named, and the text is never read into
    # the party before it.
    label, place = next((label, p) for (kind, label), p in _cut_places(layout).items() if kind == "party")
    _cut(layout, place, len(label) - 1, rest="〇")
    with pytest.raises(ParseError, match=r"^page \d+, table p\d{3}-t\d{2}: .*names no party"):
        _parse(layout)


def test_lines_under_a_table_that_ends_on_its_page_are_not_taken(layout, reference):
    # A table ending on its page (the next opens with its own No. row, or a heading comes first) has no
    # cut edge: a line under its last label is the chapter's own text, never the label's.
    pages = layout["pages"]
    for page, following in zip(pages, pages[1:]):
        if page["fragments"] and not _goes_on(following):
            last = max(page["fragments"], key=lambda f: f["top"])
            lead = min((c for c in last["cells"] if abs(c["bottom"] - last["bottom"]) <= 1), key=lambda c: c["x0"])
            if squash(lead["text"]) and not any(line["top"] > last["bottom"] for line in page["lines"]):
                break
    else:
        raise AssertionError("no page ends with a whole table")
    page["lines"].append(_line("〇", lead["x0"] + 2, last["bottom"] - 2, 9.0))
    before = copy.deepcopy(page["lines"])
    assert _records(_parse(layout)) == reference
    assert page["lines"] == before


def _head_fragment(page: dict) -> dict:
    return min(page["fragments"], key=lambda f: f["top"])


def _insert_head_row(page: dict, fragment: dict, cells: list[dict]) -> None:
    """`cells` (x0, x1, text) as a new first row of `fragment`, everything under its top moved down."""
    height = 12.0
    for other in page["fragments"]:
        for cell in other["cells"]:
            if other is fragment:
                cell["row"] += 1
            if cell["top"] >= fragment["top"]:
                cell["top"] += height
                cell["bottom"] += height
        if other is not fragment and other["top"] >= fragment["top"]:
            other["top"] += height
        other["bottom"] += height if other["bottom"] >= fragment["top"] else 0
    for line in page["lines"]:
        if line["top"] >= fragment["top"]:
            line["top"] += height
            line["bottom"] += height
    fragment["n_rows"] += 1
    fragment["cells"] += [{"row": 0, "col": col, "rowspan": 1, "colspan": 1, "x0": x0, "top": fragment["top"],
                           "x1": x1, "bottom": fragment["top"] + height, "text": text, "marks": []}
                          for col, (x0, x1, text) in enumerate(cells)]


def _cut_party_across(layout: dict, rest: str | None = None, at: int = -1) -> None:
    """The party label at a page foot cut inside its text, and its text after its first character, both
    going on in a row at the head of the next page (an empty label cell, the party's rest, the text's rest):
    a row cut by the page break with text on both sides of it."""
    (_, label), (p, f, c) = next(e for e in _cut_places(layout).items() if e[0][0] == "party")
    page, following = layout["pages"][p], layout["pages"][p + 1]
    fragment = page["fragments"][f]
    party = fragment["cells"][c]
    text = next(x for x in fragment["cells"] if x["row"] == party["row"] and x["x0"] >= party["x1"] - 2)
    lead = min((x for x in fragment["cells"] if abs(x["bottom"] - fragment["bottom"]) <= 1), key=lambda x: x["x0"])
    head_party = label[at:] if rest is None else rest
    party["text"], value = label[:at], squash(text["text"])
    text["text"] = value[:1]
    _insert_head_row(following, _head_fragment(following),
                     [(lead["x0"], lead["x1"], ""), (party["x0"], party["x1"], head_party),
                      (text["x0"], text["x1"], value[1:])])


def test_a_party_label_cut_across_the_page_with_its_text_is_joined_back(layout, reference):
    # "連携市町" beside the start of its text at the foot, "村" beside the rest at the head of the next page.
    _cut_party_across(layout)
    assert _records(_parse(layout)) == reference


def test_a_party_label_cut_across_the_page_into_no_party_is_refused(layout):
    _cut_party_across(layout, rest="〇")
    # Read as two rows: the foot's part names no party, and the build is refused naming it.
    with pytest.raises(ParseError, match=r"^page \d+, table p\d{3}-t\d{2}: .* names no party \(札幌市/連携市町村\): '"):
        _parse(layout)
