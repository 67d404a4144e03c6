"""A scan passed through OCR software is refused in one line naming OCR, exit 2, nothing written
(extractors/ocrlayer.py); a printed plan with images, watermarks or hidden text in it still builds exactly.

The OCR-like PDFs are made here from raw/plan_vi.pdf without network: each page rendered by pdfium into a
page-sized JPEG and the page's own text kept as the text layer, its rules removed, in the forms OCR software
writes: the text in render mode 3 under the image (ocrmypdf) or over it (hOCR renderers), the text visible
but painted over by the image drawn after it (pdfsandwich-style), and the page drawn through nested Form
XObjects. A real OCR run (ocrmypdf + tesseract jpn, Debian packages of the producer matrix) is the last.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name, Operator

from extractors.ocrlayer import MIN_INVISIBLE_CHARS
from tests.conftest import RAW
from tests.printers import producers
from tests.test_bad_input import _assert_refused, _assert_untouched, _run_build, _snapshot
from tests.test_whole_plan import wrap_in_forms

pytestmark = pytest.mark.slow  # every test reads or prints PDFs (left out by `make test-fast`)

# Path painting operators: replaced by ``n`` (end the path unpainted), so that no rule is drawn.
PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}


def _jpeg(pdf: pikepdf.Pdf, picture) -> pikepdf.Stream:
    """A PIL picture as an opaque DeviceGray or DeviceRGB JPEG image XObject of ``pdf``."""
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=50)
    space = Name.DeviceGray if picture.mode == "L" else Name.DeviceRGB
    return pikepdf.Stream(pdf, buffer.getvalue(), Type=Name.XObject, Subtype=Name.Image, Width=picture.width,
                          Height=picture.height, ColorSpace=space, BitsPerComponent=8, Filter=Name.DCTDecode)


def _add_xobject(page: pikepdf.Page, name: str, obj) -> None:
    resources = page.obj.Resources
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    xobjects[Name("/" + name)] = obj
    resources[Name.XObject] = xobjects


def _draw_over_page(page: pikepdf.Page, name: str) -> bytes:
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    return f"q {x1 - x0} 0 0 {y1 - y0} {x0} {y0} cm /{name} Do Q\n".encode()


def _text_without_rules(page: pikepdf.Page, invisible: bool) -> bytes:
    """The page's content with no path painted and, with ``invisible``, every text object in mode 3."""
    ops = []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name in PAINT:
            ops.append(([], Operator("n")))
        elif name != "Tr":
            ops.append((operands, op))
            if name == "BT" and invisible:
                ops.append(([3], Operator("Tr")))
    return b"q\n" + pikepdf.unparse_content_stream(ops) + b"\nQ\n"


def ocr_like(source: Path, out: Path, form: str, pages: set[int] | None = None, dpi: int = 72) -> Path:
    """``source`` as OCR software writes a scan of it (``form``: "tr3-under-image", "tr3-over-image" or
    "painted-over"), on ``pages`` (1-based; all when None)."""
    import pypdfium2

    rendered = pypdfium2.PdfDocument(source)
    with pikepdf.open(source) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            if pages is not None and n not in pages:
                continue
            _add_xobject(page, "Scan", _jpeg(pdf, rendered[n - 1].render(scale=dpi / 72, grayscale=True).to_pil()))
            text = _text_without_rules(page, invisible=form != "painted-over")
            image = _draw_over_page(page, "Scan")
            page.obj.Contents = pdf.make_stream(image + text if form == "tr3-over-image" else text + image)
        pdf.save(out)
    rendered.close()
    return out


def _refused_as_ocr(pdf: Path, tmp_path: Path, page: int = 1) -> str:
    out = tmp_path / "new" / "out"
    result = _run_build(pdf, out)
    line = _assert_refused(result, pdf, "the text is an OCR layer over a scanned image")
    assert result.returncode == 2
    assert f": page {page}: " in line, line
    assert not out.exists() and not out.parent.exists()  # nothing written, not even the folder
    return line


