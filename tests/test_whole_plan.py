"""The plan as published: chapter VI found inside the whole vision, however it was printed or passed on.

The whole vision (raw/plan_whole.pdf, and the same printed by Chromium from HTML and by LibreOffice from
DOCX with other chapters around chapter VI: tests/printers/whole.py) must give exactly the dataset of the
chapter alone (raw/plan_vi.pdf), provenance aside: page indexes, printed page labels, table ids and boxes
differ by design. A copy whose pages are drawn through nested Form XObjects gives it too. A PDF without
chapter VI is refused in one line naming what it holds.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from pipeline.checks.crosscheck import run_crosscheck
from pipeline.inputs import InputError
from pipeline.stages.build import build
from tests.conftest import RAW, Build
from tests.printers import producers
from tests.printers.content import KEYS, content_frame, content_from_build
from tests.printers.docx import DocxStyle
from tests.printers.html import HtmlStyle, plan_html
from tests.printers.whole import whole_plan_docx, whole_plan_html

TABLES = ("projects", "project_municipalities", "responsibilities", "budgets", "indicators", "kpis",
          "footnotes", "overview", "cells")
# Provenance: where a value was printed (page, printed page label, table id, cell box).
PROVENANCE = re.compile(r"(^|_)page(_|$)|(^|_)table_id$|^(x0|top|x1|bottom)$")


def _without_provenance(build: Build, table: str) -> pd.DataFrame:
    frame = build[table]
    return frame.drop(columns=[c for c in frame.columns if PROVENANCE.search(c)]).reset_index(drop=True)


def _same_dataset(expected: Build, got: Build, tables=TABLES) -> None:
    for table in tables:
        pd.testing.assert_frame_equal(_without_provenance(got, table), _without_provenance(expected, table),
                                      obj=table)


def _manifest(build: Build) -> dict:
    return json.loads((build.path / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def whole_build(tmp_path_factory) -> Build:
    out = tmp_path_factory.mktemp("whole") / "out"
    build(RAW / "plan_whole.pdf", RAW / "overview.pdf", out, progress=False)
    return Build(out)


def test_the_whole_plan_gives_the_chapters_dataset(whole_build, plan_build):
    _same_dataset(plan_build, whole_build)
    # Provenance differs by one offset: the chapter's first page in the whole plan.
    chapter = _manifest(whole_build)["sources"]["plan"]["chapter"]
    first, last = chapter["pages"]
    offset = first - 1
    assert offset > 0
    got, expected = whole_build["cells"], plan_build["cells"]
    plan = got["source"] == "plan"
    assert (got[plan]["page"].reset_index(drop=True) - offset).tolist() == \
        expected[expected["source"] == "plan"]["page"].tolist()
    assert got[plan]["page"].min() == first and got[plan]["page"].max() == last


def test_the_manifest_says_where_the_chapter_is_and_what_was_skipped(whole_build):
    source = _manifest(whole_build)["sources"]["plan"]
    chapter = source["chapter"]
    first, last = chapter["pages"]
    assert 1 < first < last < source["pages"]
    assert chapter["heading"]["page"] == first and "連携協約に基づき推進する具体的取組" in chapter["heading"]["text"]
    assert chapter["ends_at"]["page"] == last + 1
    assert all(label is not None for label in chapter["page_labels"])
    skipped = chapter["skipped_pages"]
    assert [s["page"] for s in skipped] == [*range(1, first), *range(last + 1, source["pages"] + 1)]
    assert {s["where"] for s in skipped if s["page"] < first} == {"before"}
    assert skipped[-1]["where"] == "after" and skipped[-1]["first_line"] == chapter["ends_at"]["text"]
    # datapackage.json describes the file, not the chapter
    package = json.loads((whole_build.path / "datapackage.json").read_text(encoding="utf-8"))
    assert "chapter" not in package["sources"][0]


def test_the_crosscheck_reads_the_chapters_pages_only(whole_build, tmp_path):
    assert run_crosscheck(RAW / "plan_whole.pdf", whole_build.path, tmp_path / "cc.json", require=1.0,
                          progress=False) == 0
    report = json.loads((tmp_path / "cc.json").read_text(encoding="utf-8"))
    first, last = _manifest(whole_build)["sources"]["plan"]["chapter"]["pages"]
    assert report["settings"]["pages"] == list(range(first, last + 1))


def test_the_chapter_alone_records_no_chapter_extent(plan_build):
    assert "chapter" not in _manifest(plan_build)["sources"]["plan"]


# -- printed by the project's own printers, other chapters around chapter VI -----------------------------
@pytest.fixture(scope="module")
def content(plan_build):
    return content_from_build(plan_build)


PRINTERS = {
    "chromium-A4": lambda content, tmp: (producers.chromium(whole_plan_html(content, HtmlStyle(paper="A4")),
                                                           tmp / "whole.pdf")),
    "libreoffice-docx-A4": lambda content, tmp: producers.libreoffice(
        whole_plan_docx(content, tmp / "whole.docx", DocxStyle(paper="A4")), tmp / "whole.pdf"),
}


@pytest.mark.parametrize("printer", sorted(PRINTERS))
def test_a_whole_plan_printed_here_gives_the_chapters_dataset(printer, tmp_path, plan_build, content):
    pdf = PRINTERS[printer](content, tmp_path)
    out = tmp_path / "out"
    build(pdf, None, out, progress=False)
    got = Build(out)
    for table in KEYS:  # as tests/test_producers.py compares a printing with the reference
        pd.testing.assert_frame_equal(content_frame(got, table), content_frame(plan_build, table),
                                      check_dtype=False, obj=table)
    chapter = _manifest(got)["sources"]["plan"]["chapter"]
    assert chapter["pages"][0] > 1 and chapter["skipped_pages"], chapter
    if printer.startswith("chromium"):  # no page breaks between chapters: it starts and ends mid-page
        assert chapter["heading"]["page"] == chapter["pages"][0]
        assert [t["where"] for t in chapter["skipped_tables"]] and \
            {t["page"] for t in chapter["skipped_tables"] if t["where"] == "before"} == {chapter["pages"][0]}, chapter
        assert chapter["ends_at"]["page"] == chapter["pages"][1], chapter
    else:  # each chapter on a new page
        assert chapter["skipped_tables"] == [] and chapter["ends_at"]["page"] == chapter["pages"][1] + 1, chapter
    # the other chapters' tables (市町村名, the chart, 資料編) were not read: only chapter VI's tables
    cells = got["cells"]
    assert not cells["text"].isin(["市町村名", "年月日", "区分"]).any()


# -- Form XObjects (pdfpages, pdfjam, stamping tools) ------------------------------------------------------
def wrap_in_forms(source: Path, target: Path) -> Path:
    """Each page's content drawn through a Form XObject inside another, each with a non-identity matrix
    (scaled 2× inside, ½× outside, shifted), as imposition and stamping tools write pages."""
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            contents = page.obj.Contents
            data = b"".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array) \
                else contents.read_bytes()
            box = [float(v) for v in page.obj.MediaBox]
            inner = pikepdf.Stream(pdf, data, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                   BBox=box, Resources=page.obj.Resources, Matrix=[2, 0, 0, 2, 0, 0])
            outer = pikepdf.Stream(pdf, b"q /Inner Do Q", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                   BBox=[0, 0, 2 * box[2], 2 * box[3]], Matrix=[0.5, 0, 0, 0.5, 3, -2],
                                   Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Inner=inner)))
            page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Page=outer))
            page.obj.Contents = pikepdf.Stream(pdf, b"q 1 0 0 1 -3 2 cm /Page Do Q")
        pdf.save(target)
    return target


def test_pages_drawn_through_nested_form_xobjects_give_the_dataset(tmp_path, plan_build):
    pdf = wrap_in_forms(RAW / "plan_vi.pdf", tmp_path / "wrapped.pdf")
    with pikepdf.open(pdf) as check:  # the fixture is what it claims: no text in the page's own stream
        assert b"Tj" not in check.pages[0].obj.Contents.read_bytes()
        assert check.pages[0].obj.Resources.XObject.Page.Resources.XObject.Inner.Matrix[0] == 2
    build(pdf, RAW / "overview.pdf", tmp_path / "out", progress=False)
    got = Build(tmp_path / "out")
    for table in TABLES:  # the same pages and boxes too: the matrices cancel out
        pd.testing.assert_frame_equal(got[table], plan_build[table], obj=table)


def test_the_whole_plan_wrapped_in_form_xobjects_gives_the_dataset(tmp_path, whole_build):
    pdf = wrap_in_forms(RAW / "plan_whole.pdf", tmp_path / "wrapped.pdf")
    build(pdf, None, tmp_path / "out", progress=False)
    _same_dataset(whole_build, Build(tmp_path / "out"), tables=[t for t in TABLES if t not in ("overview", "cells")])


# -- no chapter VI -------------------------------------------------------------------------------------------
def test_a_whole_plan_without_chapter_vi_is_refused_naming_its_headings(tmp_path):
    # Keep the pages before the chapter and the appendix: the chapter's pages are those the build read.
    with pikepdf.open(RAW / "plan_whole.pdf") as pdf:
        out = tmp_path / "whole"
        build(RAW / "plan_whole.pdf", None, out, progress=False)
        c_first, c_last = json.loads((out / "manifest.json").read_text())["sources"]["plan"]["chapter"]["pages"]
        for index in reversed(range(c_first - 1, c_last)):
            del pdf.pages[index]
        pdf.save(tmp_path / "without.pdf")
    with pytest.raises(InputError) as caught:
        build(tmp_path / "without.pdf", None, tmp_path / "out", progress=False)
    message = str(caught.value)
    assert "\n" not in message and "no chapter VI" in message and "its headings are" in message, message
    assert "'I はじめに' (page 3)" in message, message
    assert not (tmp_path / "out").exists()


# -- the locator on page texts (no PDF read) -----------------------------------------------------------------
from extractors.chapter import NoChapter, locate  # noqa: E402

CONTENTS_PAGE = "目次\nI はじめに ・・・・・・ 2\nVI 連携協約に基づき推進する具体的取組 ・・・・・・ 4\n資料編 ・・・ 9\n- 1 -"
OTHER_CHAPTER = "II 圏域の形成\n1 構成市町村\n市町村名 人口\n小樽市 100\n- 2 -"
CHAPTER_START = ("V 期間\n本文\nVI 連携協約に基づき推進する具体的取組\n本項では\n1 圏域全体の経済成長のけん引\n"
                 "【基本 KPI】\n指標名 現状値 目標値\n- 3 -")
CHAPTER_BODY = "No. 1 連携事業名 何か\n事業概要 …\n- 4 -"
CHAPTER_END = "No. 2 連携事業名 別\n評価指標 項目\n資料編\n1 策定経過\n- 5 -"
APPENDIX = "年月日 内容\n- 6 -"


def test_the_locator_finds_the_chapter_by_its_heading_not_the_contents_line():
    chapter = locate([CONTENTS_PAGE, OTHER_CHAPTER, CHAPTER_START, CHAPTER_BODY, CHAPTER_END, APPENDIX])
    assert (chapter.first, chapter.last, chapter.heading.page) == (3, 5, 3)  # starts and ends mid-page
    assert chapter.end.text == "資料編" and chapter.end.page == 5
    assert [(s.page, s.page_label) for s in chapter.skipped] == [(1, "- 1 -"), (2, "- 2 -"), (6, "- 6 -")]


def test_the_chapter_ends_before_a_page_that_opens_with_the_next_heading():
    chapter = locate([CHAPTER_START, CHAPTER_BODY, "VII 推進体制\n本文\n- 5 -"])
    assert (chapter.first, chapter.last, chapter.end.page) == (1, 2, 3)


def test_a_numeral_that_does_not_follow_the_chapters_is_no_end():
    """pdfium reads a wrapped cell's "UIJ / ターン" as a line "I ターン" when a stamp behind the page reorders its
    text: a chapter heading by shape, but chapter I cannot follow chapter VI (seen: stamp-diagonal-behind)."""
    body = "No. 2 連携事業名 移住\nI ターン\nIV 圏域\n- 4 -"
    chapter = locate([CHAPTER_START, body, CHAPTER_BODY, "VII 推進体制\n- 6 -"])
    assert (chapter.first, chapter.last, chapter.end.text) == (1, 3, "VII 推進体制")
    # Without a numeral in its heading, the chapter follows the last one before it (V here).
    unnumbered = CHAPTER_START.replace("VI 連携協約", "連携協約")
    chapter = locate([unnumbered, body, CHAPTER_BODY, "第7章 推進体制\n- 6 -"])
    assert (chapter.last, chapter.end.text) == (3, "第7章 推進体制")


def test_chapter_heading_numbers():
    from extractors.chapter import heading_number

    assert [heading_number(t) for t in ("VII 推進体制", "第7章 推進体制", "第十二章 付記", "IX 付記", "6 連携協約",
                                        "資料編", "I ターン")] == [7, 7, 12, 9, 6, None, 1]


def test_a_title_without_the_chapters_tables_is_not_the_chapter():
    with pytest.raises(NoChapter, match="prints the title"):
        locate([CONTENTS_PAGE, "VI 連携協約に基づき推進する具体的取組\n本文のみ\n- 2 -"])


def test_no_chapter_names_the_headings_seen():
    with pytest.raises(NoChapter, match=r"its headings are 'II 圏域の形成' \(page 2\)"):
        locate([CONTENTS_PAGE, OTHER_CHAPTER])


def test_the_chapter_alone_without_a_heading_is_every_page():
    chapter = locate(["1 圏域全体の経済成長のけん引\n【基本KPI】\n指標名 現状値\n- 61 -", CHAPTER_BODY])
    assert (chapter.first, chapter.last, chapter.heading, chapter.whole) == (1, 2, None, True)


def test_a_project_table_after_the_chapters_end_is_refused():
    with pytest.raises(NoChapter, match="after the end of chapter VI"):
        locate([CHAPTER_START, "資料編\n- 4 -", CHAPTER_BODY])


# -- the document opened once ----------------------------------------------------------------------------------
def test_a_build_opens_the_plan_once(tmp_path, monkeypatch, plan_build):
    """pdfplumber and pdfium each open the plan once in the build's process (read sequentially here; each
    worker process would open it once more), the excerpt's readers aside."""
    import pdfplumber
    import pypdfium2

    opened: list[str] = []
    real_open, real_document = pdfplumber.open, pypdfium2.PdfDocument

    def counting_open(source, *args, **kwargs):
        opened.append("pdfplumber")
        return real_open(source, *args, **kwargs)

    class CountingDocument(real_document):
        def __init__(self, *args, **kwargs):
            opened.append("pdfium")
            super().__init__(*args, **kwargs)

    monkeypatch.setenv("RENKEI_WORKERS", "1")
    monkeypatch.setattr(pdfplumber, "open", counting_open)
    monkeypatch.setattr(pypdfium2, "PdfDocument", CountingDocument)
    build(RAW / "plan_whole.pdf", None, tmp_path / "out", progress=False)
    assert sorted(opened) == ["pdfium", "pdfplumber"]
    got = Build(tmp_path / "out")
    _same_dataset(plan_build, got, tables=[t for t in TABLES if t not in ("overview", "cells")])


