"""PDF pages and cell crops as images (PDFium through pypdfium2, encoded by Pillow).

Format and resolution were chosen by measuring chapter VI (docs/review.md): at 2× (144 dpi) a table page is
1191 × 1684 px; as a 32-colour palette PNG it weighs 120–145 KB with crisp text, where JPEG needs 230–300 KB
for visibly blurred glyphs and a full-colour PNG 530 KB. A page that does not fit ``PAGE_BOUND`` at that
scale (a photo, a dense chart) is rendered again at a smaller scale until it does; the review fails loudly
rather than write a page over the bound. Same PDF, same bytes: PDFium's rendering and Pillow's median-cut
quantizer and PNG encoder are deterministic.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_BOUND = 400 * 1024  # bytes per page image, printed by `renkei review` and tested
SCALES = (2.0, 1.5, 1.25, 1.0)  # pixels per PDF point, tried in order until a page fits PAGE_BOUND
COLOURS = 32
CROP_SCALE = 2.0
CROP_PAD = 1.5  # PDF points around a cropped cell, so its rules show


@dataclass(frozen=True)
class PageImage:
    png: bytes
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    scale: float


class PageTooLarge(ValueError):
    """A page whose image exceeds PAGE_BOUND at every scale tried."""


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").quantize(COLOURS).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


class Renderer:
    """One open PDF; pages rendered on demand and kept (a diff crops several cells of one page)."""

    def __init__(self, pdf: Path) -> None:
        import pypdfium2 as pdfium

        self.pdf = pdfium.PdfDocument(str(pdf))
        self._bitmaps: dict[tuple[int, float], object] = {}

    def close(self) -> None:
        self._bitmaps.clear()
        self.pdf.close()

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _page(self, page: int):
        """The 1-based ``page``, its CropBox widened to its MediaBox (in memory only): pdfplumber measures
        every glyph on the MediaBox (origin top-left, /Rotate applied), PDFium draws the CropBox; drawing the
        MediaBox makes the two agree, also on a page with an offset CropBox or a rotation (tested)."""
        handle = self.pdf[page - 1]
        handle.set_cropbox(*handle.get_mediabox())
        return handle

    def size(self, page: int) -> tuple[float, float]:
        """(width, height) of the 1-based ``page`` in PDF points, as displayed."""
        return tuple(self._page(page).get_size())  # type: ignore[return-value]

    def bitmap(self, page: int, scale: float):
        """The 1-based ``page`` as a PIL image at ``scale`` pixels per point."""
        key = (page, scale)
        if key not in self._bitmaps:
            self._bitmaps[key] = self._page(page).render(scale=scale).to_pil().convert("RGB")
        return self._bitmaps[key]

    def page(self, page: int, bound: int = PAGE_BOUND) -> PageImage:
        """The page as a palette PNG within ``bound`` bytes, at the largest of `SCALES` that fits."""
        width_pt, height_pt = self.size(page)
        for scale in SCALES:
            image = self.bitmap(page, scale)
            png = _png(image)
            self._bitmaps.pop((page, scale), None)
            if len(png) <= bound:
                return PageImage(png, image.width, image.height, width_pt, height_pt, scale)
        raise PageTooLarge(f"page {page}: its image exceeds {bound // 1024} KB even at {SCALES[-1]}× "
                           f"({len(png) // 1024} KB)")

    def crop(self, page: int, x0: float, top: float, x1: float, bottom: float, pad: float = CROP_PAD) -> bytes:
        """The region (PDF points, origin top-left) of the 1-based ``page`` as a palette PNG."""
        width_pt, height_pt = self.size(page)
        image = self.bitmap(page, CROP_SCALE)
        left, upper = max(0.0, x0 - pad), max(0.0, top - pad)
        right, lower = min(width_pt, x1 + pad), min(height_pt, bottom + pad)
        box = tuple(round(v * CROP_SCALE) for v in (left, upper, right, lower))
        return _png(image.crop(box))


def _render_page(pdf: Path, page: int, bound: int) -> PageImage | Exception:
    """`Renderer.page` of one page with the PDF opened for it; the error it raised is returned, so that the
    caller raises it in page order (a page image is ~0.3 s of quantizing and PNG encoding: the pages are
    made by worker processes, see `render_pages`)."""
    try:
        with Renderer(pdf) as renderer:
            return renderer.page(page, bound)
    except Exception as error:  # handed back and raised by the caller, at this page's turn
        return error


def render_pages(jobs: Sequence[tuple[Path, int]], bound: int = PAGE_BOUND) -> list[PageImage | Exception]:
    """Each (PDF, 1-based page)'s `Renderer.page` image, or the error it raised, in the order given.

    Made by worker processes when there are enough pages and CPUs (the readers' rule,
    `extractors.workers.workers`; ``RENKEI_WORKERS=1`` makes them here). A page's image depends on that page
    and the PDF alone (PDFium renders it, Pillow quantizes and encodes it), so the bytes are the same
    whichever process makes them."""
    from extractors.workers import worker_pool, workers

    count = workers(len(jobs))
    if count < 2:
        return [_render_page(pdf, page, bound) for pdf, page in jobs]
    with worker_pool(count) as executor:
        return list(executor.map(_render_page, [pdf for pdf, _ in jobs], [page for _, page in jobs],
                                 [bound] * len(jobs)))
