"""A reportlab printer that lays the chapter out as an office program would, with knobs for everything
that may differ between printings: fonts, label spellings, shading, column widths, how rules are drawn,
full-width digits, look-alike code points, and where pages break.

The layout is a simple flow: headings, 基本KPI tables, project tables (split over pages at row
boundaries, wherever the page fills or where a break is forced) and footnotes, with a page number at the
bottom of each page. Cell text is wrapped only where the pipeline's cell-line joining gives the text back
unchanged (see `_break_ok`), and every wrap is checked against that, so a difference in the output is the
pipeline's, never the printer's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from extractors.textnorm import fold_text, join_cell_lines
from tests.printers.content import PARTIES, Content, Project
from tests.printers.fonts import prepare_text, register_cid_fonts, register_ttf

MARK_RATIO = 0.55  # superscript size / body size
MARK_RISE = 0.45  # superscript baseline shift / body size
LEADING = 1.25
PAD_X, PAD_Y = 3.0, 2.5
GREY = 0.85

# Full-width forms of what amounts and values are written with.
FULLWIDTH = str.maketrans({**{chr(ord("0") + i): chr(0xFF10 + i) for i in range(10)},
                           ",": "，", ".": "．", "%": "％", "(": "（", ")": "）", "-": "－"})
HEADING_FULLWIDTH = str.maketrans({**{chr(ord("0") + i): chr(0xFF10 + i) for i in range(10)},
                                   **{chr(ord("a") + i): chr(0xFF41 + i) for i in range(26)},
                                   "(": "（", ")": "）", " ": "\u3000"})


@dataclass
class Columns:
    """Column widths in points. Rows need not share boundaries: the pipeline matches cells by x."""

    label: float = 69.4  # 事業概要 … labels (spanning label + party for one-level rows)
    party: float = 68.4  # 札幌市 / 連携市町村
    years: tuple[float, ...] = (68.9, 68.9, 68.9, 68.9, 68.9)
    indicators: tuple[float, float, float] = (206.7, 68.9, 68.9)  # 項目 / 基準値 / 目標値
    header: tuple[float, float, float] | None = None  # No. / number / 連携事業名 (None: label, party, years[0])
    kpi: tuple[float, float, float] = (180.0, 150.9, 151.0)

    @property
    def total(self) -> float:
        return self.label + self.party + sum(self.years)


@dataclass
class Style:
    name: str = "default"
    font: str = "HeiseiMin-W3"
    heading_font: str | None = None
    ttf: str = ""  # "ipaex" or "glyphless": an embedded TrueType font (with a ToUnicode map) for everything
    size: float = 9.0
    footnote_size: float = 8.0
    shading: bool = True
    rules: str = "lines"  # lines | rects | dashed | dotted | round-dots | dash-pattern | boxes
    rule_width: float = 0.5
    columns: Columns = field(default_factory=Columns)
    no_label: str = "No."
    name_label: str = "連携事業名"
    budget_label: str = "事業予定年度 及び 事業費見込額（千円）"
    year_header: str = "{year}年度 (R{era}年度)"
    indicator_labels: tuple[str, str, str] = ("項目", "基準値（基準年）", "目標値（目標年）")
    area_heading: str = "{no} {title}"
    field_heading: str = "({no}) {title}"
    category_heading: str = "{code} {title}"
    justify_labels: bool = False  # 均等割付: label glyphs spread over the cell
    fullwidth_values: bool = False  # amounts and indicator/KPI values in full-width digits
    fullwidth_headings: bool = False  # "１　圏域…", "（１）…", "ａ　…"
    substitutions: dict[str, str] = field(default_factory=dict)  # look-alike code points to print
    repeat_labels: bool = False  # print a split row label again on the continuation page
    breaks: set[tuple[int, str]] = field(default_factory=set)  # page break before row key of project no
    heading_breaks: set[int] = field(default_factory=set)  # page break between a heading and project no
    mangle: dict[int, str] = field(default_factory=dict)  # project no -> a way to print it wrongly
    valign: str = "middle"  # middle | top
    first_page_number: int = 61
    owner_password: str | None = None  # encrypt with an owner password only (opens without one)

    def variant(self, **changes) -> "Style":
        return replace(self, **changes)


# -- text ------------------------------------------------------------------------------------------
Item = tuple[str, str]  # ("c", one character) or ("m", a footnote mark)


def _items(text: str, marks: Iterable[tuple[int, str]] = ()) -> list[Item]:
    """Characters of text, with footnote marks inserted after the given character offsets."""
    after: dict[int, list[str]] = {}
    for offset, mark in marks:
        after.setdefault(offset, []).append(mark)
    items: list[Item] = []
    for i, ch in enumerate(text):
        items.append(("c", ch))
        for mark in after.get(i + 1, []):
            items.append(("m", mark))
    for mark in after.get(0, []):
        items.insert(0, ("m", mark))
    return items


def _plain(items: list[Item]) -> str:
    return "".join(t for k, t in items if k == "c")


def _break_ok(left: str, right: str, space: bool) -> bool:
    """Whether a line break between left and right (dropping one space between them if space) reads back
    as the original text once the pipeline joins the cell's lines."""
    if not left or not right or left == " " or right == " ":
        return False
    joined = join_cell_lines([left, right])
    return joined == fold_text(f"{left} {right}" if space else f"{left}{right}")


