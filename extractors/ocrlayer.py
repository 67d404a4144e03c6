"""A scan passed through OCR software: the page is one picture, its text an invisible layer over (or under) it.

OCR software (ocrmypdf / tesseract, Acrobat's "searchable image", ABBYY, scanners' own) writes each page as
one page-sized image and puts the recognised text on it invisibly, so that it can be searched and copied:
in text render mode 3 (neither filled nor stroked, ISO 32000-1 §9.3.6), or drawn before the image, which
then paints over it. No rule of a table is drawn: the rules are pixels of the image. pdfplumber reads such
a text layer like any other, and what it reads is the recogniser's guess (a 1 read as l, 千円 split in two,
a digit dropped), not the plan's text, so the data would be wrong with nothing to tell: such a page is
refused, naming OCR (`ocr_refusal`), before anything is read or written.

What makes a page an OCR page, each part of it what OCR output is and a printed plan is not:

* it holds an opaque image covering most of the page (`PAGE_IMAGE_SHARE`): a scan. A photo on a page, a
  logo or a stamp covers a part of it; a watermark or stamp image drawn over the page is transparent:
  by its graphics state (alpha, blend mode, soft mask: ``FPDFPageObj_HasTransparency``) or by its own
  soft mask or stencil (`_opaque`, asked only when the text would otherwise make the page an OCR page);
* most of its text is invisible (`INVISIBLE_SHARE`, at least `MIN_INVISIBLE_CHARS` characters): in
  render mode 3 or 7, filled with alpha 0, or lying under an opaque image drawn after it. The page's text
  is judged as a whole, so a hidden marker or a few invisible words on a printed page never count.

Whether rules are drawn is said in the refusal (OCR pages draw none), but does not decide it: the text
under a picture is what nobody can check by looking, whatever else the page draws.

Cost: only pages whose content draws an image XObject are looked at in pdfium (`drawn_images`); the
plan's pages draw none, so for a printed plan this is a regular expression over content already decoded
(under 1 ms of CPU for raw/plan_vi.pdf's 17 pages). An OCR page of ~1,400 characters takes pdfium
~10-20 ms, more when its images have masks of their own (rasterised, `_opaque`). Inline images
(``BI … ID … EI``) are not looked for: OCR software writes the page image as an XObject (inline images are
for small pictures, ISO 32000-1 §8.9.7).

Nothing here imports from ``pipeline``: the caller turns the refusal into its one-line error.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Sequence
from dataclasses import dataclass

# An image covering this share of the page (its crop box) is a scan of the page: ocrmypdf, img2pdf and
# scanners place it over the whole page (1.0); a photo or map in the vision covers at most ~0.6 of one.
PAGE_IMAGE_SHARE = 0.8
# The page's text counts as an OCR layer when at least this share of its characters is invisible …
INVISIBLE_SHARE = 0.5
# … and at least this many: a hidden marker or a searchable caption is a few words, a plan page ~1,200–1,550
# characters (raw/plan_vi.pdf; 277 on its last, half-empty page).
MIN_INVISIBLE_CHARS = 40
# Text render modes that paint nothing (ISO 32000-1 Table 106): 3 invisible, 7 clip only.
INVISIBLE_MODES = (3, 7)
MAX_FORM_DEPTH = 12
# A page drawing more objects than this is no scan: OCR software writes the image and about one text
# object a word (ocrmypdf: 926 on a plan page). It bounds the walk over a vector map or a dotted-rule page
# that also draws an image (Chromium's dotted print: 15,716 paths on one page; pdfium's walk ~1 µs an object).
MAX_OBJECTS = 20_000
# A page image paints at least this share of its box opaquely (a scan: all of it); a watermark or stamp
# picture with a soft mask, far less.
OPAQUE_SHARE = 0.9


@dataclass(frozen=True)
class OcrPage:
    """What made page ``page`` (1-based) an OCR page."""

    page: int
    chars: int  # characters of its text layer
    invisible: int  # of them in render mode 3/7 or alpha 0
    hidden: int  # of them painted over by the page image (and not already invisible)
    paths: int  # vector paths drawn on the page (rules would be some)

    @property
    def how(self) -> str:
        """The words of the refusal for how the text is hidden and whether rules are drawn."""
        how = "invisible text" if self.invisible >= self.hidden else "text hidden under the image"
        rules = "no ruled lines" if self.paths == 0 else f"{self.paths} vector paths"
        return f"{how}, {rules}"


_DELIM = rb"\s\[\]()<>{}/%"
_DO = re.compile(rb"/([^" + _DELIM + rb"]+)\s*Do(?![^" + _DELIM + rb"])")


NO_IMAGE, OPAQUE, MASKED = 0, 1, 2  # what a page draws, by `drawn_images`


def drawn_images(page_obj) -> int:
    """What image XObjects a pdfminer page draws (``/Name Do`` in its content, also through the forms it
    draws): `NO_IMAGE`, only `OPAQUE` ones, or some with a mask of their own (`MASKED`: /SMask, /Mask,
    /ImageMask, /SMaskInData). The cheap test that keeps printed pages, which draw none, from being looked
    at in pdfium, and that spares rasterising the images of a scan that has no masks (`_opaque`). The
    content was decoded (and cached by pdfminer) when the page's cost was counted."""
    from pdfminer.pdftypes import PDFStream, resolve1

    try:
        data = b"\n".join(stream.get_data() for stream in (resolve1(s) for s in page_obj.contents)
                          if isinstance(stream, PDFStream))
        return _images_in(data, page_obj.resources, 0)
    except Exception:  # damaged content or resources: the readers report it; nothing to look at here
        return NO_IMAGE