@pytest.mark.parametrize("form", ["tr3-under-image", "tr3-over-image", "painted-over"])
def test_an_ocr_scan_of_the_plan_is_refused_naming_ocr(form, tmp_path):
    pdf = ocr_like(RAW / "plan_vi.pdf", tmp_path / f"{form}.pdf", form)
    line = _refused_as_ocr(pdf, tmp_path)
    how = "text hidden under the image" if form == "painted-over" else "invisible text"
    assert f"({how}, no ruled lines; 17 of 17 pages of chapter VI)" in line, line


def test_an_ocr_scan_drawn_through_nested_forms_is_refused(tmp_path):
    pdf = wrap_in_forms(ocr_like(RAW / "plan_vi.pdf", tmp_path / "scan.pdf", "tr3-under-image"),
                        tmp_path / "wrapped.pdf")
    _refused_as_ocr(pdf, tmp_path)


def _in_half_size_forms(source: Path, target: Path) -> Path:
    """Each page drawn through a Form XObject whose matrix halves it, under a ``cm`` doubling it again:
    pdfium gives the bounds of a form's objects in the form's space, so the page image is found page-sized
    only when the form's matrix is applied (`extractors.ocrlayer._objects`)."""
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            page.contents_coalesce()
            form = pikepdf.Stream(pdf, page.obj.Contents.read_bytes(), Type=Name.XObject, Subtype=Name.Form,
                                  BBox=[float(v) for v in page.obj.MediaBox], Resources=page.obj.Resources,
                                  Matrix=[0.5, 0, 0, 0.5, 0, 0])
            page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Page=form))
            page.obj.Contents = pikepdf.Stream(pdf, b"q 2 0 0 2 0 0 cm /Page Do Q")
        pdf.save(target)
    return target


def test_an_ocr_scan_drawn_through_a_scaled_form_is_refused(tmp_path):
    pdf = _in_half_size_forms(ocr_like(RAW / "plan_vi.pdf", tmp_path / "scan.pdf", "painted-over"),
                              tmp_path / "scaled.pdf")
    line = _refused_as_ocr(pdf, tmp_path)
    assert "text hidden under the image" in line, line


def test_one_scanned_page_in_the_chapter_is_refused_naming_it(tmp_path, plan_build):
    pdf = ocr_like(RAW / "plan_vi.pdf", tmp_path / "one.pdf", "tr3-under-image", pages={5})
    line = _refused_as_ocr(pdf, tmp_path, page=5)
    assert "1 of 17 pages of chapter VI" in line, line


def test_an_earlier_build_is_left_as_it_was(tmp_path, plan_build):
    out = tmp_path / "build" / "out"
    shutil.copytree(plan_build.path, out)
    before = _snapshot(out)
    pdf = ocr_like(RAW / "plan_vi.pdf", tmp_path / "scan.pdf", "painted-over", pages={1, 2})
    _assert_refused(_run_build(pdf, out), pdf, "OCR layer")
    _assert_untouched(out, before)


def test_an_ocr_scan_without_the_chapter_is_refused_as_ocr(tmp_path):
    """The vision's pages before chapter VI (cover, contents, chapters I–V), scanned: no chapter VI in it,
    and the refusal says it is OCR rather than naming the headings its OCR text gives."""
    with pikepdf.open(RAW / "plan_whole.pdf") as pdf:
        del pdf.pages[7:]
        pdf.save(tmp_path / "part.pdf")
    pdf = ocr_like(tmp_path / "part.pdf", tmp_path / "scan.pdf", "tr3-under-image")
    line = _refused_as_ocr(pdf, tmp_path)
    assert "of 7 pages of the PDF" in line, line