def test_closing_the_document_does_not_parse_the_page_tree_again(monkeypatch):
    """pdfplumber's PDF.close() rebuilds the page list before closing its stream; called twice it fails with
    "seek of closed file" on a damaged tree (issue 18). The document closes its pages and stream once."""
    from pipeline.inputs import open_pdf

    with open_pdf(RAW / "plan_vi.pdf") as document:
        stream = document.pdf.stream
        monkeypatch.setattr(type(document.pdf), "close", lambda self: pytest.fail("PDF.close() called"))
    assert stream.closed and document.closed
    document.close()  # a second close does nothing


# -- bounds sized from real documents --------------------------------------------------------------------------
def test_a_dotted_rule_chromium_print_builds_exactly(tmp_path, plan_build, content):
    """Chromium draws every dot of a dotted rule: a quarter of a million paths for the chapter, over the
    100,000 the whole document was allowed before; within the bounds of what pdfplumber reads now."""
    import pdfplumber

    from extractors.pdfguard import MAX_DOCUMENT_PATHS, MAX_PAGE_PATHS, _page_cost

    html = plan_html(content, HtmlStyle(paper="A4"))
    assert "border: 0.5pt solid #000" in html
    pdf = producers.chromium(html.replace("border: 0.5pt solid #000", "border: 0.5pt dotted #000"),
                             tmp_path / "dotted.pdf")
    with pdfplumber.open(pdf) as opened:
        paths = [_page_cost(p.page_obj)[1] for p in opened.pages]
    assert sum(paths) > 100_000 and max(paths) < MAX_PAGE_PATHS and sum(paths) < MAX_DOCUMENT_PATHS, paths
    build(pdf, None, tmp_path / "out", progress=False)
    got = Build(tmp_path / "out")
    for table in KEYS:
        pd.testing.assert_frame_equal(content_frame(got, table), content_frame(plan_build, table),
                                      check_dtype=False, obj=table)


