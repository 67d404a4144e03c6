"""Input checks: refuse what cannot be the plan with one clear sentence, before any work is done.

Every refusal is an `InputError` whose message is one line naming the file and what is wrong with it;
the CLI prints it and exits 2. What is checked, in order: the file exists and is not empty, is within the
size limit, starts like a PDF (``%PDF-``), ends like one (``%%EOF`` near the end, else it was cut short),
opens without a password, has at least one page and no more than the page limit. Whether it has a text
layer is known only once its pages have been read (`require_text_layer`).

The limits (`MAX_FILE_BYTES`, `MAX_PAGES`) guard against feeding the pipeline something far larger than a
plan chapter by mistake; `limits()` raises or lowers them for one run (the CLI's ``--max-mb`` and
``--max-pages``).
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from extractors.document import Document

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
# A PDF ends with %%EOF; some writers append a newline or a few bytes of padding after it.
EOF_WINDOW = 1024


class InputError(Exception):
    """Bad input: the message is one line naming the file and what is wrong with it."""


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Around reading a PDF's pages: the extractors' `PdfReadError` (a page that cannot be read, damage
    pdfminer skipped over, a bound exceeded; see extractors/pdfguard.py) becomes an InputError naming the
    file. The original exception stays chained for RENKEI_DEBUG=1."""
    from extractors.pdfguard import PdfReadError

    try:
        yield
    except PdfReadError as error:
        raise InputError(f"{path}: {error}") from error


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_FILE_BYTES
    max_pages: int = MAX_PAGES


_LIMITS: ContextVar[Limits] = ContextVar("renkei_input_limits", default=Limits())


@contextlib.contextmanager
def limits(max_bytes: int | None = None, max_pages: int | None = None) -> Iterator[Limits]:
    """Use other limits inside the with block (None keeps the current one)."""
    current = _LIMITS.get()
    new = Limits(current.max_bytes if max_bytes is None else int(max_bytes),
                  current.max_pages if max_pages is None else int(max_pages))
    if new.max_bytes < 1 or new.max_pages < 1:
        raise ValueError(f"limits must be positive: {new}")
    token = _LIMITS.set(new)
    try:
        yield new
    finally:
        _LIMITS.reset(token)


def current_limits() -> Limits:
    return _LIMITS.get()


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.2f}".rstrip("0").rstrip(".") + " MB"


def _is_password_error(error: BaseException) -> bool:
    """pdfminer's PDFPasswordIncorrect / PDFEncryptionError, also when pdfplumber wraps them."""
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        e = stack.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        name = type(e).__name__
        if "Password" in name or "Encrypt" in name:
            return True
        stack += [*e.args, e.__cause__, e.__context__]
    return False


def _describe(error: BaseException) -> str:
    inner = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    text = " ".join(str(inner).split())
    return f"{type(inner).__name__}: {text}" if text else type(inner).__name__


def _check_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once it exists, is within the size limit and looks like a whole PDF."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    if size > max_bytes:
        raise InputError(f"{path}: the file is {_megabytes(size)}, over the {_megabytes(max_bytes)} limit "
                         "(raise it with --max-mb)")
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{path}: not a PDF (no %PDF- header)")
    if b"%%EOF" not in data[max(0, len(data) - EOF_WINDOW):]:
        raise InputError(f"{path}: the PDF is truncated (it does not end with %%EOF): an incomplete "
                         "download or copy?")
    return data