def _images_in(data: bytes, resources, depth: int) -> int:
    from pdfminer.pdftypes import PDFStream, dict_value, resolve1

    uses = set(_DO.findall(data))
    if not uses or not resources:
        return NO_IMAGE
    xobjects = dict_value(resolve1(dict_value(resources).get("XObject", {})))
    found = NO_IMAGE
    for name in uses:
        obj = resolve1(xobjects.get(name.decode("latin-1")))
        if not isinstance(obj, PDFStream):
            continue
        subtype = getattr(resolve1(obj.get("Subtype")), "name", None)
        if subtype == "Image":
            masked = any(obj.get(key) for key in ("SMask", "Mask", "ImageMask", "SMaskInData"))
            found = max(found, MASKED if masked else OPAQUE)
        elif subtype == "Form" and depth < MAX_FORM_DEPTH:
            found = max(found, _images_in(obj.get_data(), resolve1(obj.get("Resources")) or resources, depth + 1))
        if found == MASKED:
            break
    return found


def _multiply(a: tuple, b: tuple) -> tuple:
    """The matrix ``a`` then ``b`` (PDF's (a b c d e f) row-vector convention: a × b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _transform_box(box: tuple, m: tuple) -> tuple:
    """The axis-aligned box around ``box`` (l, b, r, t) mapped by ``m``."""
    l, b, r, t = box
    xs, ys = [], []
    for x, y in ((l, b), (l, t), (r, b), (r, t)):
        xs.append(m[0] * x + m[2] * y + m[4])
        ys.append(m[1] * x + m[3] * y + m[5])
    return min(xs), min(ys), max(xs), max(ys)


def _matrix(raw) -> tuple:
    import pypdfium2.raw as pdfium

    m = pdfium.FS_MATRIX()
    if not pdfium.FPDFPageObj_GetMatrix(raw, m):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _bounds(raw) -> tuple | None:
    import pypdfium2.raw as pdfium

    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not pdfium.FPDFPageObj_GetBounds(raw, l, b, r, t):
        return None
    return l.value, b.value, r.value, t.value


def _objects(page) -> tuple[dict[int, tuple[int, bool]], list[tuple[int, tuple, object]], int]:
    """The page's objects in painting order, descending into forms: {text object address: (order,
    invisible by its own state)}, the images drawn without transparency in their graphics state [(order,
    box in page space, the object)] and the count of paths. Nothing (no text, no image) past
    `MAX_OBJECTS`."""
    import pypdfium2.raw as pdfium

    texts: dict[int, tuple[int, bool]] = {}
    images: list[tuple[int, tuple, object]] = []
    paths = 0
    order = 0
    # (container or None for the page, its object count, next index, matrix to page space)
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = [(None, pdfium.FPDFPage_CountObjects(page), 0, identity)]
    while stack:
        form, count, index, to_page = stack.pop()
        if index >= count:
            continue
        stack.append((form, count, index + 1, to_page))
        raw = pdfium.FPDFFormObj_GetObject(form, index) if form else pdfium.FPDFPage_GetObject(page, index)
        if not raw:
            continue
        order += 1
        if order > MAX_OBJECTS:
            return {}, [], paths
        kind = pdfium.FPDFPageObj_GetType(raw)
        if kind == pdfium.FPDF_PAGEOBJ_TEXT:
            texts[ctypes.cast(raw, ctypes.c_void_p).value] = (order, _invisible_state(raw))
        elif kind == pdfium.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif kind == pdfium.FPDF_PAGEOBJ_IMAGE and not pdfium.FPDFPageObj_HasTransparency(raw):
            box = _bounds(raw)
            if box is not None:
                images.append((order, box if form is None else _transform_box(box, to_page), raw))
        elif kind == pdfium.FPDF_PAGEOBJ_FORM and len(stack) <= MAX_FORM_DEPTH:
            inner = _multiply(_matrix(raw), to_page)
            stack.append((raw, pdfium.FPDFFormObj_CountObjects(raw), 0, inner))
    return texts, images, paths


def _invisible_state(raw) -> bool:
    """Whether a text object paints nothing by its own state: render mode 3 or 7, or filled with alpha 0
    (and not stroked)."""
    import pypdfium2.raw as pdfium

    mode = pdfium.FPDFTextObj_GetTextRenderMode(raw)
    if mode in INVISIBLE_MODES:
        return True
    if mode == 0:
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        if pdfium.FPDFPageObj_GetFillColor(raw, r, g, b, a) and a.value == 0:
            return True
    return False


def _area(box: tuple) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _covering(images: list[tuple[int, tuple, object]], page_box: tuple) -> list[tuple[int, tuple, object]]:
    """The images that cover `PAGE_IMAGE_SHARE` of the page box (l, b, r, t)."""
    page_area = _area(page_box)
    found = []
    for order, box, raw in images:
        inside = (max(box[0], page_box[0]), max(box[1], page_box[1]), min(box[2], page_box[2]),
                  min(box[3], page_box[3]))
        if page_area > 0 and _area(inside) >= PAGE_IMAGE_SHARE * page_area:
            found.append((order, box, raw))
    return found


def _opaque(pdf_page, raw) -> bool:
    """Whether an image object paints at least `OPAQUE_SHARE` of its box opaquely, its mask applied: a
    watermark picture with a soft mask or a stencil covers little. pdfium's HasTransparency looks at the
    graphics state only, not at the image's own mask, so the image is rasterised (at 1 pixel a point; the
    image's decoding is most of it, 2-90 ms) and its alpha counted; asked only of page-sized images over
    text that would otherwise be refused."""
    import pypdfium2.raw as pdfium

    bitmap = pdfium.FPDFImageObj_GetRenderedBitmap(pdf_page.pdf.raw, pdf_page.raw, raw)
    if not bitmap:
        return True  # cannot be rasterised: judged by its graphics state alone
    try:
        width, height = pdfium.FPDFBitmap_GetWidth(bitmap), pdfium.FPDFBitmap_GetHeight(bitmap)
        if pdfium.FPDFBitmap_GetFormat(bitmap) != pdfium.FPDFBitmap_BGRA or width <= 0 or height <= 0:
            return True  # no alpha channel: nothing is transparent
        stride = pdfium.FPDFBitmap_GetStride(bitmap)
        data = ctypes.string_at(pdfium.FPDFBitmap_GetBuffer(bitmap), stride * height)
        rows = [data] if stride == 4 * width else [data[y * stride:y * stride + 4 * width] for y in range(height)]
        opaque = sum(row[3::4].count(255) for row in rows)
        return opaque >= OPAQUE_SHARE * width * height
    finally:
        pdfium.FPDFBitmap_Destroy(bitmap)


def _count(textpage, texts: dict[int, tuple[int, bool]], scans: list[tuple[int, tuple, object]]
           ) -> tuple[int, int, int]:
    """(characters, invisible by their own state, painted over by one of ``scans``) of the page's text;
    pdfium's inserted spaces and line breaks and blanks are not characters."""
    import pypdfium2.raw as pdfium

    chars = invisible = hidden = 0
    l, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    for i in range(pdfium.FPDFText_CountChars(textpage.raw)):
        obj = pdfium.FPDFText_GetTextObject(textpage.raw, i)
        if not obj or chr(pdfium.FPDFText_GetUnicode(textpage.raw, i)).isspace():
            continue
        order, invisible_state = texts.get(ctypes.cast(obj, ctypes.c_void_p).value, (0, False))
        chars += 1
        if invisible_state:
            invisible += 1
            continue
        if not pdfium.FPDFText_GetCharBox(textpage.raw, i, l, r, b, t):
            continue
        x, y = (l.value + r.value) / 2, (b.value + t.value) / 2
        if any(o > order and box[0] <= x <= box[2] and box[1] <= y <= box[3] for o, box, _ in scans):
            hidden += 1
    return chars, invisible, hidden


