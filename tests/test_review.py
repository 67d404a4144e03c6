"""`renkei review`: every value drawn on its page, and the diff shown as crops; checked in a real browser.

Screenshots of the review and of the diff review are saved under pytest's temporary folder
(``<basetemp>/screenshots*/``, printed by ``pytest -s``), as the artefact of a run.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.inputs import InputError
from pipeline.publish.diffview import build_diff_review, printed_field, read_edits
from pipeline.publish.html import render
from pipeline.publish.model import Group, Line, Page, Value
from pipeline.publish.output import MARKER, write_review
from pipeline.publish.provenance import CellIndex, value_boxes
from pipeline.publish.render import PAGE_BOUND
from pipeline.publish.review import build_review, excluded_marks
from pipeline.publish.sources import find_sources
from tests import browser
from tests.conftest import FIXTURES, RAW

PLAN, OVERVIEW, REVISED = RAW / "plan_vi.pdf", RAW / "overview.pdf", FIXTURES / "plan_vi_revised_sample.pdf"


def _cell(page, table_id, row, col, text, x0=0.0, top=0.0, source="plan", label=None):
    return {"source": source, "page": page, "page_label": label, "table_id": table_id, "row": row, "col": col,
            "text": text, "x0": x0, "top": top, "x1": x0 + 10, "bottom": top + 10}


# -- the record → box lookup ----------------------------------------------------------------------------
def test_a_budget_value_is_its_cell_by_table_row_and_col():
    cells = CellIndex([_cell(7, "p007-t02", 8, 2, "0", 194.3, 446.05), _cell(7, "p007-t02", 8, 3, "-")])
    boxes = value_boxes("budgets", {"table_id": "p007-t02", "row": 8, "col": 2, "raw": "0"}, cells)
    assert [(b.page, b.row, b.col, b.x0, b.top) for b in boxes["raw"]] == [(7, 8, 2, 194.3, 446.05)]


def test_an_indicator_value_is_the_cell_of_its_row_that_prints_it_and_repeated_text_pairs_in_order():
    cells = CellIndex([_cell(1, "t", 10, 2, "会議の回数"), _cell(1, "t", 10, 5, "1回"), _cell(1, "t", 10, 6, "1回")])
    row = {"table_id": "t", "row": 10, "item": "会議の 回数", "baseline_raw": "1回", "target_raw": "1回"}
    boxes = value_boxes("indicators", row, cells)
    assert [boxes[f][0].col for f in ("item", "baseline_raw", "target_raw")] == [2, 5, 6]


def test_a_cell_cut_by_a_page_break_has_both_boxes_and_an_unprinted_value_none():
    cells = CellIndex([_cell(1, "p1", 10, 5, "包括連携協定を締結してい", top=700),
                       _cell(2, "p2", 0, 5, "る全企業(2022年度)", top=60), _cell(2, "p2b", 0, 0, "x", top=300)])
    row = {"table_id": "p1", "row": 10, "item": "?", "baseline_raw": "包括連携協定を締結している全企業(2022年度)",
           "target_raw": "別の値"}
    boxes = value_boxes("indicators", row, cells)
    assert [(b.page, b.table_id) for b in boxes["baseline_raw"]] == [(1, "p1"), (2, "p2")]
    assert boxes["target_raw"] == [] and boxes["item"] == []  # no guess


@pytest.mark.parametrize("change", ["none", "cropbox", "rotate"])
def test_boxes_fall_on_their_glyphs_also_with_an_offset_cropbox_or_a_rotation(change, tmp_path):
    import pdfplumber
    import pikepdf
    from PIL import Image, ImageStat

    from pipeline.publish.render import Renderer

    pdf = tmp_path / "plan.pdf"
    with pikepdf.open(PLAN) as source:
        page = source.pages[0]
        if change == "cropbox":
            page.obj.CropBox = pikepdf.Array([30, 40, 560, 800])
        if change == "rotate":
            page.obj.Rotate = 90
        source.save(pdf)
    with pdfplumber.open(pdf) as doc:  # the extractor's coordinates
        chars = [c for c in doc.pages[0].chars if c["text"].strip()][:60]
        width = doc.pages[0].width
    with Renderer(pdf) as renderer:
        image = renderer.page(1)
    assert abs(image.width_pt - width) < 0.01
    with Image.open(io.BytesIO(image.png)) as png:
        grey = png.convert("L")
        s = image.scale

        def ink(dx: float, dy: float) -> float:  # mean grey of the glyph boxes moved by (dx, dy) points
            boxes = [(c["x0"] + dx, c["top"] + dy, c["x1"] + dx, c["bottom"] + dy) for c in chars]
            return sum(ImageStat.Stat(grey.crop(tuple(round(v * s) for v in b))).mean[0] for b in boxes) / len(boxes)

        # darker where pdfplumber saw the glyphs than where a CropBox-relative drawing would put them
        assert ink(0, 0) < ink(30, 40) - 20 and ink(0, 0) < ink(-30, -40) - 20


# -- the diff adapter -----------------------------------------------------------------------------------
V3_CHANGES = {"format_version": 3, "changes": [
    {"kind": "budget", "table": "budgets", "name": "A", "old_no": 2, "new_no": 3, "key": {"fiscal_year": 2025},
     "row": "changed", "column": "raw", "old": "-", "new": "1,250,000",
     "derived": [{"table": "budgets", "column": "amount_thousand_yen", "old": None, "new": 1250000},
                 {"table": "budgets", "column": "amount_yen", "old": None, "new": 1250000000}],
     "old_pages": [1, 1], "new_pages": [1, 1]},
    {"kind": "membership", "table": "project_municipalities", "name": "B", "old_no": 19, "new_no": 20,
     "key": {"municipality": "南幌町"}, "row": "added", "column": None, "old": None, "new": {"lg_code": "014231"},
     "derived": [{"table": "projects", "column": "municipalities_raw", "old": "当別町", "new": "当別町、南幌町"}],
     "old_pages": [7, 7], "new_pages": [7, 7]},
]}


def test_the_diff_adapter_reads_each_edit_once_with_its_derived_columns_riding_along():
    budget, member = read_edits(V3_CHANGES)
    assert (budget.index, budget.kind, budget.field, budget.old_no, budget.new_no, budget.key) == (
        0, "budget", "raw", 2, 3, {"fiscal_year": 2025})
    assert budget.columns == [("raw", "-", "1,250,000"), ("amount_thousand_yen", None, 1250000),
                              ("amount_yen", None, 1250000000)]
    # a row added: its cell is the row's first printed value; a derived column of another table is named so
    assert (member.row, member.column, member.field, member.new) == ("added", None, "municipality", {"lg_code": "014231"})
    assert member.derived == [("projects.municipalities_raw", "当別町", "当別町、南幌町")]


def test_the_diff_adapter_refuses_another_format_version():
    with pytest.raises(InputError, match="format_version 2; this renkei reads 3"):
        read_edits({**V3_CHANGES, "format_version": 2})
    with pytest.raises(InputError, match="format_version None"):
        read_edits({"changes": []})


def test_printed_field():
    assert printed_field("budgets", "raw") == "raw"
    assert printed_field("budgets", None) == "raw"
    assert printed_field("indicators", None) == "item"
    assert printed_field("kpis", "target_raw") == "target_raw"
    assert printed_field("project_municipalities", None) == "municipality"
    assert printed_field("footnotes", None) == "text"


# -- inputs: marks, PDFs, the output folder ------------------------------------------------------------
def test_excluded_marks_read_the_documented_shape_and_refuse_anything_else():
    manifest = {"excluded": [{"kind": "watermark", "source": "plan", "page": 3, "x0": 1, "top": 2, "x1": 3,
                              "bottom": 4, "text": "DRAFT", "reason": "rotated grey text over the page"}]}
    [mark] = excluded_marks(manifest)
    assert (mark.kind, mark.page, mark.text) == ("watermark", 3, "DRAFT")
    assert excluded_marks({}) == []
    with pytest.raises(InputError, match=r"excluded\[0\]"):
        excluded_marks({"excluded": [{"kind": "coffee stain", "page": 1, "x0": 0, "top": 0, "x1": 1, "bottom": 1}]})


def test_a_pdf_is_accepted_only_with_the_manifests_sha256(tmp_path):
    good, other = tmp_path / "plan.pdf", tmp_path / "elsewhere" / "plan.pdf"
    good.write_bytes(b"%PDF-1.7 good")
    other.parent.mkdir()
    other.write_bytes(b"%PDF-1.7 another printing")
    manifest = {"sources": {"plan": {"file": "plan.pdf", "sha256": hashlib.sha256(b"%PDF-1.7 good").hexdigest()}}}
    assert find_sources(manifest, [other, good])["plan"].path == good
    wrong = find_sources(manifest, [other])["plan"]
    assert wrong.path is None and "is not the PDF this build was read from" in wrong.problem
    assert "no such file" in find_sources(manifest, [tmp_path / "plan2.pdf"])["plan"].problem
    assert "pass it with --pdf" in find_sources(manifest, [])["plan"].problem
    recorded = {"sources": {"plan": {**manifest["sources"]["plan"], "path": str(good)}}}
    assert find_sources(recorded, [])["plan"].path == good  # a build that records its PDF's path


def test_a_review_replaces_only_an_earlier_review(tmp_path):
    out = tmp_path / "review"
    write_review(out, {"index.html": b"one", "pages/a.png": b"a"})
    write_review(out, {"index.html": b"two"})
    assert sorted(p.name for p in out.rglob("*")) == [MARKER, "index.html"] and (out / "index.html").read_bytes() == b"two"
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match="did not write"):
        write_review(foreign, {"index.html": b"x"})
    assert sorted(p.name for p in foreign.iterdir()) == ["mine.txt"]


def test_pdf_text_is_escaped_in_the_page():
    evil = '<img src=x onerror="fetch(\'http://example.com\')">'
    value = Value("v-x", "label", evil, ["c-1"], [], "budget")
    page = Page("plan", "plan.pdf", 1, "61", "pages/plan-001.png", 595.0, 842.0, 1190, 1684, 1000, [],
                [Group("project", evil, 1, evil, [Line(evil, [value])])])
    # the provisional ids and FAIL rows at the top carry a project's name and offending rows: text too
    from pipeline.publish.attention import attention

    manifest = {"provisional_project_ids": [{"project_no": 1, "project_id": "P054", "name": evil}]}
    results = {"results": [{"suite": evil, "position": 0, "expectation": "expect_x", "settings": evil,
                            "success": False, "rows": [{"name": evil}], "unexpected_count": 1, "element_count": 1}]}
    html = render("review.html.j2", title=evil, sources=[], pages=[page], legend=[], summary=evil, boxless=[evil],
                  attention=attention(manifest, results), validation_path=evil,
                  project_href=lambda no: f"#{evil}", failure_href=lambda suite: "")
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert html.count('<tr class="fail">') == 1 and "P054" in html


# -- a review of the plan -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def review(plan_build, tmp_path_factory):
    files, summary = build_review(plan_build.path, [PLAN, OVERVIEW], progress=False)
    out = tmp_path_factory.mktemp("review") / "review"
    write_review(out, files)
    return out, files, summary


def test_every_page_that_fed_the_dataset_is_there_within_the_size_bound(plan_build, review):
    from PIL import Image

    out, files, summary = review
    cells = plan_build["cells"]
    pages = {f"pages/{s}-{p:03d}.png" for s, p in zip(cells["source"], cells["page"])}
    assert {n for n in files if n.startswith("pages/")} == pages
    for name in pages:
        assert len(files[name]) <= PAGE_BOUND, name
        with Image.open(io.BytesIO(files[name])) as image:
            assert image.width >= 1000  # readable: ≥ 1.7 px a point on an A4 page
    assert f"bound {PAGE_BOUND // 1024} KB a page" in summary and "(0 without a box)" in summary


def test_project_20s_fy2024_amount_points_at_its_cell_on_its_printed_page(plan_build, review):
    out, files, _ = review
    b = plan_build["budgets"]
    row = b[(b.project_no == 20) & (b.fiscal_year == 2024)].iloc[0]
    assert row["page_label"] == "67"  # transcribed from the seed: project 20 is printed on page 67
    html = files["index.html"].decode()
    section = html.split(f'data-page-label="{row["page_label"]}"', 1)[1].split("</section>", 1)[0]
    cell = f'c-plan-{row["table_id"].replace("-", "_")}-{row["row"]}-{row["col"]}'
    assert f'<rect id="{cell}" class="k-budget"' in section
    assert f'data-v="v-budgets-20-2024-raw" data-cells="{cell}"' in section


def test_a_review_is_the_same_bytes_every_time(plan_build, review):
    again, _ = build_review(plan_build.path, [OVERVIEW, PLAN], progress=False)
    assert again == review[1]


def test_a_review_refuses_a_pdf_the_build_was_not_read_from(plan_build, tmp_path, capsys):
    out = tmp_path / "review"
    moved = _unfound(plan_build.path, tmp_path)  # the PDF the manifest records is no longer there
    assert main(["review", str(moved), "--pdf", str(REVISED), "--pdf", str(OVERVIEW), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plan_vi.pdf: no such file" in err[0], err
    assert not out.exists()
    manifest = json.loads((moved / "manifest.json").read_text(encoding="utf-8"))
    del manifest["sources"]["plan"]["path"]  # a build of before the path was recorded
    (moved / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["review", str(moved), "--pdf", str(REVISED), "--pdf", str(OVERVIEW), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plan_vi.pdf (SHA-256" in err[0] and "plan_vi_revised_sample.pdf: not a PDF of this build" in err[0]
    assert main(["review", str(moved), "--out", str(out)]) == 2
    assert "pass it with --pdf" in capsys.readouterr().err and not out.exists()


def test_a_review_finds_the_pdf_through_the_manifest(plan_build, tmp_path, capsys):
    """A build records the path it was given (manifest sources.plan.path), accepted with its SHA-256."""
    manifest = json.loads((plan_build.path / "manifest.json").read_text(encoding="utf-8"))
    assert Path(manifest["sources"]["plan"]["path"]).resolve() == PLAN.resolve()
    assert main(["--no-progress", "review", str(plan_build.path), "--out", str(tmp_path / "r")]) == 0


def test_marks_of_the_manifest_are_drawn_on_their_page(plan_build, tmp_path):
    build = tmp_path / "build"
    shutil.copytree(plan_build.path, build)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["excluded"] = [{"kind": "watermark", "source": "plan", "page": 2, "x0": 100, "top": 300, "x1": 400,
                             "bottom": 360, "text": "<b>DRAFT</b>", "reason": "grey rotated text"}]
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    html = build_review(build, [PLAN, OVERVIEW], progress=False)[0]["index.html"].decode()
    page = html.split('data-source="plan" data-page="2"', 1)[1].split("</section>", 1)[0]
    assert 'class="k-watermark mark" x="100.00" y="300.00" width="300.00" height="60.00"' in page
    assert "&lt;b&gt;DRAFT&lt;/b&gt; grey rotated text" in page


def _unfound(build: Path, tmp: Path) -> Path:
    """A copy of ``build`` whose manifest records its PDF at a path where there is none."""
    copy = tmp / f"{build.name}-pdf-moved"
    shutil.copytree(build, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["sources"]["plan"]["path"] = str(tmp / "moved" / manifest["sources"]["plan"]["file"])
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_the_cli_reviews_a_diff_from_its_json(plan_build, revised_build, tmp_path, capsys):
    revised = _unfound(revised_build.path, tmp_path)
    diff = tmp_path / "diff.json"
    assert main(["diff", str(plan_build.path), str(revised), "--out", str(diff)]) == 1
    out = tmp_path / "diff-review"
    assert main(["review", str(plan_build.path), str(revised), "--diff", str(diff), "--pdf", str(PLAN),
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: new edition: " in err and "plan_vi_revised_sample.pdf: no such file" in err and "11 edits" in err
    assert "its values are shown as text" in (out / "index.html").read_text(encoding="utf-8")
    diff.write_text('{"format_version": 3, "changes": [{"column": "raw"}]}', encoding="utf-8")
    assert main(["review", str(plan_build.path), str(revised), "--diff", str(diff),
                 "--out", str(tmp_path / "other")]) == 2
    assert "not a renkei diff" in capsys.readouterr().err and not (tmp_path / "other").exists()
    diff.write_text('{"format_version": 2, "changes": []}', encoding="utf-8")
    assert main(["review", str(plan_build.path), str(revised), "--diff", str(diff),
                 "--out", str(tmp_path / "other")]) == 2
    assert "format_version 2" in capsys.readouterr().err and not (tmp_path / "other").exists()


def test_the_cli_writes_the_review_and_prints_the_bound(plan_build, tmp_path, capsys):
    out = tmp_path / "review"
    assert main(["--no-progress", "review", str(plan_build.path), "--pdf", str(PLAN), "--pdf", str(OVERVIEW),
                 "--out", str(out)]) == 0
    assert f"(bound {PAGE_BOUND // 1024} KB a page) → {out / 'index.html'}" in capsys.readouterr().err
    assert (out / "index.html").is_file() and (out / MARKER).is_file()


# -- the diff, shown --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def diff_review(plan_build, revised_build, tmp_path_factory):
    files, summary, notices = build_diff_review(plan_build.path, revised_build.path, [PLAN, REVISED])
    out = tmp_path_factory.mktemp("diff-review") / "review"
    write_review(out, files)
    return out, files, notices


def test_every_changed_value_has_an_old_and_a_new_crop_citing_printed_pages(diff_review):
    out, files, notices = diff_review
    html = files["index.html"].decode()
    assert notices == []
    values = _changed_values(html)
    assert values
    for section in values:
        old, new = section.split('<div class="side">')[1:3]
        assert old.count('<figure class="crop">') >= 1 and new.count('<figure class="crop">') >= 1, section[:200]
        assert "p. " in old and "p. " in new and "PDF page" not in old + new  # printed labels
    # 鳥獣対策等に関する取組の推進 FY2024, 124,573 → 130,000 (docs/diff.md: old No. 35, new No. 36)
    [edit] = [s for s in values if "鳥獣対策等に関する取組の推進" in s and "2024" in s]
    assert "124,573" in edit and "130,000" in edit and "old No. 35, new No. 36" in edit
    assert "Old No. 12 → New No. 13 · MICE誘致<ins>・開催</ins>の推進" in html
    # a renumbered project with both numbers, each cropped from its edition
    renumbered = html.split("<h2>Renumbered projects (25)</h2>", 1)[1].split("<h2>", 1)[0]
    assert renumbered.count('<section class="edit project-renumbered">') == 25
    assert renumbered.count('<figure class="crop">') == 50
    # the project added and the one removed, each as the crop of its table
    for kind in ("added", "removed"):
        [section] = html.split(f'<section class="edit project-{kind}">')[1:2]
        assert '<figure class="crop">' in section.split("</section>")[0]


def test_a_missing_pdf_in_a_diff_is_said_and_its_side_shown_as_text(plan_build, revised_build, tmp_path):
    files, _, notices = build_diff_review(plan_build.path, _unfound(revised_build.path, tmp_path), [PLAN])
    assert len(notices) == 1 and notices[0].startswith("new edition: ") and "no such file" in notices[0]
    assert not any(n.startswith("crops/new-") for n in files) and any(n.startswith("crops/old-") for n in files)
    assert "130,000" in files["index.html"].decode()


def test_a_pdf_that_differs_from_the_manifests_is_said(plan_build, revised_build, tmp_path):
    """The revised build's manifest pointing at the old edition's PDF: refused by SHA-256, shown as text."""
    revised = _unfound(revised_build.path, tmp_path)
    manifest = json.loads((revised / "manifest.json").read_text(encoding="utf-8"))
    manifest["sources"]["plan"]["path"] = str(PLAN)
    (revised / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    files, _, notices = build_diff_review(plan_build.path, revised)
    assert len(notices) == 1 and "is not the PDF this build was read from" in notices[0], notices
    assert not any(n.startswith("crops/new-") for n in files)


def _changed_values(html: str) -> list[str]:
    return [s.split("</section>", 1)[0]
            for s in html.split("<h2>Changed values", 1)[1].split('<section class="edit value"')[1:]]


@pytest.fixture(scope="module")
def pdf_diff(tmp_path_factory):
    """`renkei diff OLD.pdf NEW.pdf --out DIR` (what `make diff` runs) on the shipped revised sample."""
    import contextlib

    out = tmp_path_factory.mktemp("pdf-diff") / "diff"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--no-progress", "diff", str(PLAN), str(REVISED), "--out", str(out)])
    return out, code, err.getvalue()


def test_diff_of_two_pdfs_writes_every_report_with_old_and_new_crops(pdf_diff, capsys):
    """Both editions built into DIR, the three reports beside them; the PDFs found again through the builds'
    manifests (no --pdf given), so every changed value has its old and its new crop."""
    out, code, err = pdf_diff
    assert code == 1 and "note:" not in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["diff.html", "diff.json", "diff.md", "new", "old"]
    document = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    html = (out / "diff.html").read_text(encoding="utf-8")
    values = _changed_values(html)
    assert len(values) == len(document["changes"]) == 8  # 11 edits: 3 of them projects added, removed, renamed
    for section in values:
        old, new = section.split('<div class="side">')[1:3]
        assert old.count('<img src="data:image/png;base64,') >= 1 and new.count('<img src="data:image/png;') >= 1
        assert "p. " in old and "p. " in new and "PDF page" not in old + new  # printed labels
    assert "p. 71–72" in html  # 鳥獣対策…: PDF pages 11–12 of the revised sample, printed 71–72
    assert json.loads((out / "new" / "manifest.json").read_text())["sources"]["plan"]["path"] == str(REVISED)
    assert main(["diff", str(PLAN), str(REVISED), "--format", "md"]) == 2
    assert "give --out DIR" in capsys.readouterr().err


def test_make_diff_takes_out(tmp_path):
    import subprocess

    from tests.conftest import ROOT

    dry = subprocess.run(["make", "-n", "diff", f"OLD={PLAN}", f"NEW={REVISED}", f"OUT={tmp_path / 'x'}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert f"diff {PLAN} {REVISED} --out {tmp_path / 'x'}" in dry.stdout.replace('"', "")
    default = subprocess.run(["make", "-n", "diff", f"OLD={PLAN}", f"NEW={REVISED}"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert "--out out/diff" in default.stdout.replace('"', "")


# -- in a real browser ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium():
    if not browser.available():
        pytest.fail(f"no Chromium at {browser.CHROMIUM}: install the Debian package chromium (make producers)")
    with browser.Browser() as b:
        yield b


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


def _not_blank(png: bytes) -> float:
    from PIL import Image, ImageStat

    with Image.open(io.BytesIO(png)) as image:
        return max(ImageStat.Stat(image.convert("L")).var)


def _offline_and_decoded(tab) -> None:
    assert tab.requests() and all(u.startswith(("file:", "data:")) for u in tab.requests()), tab.requests()
    assert tab.evaluate("document.images.length") > 0
    assert tab.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                        ".map(i => i.src)") == []


def test_the_review_in_chromium(chromium, plan_build, review, screenshots):
    out, _, _ = review
    tab = chromium.open(out / "index.html")
    _offline_and_decoded(tab)
    value = 'section[data-page-label="67"] button.v[data-v="v-budgets-20-2024-raw"]'
    cell = tab.evaluate(f"document.querySelector('{value}').dataset.cells")
    has = "document.getElementById('{}').classList.contains('{}')".format
    tab.hover(value)
    assert tab.evaluate(has(cell, "hl")) and not tab.evaluate(has(cell, "selected"))
    tab.hover(f"#{cell}")  # the reverse: the box highlights its value
    assert tab.evaluate(f"document.querySelector('{value}').classList.contains('hl')")
    tab.click(value)
    assert tab.evaluate(f"document.getElementById('{cell}').classList.contains('selected')")
    assert tab.evaluate(f"document.getElementById('{cell}').closest('section').dataset.pageLabel") == "67"
    png = tab.screenshot()
    (screenshots / "review.png").write_bytes(png)
    assert _not_blank(png) > 100
    # the reverse: a box selects its value
    tab.click('section[data-page-label="67"] rect.k-name')
    assert tab.evaluate("document.querySelector('button.v.selected') !== null")
    # the filter: a number leaves only the pages of that project, so does its name or a partner's name
    visible = ("Array.from(document.querySelectorAll('section.page')).filter(s => !s.hidden)"
               ".map(s => s.dataset.page)")
    groups = "Array.from(document.querySelectorAll('.group')).filter(g => !g.hidden)"
    tab.type_text("#filter", "20")
    pages = tab.evaluate(visible)
    assert 0 < len(pages) < tab.evaluate("document.querySelectorAll('section.page').length")
    assert tab.evaluate(f"{groups}.every(g => g.dataset.no === '20')")
    tab.type_text("#filter", plan_build["projects"].set_index("project_no").loc[20, "name"])
    assert tab.evaluate(visible) == pages
    tab.type_text("#filter", "当別町")
    assert tab.evaluate(f"{groups}.filter(g => g.classList.contains('group-project'))"
                        ".every(g => g.dataset.search.includes('当別町'))")
    assert tab.evaluate(f"{groups}.some(g => g.dataset.no === '20')")  # 20's partners include 当別町


def test_the_diff_review_in_chromium(chromium, diff_review, screenshots):
    out, _, _ = diff_review
    tab = chromium.open(out / "index.html")
    _offline_and_decoded(tab)
    png = tab.screenshot()
    (screenshots / "diff.png").write_bytes(png)
    assert _not_blank(png) > 100


@pytest.fixture(scope="module")
def chromium_1280():
    with browser.started(width=1280, height=900) as b:
        yield b


def test_the_diff_page_in_chromium_fits_1280_px(chromium_1280, pdf_diff, screenshots):
    """`diff --format html` is one offline file: every crop an inline image that decodes, nothing fetched,
    not wider than a 1,280 px window."""
    out, _, _ = pdf_diff
    tab = chromium_1280.open(out / "diff.html")
    _offline_and_decoded(tab)
    files = [u for u in tab.requests() if u.startswith("file:")]
    assert files == [(out / "diff.html").resolve().as_uri()]  # one file: the crops are data: URIs
    assert tab.evaluate("document.images.length") >= 2 * len(_changed_values((out / "diff.html").read_text()))
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    png = tab.screenshot()
    (screenshots / "diff-page.png").write_bytes(png)
    assert _not_blank(png) > 100


# -- a new edition: its provisional ids and FAIL rows head the page ---------------------------------------
@pytest.fixture(scope="module")
def new_edition(revised_build, tmp_path_factory):
    """The revised edition (it adds 事業承継の支援, provisional P054) validated against the reviewed params
    (its first-year total differs: a FAIL row), reported and reviewed as dvc.yaml runs them."""
    from pipeline.checks.validate import run_validate
    from pipeline.publish.report import run_report
    from pipeline.publish.review import run_review

    tmp = tmp_path_factory.mktemp("new-edition")
    assert run_validate(revised_build.path, RAW.parent / "params.yaml", tmp / "validation", fail=False,
                        stream=io.StringIO()) == 0
    results = tmp / "validation" / "results.json"
    failed = [e for e in json.loads(results.read_text(encoding="utf-8"))["results"] if not e["success"]]
    assert failed
    assert run_report(revised_build.path, results, tmp / "report.html") == 0
    assert run_review(revised_build.path, tmp / "review", [REVISED], progress=False, validation=results) == 0
    return {"report": tmp / "report.html", "review": tmp / "review" / "index.html", "failed": failed,
            "results": results}


def _provisional(build) -> list[dict]:
    manifest = json.loads((build.path / "manifest.json").read_text(encoding="utf-8"))
    return manifest["provisional_project_ids"]


@pytest.mark.parametrize("page", ["report", "review"])
def test_a_new_editions_provisional_ids_and_fail_rows_are_on_both_pages(revised_build, new_edition, page):
    html = new_edition[page].read_text(encoding="utf-8")
    provisional = _provisional(revised_build)
    assert [p["project_id"] for p in provisional] == ["P054"]
    section = html[html.index('<section class="attention" id="attention">'):]
    section = section[:section.index("</section>")]
    assert "<code>P054</code> <span class=\"bad\">provisional</span>" in section and "事業承継の支援" in section
    rows = section.count('<tr class="fail">')
    assert rows == len(new_edition["failed"])
    for entry in new_edition["failed"]:
        assert f"<code>{entry['expectation']}</code>" in section and entry["suite"] in section


def test_the_review_finds_validation_results_beside_the_build_or_says_there_are_none(revised_build, tmp_path):
    build = tmp_path / "data"
    shutil.copytree(revised_build.path, build)
    html = build_review(build, [REVISED], progress=False)[0]["index.html"].decode("utf-8")
    assert "P054" in html and "No validation results were given" in html and '<tr class="fail">' not in html
    (build / "validation").mkdir()
    (build / "validation" / "results.json").write_text(json.dumps(
        {"success": False, "results": [{"suite": "budgets", "position": 0, "expectation": "expect_x",
                                        "settings": "", "success": False, "unexpected_count": 1,
                                        "element_count": 2, "rows": [{"project_no": 10}]}]}), encoding="utf-8")
    html = build_review(build, [REVISED], progress=False)[0]["index.html"].decode("utf-8")
    assert html.count('<tr class="fail">') == 1 and "project_no=10" in html
    with pytest.raises(InputError, match="cannot be read"):
        build_review(build, [REVISED], progress=False, validation=tmp_path / "missing.json")


def test_the_new_editions_review_in_chromium(chromium, new_edition, screenshots):
    tab = chromium.open(new_edition["review"])
    _offline_and_decoded(tab)
    assert "P054 = No. 10" in tab.evaluate("document.getElementById('attention-line').textContent")
    assert tab.evaluate("document.querySelectorAll('#attention tr.provisional-id').length") == 1
    assert tab.evaluate("document.querySelectorAll('#attention tr.fail').length") == len(new_edition["failed"])
    # the provisional project's number links to the first page printing it, whose record names the id
    href = tab.evaluate("document.querySelector('#attention tr.provisional-id a').getAttribute('href')")
    assert href.startswith("#plan-p")
    title = tab.evaluate(f"document.querySelector('{href} .group[data-no=\"10\"] h3').textContent")
    assert "事業承継の支援" in title and "P054 (provisional)" in title
    visible = tab.evaluate("(() => { const r = document.getElementById('attention').getBoundingClientRect();"
                           " return r.width > 0 && r.height > 0; })()")
    assert visible
    png = tab.screenshot()
    (screenshots / "review-new-edition.png").write_bytes(png)
    assert _not_blank(png) > 100
    # the filter finds the project by its provisional id
    tab.type_text("#filter", "P054")
    groups = "Array.from(document.querySelectorAll('.group')).filter(g => !g.hidden)"
    assert tab.evaluate(f"{groups}.filter(g => g.classList.contains('group-project')).every(g => g.dataset.no === '10')")
    assert tab.evaluate(f"{groups}.length") > 0