@contextlib.contextmanager
def open_pdf(path: Path, max_bytes: int | None = None, max_pages: int | None = None,
             chapter: bool = True) -> Iterator["Document"]:
    """The PDF opened once, checked and bounded (`extractors.document.Document`), for the readers.

    Checked in order: the file exists and is not empty, is within the size limit, starts and ends like a
    PDF, no stream is a decompression bomb, it opens without a password, pdfminer reads its structure
    without complaint, it has pages and no more than the page limit, no content stream is damaged, and its
    pages are within the readers' bounds. With ``chapter`` (the plan), chapter VI is located
    (extractors/chapter.py): a PDF without it is refused here, naming what it holds. Pages to be read
    that are a scan with an OCR text layer are refused (`refuse_ocr`). The text layer's
    quality is known only once the chapter's pages have been read (`require_text_layer`).
    """
    import io

    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    from extractors.chapter import NoChapter
    from extractors.document import close_pdf, prepare
    from extractors.pdfguard import damaged_streams_error, content_streams, pdfminer_warnings, scan_streams

    path = Path(path)
    current = _LIMITS.get()
    max_bytes = current.max_bytes if max_bytes is None else max_bytes
    max_pages = current.max_pages if max_pages is None else max_pages
    data = _check_file(path, max_bytes)
    with reading(path):
        damaged = scan_streams(data)
    pdf = pages = None
    try:
        with pdfminer_warnings() as warnings:
            pdf = pdfplumber.open(io.BytesIO(data))
            pages = pdf.pages
            if warnings:
                raise InputError(f"{path}: pdfminer could not read parts of the document structure "
                                 f"({warnings[0]}): the PDF is damaged")
            if not pages:
                raise InputError(f"{path}: the PDF has no pages")
            if len(pages) > max_pages:
                raise InputError(f"{path}: the PDF has {len(pages)} pages, over the {max_pages}-page limit "
                                 "(raise it with --max-pages)")
            # Encrypted streams do not inflate before decryption: only a plain file's can be judged.
            if damaged and not getattr(pdf.doc, "encryption", None):
                with reading(path):
                    raise damaged_streams_error(damaged, content_streams(pages))
        with reading(path):
            try:
                document = prepare(path, data, pdf, pages, find_chapter=chapter)
            except NoChapter:  # a scanned plan's OCR text need not read as the chapter: say it is OCR
                refuse_ocr(path, data, pages, range(1, len(pages) + 1), "the PDF", most=True)
                raise
            refuse_ocr(path, data, pages, document.read_numbers, "the PDF" if document.chapter is None
                       else "chapter VI")
    except InputError:
        if pdf is not None:
            close_pdf(pdf, pages or ())
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged files; pdfplumber wraps them
        if pdf is not None:
            close_pdf(pdf, pages or ())
        if _is_password_error(error):
            raise InputError(f"{path}: the PDF is password-protected (encrypted); "
                             "save an unprotected copy first") from None
        if isinstance(error, PDFSyntaxError):
            raise InputError(f"{path}: not a readable PDF ({_describe(error)})") from None
        raise InputError(f"{path}: the PDF is damaged or truncated ({_describe(error)})") from None
    try:
        yield document
    finally:
        document.close()


def check_pdf(path: Path, max_bytes: int | None = None, max_pages: int | None = None,
              chapter: bool = False) -> int:
    """Check path as `open_pdf` does and close it again; return its page count (the readers that open the
    file themselves: the excerpt's, camelot)."""
    with open_pdf(path, max_bytes, max_pages, chapter=chapter) as document:
        return document.page_count


def refuse_ocr(path: Path, data: bytes, pages: list, numbers, what: str, most: bool = False) -> None:
    """Refuse a PDF whose pages ``numbers`` (1-based; of pdfplumber's ``pages``) include a scan with an OCR
    text layer (extractors/ocrlayer.py): its text is the recogniser's guess, and data read from it would be
    wrong with exit 0. With ``most``, only when such pages are at least half of ``numbers``: for a PDF
    without chapter VI, whose refusal otherwise names its headings. ``what`` names the pages in the message.
    Cheap on printed pages: only pages that draw an image XObject are opened in pdfium."""
    from extractors.ocrlayer import drawn_images, ocr_pages, ocr_refusal
    from extractors.pdfguard import guarded_document

    numbers = list(numbers)
    half = (len(numbers) + 1) // 2
    with reading(path), guarded_document():
        found = ocr_pages(data, numbers, {n: drawn_images(pages[n - 1].page_obj) for n in numbers},
                          enough=half if most else None)
    if most and len(found) < half:
        return
    message = ocr_refusal(found, numbers, what, at_least=most)
    if message:
        raise InputError(f"{path}: {message}")


# More undecodable glyphs than this share of the text layer means the text cannot be trusted.
MAX_UNDECODED_SHARE = 0.05


def require_text_layer(path: Path, char_count: int, undecoded: int = 0) -> None:
    """Refuse a PDF without a usable text layer: none at all (a scan), or one whose fonts give no Unicode
    for their glyphs (pdfminer writes those as "(cid:123)")."""
    if char_count == 0:
        raise InputError(f"{path}: the PDF has no text layer (an image-only scan?); OCR is not supported yet")
    if undecoded > MAX_UNDECODED_SHARE * char_count:
        raise InputError(f"{path}: {undecoded} of {char_count} characters of the text layer cannot be decoded "
                         "(fonts without a Unicode mapping); OCR is not supported yet")