def test_map_chart_and_photo_pages_around_the_chapter_are_read_by_pdfium_only(tmp_path, whole_build):
    """The benchmark's whole vision: vector map, ruled chart and photo pages around chapter VI. Only the
    chapter's pages reach pdfplumber; the figures pass pdfium's bounds."""
    from extractors.pdfguard import MAX_PAGE_CONTENT_BYTES, MAX_SCAN_PAGE_PATHS
    from pipeline.bench import padded_plan
    from pipeline.inputs import open_pdf

    pdf = padded_plan(RAW / "plan_whole.pdf", tmp_path / "padded.pdf", pages=31)
    with open_pdf(pdf) as document:
        outside = [document.costs[n] for n in range(1, document.page_count + 1) if n not in document.chapter.pages]
        assert document.page_count == 31 and len(document.chapter.pages) == len(whole_build["cells"]
                                                                                .query("source == 'plan'")
                                                                                .page.unique())
    assert max(size for size, _ in outside) > MAX_PAGE_CONTENT_BYTES // 16  # a map page is heavy
    assert max(paths for _, paths in outside) < MAX_SCAN_PAGE_PATHS
    build(pdf, None, tmp_path / "out", progress=False)
    _same_dataset(whole_build, Build(tmp_path / "out"), tables=[t for t in TABLES if t not in ("overview", "cells")])


