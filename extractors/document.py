"""The plan PDF opened once: checked, bounded, with chapter VI's pages found, handed down to the readers.

Before, a build opened the file four times (the input check, the bounds check, the page reader, and each
worker); now the input check (pipeline/inputs.py) opens it once, from the bytes it has read, and gives this
object to the extract stage: the pdfplumber document and its page list, what each page costs, and where
chapter VI is (extractors/chapter.py). Worker processes open the file once each (pdfplumber's objects do
not cross processes); the camelot cross-check opens it once, in its own stage.

The order matters for bounded work: every page is first held to the bounds of what pdfium may read
(`SCAN_BOUNDS`, checked by counting in the content streams), pdfium then reads every page's text to find the
chapter, and only the chapter's pages are held to what pdfplumber may read (`READ_BOUNDS`): a vision's map
and chart pages are never given to pdfminer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from extractors.chapter import Chapter, locate, page_texts
from extractors.members import MemberTable, member_tables
from extractors.pdfguard import (READ_BOUNDS, SCAN_BOUNDS, PdfReadError, check_cost, check_pages, check_total,
                                 guarded_document)

NO_TEXT = "the PDF has no text layer (an image-only scan?); OCR is not supported yet"


@dataclass
class Document:
    """An opened, checked PDF. ``chapter`` is None when the whole file is read (the excerpt)."""

    path: Path
    pdf: object  # pdfplumber.PDF
    pages: list  # pdfplumber pages, every page of the file
    chapter: Chapter | None = None
    costs: dict[int, tuple[int, int]] = field(default_factory=dict)
    sha256: str = ""  # of the bytes read, so that the file is not read again to hash it
    members: list[MemberTable] = field(default_factory=list)  # the member tables printed outside chapter VI
    closed: bool = False

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def read_numbers(self) -> list[int]:
        """The 1-based pages pdfplumber reads: the chapter's, or every page."""
        return self.chapter.pages if self.chapter is not None else [p.page_number for p in self.pages]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close_pdf(self.pdf, self.pages)


def close_pdf(pdf, pages=()) -> None:
    """Close a pdfplumber PDF once, without its ``close()``: that deletes the page list and builds it again
    (pdfminer parses the page tree anew) before closing the stream, so on a damaged page tree it reads the
    file again, and called a second time it fails with ``seek of closed file`` (issue 18)."""
    for page in pages:
        try:
            page.close()
        except Exception:  # a page's caches only; nothing to report while closing
            pass
    try:
        pdf.stream.close()
    except Exception:
        pass


def prepare(path: Path, data: bytes, pdf, pages: list, find_chapter: bool = True) -> Document:
    """The `Document` of an opened PDF (``pages``: pdfplumber's list, every page), bounded and, with
    ``find_chapter``, with chapter VI located; raises `PdfReadError` (`NoChapter` among them)."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not find_chapter:
        costs = check_pages(pages, page_obj=lambda p: p.page_obj, number=lambda p: p.page_number)
        return Document(Path(path), pdf, pages, None, costs, sha256)
    costs = check_pages(pages, page_obj=lambda p: p.page_obj, number=lambda p: p.page_number, bounds=SCAN_BOUNDS)
    with guarded_document():
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            texts = page_texts(document)
        finally:
            document.close()
    if len(texts) != len(pages):
        raise PdfReadError(f"pdfium reads {len(texts)} pages where pdfminer reads {len(pages)}: the PDF is damaged")
    if not any(t.strip() for t in texts):
        raise PdfReadError(NO_TEXT)
    chapter = locate(texts)
    for n in chapter.pages:
        check_cost(costs[n], n, READ_BOUNDS)
    check_total(((n, costs[n]) for n in chapter.pages), READ_BOUNDS, "chapter VI")
    return Document(Path(path), pdf, pages, chapter, costs, sha256, member_tables(texts, chapter))
