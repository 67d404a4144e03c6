"""The whole vision around chapter VI, as the city publishes it, for the printers (Chromium from HTML,
LibreOffice from DOCX): a cover, a table of contents naming chapter VI with leader dots and a page number,
chapters I–V with their own tables (a statistics table whose first column is 市町村名, a population table,
a ruled bar chart drawn as table cells, numbered headings such as "1 構成市町村" that chapter VI's areas
look like), then chapter VI, then the appendix (資料編) with its tables.

The other chapters' text is a stand-in in the shape such visions have, not the plan's data. In HTML the
chapters run on without page breaks, so chapter VI starts and ends mid-page (the heading of chapter V's
last table and the appendix's first table share a page with chapter VI); in DOCX each chapter starts a new
page, as an office document usually does.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from docx.enum.text import WD_BREAK
from docx.shared import Pt

from tests.printers.content import Content
from tests.printers.docx import DocxStyle, _heading, _write, plan_docx
from tests.printers.html import HtmlStyle, plan_html

MUNICIPALITIES = ("札幌市", "小樽市", "岩見沢市", "江別市", "千歳市", "恵庭市", "北広島市", "石狩市", "当別町",
                  "新篠津村", "南幌町", "長沼町")
CONTENTS = (("I", "はじめに", 2), ("II", "さっぽろ連携中枢都市圏の形成", 3), ("III", "圏域の特性", 4),
            ("IV", "目指す将来像", 5), ("V", "ビジョンの期間", 6), ("VI", "連携協約に基づき推進する具体的取組", 7))
PROSE = ("このビジョンは、札幌市と近隣の市町村が形成する連携中枢都市圏について、圏域の中長期的な将来像と、"
         "その実現に向けて連携して取り組む事項を定めるものです。")


def _statistics(members: tuple[str, ...] = MUNICIPALITIES) -> list[tuple[str, ...]]:
    """The member table's rows (市町村名 first, one row per member, then the area's total): stand-in
    figures, not the plan's."""
    return [("市町村名", "人口（人）", "面積（km²）")] + [
        (name, f"{(i + 3) * 12_345:,}", f"{(i + 2) * 37.5:.1f}") for i, name in enumerate(members)] + [
        ("圏域計", f"{sum((i + 3) * 12_345 for i in range(len(members))):,}", "")]


def _appendix() -> list[tuple[str, ...]]:
    return [("年月日", "内容"), ("2023年7月20日", "第1回ビジョン懇談会"), ("2023年10月5日", "第2回ビジョン懇談会"),
            ("2024年2月14日", "第3回ビジョン懇談会")]


# -- HTML (Chromium) -------------------------------------------------------------------------------
def _table_html(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    cells = "".join(f"<th>{escape(c)}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><tr>{cells}</tr>{trs}</table>"


def _chart_html() -> str:
    """A ruled bar chart: each bar a shaded cell of a ruled grid (a chart as an office program draws it)."""
    rows = []
    for i, year in enumerate(range(2015, 2021)):
        width = 30 + 10 * i
        rows.append(f'<tr><td style="width:15%">{year}年</td><td><div style="background:#777;height:8pt;'
                    f'width:{width}%"></div></td></tr>')
    return f'<p>図 圏域人口の推移</p><table class="chart">{"".join(rows)}</table>'


def before_html(members: tuple[str, ...] = MUNICIPALITIES) -> tuple[str, ...]:
    toc = "".join(f"<p>{n} {escape(t)} ・・・・・・・・・・・・ {p}</p>" for n, t, p in CONTENTS)
    return (
        '<div style="break-after: page"><h1>第2期さっぽろ連携中枢都市圏ビジョン</h1><p>令和6年（2024年）3月</p>'
        "<p>さっぽろ連携中枢都市圏</p></div>",
        f'<div style="break-after: page"><h1>目次</h1>{toc}<p>資料編 ・・・・・・・・・・・・ 30</p></div>',
        f"<h1>I はじめに</h1><p>{PROSE}</p>",
        "<h1>II さっぽろ連携中枢都市圏の形成</h1><h2>1 構成市町村</h2>"
        f"{_table_html(_statistics(members))}<h2>2 圏域の人口</h2>{_chart_html()}",
        f"<h1>III 圏域の特性</h1><p>{PROSE}</p><h1>IV 目指す将来像</h1><p>{PROSE}</p>",
        "<h1>V ビジョンの期間</h1><p>令和6年度から令和10年度までの5年間とします。</p>"
        f"{_table_html([('区分', '期間'), ('第1期', '2019年度から2023年度'), ('第2期', '2024年度から2028年度')])}",
    )


def after_html() -> tuple[str, ...]:
    return ("<h1>資料編</h1><h2>1 策定経過</h2>", _table_html(_appendix()),
            "<h2>2 用語解説</h2>", _table_html([("用語", "解説"), ("連携協約", "地方自治法に基づく協約")]))


def whole_plan_html(content: Content, style: HtmlStyle | None = None,
                    members: tuple[str, ...] = MUNICIPALITIES) -> str:
    """The whole vision in HTML; ``members``: the municipalities its member table lists (center first)."""
    style = (style or HtmlStyle()).variant(first_page_number=1)
    return plan_html(content, style, before=before_html(members), after=after_html(),
                     css_extra="table.chart td { padding: 2pt 3pt; }")


# -- DOCX (LibreOffice) ----------------------------------------------------------------------------
def _table_docx(doc, rows: list[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for cell, text in zip(table.rows[r].cells, row):
            _write(cell, text, label=r == 0)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def before_docx(doc, style: DocxStyle, members: tuple[str, ...] = MUNICIPALITIES) -> None:
    _heading(doc, "第2期さっぽろ連携中枢都市圏ビジョン", style.heading_size + 6)
    doc.add_paragraph("令和6年（2024年）3月")
    _page_break(doc)
    _heading(doc, "目次", style.heading_size + 3)
    for n, title, page in CONTENTS:
        doc.add_paragraph(f"{n} {title} ・・・・・・・・・・・・ {page}")
    _page_break(doc)
    _heading(doc, "I はじめに", style.heading_size + 3)
    doc.add_paragraph(PROSE)
    _heading(doc, "II さっぽろ連携中枢都市圏の形成", style.heading_size + 3)
    _heading(doc, "1 構成市町村", style.heading_size + 2)
    _table_docx(doc, _statistics(members))
    _heading(doc, "2 圏域の人口", style.heading_size + 2)
    doc.add_paragraph("図 圏域人口の推移")
    _table_docx(doc, [("年", "人口")] + [(f"{y}年", "■" * (3 + i)) for i, y in enumerate(range(2015, 2021))])
    _page_break(doc)
    _heading(doc, "V ビジョンの期間", style.heading_size + 3)
    _table_docx(doc, [("区分", "期間"), ("第1期", "2019年度から2023年度"), ("第2期", "2024年度から2028年度")])
    _page_break(doc)


def after_docx(doc, style: DocxStyle) -> None:
    _page_break(doc)
    _heading(doc, "資料編", style.heading_size + 3)
    _heading(doc, "1 策定経過", style.heading_size + 1)
    _table_docx(doc, _appendix())
    doc.add_paragraph().add_run("以上").font.size = Pt(style.size)


def whole_plan_docx(content: Content, path: Path, style: DocxStyle | None = None,
                    members: tuple[str, ...] = MUNICIPALITIES) -> Path:
    return plan_docx(content, path, style, before=lambda doc, st: before_docx(doc, st, members), after=after_docx)
