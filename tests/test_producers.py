"""Same plan, any producer: the plan printed or re-saved by real programs gives the reference dataset, or
the build is refused with one clear line. Never different data with exit 0.

The content is the reference build's (tests/printers/content.py); the printers are Chromium (Skia, Noto
CJK, Type 3 fonts), WeasyPrint, LibreOffice from a generated DOCX (the way the real plan was made), on
A4, B5 and A3 so that tables, rows and merged cells break in other places; the re-savers are Ghostscript
pdfwrite, cairo (pdftocairo: bold drawn as outlines), qpdf and pikepdf. The programs come from Debian
packages that `make test` installs (see the Makefile's `producers` target); a missing one fails here with
the package to install rather than skipping, so the matrix cannot silently shrink.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from pipeline.checks.crosscheck import run_crosscheck
from pipeline.diff.compare import diff_builds
from pipeline.inputs import InputError
from pipeline.stages.parse import ParseError
from pipeline.stages.build import build
from tests.conftest import FIXTURES, RAW, Build
from tests.printers import passon, producers
from tests.printers.content import KEYS, content_frame, content_from_build, excerpt_rows
from tests.printers.docx import DocxStyle, plan_docx
from tests.printers.html import HtmlStyle, overview_html, plan_html

EXACT, REFUSED = "exact", "refused"


def test_producers_installed():
    assert not producers.missing(), f"apt-get install {' '.join(producers.missing())} (make producers)"


@pytest.fixture(scope="module")
def content(plan_build):
    return content_from_build(plan_build)


def _html(content, **style) -> str:
    return plan_html(content, HtmlStyle(**style))


# name → (how to make the PDF from (content, tmp), expected outcome)
def _chromium(**style):
    return lambda content, tmp: producers.chromium(_html(content, **style), tmp / "plan.pdf")


def _weasyprint(**style):
    return lambda content, tmp: producers.weasyprint(_html(content, **style), tmp / "plan.pdf")


def _wkhtmltopdf(paper):
    return lambda content, tmp: producers.wkhtmltopdf(_html(content, paper=paper), tmp / "plan.pdf", paper=paper)


def _libreoffice(paper):
    return lambda content, tmp: producers.libreoffice(plan_docx(content, tmp / "plan.docx", DocxStyle(paper=paper)),
                                                      tmp / "plan.pdf")


def _resave(resaver, source=RAW / "plan_vi.pdf"):
    return lambda content, tmp: resaver(source, tmp / "plan.pdf")


def _then(first, resaver):
    def make(content, tmp):
        printed = first(content, tmp)
        return resaver(printed.rename(tmp / "printed.pdf"), tmp / "plan.pdf")
    return make


MATRIX = {
    "chromium-A4": (_chromium(paper="A4"), EXACT),
    "chromium-B5": (_chromium(paper="B5"), EXACT),
    "chromium-A3": (_chromium(paper="A3"), EXACT),
    "chromium-A4-serif": (_chromium(paper="A4", font="Noto Serif CJK JP"), EXACT),
    "chromium-A4-rows-break": (_chromium(paper="A4", break_rows=True), EXACT),
    "chromium-B5-rows-break": (_chromium(paper="B5", break_rows=True), EXACT),
    # Rows cut anywhere by the page break: B5 and A5 cut the merged 役割分担 / 費用負担 labels inside their text
    # ("費用負" in the cell, "担" painted just past the cut); Letter draws the cut rows' rules on into the
    # bottom margin, down to the page number.
    "chromium-B5-rows-break-margin20": (_chromium(paper="B5", break_rows=True, margin_mm=20), EXACT),
    "chromium-A5-rows-break": (_chromium(paper="A5", break_rows=True), EXACT),
    # 10.5 pt with the font's own line height ("normal", ≈ 1.43), headings 13 pt: the centred merged label's
    # next line falls mostly or wholly past the cut ("費用負" | "担", "役割分" | "担", "…見込額" | "(千円)"), outside
    # the reach of a glyph astride or touching the edge; joined back as the label it completes
    # (pipeline/stages/cut_labels.py). Refused before: "page 9 … project 14 has no 費用負担 row". The 19.05 mm
    # (0.75 in) margins are those of the print, refused at its page 7.
    "chromium-B5-rows-break-10.5pt": (_chromium(paper="B5", break_rows=True, size=10.5, heading_ratio=1.238,
                                                line_height=1.43), EXACT),
    "chromium-B5-rows-break-10.5pt-margin19": (_chromium(paper="B5", break_rows=True, size=10.5, heading_ratio=1.238,
                                                         line_height=1.43, margin_mm=19.05), EXACT),
    "chromium-Letter-rows-break": (_chromium(paper="Letter", break_rows=True), EXACT),
    # 10 pt (and 10.5 pt with 16 mm margins): a cut 事業概要 row's rules run on down past the page number, which
    # then lies wholly inside the cell ("…各消防本部- 77 -が使用する…" with exit 0 before). Read as the page's
    # label: it stands where, and as, the neighbouring pages print theirs and numbers on from them
    # (extractors/ruled.py `foot_number_verdicts`).
    "chromium-B5-rows-break-10pt": (_chromium(paper="B5", break_rows=True, size=10), EXACT),
    "chromium-B5-rows-break-10pt-margin20": (_chromium(paper="B5", break_rows=True, size=10, margin_mm=20), EXACT),
    "chromium-B5-rows-break-10.5pt-lh1.3-margin16": (_chromium(paper="B5", break_rows=True, size=10.5,
                                                               margin_mm=16), EXACT),
    # WebKit (Qt) breaks rows although told not to (break-inside on rows is unknown to it), paints the rest
    # of a cut row at the row's whole height (ghost rules a few points into the next row), leaves a pushed
    # row's cells blank at the page foot and moves a one-text row's label wholly to the next page: read
    # exactly on A4. On B5 it also ends the cells of a cut row at different heights (read: the outline's cut
    # side runs only where column rules reach it) and strikes the rest of a cut row's rules through the text
    # of the rows under it (read: such a rule bounds no cell, extractors/geometry.py); it paints a cut row's
    # cell frames down over the next project's No. row (read: a frame is clipped where the cells under it
    # begin, extractors/frames.py, and the touching table opens at its No. row, pipeline/stages/parse.py), and
    # leaves a pushed No. row's frames blank at the page foot before the category heading's table.
    "wkhtmltopdf-A4": (_wkhtmltopdf("A4"), EXACT),
    "wkhtmltopdf-B5": (_wkhtmltopdf("B5"), EXACT),
    "wkhtmltopdf-A3": (_wkhtmltopdf("A3"), EXACT),
    # On A5 WebKit also cuts a No. row itself (連携事業名 at the foot of page 5; No., the number and the name
    # at the head of page 6: joined back, pipeline/stages/parse.py), a party label inside its text
    # ("連携市町" | "村") and paints a merged label's rest from the page's top, above its row (a blank head
    # row, dropped). On Letter the rest of a cut row is painted down past the category heading under it to
    # within a dash gap of the next table, which closed the ruling round the heading (read: a frame that
    # runs on below every frame beside it, over no glyph, ends where they end, extractors/frames.py).
    "wkhtmltopdf-A5": (_wkhtmltopdf("A5"), EXACT),
    "wkhtmltopdf-Letter": (_wkhtmltopdf("Letter"), EXACT),
    "weasyprint-A4": (_weasyprint(paper="A4"), EXACT),
    "weasyprint-B5": (_weasyprint(paper="B5"), EXACT),
    "weasyprint-A4-rows-break": (_weasyprint(paper="A4", break_rows=True), EXACT),
    "libreoffice-docx-A4": (_libreoffice("A4"), EXACT),
    "libreoffice-docx-B5": (_libreoffice("B5"), EXACT),
    "libreoffice-docx-A3": (_libreoffice("A3"), EXACT),
    "ghostscript-resave": (_resave(producers.ghostscript), EXACT),
    "cairo-reprint": (_resave(producers.cairo), EXACT),
    "qpdf-linearized": (_resave(producers.qpdf), EXACT),
    "pikepdf-resave": (_resave(producers.pikepdf_resave), EXACT),
    "chromium-then-cairo": (_then(_chromium(paper="A4"), producers.cairo), EXACT),
    "chromium-then-ghostscript": (_then(_chromium(paper="A4"), producers.ghostscript), REFUSED),
    # How a finished PDF is passed on (tests/printers/passon.py: pikepdf, milliseconds).
    "stamp-diagonal-behind": (_resave(lambda pdf, out: passon.stamp(pdf, out, passon.Stamp())), EXACT),
    "stamp-diagonal-over": (_resave(lambda pdf, out: passon.stamp(pdf, out, passon.Stamp(over=True))), EXACT),
    "stamp-upright-over": (_resave(lambda pdf, out: passon.stamp(
        pdf, out, passon.Stamp(text="確定版", size=100, angle=0, over=True))), EXACT),
    "stamp-upright-behind": (_resave(lambda pdf, out: passon.stamp(
        pdf, out, passon.Stamp(text="案", size=200, angle=0, grey=0.9))), EXACT),
    "press-ready-B4": (_resave(passon.press_ready), EXACT),
    "two-up": (_resave(passon.two_up), REFUSED),  # one line naming N-up (extractors/ruled.py _refuse_n_up)
}

# The stamp each pass-on writes, and whether the manifest names every page but the last (else every page):
# an upright stamp that crosses no rule (the last page's table ends above the page's middle) is read as
# prose, which carries no data (extractors/stamps.py); a rotated one is left out wherever it lies.
STAMPS = {"stamp-diagonal-behind": ("素案", False), "stamp-diagonal-over": ("素案", False),
          "stamp-upright-over": ("確定版", True), "stamp-upright-behind": ("案", True)}

# Where camelot, the second extractor, reads a producer's PDF otherwise. Chromium on B5 with rows allowed to
# break centres the 評価指標 label in its page-spanning merged cell (grey fill down to the page cut, no rule
# under it), so the label ends up astride the table's last rule: its em box reaches 3.8 pt (42 %) into the table,
# and pdfplumber's reading takes it in (a glyph reaching a quarter of its height into the table); camelot puts a
# text line in the row under its centre, with no tolerance, and the centre is 0.36 pt below the rule, so it
# leaves it out. camelot has no setting for that tolerance; process_background=True (grey fills as cell edges)
# moves this and two other label cells out of pdfplumber's tables (0.9965). The dataset is exact; the crosscheck
# says so loudly. (chromium-then-cairo, once ~0.15 because playa boxes cairo's flipped Type 3 glyphs one em too
# high, agrees since the camelot adapter boxes them where they are drawn: extractors/camelot_tables.py.)
#
# Rows cut inside a merged label (Chromium on B5 with 20 mm margins and A5, WeasyPrint on B5): the browser
# paints the label's next line ("担" of 費用負担, "円)" of (千円)) just past the cut edge, outside every cell; pdfplumber's reading takes a glyph touching an open cut
# edge into the cell above it (extractors/ruled.py `_touches_cut`), camelot has no such rule and reads "費用負".
# On A5 the cut amounts row at a page foot (rules drawn down to the cut, no rule under it, its text on the
# next page) is a row of empty cells to pdfplumber (the cut table's outline closes it) and no row to camelot.
#
# A stamp drawn over the page (not behind it): camelot's lattice finds rules in a rendered image of the page,
# where the stamp's grey strokes cross the cells; in two wrapped cells it then orders the lines otherwise
# (the last glyph of a cell first). Stamps drawn behind the content agree.
#
# WebKit on B5 strikes the rest of a cut row's rules through the rows under it; pdfplumber's reading drops
# such a rule (it runs through the middle of glyphs), camelot's lattice takes it for a cell border: it misses
# a blank cell on page 6 and reads a cell's second line first on page 17. The blank frames of the pushed No.
# row at a page's foot (B5: page 16, A3: page 2) are a table of empty cells to pdfplumber and none to camelot.
_CUT = [("text differs", "役割分担", "役割分"), ("text differs", "費用負担", "費用負")]
_MISSING = ("cell missing in camelot", "", None)
_YEN = ("text differs", "事業予定年度及び事業費見込額(千円)", "事業予定年度及び事業費見込額")


def _numbered(text: str, number: str) -> tuple[str, str, str]:
    """A cell that camelot reads with the page number the cut row's rules enclose at its end."""
    return ("text differs", text, text + number)