def test_an_ocr_scan_of_the_excerpt_is_refused(tmp_path):
    excerpt = ocr_like(RAW / "overview.pdf", tmp_path / "excerpt.pdf", "tr3-under-image")
    out = tmp_path / "new" / "out"
    result = _run_build(RAW / "plan_vi.pdf", out, "--overview", str(excerpt))
    line = _assert_refused(result, excerpt, "the text is an OCR layer over a scanned image")
    assert result.returncode == 2 and "pages of the PDF" in line, line
    assert not out.parent.exists()


# -- what must still build exactly ---------------------------------------------------------------------------
def _marked_and_watermarked(source: Path, out: Path) -> Path:
    """``source`` with, on every page: an opaque page-sized picture behind the page (a letterhead or paper
    background), a hidden marker in render mode 3, and a page-sized watermark picture with a soft mask
    (素案-like grey, mostly transparent) drawn over everything."""
    from PIL import Image, ImageDraw

    background = Image.new("L", (60, 85), 250)
    mark = Image.new("L", (200, 280), 160)
    alpha = Image.new("L", mark.size, 0)
    ImageDraw.Draw(alpha).rectangle([40, 100, 160, 180], fill=60)
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            _add_xobject(page, "Paper", _jpeg(pdf, background))
            watermark = _jpeg(pdf, mark)
            watermark.SMask = _jpeg(pdf, alpha)
            _add_xobject(page, "Draft", watermark)
            font = pdf.make_indirect(pikepdf.Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                                        BaseFont=Name.Helvetica))
            fonts = page.obj.Resources.get("/Font", pikepdf.Dictionary())
            fonts[Name.HiddenMark] = font
            page.obj.Resources[Name.Font] = fonts
            page.contents_coalesce()
            body = page.obj.Contents.read_bytes()
            marker = b"q BT 3 Tr /HiddenMark 6 Tf 20 20 Td (renkei-check 0042) Tj ET Q\n"
            page.obj.Contents = pdf.make_stream(_draw_over_page(page, "Paper") + b"q\n" + body + b"\nQ\n" + marker
                                                + _draw_over_page(page, "Draft"))
        pdf.save(out)
    return out


def test_pictures_behind_and_over_the_page_and_a_hidden_marker_build_exactly(tmp_path, plan_build):
    assert len("renkei-check0042") < MIN_INVISIBLE_CHARS
    pdf = _marked_and_watermarked(RAW / "plan_vi.pdf", tmp_path / "marked.pdf")
    out = tmp_path / "out"
    result = _run_build(pdf, out, "--overview", str(RAW / "overview.pdf"))
    assert result.returncode == 0, result.stderr
    for table in sorted(plan_build.path.glob("*.parquet")):
        assert hashlib.sha256((out / table.name).read_bytes()).hexdigest() == \
            hashlib.sha256(table.read_bytes()).hexdigest(), table.name


# -- real OCR software ---------------------------------------------------------------------------------------
def test_a_plan_scanned_and_ocred_by_ocrmypdf_is_refused(tmp_path):
    """Two pages of the plan rendered at 200 dpi into an image-only PDF, then OCRed by ocrmypdf (tesseract,
    Japanese): what a scanned and OCRed plan is."""
    needed = [pkg for pkg in producers.missing() if pkg.startswith(("ocrmypdf", "tesseract"))]
    assert not needed, f"install the Debian packages: apt-get install {' '.join(needed)} (or `make producers`)"
    import pypdfium2

    with pikepdf.open(RAW / "plan_vi.pdf") as pdf:
        del pdf.pages[2:]
        rendered = pypdfium2.PdfDocument(RAW / "plan_vi.pdf")
        for n, page in enumerate(pdf.pages):
            page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(
                Scan=_jpeg(pdf, rendered[n].render(scale=200 / 72, grayscale=True).to_pil())))
            page.obj.Contents = pdf.make_stream(_draw_over_page(page, "Scan"))
        rendered.close()
        pdf.save(tmp_path / "scan.pdf")
    pdf = producers.ocrmypdf(tmp_path / "scan.pdf", tmp_path / "ocred.pdf")
    line = _refused_as_ocr(pdf, tmp_path)
    assert "no ruled lines" in line, line
