"""extractors/interpreter.py: a page (or a form it draws) whose content stream ends cut short is refused,
naming the page; whole content is laid out exactly as pdfplumber lays it out itself."""

from __future__ import annotations

import io
import subprocess
import sys

import pdfplumber
import pikepdf
import pytest

from extractors.pdfguard import PdfReadError, read_one
from tests.conftest import RAW

TEXT = b"q 1 0 0 1 0 0 cm BT /F1 12 Tf 72 700 Td (Hello) Tj ET 72 600 100 20 re S Q"


def one_page(content: bytes, form: bytes | None = None) -> io.BytesIO:
    """A one-page PDF drawing ``content`` (and, when given, a form XObject /X1 of content ``form``)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if form is not None:
        xobject = pikepdf.Stream(pdf, form)
        xobject.Type, xobject.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        xobject.BBox = [0, 0, 612, 792]
        xobject.Resources = resources
        resources.XObject = pikepdf.Dictionary(X1=pdf.make_indirect(xobject))
    page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792],
                                           Resources=resources, Contents=pdf.make_stream(content)))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    out.seek(0)
    return out


def lay_out_first_page(data: io.BytesIO):
    with pdfplumber.open(data) as pdf:
        return read_one(pdf.pages[0], lambda page: (page.extract_text(), len(page.rects)), 1)[0]


def test_whole_content_is_laid_out_as_pdfplumber_does():
    ours = lay_out_first_page(one_page(TEXT))
    with pdfplumber.open(one_page(TEXT)) as pdf:
        theirs = pdf.pages[0].extract_text(), len(pdf.pages[0].rects)
    assert ours == theirs == ("Hello", 1)


@pytest.mark.parametrize("cut, what", [
    (TEXT[:TEXT.index(b"Tj")], "operand"),                  # inside BT, an operand without its Tj
    (TEXT[:TEXT.index(b"ET")], "text object"),               # inside BT, at an operator boundary
    (TEXT[:TEXT.index(b"72 600")], "graphics state"),        # after ET, before Q
    (TEXT[:TEXT.index(b" re") + 1] + b"\n%%EOF\n", "operand"),  # cut, then a comment (as a bad copy appends)
])
def test_content_cut_short_is_refused_naming_the_page(cut, what):
    with pytest.raises(PdfReadError, match=rf"^page 1: its content ends cut short \(.*{what}.*\): the PDF is damaged"):
        lay_out_first_page(one_page(cut))


def test_a_form_cut_short_is_refused_too():
    with pytest.raises(PdfReadError, match="page 1: its content ends cut short"):
        lay_out_first_page(one_page(b"q /X1 Do Q", form=TEXT[:TEXT.index(b"ET")]))
    assert lay_out_first_page(one_page(b"q /X1 Do Q", form=TEXT)) == ("Hello", 1)


def test_a_restore_without_a_save_is_no_loss_and_passes():
    assert lay_out_first_page(one_page(TEXT + b" Q")) == ("Hello", 1)


def test_a_plan_page_cut_inside_a_continued_table_is_refused_by_the_build(tmp_path):
    """Page 16 of the chapter cut in the middle of project 50's table (fuzz seed 290): before, page 17's rows
    of project 53 were stitched onto project 50 and the build said nothing."""
    with pikepdf.open(RAW / "plan_vi.pdf") as pdf:
        stream = pdf.pages[15].Contents
        data = stream.read_bytes()
        stream.write(data[:len(data) // 3])
        pdf.save(tmp_path / "cut.pdf")
    run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--pdf", str(tmp_path / "cut.pdf"),
                          "--out", str(tmp_path / "out"), "--no-duckdb"], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    assert "page 16: its content ends cut short" in run.stderr and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1
    assert not (tmp_path / "out" / "projects.parquet").exists()
