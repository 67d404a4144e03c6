"""Real PDF producers, driven from the tests: the same content printed or re-saved by other programs.

Printers take an HTML or DOCX document and write a PDF (Chromium's print to PDF, WeasyPrint, LibreOffice);
re-savers take a PDF and write another (Ghostscript pdfwrite, poppler's pdftocairo, qpdf, pikepdf). Each
is a plain function ``(source, out) -> out``. `missing()` names the programs that are not installed, so a
test can fail with the install command instead of skipping (the README's `make test` installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 300
PROGRAMS = {"chromium": "chromium", "soffice": "libreoffice-writer-nogui", "gs": "ghostscript",
            "pdftocairo": "poppler-utils", "qpdf": "qpdf", "fc-list": "fontconfig",
            "wkhtmltopdf": "wkhtmltopdf"}
FONTS = {"Noto Sans CJK JP": "fonts-noto-cjk", "Noto Serif CJK JP": "fonts-noto-cjk",
         "IPAexMincho": "fonts-ipaexfont-mincho", "IPAexGothic": "fonts-ipaexfont-gothic",
         "IPAMincho": "fonts-ipafont-mincho"}
# OCR software (tests/test_ocr_input.py: a scanned plan with an OCR text layer, which a build refuses).
PROGRAMS["ocrmypdf"] = "ocrmypdf"
PROGRAMS["tesseract"] = "tesseract-ocr"


def missing() -> list[str]:
    """Debian packages whose programs or fonts the producer matrix needs and this machine lacks."""
    import ctypes.util

    packages = [pkg for prog, pkg in PROGRAMS.items() if shutil.which(prog) is None]
    if ctypes.util.find_library("pangoft2-1.0") is None:  # WeasyPrint's text layout
        packages.append("libpangoft2-1.0-0")
    if shutil.which("fc-list"):
        families = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
        packages += [pkg for family, pkg in FONTS.items() if family not in families]
    if shutil.which("tesseract") and "jpn" not in _tesseract_languages():
        packages.append("tesseract-ocr-jpn")
    return sorted(set(packages))


def _tesseract_languages() -> list[str]:
    """The languages tesseract has trained data for (``tesseract --list-langs``: a heading line, then one a line)."""
    result = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return result.stdout.split()


def _run(cmd: list[str], **kwargs) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()[-500:]}")


# -- printers ----------------------------------------------------------------------------------------
def chromium(html: str, out: Path) -> Path:
    """Chromium's print to PDF (Skia). The CSS @page size and margin boxes are honoured."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.html"
        source.write_text(html, encoding="utf-8")
        _run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", f"--print-to-pdf={out}",
              source.as_uri()], env={**os.environ, "HOME": tmp})
    return out


def wkhtmltopdf(html: str, out: Path, paper: str = "A4") -> Path:
    """wkhtmltopdf: WebKit (Qt) printing, with its own page breaking and font embedding. Qt's printer
    ignores the CSS @page rule: the paper (``--page-size``: A4, B5 = ISO B5, …) and margins come from the
    command line, as its users set them."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.html"
        source.write_text(html, encoding="utf-8")
        _run(["wkhtmltopdf", "--quiet", "--encoding", "utf-8", "--disable-javascript", "--disable-local-file-access",
              "--page-size", paper,
              "--margin-top", "18mm", "--margin-bottom", "18mm", "--margin-left", "18mm", "--margin-right", "18mm",
              str(source), str(out)], env={**os.environ, "HOME": tmp, "QT_QPA_PLATFORM": "offscreen"})
    return out


def weasyprint(html: str, out: Path) -> Path:
    """WeasyPrint (pango/harfbuzz, pydyf): another HTML engine with its own font subsetting."""
    from weasyprint import HTML

    HTML(string=html).write_pdf(out)
    return out


def libreoffice(document: Path, out: Path) -> Path:
    """LibreOffice Writer's PDF export of a DOCX or HTML document (the way the real plan was made)."""
    with tempfile.TemporaryDirectory() as tmp:
        _run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
              "pdf:writer_pdf_Export", "--outdir", tmp, str(document)], env={**os.environ, "HOME": tmp})
        produced = Path(tmp) / (Path(document).stem + ".pdf")
        shutil.move(produced, out)
    return out


# -- re-savers ---------------------------------------------------------------------------------------
def ghostscript(pdf: Path, out: Path) -> Path:
    """Re-distilled by Ghostscript's pdfwrite (what "optimise"/"reduce size" tools and print servers do)."""
    _run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={out}", str(pdf)])
    return out


def cairo(pdf: Path, out: Path) -> Path:
    """Re-printed through cairo (poppler's pdftocairo -pdf): what GTK "print to file" produces."""
    _run(["pdftocairo", "-pdf", str(pdf), str(out)])
    return out


def qpdf(pdf: Path, out: Path) -> Path:
    """Linearised ("fast web view") with object streams: the same content in another file structure."""
    _run(["qpdf", "--linearize", "--object-streams=generate", str(pdf), str(out)])
    return out


def pikepdf_resave(pdf: Path, out: Path) -> Path:
    """Re-saved by pikepdf with compressed content streams normalised."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        doc.save(out, normalize_content=True, compress_streams=True)
    return out


# -- OCR ---------------------------------------------------------------------------------------------
def ocrmypdf(pdf: Path, out: Path) -> Path:
    """A scanned (image-only) PDF OCRed by ocrmypdf with tesseract's Japanese model: each page the scan
    with the recognised text in an invisible layer (render mode 3, GlyphLessFont) under it."""
    with tempfile.TemporaryDirectory() as tmp:
        _run(["ocrmypdf", "--quiet", "-l", "jpn", "--output-type", "pdf", "--optimize", "0", "--jobs", "1",
              str(pdf), str(out)], env={**os.environ, "HOME": tmp, "TMPDIR": tmp})
    return out
