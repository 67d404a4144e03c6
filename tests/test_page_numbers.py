"""The printed page number is never read into a cell (extractors/ruled.py `_number_in_cell`,
`foot_number_verdicts`).

Chromium printing a table with rows broken over pages can draw a cut row's rules on down past the page
number (B5, 10 pt: tests/test_producers.py), so the page number lies wholly inside the cell's box at the page
foot. It is the page number when it stands where the neighbouring pages print theirs, in their form, and
numbers on from them; a number at the foot that is the cell's value (a budget amount) stays in the cell;
printed where and as the page numbers are but numbered otherwise, the page is refused in one line.
"""

from __future__ import annotations

import pdfplumber
import pytest
from reportlab.lib.pagesizes import B5
from reportlab.pdfgen import canvas

from extractors.pdfguard import PdfReadError
from extractors.ruled import _with_page_numbers, foot_number_verdicts, FootNumber, read_page
from extractors.settings import Layout

WIDTH, HEIGHT = B5
LAYOUT = Layout()
LEFT, RIGHT, MIDDLE = 60.0, WIDTH - 60.0, 140.0
NUMBER_Y = 30.0  # the page number's baseline (PDF y, from the bottom), in the bottom margin


def _page(c: canvas.Canvas, number: str, *, enclosed: bool, foot_value: str | None = None,
          foot_value_y: float = NUMBER_Y) -> None:
    """A two-column ruled table (a header row, then a label | summary row) down to the foot; the page
    number centred at the foot, under the table or (``enclosed``) inside its summary cell, whose rules run
    on below it. ``foot_value``: a text printed at the left of the summary cell, on baseline ``foot_value_y``."""
    bottom = NUMBER_Y - 8 if enclosed else NUMBER_Y + 20
    top, header = HEIGHT - 80, HEIGHT - 100
    c.setLineWidth(0.75)
    for x in (LEFT, MIDDLE, RIGHT):
        c.line(x, top, x, bottom)
    for y in (top, header, bottom):
        c.line(LEFT, y, RIGHT, y)
    c.setFont("Helvetica", 9)
    c.drawString(LEFT + 4, header + 6, "No.")
    c.drawString(MIDDLE + 4, header + 6, "1")
    c.drawString(LEFT + 4, header - 14, "summary")
    c.drawString(MIDDLE + 4, header - 14, "the text of the summary, cut at the page break")
    if foot_value is not None:
        c.drawString(MIDDLE + 4, foot_value_y, foot_value)
    if number:
        c.drawCentredString(WIDTH / 2, NUMBER_Y, number)
    c.showPage()


def _pdf(tmp_path, pages: list[dict]):
    path = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(path), pagesize=B5)
    for page in pages:
        _page(c, **page)
    c.save()
    return path


def _read(path) -> list:
    with pdfplumber.open(path) as pdf:
        pages = [read_page(p, LAYOUT) for p in pdf.pages]
        return _with_page_numbers(pages, lambda n: read_page(pdf.pages[n - 1], LAYOUT, True), LAYOUT)


def _summary(page) -> str:
    return next(cell.text for f in page.fragments for cell in f.cells if cell.text.startswith("the text"))


def test_a_page_number_inside_a_cell_at_the_page_foot_is_the_pages_label_not_the_cells_text(tmp_path):
    path = _pdf(tmp_path, [dict(number="- 76 -", enclosed=False), dict(number="- 77 -", enclosed=True),
                           dict(number="- 78 -", enclosed=False)])
    with pdfplumber.open(path) as pdf:  # what the page alone reads: the number lies in the cell
        alone = read_page(pdf.pages[1], LAYOUT)
    assert _summary(alone).endswith("- 77 -") and alone.page_label is None
    pages = _read(path)
    assert [p.page_label for p in pages] == ["- 76 -", "- 77 -", "- 78 -"]
    assert _summary(pages[1]) == "the text of the summary, cut at the page break"
    assert pages[1].char_count == alone.char_count  # every glyph still counted, none lost


def test_a_number_at_the_page_foot_that_is_the_cells_value_stays(tmp_path):
    # A budget amount at the foot of the cell, left-aligned in it: not where the page numbers stand.
    pages = _read(_pdf(tmp_path, [dict(number="- 76 -", enclosed=False),
                                  dict(number="", enclosed=True, foot_value="500"),
                                  dict(number="- 78 -", enclosed=False)]))
    assert _summary(pages[1]).endswith("500") and pages[1].page_label is None
    # Where the page prints its own number outside the table, a number in a cell at its foot is the cell's.
    pages = _read(_pdf(tmp_path, [dict(number="- 76 -", enclosed=False),
                                  dict(number="- 77 -", enclosed=False, foot_value="- 5 -", foot_value_y=NUMBER_Y + 24),
                                  dict(number="- 78 -", enclosed=False)]))
    assert _summary(pages[1]).endswith("- 5 -") and pages[1].page_label == "- 77 -"


def test_a_page_number_like_value_where_the_page_numbers_stand_but_numbered_otherwise_is_refused(tmp_path):
    path = _pdf(tmp_path, [dict(number="- 76 -", enclosed=False), dict(number="- 500 -", enclosed=True),
                           dict(number="- 78 -", enclosed=False)])
    with pytest.raises(PdfReadError) as caught:
        _read(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("page 2: '- 500 -' lies inside a table cell"), message


def test_verdicts_need_the_same_place_and_form_and_the_numbering():
    label = lambda text, centre=250.0, top=680.0: FootNumber(text, centre, top)  # noqa: E731
    cell = lambda text, centre=250.0, top=680.0: FootNumber(text, centre, top, in_cell=True)  # noqa: E731
    # numbered on from the page before and the page after (two pages on: 79 after 77)
    assert foot_number_verdicts([(1, label("- 76 -")), (2, cell("- 77 -")), (3, None), (4, label("- 79 -"))],
                                LAYOUT) == {2: True}
    # another form ("500" under "- 76 -") or another place: the cell's value
    assert foot_number_verdicts([(1, label("- 76 -")), (2, cell("77"))], LAYOUT) == {2: False}
    assert foot_number_verdicts([(1, label("- 76 -")), (2, cell("- 77 -", centre=300.0))], LAYOUT) == {2: False}
    # no page around it prints a label: nothing says it is the page number
    assert foot_number_verdicts([(1, cell("- 77 -"))], LAYOUT) == {1: False}
    with pytest.raises(PdfReadError, match="^page 2: "):
        foot_number_verdicts([(1, label("- 76 -")), (2, cell("- 78 -")), (3, label("- 78 -"))], LAYOUT)