CROSSCHECK_DISAGREES: dict[str, list[tuple[str, str, str]] | str] = {
    "wkhtmltopdf-A3": [("table missing in camelot", "", None)],
    # Letter: camelot's lattice sees the overrunning frame's lines, and reads the category heading as a cell.
    "wkhtmltopdf-Letter": [("extra camelot cell", None, "d土地利用")],
    "wkhtmltopdf-A5": [("table missing in camelot", "", None),
                       ("text differs", "高い経済効果が見込まれる国際会議やインセンティブツアーを圏域内に積極的に誘致するため、"
                        "アフターコンベンションやエクスカージョン等における視察ルートの設定等の招聘事業や、海外MICE見本市への共同出展等の"
                        "プロモーション事業を実施するとともに、新たなMICE施設の整備や、その運営手法等について検討する。",
                        "ーション事業を実施するとともに、新たなMICE施設の整備や、その運営手法等について検討する。高い経済効果が見込まれる"
                        "国際会議やインセンティブツアー12を圏域内に積極的に誘致するため、アフターコンベンションやエクスカージョン13等に"
                        "おける視察ルートの設定等の招聘事業や、海外MICE14見本市への共同出展等のプロモ"),
                       ("table missing in camelot", "", None)],
    "wkhtmltopdf-B5": [("cell missing in camelot", "", None), ("table missing in camelot", "", None),
                       ("text differs", "固定資産評価等のための航空写真の撮影費用等の軽減を図るため、共同撮影の実施に向けた調査・研究を行う。",
                        "査・研究を行う。固定資産評価等のための航空写真の撮影費用等の軽減を図るため、共同撮影の実施に向けた調")],
    "chromium-B5-rows-break": [("text differs", "評価指標", "")],
    "weasyprint-B5": [("text differs", "事業予定年度及び事業費見込額(千円)", "事業予定年度及び事業費見込額(千")],
    "chromium-B5-rows-break-margin20": [*_CUT, *_CUT, ("text differs", "費用負担", "費用負")],
    # 10 pt and 10.5 pt on B5, rows cut: camelot reads the page number that a cut 事業概要 row's rules enclose
    # into that cell ("…各消防本部-77-"; pdfplumber's reading leaves it out as the page's label), misses the
    # blank cells of a cut row and the label's rest past the cut ("費用負", "…見込額" without "(千円)").
    "chromium-B5-rows-break-10pt": [
        *[_MISSING] * 5, _CUT[0],
        _numbered("圏域内の消防分野における連携・協力を推進するため、各消防単位で実施している消防指令業務の共同整備・運用の検討、"
                  "各消防本部", "-77-"), _YEN,
        _numbered("圏域外からの移住を促進し、圏域における人口減少の緩和や労働力の確保等を図るため、「札幌UIターン就職センター」"
                  "を運営すると", "-84-"), _YEN],
    "chromium-B5-rows-break-10pt-margin20": [
        _CUT[1], _CUT[0], _CUT[0],
        _numbered("圏域内の災害に備える連携を推進するため、災害や防災に関する相互理解や情報共有等を目的とする「さっぽろ連携中枢"
                  "都市圏防", "-77-"), *[_MISSING] * 5,
        _numbered("圏域における地元定着や就労を促進し、人口減少の緩和や労働力の確保等を図るため、UIターン希望者向けの合同企業説明会"
                  "・セミナー等や、圏域内のさまざまな仕事を実際に体験できる高校生向けイベント、シニア層を対象とした体験付き仕事説明会"
                  "の開", "-83-")],
    "chromium-B5-rows-break-10.5pt-lh1.3-margin16": [
        _CUT[1], _CUT[0], _CUT[0],
        _numbered("圏域内のにぎわいを創出し、地域の振興等を図るため、札幌市各区と近隣市町村が連携したイベントの合同開催や相互PR等"
                  "を行う", "-75-"),
        _numbered("圏域内の災害に備える連携を推進するため、災害や防災に関する相互理解や情報共有等を目的とする「さっぽろ連携中枢"
                  "都市圏防災担当課長会議」の開催や、緊急時における水道水等の放射線物", "-77-"), *[_MISSING] * 5,
        _numbered("圏域における地元定着や就労を促進し、人口減少の緩和や労働力の確保等を図るため、UIターン希望者向けの合同企業説明会"
                  "・セミナー等や、圏域内のさまざまな仕事を実際に体験できる高校生", "-83-"), _CUT[0], *[_MISSING] * 5],
    "chromium-A5-rows-break": [("text differs", "費用負担", "費用負"), *[("cell missing in camelot", "", None)] * 5,
                               ("text differs", "評価指標", ""), ("text differs", "役割分担", "役割分")],
    "stamp-diagonal-over": [
        ("text differs", "国内外への展示会やフェア等への延べ参加企業数", "数国内外への展示会やフェア等への延べ参加企業"),
        ("text differs", "実火災訓練装置を利用して訓練を行った消防隊員の延べ人数", "員の延べ人数実火災訓練装置を利用して訓練を行った消防隊")],
    "stamp-upright-over": [
        ("text differs", "生活困窮者自立支援法の任意事業に関する取組や課題等について情報共有するための会議の回数",
         "数生活困窮者自立支援法の任意事業に関する取組や課題等について情報共有するための会議の回"),
        ("text differs", "再エネを導入した住宅の普及促進に係るセミナー等の開催", "ナー等の開催再エネを導入した住宅の普及促進に係るセミ")],
}