def _mostly_gone(chars: int, invisible: int, hidden: int) -> bool:
    gone = invisible + hidden
    return gone >= MIN_INVISIBLE_CHARS and gone >= INVISIBLE_SHARE * chars


def look_at_page(pdf_page, number: int, masks: bool = True) -> OcrPage | None:
    """Page ``number`` (a `pypdfium2.PdfPage`) as an `OcrPage` when it is one, else None. With ``masks``
    (some image it draws has a mask of its own), the images' masks are looked at, only when the text says
    OCR (`_opaque` rasterises them)."""
    texts, images, paths = _objects(pdf_page.raw)
    scans = _covering(images, tuple(pdf_page.get_bbox()))
    if not scans or not texts:
        return None
    textpage = pdf_page.get_textpage()
    try:
        counts = _count(textpage, texts, scans)
        if not _mostly_gone(*counts):
            return None
        if masks and _mostly_gone(counts[0], counts[1], 0):
            # invisible by its own state: one opaque page image makes it a scan
            if not any(_opaque(pdf_page, scan[2]) for scan in scans):
                return None
        elif masks:
            opaque = [scan for scan in scans if _opaque(pdf_page, scan[2])]
            if not opaque:
                return None
            if len(opaque) < len(scans):
                counts = _count(textpage, texts, opaque)
    finally:
        textpage.close()
    return OcrPage(number, *counts, paths) if _mostly_gone(*counts) else None


