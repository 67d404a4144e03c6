"""Real PDFs that are not the plan (tests/corpus.py: the test files of camelot, pdfminer and pypdf, ~260
files from scanners, office suites, TeX, browsers, broken and encrypted ones): each is refused by `renkei
build` in one line that names the file and the reason, exit 2, no traceback, nothing written.

`make test` fetches the corpus first (`make corpus`); without it this test fails, it does not skip."""

from __future__ import annotations

import collections
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus import PACKAGES, corpus_pdfs

CORPUS = ROOT / ".corpus"
# What a refusal of a file that is not the plan says (pipeline/inputs.py, extractors/pdfguard.py,
# extractors/chapter.py), one of these in every line.
REASONS = {
    "no chapter VI": "no chapter VI",
    "not a PDF": "not a PDF",
    "empty": "empty",
    "truncated": "truncated",
    "password": "password-protected",
    "no text layer": "no text layer",
    "damaged": "damaged",
    "cannot be read": "cannot be read",
    "no pages": "has no pages",
    "cannot be decoded": "cannot be decoded",
    "over the bounds": "not a plan",
    "OCR": "the text is an OCR layer",  # a scan with an OCR text layer (extractors/ocrlayer.py)
}
# Seconds one refusal may take (a build of the plan takes ~2 s; the bounds refuse what would take longer).
TIMEOUT = 120


def _refuse(pdf: Path, out: Path) -> tuple[Path, int, str, bool]:
    try:
        run = subprocess.run([sys.executable, "-m", "pipeline", "build", "--pdf", str(pdf), "--out", str(out)],
                             capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return pdf, -1, f"still running after {TIMEOUT} s", out.exists()
    return pdf, run.returncode, run.stderr + run.stdout, out.exists()


@pytest.mark.slow
def test_every_pdf_that_is_not_the_plan_is_refused_in_one_line(tmp_path):
    pdfs = corpus_pdfs(CORPUS)
    assert len(pdfs) >= 200, f"{CORPUS} holds {len(pdfs)} PDFs: run `make corpus` (`make test` does)"
    assert {p.relative_to(CORPUS / "pdfs").parts[0] for p in pdfs} == set(PACKAGES)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda ip: _refuse(ip[1], tmp_path / f"out{ip[0]}"), enumerate(pdfs)))
    problems, reasons = [], collections.Counter()
    for pdf, code, output, wrote in results:
        name = str(pdf.relative_to(CORPUS))
        lines = output.splitlines()
        said = [reason for reason, words in REASONS.items() if words in output]
        if code != 2 or len(lines) != 1 or "Traceback" in output or wrote or not said \
                or not lines[0].startswith(f"error: {pdf}"):
            problems.append(f"{name}: exit {code}, {'wrote' if wrote else 'nothing written'}: {output[-300:]!r}")
        else:
            reasons[said[0]] += 1
    assert not problems, "\n".join(problems)
    # Most are no plan at all; the corpus also holds encrypted, empty-text and damaged files.
    assert reasons["no chapter VI"] > len(pdfs) / 2, reasons
    assert len(reasons) >= 3, reasons
