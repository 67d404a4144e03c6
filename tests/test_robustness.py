"""The same content, printed differently, must give the same tables.

The fixtures are printed at test time (tests/printers/) from the tables that raw/plan_vi.pdf gave, so the
expected output of every fixture is that build's output for the projects it prints, compared without the
columns that say where things were printed (page, grid position, box).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest

from pipeline.stages.parse import ParseError
from pipeline.stages.build import build
from tests.conftest import Build
from tests.printers.content import KEYS, content_frame, content_from_build
from tests.printers.fonts import ipaex_path
from tests.printers.layout import Columns, Style, print_plan

# The irregular projects (3: mark 10; 12: marks 12–14; 31, 34: notes in budget cells; 34, 53: explicit
# 連携市町村 lists; 53: a budget cell merged over two years; 17, 34: four indicators), one or more of every
# area and field, and every footnote: what most variants print.
SUBSET = [1, 3, 7, 12, 17, 18, 31, 34, 38, 53]
# The page-break variants print more projects, for more row boundaries (40 has seven indicators).
BREAK_SUBSET = [1, 2, 3, 7, 12, 13, 17, 18, 31, 34, 38, 40, 53]
# Rules drawn as thousands of dots or dashes make pdfminer slow: those variants print a few tables only.
RULE_SUBSET = [3, 31, 53]

# Every row boundary of a project table, as the printer's row keys (indicator:N for the Nth indicator).
ROW_KEYS = ["summary", "municipalities", "role:札幌市", "role:連携市町村", "cost:札幌市", "cost:連携市町村",
            "budget-years", "budget-amounts", "indicator-header", "indicator:1", "indicator:2", "indicator:3"]

RADICALS = {"長": "\u2ed1", "民": "\u2ea0", "一": "\u2f00", "見": "\u2f92",  # CJK Radicals Supplement, Kangxi
            "年": "\uf98e", "連": "\uf99a", "都": "\ufa26", "全": "\ufa72"}  # CJK compatibility ideographs


def _breaks(content, keys: list[str], offset: int) -> set[tuple[int, str]]:
    """One forced page break per project, cycling through the row keys so that together the variants
    break before every kind of row (inside the 評価指標 rows too)."""
    chosen = set()
    for i, project in enumerate(content.projects):
        candidates = [k for k in keys if not k.startswith("indicator:")
                      or int(k.split(":")[1]) <= len(project.indicators)]
        chosen.add((project.source_no, candidates[(i + offset) % len(candidates)]))
    return chosen


def _variants(content) -> dict[str, tuple[Style, list[int]]]:
    """Each variant's style and the projects it prints."""
    base = Style()
    wide_labels = Columns(label=88.0, party=54.0, years=(80.0, 62.0, 62.0, 62.0, 78.0),
                          indicators=(170.0, 100.0, 114.0), header=(40.0, 44.0, 76.0), kpi=(210.0, 136.0, 138.0))
    narrow_labels = Columns(label=58.0, party=62.0, years=(72.0, 72.0, 72.0, 72.0, 72.0),
                            indicators=(240.0, 60.0, 60.0), kpi=(160.0, 160.0, 160.0))
    breaking = content.select(BREAK_SUBSET)
    return {
        "gothic-unshaded-widths": (base.variant(
            font="HeiseiKakuGo-W5", shading=False, columns=wide_labels,
            budget_label="事業予定年度及び事業費見込額（千円）", year_header="{year}年度（令和{era}年度）"), SUBSET),
        "ttf-ipaex-radicals-compat": (base.variant(
            ttf="ipaex", substitutions=RADICALS, year_header="{year}年度 (R{era})", columns=narrow_labels), SUBSET),
        "ttf-glyphless-radicals-compat": (base.variant(
            ttf="glyphless", substitutions=RADICALS, shading=False), SUBSET),
        "fullwidth-justified": (base.variant(
            fullwidth_values=True, fullwidth_headings=True, justify_labels=True, no_label="Ｎｏ．",
            indicator_labels=("項　目", "基準値(基準年)", "目標値(目標年)"), valign="top"), SUBSET),
        "dashed-inner-rules": (base.variant(rules="dashed"), RULE_SUBSET),
        "dotted-inner-rules": (base.variant(rules="dotted", shading=False), RULE_SUBSET),
        "round-dot-inner-rules": (base.variant(rules="round-dots", font="HeiseiKakuGo-W5"), RULE_SUBSET),
        "dash-pattern-rules": (base.variant(rules="dash-pattern", rule_width=0.3), SUBSET),
        "rules-as-filled-rects": (base.variant(rules="rects", rule_width=0.8), SUBSET),
        "cell-boxes": (base.variant(rules="boxes"), SUBSET),
        "page-breaks": (base.variant(breaks=_breaks(breaking, ROW_KEYS, 0), heading_breaks={18, 38}),
                        BREAK_SUBSET),
        "page-breaks-repeated-labels": (base.variant(breaks=_breaks(breaking, ROW_KEYS, 3), repeat_labels=True,
                                                     heading_breaks={13, 53}), BREAK_SUBSET),
    }


