"""The chapter (and its excerpt) as an HTML document, for the producers that print HTML: a browser
(Chromium), WeasyPrint, and LibreOffice's HTML import.

The layout is the plan's: the 7-column project tables with merged label cells, the 基本KPI tables, headings,
superscript footnote marks and footnote paragraphs. Knobs: paper size, font family, how much larger and
bolder the headings are, and whether the printer may break a page inside a table row (browsers break
inside a row only when told `break-inside: auto` on rows; office programs do it when a row is taller than
the room left).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from tests.printers.content import PARTIES, Content, Project
from tests.printers.periods import year_header


@dataclass(frozen=True)
class HtmlStyle:
    paper: str = "A4"  # A4 | B5 | A3 (CSS @page sizes)
    font: str = "Noto Sans CJK JP"
    size: float = 9.0
    heading_ratio: float = 1.17  # heading size / body size: a browser's bold headings barely larger
    heading_bold: bool = True
    break_rows: bool = False  # allow a page break inside a table row
    margin_mm: float = 18.0
    line_height: float = 1.3  # body line height / size (Noto Sans CJK's own, "normal", is ≈ 1.45)
    page_numbers: bool = True
    first_page_number: int = 61
    # The excerpt's cell padding, above and below (pt): browsers' defaults and hand-written CSS pad as little
    # as 3 px (2.25 pt, half a line of 9 pt text: the Chromium B5 and wkhtmltopdf A4 prints).
    excerpt_padding_pt: float = 4.0

    def variant(self, **changes) -> "HtmlStyle":
        return replace(self, **changes)


def _summary_html(project: Project) -> str:
    """The summary with each footnote's mark right after its term (or at the end), as in the plan."""
    marks: dict[int, list[str]] = {}
    for note in project.footnotes:
        at = project.summary.find(note.term)
        offset = at + len(note.term) if at >= 0 else len(project.summary)
        marks.setdefault(offset, []).append(str(note.number))
    out, last = [], 0
    for offset in sorted(marks):
        out.append(escape(project.summary[last:offset]))
        out.extend(f"<sup>{m}</sup>" for m in marks[offset])
        last = offset
    out.append(escape(project.summary[last:]))
    return "".join(out)


def _project_table(project: Project) -> str:
    rows = []
    rows.append(f'<tr><th>No.</th><td class="c">{project.no}</td><th>連携事業名</th>'
                f'<td colspan="4" class="b">{escape(project.name)}</td></tr>')
    rows.append(f'<tr><th colspan="2">事業概要</th><td colspan="5">{_summary_html(project)}</td></tr>')
    rows.append(f'<tr><th colspan="2">連携市町村</th><td colspan="5">{escape(project.municipalities)}</td></tr>')
    for label, values in (("役割分担", project.roles), ("費用負担", project.cost_shares)):
        parties = [p for p in PARTIES if p in values]
        for i, party in enumerate(parties):
            lead = f'<th rowspan="{len(parties)}">{label}</th>' if i == 0 else ""
            rows.append(f"<tr>{lead}<th>{party}</th><td colspan=\"5\">{escape(values[party])}</td></tr>")
    headers = "".join(f'<th>{escape(year_header(y, project.year_form))}</th>' for y in project.years)
    rows.append(f'<tr><th colspan="2" rowspan="2">事業予定年度 及び 事業費見込額（千円）</th>{headers}</tr>')
    amounts = "".join(f'<td class="r" colspan="{len(c.years)}">{escape(c.raw)}</td>' for c in project.budget_cells)
    rows.append(f"<tr>{amounts}</tr>")
    n = len(project.indicators)
    rows.append(f'<tr><th colspan="2" rowspan="{1 + n}">評価指標</th><th colspan="3">項目</th>'
                f"<th>基準値（基準年）</th><th>目標値（目標年）</th></tr>")
    for ind in project.indicators:
        rows.append(f'<tr><td colspan="3">{escape(ind.item)}</td><td class="c">{escape(ind.baseline)}</td>'
                    f'<td class="c">{escape(ind.target)}</td></tr>')
    cols = '<colgroup><col style="width:11%"><col style="width:11%">' + '<col style="width:15.6%">' * 5 + "</colgroup>"
    return f'<table class="project">{cols}{"".join(rows)}</table>'


def _kpi_table(kpis) -> str:
    rows = ['<tr><th>指標名</th><th>現状値</th><th>目標値</th></tr>']
    for k in kpis:
        rows.append(f'<tr><td>{escape(k.name)}</td><td class="c">{escape(k.current)}</td>'
                    f'<td class="c">{escape(k.target)}</td></tr>')
    return ('<table class="kpi"><colgroup><col style="width:38%"><col style="width:31%"><col style="width:31%">'
            f'</colgroup>{"".join(rows)}</table>')