def ocr_pages(data: bytes, numbers: Sequence[int], images: dict[int, int], enough: int | None = None
              ) -> list[OcrPage]:
    """The OCR pages among ``numbers`` (1-based) of the PDF ``data``, in page order, looking in pdfium only
    at pages that draw an image (``images``: page → `drawn_images`). With ``enough``, it stops once that
    many are found or can no longer be."""
    candidates = [n for n in numbers if images.get(n, NO_IMAGE) != NO_IMAGE]
    if not candidates:
        return []
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        found = []
        for done, n in enumerate(candidates):
            if enough is not None and (len(found) >= enough or len(found) + len(candidates) - done < enough):
                break
            page = document[n - 1]
            try:
                result = look_at_page(page, n, masks=images[n] == MASKED)
            finally:
                page.close()
            if result is not None:
                found.append(result)
        return found
    finally:
        document.close()


def ocr_refusal(found: list[OcrPage], numbers: Sequence[int], what: str, at_least: bool = False) -> str | None:
    """The one-line refusal for ``found`` OCR pages among ``numbers`` (``what``: "chapter VI", "the PDF"),
    naming the first; None when there are none. ``at_least``: the search stopped once it was enough."""
    if not found:
        return None
    first = found[0]
    share = f"{'at least ' if at_least else ''}{len(found)} of {len(numbers)} pages of {what}"
    return (f"page {first.page}: the text is an OCR layer over a scanned image ({first.how}; {share}): "
            "OCR text is not the plan's text, and OCR is not supported yet")
