"""Bad input: `python -m pipeline build` says what is wrong with which file in one line on stderr, exits
non-zero without a traceback, and leaves an existing output directory exactly as it was (the output folder
rules themselves: tests/test_out_safety.py)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from pipeline.stages.build import build
from tests.conftest import RAW, ROOT
from tests.printers.content import content_from_build
from tests.printers.layout import Style, print_plan


def _image_only_pdf(path: Path) -> Path:
    """A 'scan': two pages that are nothing but a picture of a table."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 850), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 700, 40):
        draw.line([(50, y), (550, y)], fill=0, width=2)
    draw.text((60, 110), "No. 1", fill=0)
    png = path.with_suffix(".png")
    image.save(png)
    c = canvas.Canvas(str(path))
    for _ in range(2):
        c.drawImage(str(png), 0, 0, 595, 842)
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def small_plan(plan_build, tmp_path_factory) -> Path:
    """Two projects of the plan printed on two pages (a heading break keeps them apart)."""
    content = content_from_build(plan_build).select([1, 2])
    return print_plan(content, tmp_path_factory.mktemp("small") / "small_plan.pdf", Style(heading_breaks={2}))


@pytest.fixture(scope="module")
def bad_inputs(small_plan, tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    files = {}
    files["not-a-pdf"] = d / "notes.pdf"
    files["not-a-pdf"].write_text("議事録\n令和6年度 第1回\n", encoding="utf-8")
    files["empty"] = d / "empty.pdf"
    files["empty"].write_bytes(b"")
    data = small_plan.read_bytes()
    files["truncated"] = d / "truncated.pdf"
    files["truncated"].write_bytes(data[: len(data) * 2 // 3])
    files["password"] = d / "locked.pdf"
    c = canvas.Canvas(str(files["password"]), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(72, 720, "No. 1")
    c.save()
    files["image-only"] = _image_only_pdf(d / "scan.pdf")
    # Text whose font gives no Unicode (an unknown CID character collection): pdfminer reads "(cid:123)".
    assert data.count(b"(Japan1)") >= 1
    files["undecodable-text"] = d / "undecodable.pdf"
    files["undecodable-text"].write_bytes(data.replace(b"(Japan1)", b"(Japan9)"))
    files["other-document"] = RAW / "overview.pdf"
    # The kinds pdfplumber's own test corpus (tests/pdfs of its repository) holds besides those above: a
    # PDF whose page tree is empty, and an English report with ruled rows but no vertical rules (11 of that
    # corpus once failed inside pdfplumber's table finder instead of naming the reason).
    files["no-pages"] = d / "no-pages.pdf"
    pikepdf.new().save(files["no-pages"])
    files["english-report"] = d / "report.pdf"
    c = canvas.Canvas(str(files["english-report"]))
    for page in range(2):
        c.drawString(72, 760, f"QUARTERLY EXPENDITURE REPORT, page {page + 1}")
        for row in range(12):
            y = 720 - 24 * row
            c.drawString(80, y + 6, f"Item {row + 1}    {1000 * (row + 1):,} USD")
            c.line(72, y, 520, y)
        c.showPage()
    c.save()
    return files


EXPECTED = {  # what the one line must say, besides the file name
    "not-a-pdf": "not a PDF",
    "empty": "empty",
    "truncated": "truncated",
    "password": "password-protected",
    "image-only": "no text layer",
    "undecodable-text": "cannot be decoded",
    "other-document": "no chapter VI",
    "no-pages": "has no pages",
    "english-report": "no chapter VI",
}


def _snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(directory.rglob("*"))}


@pytest.fixture
def existing_out(plan_build, tmp_path) -> Path:
    """An output directory from an earlier build, which a failed build must leave alone."""
    out = tmp_path / "build" / "out"
    shutil.copytree(plan_build.path, out)
    (out / "notes").mkdir()
    (out / "notes" / "kept.txt").write_text("left by the user\n", encoding="utf-8")
    return out


def _run_build(pdf: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """`python -m pipeline build …`, in-process (the CLI's own main, with stdout and stderr captured): the
    fuzz test and test_end_to_end run the real subprocess."""
    from pipeline.cli import main

    argv = ["build", "--pdf", str(pdf), "--out", str(out), *extra]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())


def _assert_refused(result: subprocess.CompletedProcess, pdf: Path, words: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert str(pdf) in line and words in line, line
    return line


def _assert_untouched(out: Path, before: dict[str, str]) -> None:
    assert _snapshot(out) == before
    leftovers = [p.name for p in out.parent.iterdir() if p.name != out.name]
    assert leftovers == [], leftovers  # no staging directory left behind


@pytest.mark.parametrize("case", list(EXPECTED))
def test_bad_input_is_refused_in_one_line(bad_inputs, existing_out, case):
    before = _snapshot(existing_out)
    pdf = bad_inputs[case]
    result = _run_build(pdf, existing_out)
    line = _assert_refused(result, pdf, EXPECTED[case])
    _assert_untouched(existing_out, before)
    if case == "other-document":  # refused when opened (no chapter VI in it): nothing was read, nothing kept
        from pipeline.stages.builddir import failed_stages_folder

        assert "its headings are" in line or "it opens with" in line, line
        assert not failed_stages_folder(existing_out).exists()


def test_excerpt_of_another_document_is_refused(small_plan, existing_out, tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    minutes = tmp_path / "minutes.pdf"
    c = canvas.Canvas(str(minutes))
    c.setFont("HeiseiMin-W3", 11)
    for i, line in enumerate(["令和6年度 第1回 連携推進会議 議事録", "出席者 12名", "議題 1 事業の進捗について"]):
        c.drawString(72, 760 - 20 * i, line)
    c.save()
    before = _snapshot(existing_out)
    result = _run_build(small_plan, existing_out, "--overview", str(minutes))
    _assert_refused(result, Path(minutes.name), "no excerpt table")
    _assert_untouched(existing_out, before)


def test_page_limit(small_plan, existing_out):
    before = _snapshot(existing_out)
    result = _run_build(small_plan, existing_out, "--max-pages", "1")
    _assert_refused(result, small_plan, "over the 1-page limit")
    _assert_untouched(existing_out, before)


def test_size_limit(small_plan, existing_out):
    before = _snapshot(existing_out)
    result = _run_build(small_plan, existing_out, "--max-mb", "0.001")
    _assert_refused(result, small_plan, "MB limit")
    _assert_untouched(existing_out, before)


def test_limits_at_the_size_of_the_input_pass_and_a_good_build_replaces_the_output(small_plan, existing_out):
    result = _run_build(small_plan, existing_out, "--max-pages", "2", "--max-mb", "5")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Only the build's own files are swapped: the user's notes beside them stay.
    assert (existing_out / "notes" / "kept.txt").read_text(encoding="utf-8") == "left by the user\n"
    assert not (existing_out / "overview.parquet").exists()  # the old build's, not in the new manifest
    assert pd.read_parquet(existing_out / "projects.parquet").project_no.tolist() == [1, 2]


def test_in_process_limits(small_plan):
    from pipeline.inputs import InputError, check_pdf, limits

    assert check_pdf(small_plan) == 2
    with limits(max_pages=1), pytest.raises(InputError, match="over the 1-page limit"):
        check_pdf(small_plan)
    with limits(max_bytes=100), pytest.raises(InputError, match="MB limit"):
        check_pdf(small_plan)
    assert check_pdf(small_plan) == 2  # the limits apply inside the with block only


def test_owner_password_only_is_not_refused(plan_build, tmp_path):
    """Many published PDFs carry an owner password (no copying, no editing) but open without one."""
    content = content_from_build(plan_build).select([1, 2])
    # (A TrueType font: reportlab encrypts the CIDSystemInfo strings of its CID fonts so that neither pdfminer
    # nor poppler can read them, which the undecodable-text case covers.)
    pdf = print_plan(content, tmp_path / "owner.pdf", Style(owner_password="owner", ttf="glyphless"))
    build(pdf, None, tmp_path / "out", progress=False)