class Printer:
    def __init__(self, path: Path, style: Style) -> None:
        register_cid_fonts()
        self.style = style
        if style.ttf:
            self.font = register_ttf(style.ttf)
            self.heading_font = self.font
        else:
            self.font = style.font
            self.heading_font = style.heading_font or style.font
        self.path = Path(path)
        encrypt = None
        if style.owner_password:
            from reportlab.lib.pdfencrypt import StandardEncryption
            encrypt = StandardEncryption("", ownerPassword=style.owner_password, canModify=0, canCopy=0)
        self.canvas = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
        self.width, self.height = A4
        self.left = (self.width - style.columns.total) / 2
        self.top = self.height - 56.7
        self.bottom = 62.0
        self.y = self.top
        self.page_no = style.first_page_number
        self.page_has_content = False

    # -- text helpers ------------------------------------------------------------------------------
    def _sub(self, text: str) -> str:
        for old, new in self.style.substitutions.items():
            text = text.replace(old, new)
        return text

    def _width(self, item: Item, font: str, size: float) -> float:
        kind, text = item
        return stringWidth(text, font, size * (MARK_RATIO if kind == "m" else 1.0))

    def wrap(self, items: list[Item], width: float, font: str, size: float) -> list[list[Item]]:
        """Greedy line breaking at the positions `_break_ok` allows; a mark stays with what precedes it."""
        prepare_text(font, "".join(t for _, t in items))
        n = len(items)
        candidates: dict[int, int] = {}  # break before items[p] -> index where the next line starts
        for p in range(1, n):
            kind, ch = items[p]
            if kind == "m":
                continue
            q = p - 1
            while q >= 0 and items[q][0] == "m":
                q -= 1
            if q < 0:
                continue
            left = items[q][1]
            if ch == " ":
                if p + 1 < n and items[p + 1][0] == "c" and _break_ok(left, items[p + 1][1], space=True):
                    candidates[p] = p + 1
            elif _break_ok(left, ch, space=False):
                candidates[p] = p
        widths = [self._width(item, font, size) for item in items]
        lines: list[list[Item]] = []
        start = 0
        while start < n:
            total, end, best = 0.0, start, None
            while end < n and total + widths[end] <= width + 0.01:
                total += widths[end]
                end += 1
                if end in candidates:
                    best = end
            if end >= n:
                lines.append(items[start:])
                break
            if best is None:
                raise ValueError(f"cannot wrap {_plain(items)!r} into {width:.1f} pt")
            lines.append(items[start:best])
            start = candidates[best]
        expected = join_cell_lines([_plain(items)])
        got = join_cell_lines([_plain(line) for line in lines])
        if fold_text(got) != fold_text(expected):
            raise AssertionError(f"printer wrap changed the text: {expected!r} -> {got!r}")
        return lines

    def draw_items(self, x: float, baseline: float, items: list[Item], font: str, size: float,
                   char_space: float = 0.0) -> None:
        c = self.canvas
        for kind, text in items:
            if kind == "m":
                c.setFont(font, size * MARK_RATIO)
                c.drawString(x, baseline + size * MARK_RISE, text)
                x += stringWidth(text, font, size * MARK_RATIO)
            else:
                if text != " ":
                    c.setFont(font, size)
                    c.drawString(x, baseline, text)
                x += stringWidth(text, font, size) + char_space

    # -- pages -------------------------------------------------------------------------------------
    def new_page(self) -> None:
        self._finish_page()
        self.canvas.showPage()
        self.y = self.top
        self.page_has_content = False

    def _finish_page(self) -> None:
        c = self.canvas
        c.setFillGray(0)
        label = f"- {self.page_no} -"
        c.setFont(self.font, 10)
        prepare_text(self.font, label)
        c.drawCentredString(self.width / 2, 30, label)
        self.page_no += 1

    def room(self) -> float:
        return self.y - self.bottom

    def save(self) -> Path:
        self._finish_page()
        self.canvas.save()
        return self.path

    # -- prose -------------------------------------------------------------------------------------
    def paragraph(self, text: str, size: float, font: str | None = None, gap_after: float = 2.0,
                  keep: float = 0.0, leading_mark: str | None = None, indent: float = 0.0) -> None:
        font = font or self.font
        items = _items(self._sub(text))
        if leading_mark:
            items.insert(0, ("m", leading_mark))
        lines = self.wrap(items, self.style.columns.total - indent, font, size)
        height = len(lines) * size * LEADING
        if height + keep > self.room() and self.page_has_content:
            self.new_page()
        for line in lines:
            baseline = self.y - size * 0.9
            self.draw_items(self.left + indent, baseline, line, font, size)
            self.y -= size * LEADING
        self.y -= gap_after
        self.page_has_content = True

    def heading(self, text: str, size: float, keep: float) -> None:
        if self.style.fullwidth_headings:
            text = text.translate(HEADING_FULLWIDTH)
        self.y -= 4
        self.paragraph(text, size, self.heading_font, gap_after=3.0, keep=keep)

    # -- tables ------------------------------------------------------------------------------------
    def cell_lines(self, text: str, width: float, marks=()) -> list[list[Item]]:
        size = self.style.size
        items = _items(self._sub(text), marks)
        if not items:
            return []
        return self.wrap(items, width - 2 * PAD_X, self.font, size)

    def table(self, rows: list["Row"], owner: int | None = None) -> None:
        size = self.style.size
        line_h = size * LEADING
        heights = []
        for row in rows:
            need = 1
            for cell in row.cells:
                cell.lines = self.cell_lines(cell.text, cell.x1 - cell.x0, cell.marks)
                if cell.rowspan == 1:
                    need = max(need, len(cell.lines))
            heights.append(need * line_h + 2 * PAD_Y)
        # A spanning label must fit in its first row: it may be the only part of it on a page.
        for r, row in enumerate(rows):
            for cell in row.cells:
                if cell.rowspan > 1:
                    heights[r] = max(heights[r], len(cell.lines) * line_h + 2 * PAD_Y)
        r = 0
        while r < len(rows):
            if heights[r] > self.room() and self.page_has_content:
                self.new_page()
            start = r
            top = self.y
            while r < len(rows):
                forced = owner is not None and (owner, rows[r].key) in self.style.breaks and r > start
                if forced or heights[r] > self.y - self.bottom:
                    break
                self.y -= heights[r]
                r += 1
            if r == start:
                raise ValueError(f"row {rows[r].key} is taller than a page")
            self._draw_fragment(rows, heights, start, r, top)
            self.page_has_content = True
            if r < len(rows):
                self.new_page()
        self.y -= 8

    def _draw_fragment(self, rows: list["Row"], heights: list[float], start: int, end: int, top: float) -> None:
        c = self.canvas
        style = self.style
        tops = [top]
        for r in range(start, end):
            tops.append(tops[-1] - heights[r])
        boxes: list[tuple[float, float, float, float, "Cell", bool]] = []  # x0, y_top, x1, y_bottom
        for r in range(start, end):
            for cell in rows[r].cells:
                last = min(r + cell.rowspan, end)
                boxes.append((cell.x0, tops[r - start], cell.x1, tops[last - start], cell, True))
        # Spanning cells that started on an earlier page continue here (blank unless repeated).
        for r in range(0, start):
            for cell in rows[r].cells:
                if r + cell.rowspan > start:
                    last = min(r + cell.rowspan, end)
                    boxes.append((cell.x0, tops[0], cell.x1, tops[last - start], cell, style.repeat_labels))
        # Shading first, then text, then rules on top.
        if style.shading:
            c.setFillGray(GREY)
            for x0, y0, x1, y1, cell, _ in boxes:
                if cell.label and style.rules != "boxes":
                    c.rect(x0, y1, x1 - x0, y0 - y1, stroke=0, fill=1)
        c.setFillGray(0)
        if style.rules == "boxes":
            c.setLineWidth(style.rule_width)
            for x0, y0, x1, y1, cell, _ in boxes:
                shaded = cell.label and style.shading
                if shaded:
                    c.setFillGray(GREY)
                c.rect(x0, y1, x1 - x0, y0 - y1, stroke=1, fill=1 if shaded else 0)
                c.setFillGray(0)
        for x0, y0, x1, y1, cell, with_text in boxes:
            if with_text and cell.lines:
                self._cell_text(cell, x0, y0, x1, y1)
        if style.rules != "boxes":
            self._rules([(b[0], b[1], b[2], b[3]) for b in boxes])

    def _cell_text(self, cell: "Cell", x0: float, y0: float, x1: float, y1: float) -> None:
        size = self.style.size
        line_h = size * LEADING
        block = len(cell.lines) * line_h
        if self.style.valign == "middle":
            first_top = y0 - ((y0 - y1) - block) / 2
        else:
            first_top = y0 - PAD_Y
        for i, line in enumerate(cell.lines):
            baseline = first_top - i * line_h - size * 0.95
            width = sum(self._width(item, self.font, size) for item in line)
            char_space = 0.0
            x = x0 + PAD_X
            if cell.label and self.style.justify_labels and len(cell.lines) == 1 and len(line) > 1:
                char_space = ((x1 - x0) - 2 * PAD_X - 4 - width) / (len(line) - 1)
                x += 2
            elif cell.align == "right":
                x = x1 - PAD_X - width
            elif cell.align == "center":
                x = (x0 + x1 - width) / 2
            self.draw_items(x, baseline, line, self.font, size, char_space=max(0.0, char_space))

    def _rules(self, boxes: list[tuple[float, float, float, float]]) -> None:
        """Draw the union of the cells' edges in the style's way; the table's outline stays solid."""
        horizontal: dict[float, list[tuple[float, float]]] = {}
        vertical: dict[float, list[tuple[float, float]]] = {}
        for x0, y0, x1, y1 in boxes:
            for y in (y0, y1):
                horizontal.setdefault(round(y, 2), []).append((x0, x1))
            for x in (x0, x1):
                vertical.setdefault(round(x, 2), []).append((y1, y0))
        left = min(b[0] for b in boxes)
        right = max(b[2] for b in boxes)
        top = max(b[1] for b in boxes)
        bottom = min(b[3] for b in boxes)

        def union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
            out: list[tuple[float, float]] = []
            for a, b in sorted(spans):
                if out and a <= out[-1][1] + 0.01:
                    out[-1] = (out[-1][0], max(out[-1][1], b))
                else:
                    out.append((a, b))
            return out

        for y, spans in horizontal.items():
            outer = abs(y - top) < 0.01 or abs(y - bottom) < 0.01
            for a, b in union(spans):
                self._rule("h", y, a, b, outer)
        for x, spans in vertical.items():
            outer = abs(x - left) < 0.01 or abs(x - right) < 0.01
            for a, b in union(spans):
                self._rule("v", x, a, b, outer)

    def _rule(self, orientation: str, at: float, a: float, b: float, outer: bool) -> None:
        c = self.canvas
        w = self.style.rule_width
        kind = "lines" if outer and self.style.rules in ("dashed", "dotted", "round-dots", "dash-pattern") \
            else self.style.rules
        c.setLineWidth(w)
        c.setStrokeGray(0)
        c.setFillGray(0)

        def segment(s: float, e: float) -> None:
            if orientation == "h":
                c.line(s, at, e, at)
            else:
                c.line(at, s, at, e)

        if kind == "lines":
            segment(a, b)
        elif kind == "dash-pattern":
            c.setDash([2, 2])
            segment(a, b)
            c.setDash([])
        elif kind == "rects":
            if orientation == "h":
                c.rect(a, at - w / 2, b - a, w, stroke=0, fill=1)
            else:
                c.rect(at - w / 2, a, w, b - a, stroke=0, fill=1)
        elif kind == "dashed":  # separate short strokes, 3 on, 2 off
            s = a
            while s < b - 0.01:
                segment(s, min(s + 3.0, b))
                s += 5.0
        elif kind in ("dotted", "round-dots"):  # separate dots every 2 pt
            d = 0.6
            s = a
            while s <= b + 0.01:
                x, y = (s, at) if orientation == "h" else (at, s)
                if kind == "dotted":
                    c.rect(x - d / 2, y - d / 2, d, d, stroke=0, fill=1)
                else:
                    c.circle(x, y, d / 2, stroke=0, fill=1)
                s += 2.0
        else:
            raise ValueError(f"unknown rule style {kind!r}")


