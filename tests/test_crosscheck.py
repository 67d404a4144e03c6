"""The camelot cross-check: agreement with the build on raw/plan_vi.pdf, a planted disagreement found at
its exact cell, the text comparison's rules, and the command's exit codes.

camelot runs once per session over the whole plan (~8 s for 17 pages); every comparison below reuses it.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from extractors.camelot_tables import convert_table, read_tables
from pipeline.checks.crosscheck import compare, load_plumber_tables, run_crosscheck, texts_agree
from tests.conftest import RAW

PLAN = RAW / "plan_vi.pdf"
# Measured on raw/plan_vi.pdf (camelot-py 2.0.0, line_scale 40): 2009/2009 cells agree. The floor leaves
# room for two or three cells of raster noise on another platform, not for a real extraction regression.
AGREEMENT_FLOOR = 0.998


@pytest.fixture(scope="session")
def camelot_plan():
    return list(read_tables(PLAN, progress=False))


def _report_lines(report: dict) -> str:
    return "\n".join(json.dumps(d, ensure_ascii=False, sort_keys=True) for d in report["disagreements"][:20])


def test_plan_agrees_with_camelot(plan_build, camelot_plan):
    plumber = load_plumber_tables(plan_build.path)
    report = compare(plumber, camelot_plan)
    s = report["summary"]
    fragments = plan_build["cells"].query("source == 'plan'").table_id.nunique()
    assert s["tables_pdfplumber"] == fragments
    assert s["tables_matched"] == fragments, _report_lines(report)
    assert s["tables_missing_in_camelot"] == 0 and s["tables_extra_in_camelot"] == 0, _report_lines(report)
    assert s["cells_compared"] == len(plan_build["cells"].query("source == 'plan'"))
    assert s["agreement"] >= AGREEMENT_FLOOR, _report_lines(report)


def test_planted_disagreement_is_reported_at_its_cell(plan_build, camelot_plan, tmp_path):
    from pipeline.stages.write import write_table
    from schemas.enforce import enforce

    cells = pd.read_parquet(plan_build.path / "cells.parquet")
    target = (cells.source == "plan") & (cells.table_id == "p005-t03") & (cells.row == 1) & (cells.col == 2)
    assert target.sum() == 1
    original = cells.loc[target, "text"].iloc[0]
    cells.loc[target, "text"] = original.replace("の", "が", 1)
    assert cells.loc[target, "text"].iloc[0] != original
    write_table(enforce(cells, "cells"), tmp_path / "cells.parquet")

    baseline = compare(load_plumber_tables(plan_build.path), camelot_plan)["disagreements"]
    report = compare(load_plumber_tables(tmp_path), camelot_plan)
    new = [d for d in report["disagreements"] if d not in baseline]
    assert len(new) == 1, _report_lines(report)
    d = new[0]
    assert (d["kind"], d["page"], d["table_id"], d["row"], d["col"]) == ("text differs", 5, "p005-t03", 1, 2)
    assert d["pdfplumber"] != d["camelot"]


def test_marks_are_ignored_only_where_camelot_has_them():
    # pdfplumber took the superscript 11 out of the text; camelot kept it inline.
    assert texts_agree("サステナブル食品の開発", "サステナブル\n食品 11の開発\n", ["11"])
    assert texts_agree("語の説明", "語12の13説14明", ["12", "13", "14"])
    # The same digits are not a mark elsewhere, and a missing mark is no licence to drop other text.
    assert not texts_agree("食品の開発", "食品11の開発", [])
    assert not texts_agree("食品の開発", "食品の開発1", ["11"])
    assert not texts_agree("2024年度", "20241年度", ["11"])


def test_texts_compare_folded_without_whitespace():
    assert texts_agree("基準値(基準年)", "基準値（基準\n年）\n")
    assert texts_agree("28兆9千億円(2020年)", "28 兆 9 千億円 (2020 年)\n")
    assert not texts_agree("5,726", "5,762")
    assert not texts_agree("", "-")


def _grid_cell(x1, y1, x2, y2, left, right, top, bottom, text=""):
    return SimpleNamespace(x1=x1, y1=y1, x2=x2, y2=y2, left=left, right=right, top=top, bottom=bottom, text=text)


def test_convert_table_rebuilds_spans_and_flips_coordinates():
    # 2×2 grid on a 100-pt-high page; the top row is one merged cell (no rule between its two halves).
    grid = [
        [_grid_cell(0, 80, 10, 100, True, False, True, True, "merged"),
         _grid_cell(10, 80, 20, 100, False, True, True, True)],
        [_grid_cell(0, 60, 10, 80, True, True, True, True, "a"),
         _grid_cell(10, 60, 20, 80, True, True, True, True, "b")],
    ]
    table = SimpleNamespace(cells=grid, pdf_size=(50, 100), _bbox=(0, 60, 20, 100), order=1)
    converted = convert_table(table, page=3)
    assert (converted.top, converted.bottom) == (0, 40)
    spans = [(c.row, c.col, c.rowspan, c.colspan, c.text, c.top, c.bottom) for c in converted.cells]
    assert spans == [(0, 0, 1, 2, "merged", 0, 20), (1, 0, 1, 1, "a", 20, 40), (1, 1, 1, 1, "b", 20, 40)]


def test_command_exit_codes(plan_build, tmp_path, capsys):
    out = tmp_path / "crosscheck.json"
    assert run_crosscheck(PLAN, plan_build.path, out, pages=[17]) == 0
    first = out.read_bytes()
    report = json.loads(first)
    assert report["settings"]["pages"] == [17] and report["summary"]["tables_matched"] >= 1
    assert run_crosscheck(PLAN, plan_build.path, out, pages=[17]) == 0
    assert out.read_bytes() == first  # deterministic

    capsys.readouterr()
    assert run_crosscheck(PLAN, tmp_path / "no-build", tmp_path / "x.json") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "x.json").exists()


def _type3_table_pdf(path):
    """One A4 page as cairo writes it: y-down CTM, a Type 3 font with FontMatrix [1 0 0 -1 0 0] whose glyphs are
    drawn y-down (a filled square from 0.84 em above the baseline to 0.08 em below), and a ruled two-row table
    with "A" in the upper row and "B" in the lower (rows 20 pt high, text 12 pt on a baseline 6 pt above the
    row's bottom rule)."""
    import pikepdf

    pdf = pikepdf.new()
    square = b"1 0 0 -0.84 1 0.08 d1\n0 -0.84 1 0.92 re f\n"
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontMatrix=[1, 0, 0, -1, 0, 0],
        FontBBox=[0, -0.84, 1, 0.08], FirstChar=65, LastChar=66, Widths=[1, 1],
        Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding, Differences=[65, pikepdf.Name.A, pikepdf.Name.B]),
        CharProcs=pikepdf.Dictionary(A=pikepdf.Stream(pdf, square), B=pikepdf.Stream(pdf, square)),
        Resources=pikepdf.Dictionary())
    rules = b"".join(b"100 %d m 300 %d l S\n" % (y, y) for y in (100, 120, 140)) + \
        b"".join(b"%d 100 m %d 140 l S\n" % (x, x) for x in (100, 200, 300))
    text = b"BT 12 0 0 -12 110 114 Tm /T3 1 Tf (A) Tj ET BT 12 0 0 -12 110 134 Tm /T3 1 Tf (B) Tj ET\n"
    content = b"1 0 0 -1 0 842 cm 1 w 0 G\n" + rules + text
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(T3=font)),
                              Contents=pikepdf.Stream(pdf, content))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


