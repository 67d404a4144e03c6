"""The other ways a finished plan PDF is passed on, made from it with pikepdf in milliseconds.

* **A stamp or watermark** (素案 / 案 / 確定版 on a public-comment draft): large grey text in an embedded
  CJK font, rotated diagonally or upright, drawn behind the page (before its content) or over it (after).
  The stamp is drawn in the page's own content stream (its font added to the page's resources), not as a
  Form XObject, so that only the stamp differs from the source.
* **Press-ready sheets**: the page placed in the middle of a larger sheet (B4 by default) by a ``cm``
  prepended to its content stream, with TrimBox (the page) and BleedBox (3 mm more) set, corner crop marks
  (トンボ, double: trim and bleed), centre marks and registration targets drawn outside the trim.
* **N-up sheets**: two pages side by side on one landscape sheet, each drawn through a Form XObject (as
  pdfjam / pdfpages and printers' 2-up write it).
"""

from __future__ import annotations

import io

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Name

MM = 72 / 25.4
B4 = (257 * MM, 364 * MM)
BLEED = 3 * MM


@dataclass(frozen=True)
class Stamp:
    text: str = "素案"
    size: float = 150.0  # points; the plan's cell text is 9 pt
    angle: float = 45.0  # degrees counter-clockwise; 0 is upright
    grey: float = 0.8
    over: bool = False  # drawn after the page's content (over it) rather than before (behind it)