@pytest.fixture(scope="module")
def content(plan_build):
    return content_from_build(plan_build)


def _build(tmp_path: Path, content, style: Style) -> Build:
    pdf = print_plan(content, tmp_path / f"{style.name}.pdf", style)
    out = tmp_path / "out"
    build(pdf, None, out, progress=False)
    return Build(out)


def _assert_same_tables(expected: Build, got: Build, content) -> None:
    for table in KEYS:
        want = content_frame(expected, table, content)
        have = content_frame(got, table)
        assert list(have.columns) == list(want.columns), table
        pd.testing.assert_frame_equal(have, want, check_dtype=False, obj=table)


def test_printer_reads_the_dataset_only(content):
    """The content comes from the build; the printer knows nothing of the seed."""
    assert [p.no for p in content.projects] == list(range(1, 54))
    assert sum(len(p.footnotes) for p in content.projects) == 7
    subset = content.select(SUBSET)
    assert len(subset.kpis) == 4  # a KPI table per area
    assert sum(len(p.footnotes) for p in subset.projects) == 7


def test_all_53_projects_reprinted(tmp_path, plan_build, content):
    got = _build(tmp_path, content, Style(name="full"))
    _assert_same_tables(plan_build, got, content)
    metrics = json.loads((got.path / "metrics.json").read_text())
    want = json.loads((plan_build.path / "metrics.json").read_text())
    assert metrics["budget_thousand_yen"] == want["budget_thousand_yen"]


@pytest.mark.parametrize("variant", [
    "gothic-unshaded-widths", "ttf-ipaex-radicals-compat", "ttf-glyphless-radicals-compat", "fullwidth-justified",
    "dashed-inner-rules", "dotted-inner-rules", "round-dot-inner-rules", "dash-pattern-rules",
    "rules-as-filled-rects", "cell-boxes", "page-breaks", "page-breaks-repeated-labels",
])
def test_variant_gives_the_same_tables(tmp_path, plan_build, content, variant):
    style, numbers = _variants(content)[variant]
    style = style.variant(name=variant)
    if style.ttf == "ipaex" and ipaex_path() is None:
        pytest.skip("no IPAex TrueType font installed (the glyphless TrueType variant still runs)")
    printed = content.select(numbers)
    got = _build(tmp_path, printed, style)
    _assert_same_tables(plan_build, got, printed)
    budgets = got["budgets"]
    merged = budgets[(budgets.project_no == printed.source_numbers()[53]) & budgets.fiscal_year.isin([2024, 2025])]
    # The merged cell of No. 53 is read as one cell again (its colspan counts the columns of the grid of
    # the page it is on, which depend on the printing: a provenance column, not compared).
    assert len(merged[["page", "table_id", "row", "col"]].drop_duplicates()) == 1
    if style.breaks:  # the forced breaks did split the tables
        projects = got["projects"]
        assert (projects.page_end > projects.page_start).sum() >= len(style.breaks) - 1
    for no in style.heading_breaks:  # a heading ends the page before the one its first table starts on
        project = next(p for p in printed.projects if p.source_no == no)
        page = int(got["projects"].set_index("project_no").page_start[project.no])
        with pdfplumber.open(tmp_path / f"{variant}.pdf") as doc:
            lines = (doc.pages[page - 2].extract_text() or "").splitlines()
        assert "".join(lines[-2].split()) == project.category[0] + project.category[1], lines[-2:]
    if style.substitutions:  # the look-alike code points were in the text layer, not folded by the printer
        with pdfplumber.open(tmp_path / f"{variant}.pdf") as doc:
            text = "".join(c["text"] for page in doc.pages[:3] for c in page.chars)
        assert all(look_alike in text for look_alike in style.substitutions.values())


