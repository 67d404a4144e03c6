"""The OCR-layer refusal's rules, without a PDF (extractors/ocrlayer.py; the PDFs: tests/test_ocr_input.py)."""

from __future__ import annotations

from extractors.ocrlayer import (INVISIBLE_SHARE, MIN_INVISIBLE_CHARS, OcrPage, _covering, _mostly_gone,
                                 _multiply, _transform_box, ocr_refusal)

PAGE = (0.0, 0.0, 595.0, 842.0)


def test_the_refusal_names_the_first_page_how_its_text_is_hidden_and_how_many_pages_are_so():
    found = [OcrPage(3, 1200, 1200, 0, 0), OcrPage(4, 900, 0, 900, 12)]
    line = ocr_refusal(found, list(range(1, 18)), "chapter VI")
    assert line.startswith("page 3: the text is an OCR layer over a scanned image (invisible text, no ruled "
                           "lines; 2 of 17 pages of chapter VI): ")
    assert "OCR is not supported" in line and "\n" not in line
    assert found[1].how == "text hidden under the image, 12 vector paths"
    assert "at least 2 of 17" in ocr_refusal(found, list(range(1, 18)), "the PDF", at_least=True)
    assert ocr_refusal([], [1, 2], "chapter VI") is None


def test_a_few_invisible_characters_never_make_an_ocr_page():
    assert not _mostly_gone(MIN_INVISIBLE_CHARS - 1, MIN_INVISIBLE_CHARS - 1, 0)  # a hidden marker alone
    assert not _mostly_gone(1400, 30, 0)  # a marker on a printed page
    assert not _mostly_gone(1400, 0, int(1400 * INVISIBLE_SHARE) - 1)
    assert _mostly_gone(1400, 700, 0) and _mostly_gone(1400, 300, 400)


def test_only_an_image_over_most_of_the_page_is_a_scan():
    photo = (1, (50.0, 300.0, 545.0, 800.0), None)  # a photo on half the page
    scan = (2, (0.0, 0.0, 595.0, 842.0), None)
    bled = (3, (-9.0, -9.0, 604.0, 851.0), None)  # over the page's edges: counted inside the page
    assert _covering([photo, scan, bled], PAGE) == [scan, bled]


def test_a_forms_boxes_are_mapped_to_the_page():
    half, double_shifted = (0.5, 0, 0, 0.5, 0, 0), (2, 0, 0, 2, 10, 20)
    m = _multiply(half, double_shifted)  # a form at ½ inside a form at 2× moved by (10, 20)
    assert _transform_box((0, 0, 595, 842), m) == (10, 20, 605, 862)
    quarter_turn = (0, 1, -1, 0, 842, 0)
    assert _transform_box((0, 0, 595, 842), quarter_turn) == (0, 0, 842, 595)