@lru_cache(maxsize=None)
def _stamp_source(text: str, size: float, angle: float, grey: float) -> bytes:
    """A one-page PDF (A4) with the stamp centred on it, set by reportlab in embedded IPAex Gothic."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from tests.printers.fonts import register_ttf

    font = register_ttf("ipaex")
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setFillGray(grey)
    sheet.translate(A4[0] / 2, A4[1] / 2)
    sheet.rotate(angle)
    sheet.setFont(font, size)
    sheet.drawCentredString(0, -size * 0.35, text)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def stamp(pdf: Path, out: Path, spec: Stamp = Stamp()) -> Path:
    """Every page of `pdf` with the stamp drawn behind or over its content, centred on the page."""
    with pikepdf.open(io.BytesIO(_stamp_source(spec.text, spec.size, spec.angle, spec.grey))) as source, \
            pikepdf.open(pdf) as doc:
        source_page = source.pages[0]
        ops = pikepdf.parse_content_stream(source_page)
        # the fonts the stamp is set in (reportlab also lists its default Helvetica)
        used = {str(inst.operands[0]) for inst in ops if str(inst.operator) == "Tf"}
        fonts = {key: doc.copy_foreign(source_page.obj.Resources.Font[key]) for key in sorted(used)}
        for page in doc.pages:
            names = {key: Name(page.add_resource(font, Name.Font, prefix="Stamp")) for key, font in fonts.items()}
            box = [float(v) for v in page.mediabox]
            # reportlab drew the stamp centred on an A4 sheet; move that centre to this page's
            dx = (box[0] + box[2]) / 2 - 595.2756 / 2
            dy = (box[1] + box[3]) / 2 - 841.8898 / 2
            renamed = [pikepdf.ContentStreamInstruction(
                [names.get(str(o), o) if isinstance(o, Name) else o for o in inst.operands], inst.operator)
                for inst in ops]
            body = pikepdf.unparse_content_stream(renamed)
            stream = b"q 1 0 0 1 %.4f %.4f cm\n" % (dx, dy) + body + b"\nQ\n"
            if spec.over:
                page.contents_coalesce()
                page.contents_add(pikepdf.Stream(doc, b"q\n"), prepend=True)
                page.contents_add(pikepdf.Stream(doc, b"\nQ\n" + stream))
            else:
                page.contents_add(pikepdf.Stream(doc, stream), prepend=True)
        doc.save(out)
    return out


def _marks(width: float, height: float, trim: tuple[float, float, float, float]) -> bytes:
    """Crop marks (トンボ) at the four corners, centre marks on each side and registration targets, all
    outside the trim, in registration black (all inks), 0.3 pt: what a prepress export draws."""
    x0, y0, x1, y1 = trim
    reach = 10 * MM  # how far a mark runs out from the bleed
    ops = ["q 0.3 w 0 0 0 1 K"]
    for cx, sx in ((x0, -1), (x1, 1)):
        for cy, sy in ((y0, -1), (y1, 1)):
            for offset in (0.0, BLEED):  # the trim mark and the bleed mark beside it
                # horizontal arm at the trim (then bleed) line, outside the bleed horizontally
                ops.append(f"{cx + sx * BLEED:.3f} {cy + sy * offset:.3f} m "
                           f"{cx + sx * (BLEED + reach):.3f} {cy + sy * offset:.3f} l S")
                ops.append(f"{cx + sx * offset:.3f} {cy + sy * BLEED:.3f} m "
                           f"{cx + sx * offset:.3f} {cy + sy * (BLEED + reach):.3f} l S")
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    radius = 2.5 * MM
    for px, py, horizontal in ((mx, y1 + BLEED + 6 * MM, True), (mx, y0 - BLEED - 6 * MM, True),
                               (x0 - BLEED - 6 * MM, my, False), (x1 + BLEED + 6 * MM, my, False)):
        # a centre mark: a long line across the target and a circle with a crosshair
        if horizontal:
            ops.append(f"{px - 15 * MM:.3f} {py:.3f} m {px + 15 * MM:.3f} {py:.3f} l S")
        else:
            ops.append(f"{px:.3f} {py - 15 * MM:.3f} m {px:.3f} {py + 15 * MM:.3f} l S")
        ops.append(f"{px - 2 * radius:.3f} {py:.3f} m {px + 2 * radius:.3f} {py:.3f} l S")
        ops.append(f"{px:.3f} {py - 2 * radius:.3f} m {px:.3f} {py + 2 * radius:.3f} l S")
        k = 0.5523 * radius  # a circle from four Bézier quarters
        ops.append(f"{px + radius:.3f} {py:.3f} m "
                   f"{px + radius:.3f} {py + k:.3f} {px + k:.3f} {py + radius:.3f} {px:.3f} {py + radius:.3f} c "
                   f"{px - k:.3f} {py + radius:.3f} {px - radius:.3f} {py + k:.3f} {px - radius:.3f} {py:.3f} c "
                   f"{px - radius:.3f} {py - k:.3f} {px - k:.3f} {py - radius:.3f} {px:.3f} {py - radius:.3f} c "
                   f"{px + k:.3f} {py - radius:.3f} {px + radius:.3f} {py - k:.3f} {px + radius:.3f} {py:.3f} c S")
    # a grey-scale control strip along the top edge, outside the marks
    for i in range(8):
        ops.append(f"{i / 7:.3f} g {x0 + i * 8 * MM:.3f} {height - 8 * MM:.3f} {8 * MM:.3f} {4 * MM:.3f} re f")
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode()


def press_ready(pdf: Path, out: Path, sheet: tuple[float, float] = B4) -> Path:
    """Every page centred on a `sheet` (B4) with crop and registration marks, TrimBox and BleedBox set. The
    page's content is moved by a ``cm`` prepended to its own content stream (no Form XObject)."""
    width, height = sheet
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            box = [float(v) for v in page.mediabox]
            w, h = box[2] - box[0], box[3] - box[1]
            dx, dy = (width - w) / 2 - box[0], (height - h) / 2 - box[1]
            page.contents_coalesce()
            page.contents_add(pikepdf.Stream(doc, b"q 1 0 0 1 %.4f %.4f cm\n" % (dx, dy)), prepend=True)
            trim = ((width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2)
            page.contents_add(pikepdf.Stream(doc, b"\nQ\n" + _marks(width, height, trim)))
            page.obj.MediaBox = pikepdf.Array([0, 0, width, height])
            if Name.CropBox in page.obj:
                del page.obj[Name.CropBox]
            page.obj.TrimBox = pikepdf.Array(list(trim))
            page.obj.BleedBox = pikepdf.Array([trim[0] - BLEED, trim[1] - BLEED, trim[2] + BLEED, trim[3] + BLEED])
        doc.save(out)
    return out


def two_up(pdf: Path, out: Path) -> Path:
    """Pages 1+2, 3+4, … side by side on landscape sheets twice a page's width, each page drawn as a Form
    XObject (pikepdf's overlay, as pdfjam / pdfpages place pages)."""
    with pikepdf.open(pdf) as source, pikepdf.new() as doc:
        pages = list(source.pages)
        box = [float(v) for v in pages[0].mediabox]
        w, h = box[2] - box[0], box[3] - box[1]
        for first in range(0, len(pages), 2):
            sheet = doc.add_blank_page(page_size=(2 * w, h))
            for slot, page in enumerate(pages[first:first + 2]):
                sheet.add_overlay(page, pikepdf.Rectangle(slot * w, 0, (slot + 1) * w, h))
        doc.save(out)
    return out