def _same_dataset(expected: Build, got: Build) -> None:
    for table in KEYS:
        pd.testing.assert_frame_equal(content_frame(got, table), content_frame(expected, table),
                                      check_dtype=False, obj=table)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_producer_gives_the_dataset_or_a_refusal(name, tmp_path, plan_build, content):
    make, expected = MATRIX[name]
    pdf = make(content, tmp_path)
    out = tmp_path / "out"
    if expected == REFUSED:
        with pytest.raises((InputError, ParseError)) as caught:
            build(pdf, None, out, progress=False)
        message = str(caught.value)
        assert "\n" not in message and ("page" in message or "text layer" in message), message
        assert not out.exists()
        return
    build(pdf, None, out, progress=False)
    got = Build(out)
    _same_dataset(plan_build, got)
    # A stamp left out is recorded with its text and the pages it lies on; a plan without one records none.
    stamps = json.loads((out / "manifest.json").read_text())["sources"]["plan"].get("stamps")
    if name in STAMPS:
        text, but_last = STAMPS[name]
        with pikepdf.open(pdf) as doc:
            pages = list(range(1, len(doc.pages) + (0 if but_last else 1)))
        assert stamps == [{"text": text, "pages": pages}], stamps
    else:
        assert stamps is None, stamps
    # The second extractor (camelot) reads the same cells from this producer's PDF, or the disagreement is
    # the one this producer is known for, and the crosscheck then fails (dvc repro stops there).
    status = run_crosscheck(pdf, out, tmp_path / "crosscheck.json", require=1.0, progress=False)
    report = json.loads((tmp_path / "crosscheck.json").read_text())
    summary = report["summary"]
    expected_disagreements = CROSSCHECK_DISAGREES.get(name)
    if isinstance(expected_disagreements, list):
        assert status == 1
        assert [(d["kind"], d["pdfplumber"], d["camelot"]) for d in report["disagreements"]] == \
            expected_disagreements, report["disagreements"]
    elif expected_disagreements is not None:
        assert status == 1 and summary["agreement"] < 0.5, summary
    else:
        assert status == 0 and summary["agreement"] == 1.0, report["disagreements"][:5]
        assert summary["tables_matched"] == summary["tables_pdfplumber"], summary
    # The diff between two printings of one plan reports nothing.
    result = diff_builds(plan_build.path, out)
    assert result.identical
    assert result.to_json()["projects"] == {"added": [], "removed": [], "renamed": [], "renumbered": []}
    assert result.to_json()["changes"] == []