# -- an edition's own members ---------------------------------------------------------------------------
NEW_MEMBER = ("栗山町", "014290")  # a town of 北海道 that is not a member of this plan; its code from 総務省


# LibreOffice prints the whole plan in test_a_whole_plan_printed_here_gives_the_chapters_dataset; the member
# tables are read from pdfium text alike (its 12-member print passed when written; left out for CI time).
@pytest.mark.parametrize("printer", ["chromium-A4", "wkhtmltopdf-A4"])
def test_a_member_joining_gives_every_all_partners_project_the_new_member(printer, tmp_path, plan_build, content,
                                                                         whole_build):
    """The whole vision lists a 12th member in its member table: every 全市町村 project gets 12 partners,
    the new one with its own code, everything else as before, and the build says who joined."""
    from tests.printers.whole import MUNICIPALITIES
    members = (*MUNICIPALITIES, NEW_MEMBER[0])
    if printer.startswith("chromium"):
        pdf = producers.chromium(whole_plan_html(content, HtmlStyle(paper="A4"), members=members), tmp_path / "w.pdf")
    elif printer.startswith("wkhtmltopdf"):  # WebKit prints 長 as the radical ⻑ (U+2ED1)
        pdf = producers.wkhtmltopdf(whole_plan_html(content, HtmlStyle(paper="A4"), members=members),
                                    tmp_path / "w.pdf")
    else:
        pdf = producers.libreoffice(whole_plan_docx(content, tmp_path / "w.docx", DocxStyle(paper="A4"),
                                                    members=members), tmp_path / "w.pdf")
    out = tmp_path / "out"
    build(pdf, None, out, progress=False)
    got = Build(out)
    for table in KEYS:
        if table != "project_municipalities":
            pd.testing.assert_frame_equal(content_frame(got, table), content_frame(plan_build, table),
                                          check_dtype=False, obj=table)
    all_partners = set(plan_build["projects"].query("municipalities_raw == '全市町村'")["project_no"])
    assert all_partners
    pm, ref = got["project_municipalities"], plan_build["project_municipalities"]
    for no in sorted(all_partners):
        rows = pm[pm.project_no == no].sort_values("list_order")
        assert rows.municipality.tolist() == [*MUNICIPALITIES[1:], NEW_MEMBER[0]], no
        assert rows.lg_code.tolist()[-1] == NEW_MEMBER[1]
    listed = pm[~pm.project_no.isin(all_partners)][["project_no", "municipality", "lg_code"]].reset_index(drop=True)
    expected = ref[~ref.project_no.isin(all_partners)][["project_no", "municipality", "lg_code"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(listed, expected, check_dtype=False)
    members_record = _manifest(got)["sources"]["plan"]["members"]
    assert members_record["source"] == "document" and members_record["partners"][-1] == NEW_MEMBER[0]
    assert members_record["changed"] == {"joined": [NEW_MEMBER[0]], "left": []}
    # The diff against the published edition: one edit, the member joining, the 全市町村 projects inside it.
    from pipeline.diff.compare import diff_builds
    diff = diff_builds(whole_build.path, out).to_json()
    assert diff["summary"]["edits"] == 1 and diff["summary"]["by_kind"]["member_joined"] == 1, diff["summary"]
    assert diff["members"][0]["municipality"] == NEW_MEMBER[0]
    assert diff["members"][0]["projects"] == sorted(all_partners) and diff["changes"] == []


def test_the_whole_plans_member_tables_are_read(whole_build):
    source = _manifest(whole_build)["sources"]["plan"]
    assert source["members"]["source"] == "document" and "changed" not in source["members"]
    tables = source["member_tables"]
    assert len(tables) >= 1 and all(t["page"] < source["chapter"]["pages"][0] for t in tables)
    assert all(t["page_label"] and t["page_label"].isdigit() for t in tables)