@dataclass
class Cell:
    x0: float
    x1: float
    text: str
    label: bool = False
    rowspan: int = 1
    align: str = "left"
    marks: list[tuple[int, str]] = field(default_factory=list)
    lines: list[list[Item]] = field(default_factory=list)


@dataclass
class Row:
    key: str  # what the row is ("summary", "role:札幌市", "indicator:2", …): forced breaks name it
    cells: list[Cell]


# -- the chapter -----------------------------------------------------------------------------------
def _era(year: int) -> int:
    return year - 2018


def _summary_marks(project: Project) -> list[tuple[int, str]]:
    """Each footnote's mark goes right after its term in the summary, or at its end if the term is absent."""
    marks = []
    for note in project.footnotes:
        at = project.summary.find(note.term)
        offset = at + len(note.term) if at >= 0 else len(project.summary)
        marks.append((offset, str(note.number)))
    return marks


def _value(text: str, style: Style) -> str:
    return text.translate(FULLWIDTH) if style.fullwidth_values else text


def project_rows(project: Project, style: Style, left: float) -> list[Row]:
    cols = style.columns
    right = left + cols.total
    mangle = style.mangle.get(project.source_no, "")
    xl, xp = left, left + cols.label  # label column, party column
    xd = xp + cols.party  # data start
    header = cols.header or (cols.label, cols.party, cols.years[0])
    h1 = left + header[0]
    h2 = h1 + header[1]
    h3 = h2 + header[2]
    no_label = "" if mangle == "blank-no-label" else style.no_label
    number = "第" + str(project.no) if mangle == "garbled-number" else str(project.no)
    rows = [Row("header", [Cell(xl, h1, no_label, label=True), Cell(h1, h2, number, align="center"),
                           Cell(h2, h3, style.name_label, label=True), Cell(h3, right, project.name)])]
    rows.append(Row("summary", [Cell(xl, xd, "事業概要", label=True),
                                Cell(xd, right, project.summary, marks=_summary_marks(project))]))
    if mangle != "no-municipalities":
        rows.append(Row("municipalities", [Cell(xl, xd, "連携市町村", label=True),
                                           Cell(xd, right, project.municipalities)]))
    for key, label, values in (("role", "役割分担", project.roles), ("cost", "費用負担", project.cost_shares)):
        parties = [p for p in PARTIES if p in values]
        for i, party in enumerate(parties):
            cells = [Cell(xp, xd, party, label=True), Cell(xd, right, values[party])]
            if i == 0:
                cells.insert(0, Cell(xl, xp, label, label=True, rowspan=len(parties)))
            rows.append(Row(f"{key}:{party}", cells))
    year_x = [xd]
    for w in cols.years:
        year_x.append(year_x[-1] + w)
    headers = [Cell(year_x[i], year_x[i + 1], style.year_header.format(year=y, era=_era(y)), label=True,
                    align="center") for i, y in enumerate(project.years)]
    rows.append(Row("budget-years", [Cell(xl, xd, style.budget_label, label=True, rowspan=2), *headers]))
    amounts = []
    for cell in project.budget_cells:
        first = project.years.index(cell.years[0])
        last = project.years.index(cell.years[-1])
        amounts.append(Cell(year_x[first], year_x[last + 1], _value(cell.raw, style), align="right"))
    rows.append(Row("budget-amounts", amounts))
    ix = [xd]
    for w in cols.indicators:
        ix.append(ix[-1] + w)
    ix[-1] = right
    n = len(project.indicators)
    rows.append(Row("indicator-header", [
        Cell(xl, xd, "評価指標", label=True, rowspan=1 + n),
        *[Cell(ix[i], ix[i + 1], style.indicator_labels[i], label=True, align="center") for i in range(3)]]))
    for i, ind in enumerate(project.indicators, start=1):
        rows.append(Row(f"indicator:{i}", [Cell(ix[0], ix[1], ind.item),
                                           Cell(ix[1], ix[2], _value(ind.baseline, style), align="center"),
                                           Cell(ix[2], ix[3], _value(ind.target, style), align="center")]))
    return rows


