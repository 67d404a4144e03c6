"""The chapter as a Word document (python-docx), for LibreOffice to print: the way the real plan was made.

The tables are one 7-column grid with merged label cells, shaded labels and superscript footnote marks.
Rows may break across pages (Word's default, which LibreOffice follows), so on other paper sizes rows and
merged cells are cut by page breaks at places the A4 original never had.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.printers.content import PARTIES, Content, Project
from tests.printers.periods import year_header

PAPERS = {"A4": (210, 297), "B5": (182, 257), "A3": (297, 420)}


@dataclass(frozen=True)
class DocxStyle:
    paper: str = "A4"
    font: str = "IPAexMincho"
    size: float = 9.0
    heading_size: float = 11.0
    margin_mm: float = 20.0


def _shade(cell) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "D9D9D9")
    cell._tc.get_or_add_tcPr().append(shd)


def _write(cell, text: str, marks: dict[int, list[str]] | None = None, bold: bool = False,
           label: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    marks = marks or {}
    last = 0
    for offset in sorted(marks):
        paragraph.add_run(text[last:offset]).bold = bold
        for mark in marks[offset]:
            paragraph.add_run(mark).font.superscript = True
        last = offset
    paragraph.add_run(text[last:]).bold = bold
    if label:
        _shade(cell)


def _summary_marks(project: Project) -> dict[int, list[str]]:
    marks: dict[int, list[str]] = {}
    for note in project.footnotes:
        at = project.summary.find(note.term)
        offset = at + len(note.term) if at >= 0 else len(project.summary)
        marks.setdefault(offset, []).append(str(note.number))
    return marks


def _project_table(doc, project: Project) -> None:
    role_parties = [p for p in PARTIES if p in project.roles]
    cost_parties = [p for p in PARTIES if p in project.cost_shares]
    n_rows = 3 + len(role_parties) + len(cost_parties) + 2 + 1 + len(project.indicators)
    table = doc.add_table(rows=n_rows, cols=7)
    table.style = "Table Grid"
    rows = table.rows
    r = 0
    _write(rows[r].cells[0], "No.", label=True)
    _write(rows[r].cells[1], str(project.no))
    _write(rows[r].cells[2], "連携事業名", label=True)
    _write(rows[r].cells[3].merge(rows[r].cells[6]), project.name, bold=True)
    r += 1
    for label, text, marks in (("事業概要", project.summary, _summary_marks(project)),
                               ("連携市町村", project.municipalities, None)):
        _write(rows[r].cells[0].merge(rows[r].cells[1]), label, label=True)
        _write(rows[r].cells[2].merge(rows[r].cells[6]), text, marks)
        r += 1
    for label, values, parties in (("役割分担", project.roles, role_parties),
                                   ("費用負担", project.cost_shares, cost_parties)):
        _write(rows[r].cells[0].merge(rows[r + len(parties) - 1].cells[0]), label, label=True)
        for party in parties:
            _write(rows[r].cells[1], party, label=True)
            _write(rows[r].cells[2].merge(rows[r].cells[6]), values[party])
            r += 1
    _write(rows[r].cells[0].merge(rows[r + 1].cells[1]), "事業予定年度 及び 事業費見込額（千円）", label=True)
    for i, year in enumerate(project.years):
        _write(rows[r].cells[2 + i], year_header(year, project.year_form), label=True)
    r += 1
    for cell in project.budget_cells:
        first = 2 + project.years.index(cell.years[0])
        last = 2 + project.years.index(cell.years[-1])
        target = rows[r].cells[first] if first == last else rows[r].cells[first].merge(rows[r].cells[last])
        _write(target, cell.raw)
    r += 1
    _write(rows[r].cells[0].merge(rows[r + len(project.indicators)].cells[1]), "評価指標", label=True)
    _write(rows[r].cells[2].merge(rows[r].cells[4]), "項目", label=True)
    _write(rows[r].cells[5], "基準値（基準年）", label=True)
    _write(rows[r].cells[6], "目標値（目標年）", label=True)
    for ind in project.indicators:
        r += 1
        _write(rows[r].cells[2].merge(rows[r].cells[4]), ind.item)
        _write(rows[r].cells[5], ind.baseline)
        _write(rows[r].cells[6], ind.target)


def _kpi_table(doc, kpis) -> None:
    table = doc.add_table(rows=1 + len(kpis), cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("指標名", "現状値", "目標値")):
        _write(cell, text, label=True)
    for row, k in zip(table.rows[1:], kpis):
        for cell, text in zip(row.cells, (k.name, k.current, k.target)):
            _write(cell, text)


def _heading(doc, text: str, size: float) -> None:
    run = doc.add_paragraph().add_run(text)
    run.bold = True
    run.font.size = Pt(size)


def plan_docx(content: Content, path: Path, style: DocxStyle | None = None, before=None, after=None) -> Path:
    """``before``/``after``: callables adding other chapters around the chapter to the document
    (tests/printers/whole.py)."""
    style = style or DocxStyle()
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = style.font
    normal.font.size = Pt(style.size)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), style.font)
    normal.paragraph_format.space_after = Pt(2)
    section = doc.sections[0]
    width, height = PAPERS[style.paper]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(style.margin_mm))
    if before is not None:
        before(doc, style)
    _heading(doc, "VI 連携協約に基づき推進する具体的取組", style.heading_size + 3)
    doc.add_paragraph("本章では、連携協約に基づいて推進する具体的な取組を、役割及び分野ごとに整理して示す。")
    area = field_ = category = None
    for project in content.projects:
        if project.area != area:
            area, field_, category = project.area, None, None
            _heading(doc, f"{project.area[0]} {project.area[1]}", style.heading_size + 2)
            kpis = [k for k in content.kpis if k.area_no == area[0]]
            if kpis:
                doc.add_paragraph("【基本KPI】")
                _kpi_table(doc, kpis)
        if project.field != field_:
            field_, category = project.field, None
            if field_ is not None:
                _heading(doc, f"({field_[0]}) {field_[1]}", style.heading_size + 1)
        if project.category != category:
            category = project.category
            _heading(doc, f"{category[0]} {category[1]}", style.heading_size)
        _project_table(doc, project)
        for note in project.footnotes:
            paragraph = doc.add_paragraph()
            mark = paragraph.add_run(str(note.number))
            mark.font.superscript = True
            paragraph.add_run(f"【{note.term}】{note.text}").font.size = Pt(style.size - 1)
        doc.add_paragraph()
    if after is not None:
        after(doc, style)
    doc.save(path)
    return path