@pytest.mark.parametrize("resaver", [producers.cairo, producers.ghostscript])
def test_revised_sample_printed_elsewhere_gives_the_same_diff(resaver, tmp_path, plan_build, revised_build):
    pdf = resaver(FIXTURES / "plan_vi_revised_sample.pdf", tmp_path / "revised.pdf")
    build(pdf, None, tmp_path / "out", progress=False)
    _same_dataset(revised_build, Build(tmp_path / "out"))
    # pages=False: the same content whatever the file's name and paging
    assert diff_builds(plan_build.path, tmp_path / "out").to_json(pages=False) == \
        diff_builds(plan_build.path, revised_build.path).to_json(pages=False)


def _excerpt_chromium(**style):
    return lambda rows, tmp: producers.chromium(overview_html(rows, HtmlStyle(**style)), tmp / "overview.pdf")


def _excerpt_wkhtmltopdf(paper, **style):
    return lambda rows, tmp: producers.wkhtmltopdf(overview_html(rows, HtmlStyle(paper=paper, **style)),
                                                   tmp / "overview.pdf", paper=paper)


# name → how to print the excerpt from its rows. Browsers' bold headings are barely larger than the body;
# cairo sets a heading's number on its own baseline above the title; on B5 and A5 the tables break over
# pages (on A5 also inside a row: a name on one page, its summary going on). Padded by 3 px (2.25 pt, half a
# line: the Chromium B5 and wkhtmltopdf A4 prints, once refused with rows merged) or 2 px, rows stand
# apart by less than the old rule's half line beyond the tightest gap; Chromium snaps lines to device pixels
# (in-cell gaps 2.25 and 3.0 pt in one table). wkhtmltopdf breaks rows anywhere: on B5 a row with both
# texts going on over the page (each cell's last line before the break full), on A5 a name cut with its
# short summary centred wholly onto the next page; on Letter a five-row table has no line beside a wrap
# (its leading is the tables' before it).
EXCERPT_PRINTS = {
    "chromium": lambda rows, tmp: producers.chromium(overview_html(rows), tmp / "overview.pdf"),
    "weasyprint": lambda rows, tmp: producers.weasyprint(overview_html(rows), tmp / "overview.pdf"),
    "lo-cairo": lambda rows, tmp: producers.cairo(RAW / "overview.pdf", tmp / "overview.pdf"),
    "chromium-B5": _excerpt_chromium(paper="B5"),
    "chromium-A5-rows-break": _excerpt_chromium(paper="A5", break_rows=True),
    "wkhtmltopdf-A4-padding-2px": _excerpt_wkhtmltopdf("A4", excerpt_padding_pt=1.5),
    "wkhtmltopdf-B5-padding-3px": _excerpt_wkhtmltopdf("B5", excerpt_padding_pt=2.25),
    "wkhtmltopdf-Letter-padding-3px": _excerpt_wkhtmltopdf("Letter", excerpt_padding_pt=2.25),
    "chromium-B5-padding-2px": _excerpt_chromium(paper="B5", excerpt_padding_pt=1.5),
    "chromium-A5-padding-2px": _excerpt_chromium(paper="A5", excerpt_padding_pt=1.5),
    "weasyprint-A4-padding-3px": lambda rows, tmp: producers.weasyprint(
        overview_html(rows, HtmlStyle(excerpt_padding_pt=2.25)), tmp / "overview.pdf"),
}


@pytest.mark.parametrize("printer", sorted(EXCERPT_PRINTS))
def test_overview_excerpt_printed_elsewhere_gives_the_same_dataset(printer, tmp_path, plan_build):
    """Every table as the reference build's, overview.parquet included (its rows linked to the same
    projects), compared as the matrix compares a printing: without the columns saying where a value is."""
    pdf = EXCERPT_PRINTS[printer](excerpt_rows(plan_build), tmp_path)
    build(RAW / "plan_vi.pdf", pdf, tmp_path / "out", progress=False, duckdb=False)
    got = Build(tmp_path / "out")
    _same_dataset(plan_build, got)
    pd.testing.assert_frame_equal(content_frame(got, "overview"), content_frame(plan_build, "overview"),
                                  check_dtype=False, obj="overview")