def test_breaks_cover_every_row_boundary(content):
    variants = _variants(content)
    keys = {key for name in ("page-breaks", "page-breaks-repeated-labels") for _, key in variants[name][0].breaks}
    assert set(ROW_KEYS) <= keys


def _page_of(pdf: Path, text: str) -> int:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            if text in (page.extract_text() or ""):
                return page.page_number
    raise AssertionError(f"{text!r} not printed")


@pytest.mark.parametrize("mangle", ["blank-no-label", "garbled-number", "no-municipalities"])
def test_mangled_table_fails_naming_the_page(tmp_path, content, mangle):
    """A table that cannot be read as a project stops the build with its page, never drops or merges it.
    No. 31 is printed at the top of a page, right under No. 30's table, which a table without a readable
    No. row would otherwise continue."""
    subset = content.select([29, 30, 31])
    style = Style(name=mangle, mangle={31: mangle}, heading_breaks={31})
    pdf = print_plan(subset, tmp_path / "mangled.pdf", style)
    page = _page_of(pdf, subset.projects[2].name)
    with pytest.raises(ParseError) as caught:
        build(pdf, None, tmp_path / "out", progress=False)
    assert re.search(rf"\bpage {page}\b", str(caught.value)), str(caught.value)
    assert not (tmp_path / "out").exists()


# -- the general fixes the fixtures led to, one small case each ------------------------------------------
def test_cid_reader_artefacts_fold_back():
    """Adobe-Japan1 CID → Unicode (CID fonts without ToUnicode) gives —, ~, – and － odd code points."""
    from extractors.textnorm import fold_text

    assert fold_text("\u0336") == "—"
    assert fold_text("20\u02dc29歳") == "20~29歳"
    assert fold_text("\u2012") == "–"
    assert fold_text("\u2212") == fold_text("－") == "-"
    for s in ("\u0336", "\u02dc", "\u2012", "\u2212"):
        assert fold_text(fold_text(s)) == fold_text(s)


def test_dotted_and_dashed_rules_become_whole_rules():
    from extractors.geometry import merge_segments, segments_from_objects
    from extractors.settings import Layout

    def box(x0, top, x1, bottom):
        return {"x0": x0, "top": top, "x1": x1, "bottom": bottom}

    dots = [box(x - 0.3, 99.7, x + 0.3, 100.3) for x in range(10, 101, 2)]  # square dots, y = 100
    round_dots = [box(49.7, y - 0.3, 50.3, y + 0.3) for y in range(52, 99, 2)]  # a vertical row of round dots
    rule = {"x0": 10, "x1": 100, "top": 50, "bottom": 50}  # a solid rule the dotted one falls short of
    segments = merge_segments(segments_from_objects([rule], dots, round_dots, layout=Layout()), Layout())
    h = sorted((round(s.position, 1), round(s.start, 1), round(s.end, 1)) for s in segments if s.orientation == "h")
    v = [(round(s.position, 1), round(s.start, 1), round(s.end, 1)) for s in segments if s.orientation == "v"]
    assert h == [(50.0, 10, 100), (100.0, 9.7, 100.3)]
    # From the solid rule it stopped 1.7 pt short of, down through the dotted rule's dot at the crossing.
    assert v == [(50.0, 50.0, 100.3)]