def kpi_rows(kpis, style: Style, left: float) -> list[Row]:
    w = style.columns.kpi
    x = [left, left + w[0], left + w[0] + w[1], left + style.columns.total]
    rows = [Row("kpi-header", [Cell(x[0], x[1], "指標名", label=True, align="center"),
                               Cell(x[1], x[2], "現状値", label=True, align="center"),
                               Cell(x[2], x[3], "目標値", label=True, align="center")])]
    for i, k in enumerate(kpis, start=1):
        rows.append(Row(f"kpi:{i}", [Cell(x[0], x[1], k.name), Cell(x[1], x[2], _value(k.current, style),
                                                                      align="center"),
                                     Cell(x[2], x[3], _value(k.target, style), align="center")]))
    return rows


def print_plan(content: Content, path: Path, style: Style | None = None) -> Path:
    """Print content as the chapter: title, areas with their 基本KPI, fields, categories, project tables
    and footnotes."""
    style = style or Style()
    printer = Printer(path, style)
    size = style.size
    keep_row = 3 * size * LEADING + 2 * PAD_Y  # a heading keeps company with a first row of some height
    printer.paragraph("VI 連携協約に基づき推進する具体的取組", 14, printer.heading_font, gap_after=4)
    printer.paragraph("本章では、連携協約に基づいて推進する具体的な取組を、役割及び分野ごとに整理して示す。"
                      "各役割の冒頭には基本KPIを掲げる。", 10.5, gap_after=6)
    area = field_ = category = None
    for project in content.projects:
        if project.area != area:
            area, field_, category = project.area, None, None
            printer.heading(style.area_heading.format(no=project.area[0], title=project.area[1]), 14,
                            keep=keep_row * 2)
            kpis = [k for k in content.kpis if k.area_no == area[0]]
            if kpis:
                printer.paragraph("【基本KPI】", 10, gap_after=2, keep=keep_row)
                printer.table(kpi_rows(kpis, style, printer.left))
        if project.field != field_:
            field_, category = project.field, None
            if field_ is not None:
                printer.heading(style.field_heading.format(no=field_[0], title=field_[1]), 12, keep=keep_row * 2)
        if project.category != category:
            category = project.category
            printer.heading(style.category_heading.format(code=category[0], title=category[1]), 11,
                            keep=keep_row)
        if project.source_no in style.heading_breaks:
            printer.new_page()
        printer.table(project_rows(project, style, printer.left), owner=project.source_no)
        for note in project.footnotes:
            printer.paragraph(f"【{note.term}】{note.text}", style.footnote_size, gap_after=1,
                              leading_mark=str(note.number))
        if project.footnotes:
            printer.y -= 6
    return printer.save()
