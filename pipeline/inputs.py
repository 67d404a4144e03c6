"""Input checks: refuse what cannot be the plan with one clear sentence, before any work is done."""

from __future__ import annotations

from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300


class InputError(Exception):
    """Bad input: the message is one line naming the file and what is wrong with it."""


def check_pdf(path: Path, max_bytes: int = MAX_FILE_BYTES, max_pages: int = MAX_PAGES) -> int:
    """Check that path is a readable, unencrypted PDF within the limits; return its page count.

    The text-layer check happens during extraction (see `require_text_layer`), so that no page is
    parsed twice.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    if size > max_bytes:
        raise InputError(f"{path}: {size:,} bytes is over the {max_bytes:,}-byte limit")
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise InputError(f"{path}: not a PDF (no %PDF- header)")

    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            if pages == 0:
                raise InputError(f"{path}: the PDF has no pages")
            if pages > max_pages:
                raise InputError(f"{path}: {pages} pages is over the {max_pages}-page limit")
    except InputError:
        raise
    except PDFPasswordIncorrect:
        raise InputError(f"{path}: the PDF is password-protected") from None
    except PDFSyntaxError as error:
        raise InputError(f"{path}: not a readable PDF ({error})") from None
    except Exception as error:  # pdfminer raises many kinds on damaged files
        name = type(error).__name__
        if "Password" in name or "Encrypt" in name:
            raise InputError(f"{path}: the PDF is password-protected") from None
        raise InputError(f"{path}: the PDF is damaged or truncated ({name}: {error})") from None
    return pages


def require_text_layer(path: Path, char_count: int) -> None:
    if char_count == 0:
        raise InputError(f"{path}: the PDF has no text layer (an image-only scan?); OCR is not supported yet")