@pytest.mark.slow
def test_flipped_type3_text_is_read_where_it_is_drawn(tmp_path):
    """playa.miner boxes a flipped-matrix Type 3 glyph one em above where it is drawn (cairo's re-prints);
    the adapter's layout puts it on its glyph, so each letter stays in its own row."""
    import playa

    from extractors.camelot_tables import page_layout

    pdf = _type3_table_pdf(tmp_path / "type3.pdf")
    with playa.open(pdf, space="page") as doc:
        layout, (_, height) = page_layout(doc.pages[0])
        boxes = {c.get_text(): (round(height - c.y1, 2), round(height - c.y0, 2)) for c in _chars(layout)}
    # Baseline at 114 (top-down), glyph drawn from 114 - 0.84·12 to 114 + 0.08·12 = 114.96; the box is one em
    # up from that lower edge (pdfminer's convention). playa.miner alone gives (91.92, 103.92):
    # "A" above the table, "B" in the upper row.
    assert boxes["A"] == (pytest.approx(102.96, abs=0.01), pytest.approx(114.96, abs=0.01))
    [table] = list(read_tables(pdf, progress=False))
    assert [(c.row, c.col, c.text.strip()) for c in table.cells if c.text.strip()] == [(0, 0, "A"), (1, 0, "B")]


def _chars(item):
    from playa.miner import LTChar

    if isinstance(item, LTChar):
        yield item
    elif hasattr(item, "__iter__"):
        for child in item:
            yield from _chars(child)