def _css(style: HtmlStyle) -> str:
    heading = style.size * style.heading_ratio
    weight = "bold" if style.heading_bold else "normal"
    footer = ('@bottom-center { content: "- " counter(page) " -"; font-size: 9pt; }'
              if style.page_numbers else "")
    row_break = "auto" if style.break_rows else "avoid"
    return f"""
@page {{ size: {style.paper}; margin: {style.margin_mm}mm; {footer} }}
html {{ counter-reset: page {style.first_page_number - 1}; }}
body {{ font-family: "{style.font}"; font-size: {style.size}pt; line-height: {style.line_height}; margin: 0; }}
h1 {{ font-size: {style.size * 1.4:.2f}pt; font-weight: bold; margin: 0 0 6pt; }}
h2, h3, h4 {{ font-size: {heading:.2f}pt; font-weight: {weight}; margin: 8pt 0 4pt; break-after: avoid; }}
p {{ margin: 0 0 4pt; }}
p.fn {{ font-size: {style.size * 0.89:.2f}pt; margin: 2pt 0; }}
p.kpi-label {{ break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0 0 10pt; }}
th, td {{ border: 0.5pt solid #000; padding: 1.5pt 3pt; vertical-align: middle; font-weight: normal;
          text-align: left; overflow-wrap: anywhere; }}
th {{ background: #d9d9d9; }}
td.c {{ text-align: center; }} td.r {{ text-align: right; }} td.b {{ font-weight: bold; }}
tr {{ break-inside: {row_break}; }}
sup {{ font-size: 55%; vertical-align: super; line-height: 0; }}
"""


def plan_html(content: Content, style: HtmlStyle | None = None, before: tuple[str, ...] = (),
              after: tuple[str, ...] = (), css_extra: str = "") -> str:
    """The chapter: title, intro, areas with their 基本KPI, fields, categories, project tables, footnotes;
    ``before``/``after``: HTML of other chapters around it (tests/printers/whole.py)."""
    style = style or HtmlStyle()
    body = [*before, "<h1>VI 連携協約に基づき推進する具体的取組</h1>",
            "<p>本章では、連携協約に基づいて推進する具体的な取組を、役割及び分野ごとに整理して示す。"
            "各役割の冒頭には基本KPIを掲げる。</p>"]
    area = field_ = category = None
    for project in content.projects:
        if project.area != area:
            area, field_, category = project.area, None, None
            body.append(f"<h2>{project.area[0]} {escape(project.area[1])}</h2>")
            kpis = [k for k in content.kpis if k.area_no == area[0]]
            if kpis:
                body.append('<p class="kpi-label">【基本KPI】</p>')
                body.append(_kpi_table(kpis))
        if project.field != field_:
            field_, category = project.field, None
            if field_ is not None:
                body.append(f"<h3>({field_[0]}) {escape(field_[1])}</h3>")
        if project.category != category:
            category = project.category
            body.append(f"<h4>{escape(category[0])} {escape(category[1])}</h4>")
        body.append(_project_table(project))
        for note in project.footnotes:
            body.append(f'<p class="fn"><sup>{note.number}</sup>【{escape(note.term)}】{escape(note.text)}</p>')
    return _document(style, [*body, *after], css_extra)


def overview_html(rows: list[tuple[int, str, list[tuple[str, str]]]], style: HtmlStyle | None = None) -> str:
    """The excerpt: per area a heading and an unruled two-column table on shaded header boxes."""
    style = style or HtmlStyle()
    body = ["<h1>連携協約に基づき推進する具体的取組(抜粋)</h1>"]
    for area_no, title, items in rows:
        body.append(f"<h2>{area_no} {escape(title)}</h2>")
        trs = "".join(f"<tr><td>{escape(n)}</td><td>{escape(s)}</td></tr>" for n, s in items)
        body.append('<table class="overview"><colgroup><col style="width:38%"><col style="width:62%"></colgroup>'
                    f'<tr><th class="ov">主な連携事業</th><th class="ov">事業概要</th></tr>{trs}</table>')
    css_extra = (f"table.overview td {{ border: none; padding: {style.excerpt_padding_pt}pt 3pt; }} "
                 "th.ov { border: none; }")
    return _document(style, body, css_extra)


def _document(style: HtmlStyle, body: list[str], css_extra: str = "") -> str:
    return ('<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>plan</title>'
            f"<style>{_css(style)}{css_extra}</style></head><body>{''.join(body)}</body></html>")
