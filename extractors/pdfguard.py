"""Reading a damaged or hostile PDF: bounded work, and every failure reported as one sentence with its page.

pdfminer (under pdfplumber) reads damaged files leniently: it skips what it cannot parse and says so only
as log warnings ("Data-loss while decompressing corrupted data", "Cannot locate objid=…", …), raises
whatever Python raises on the object it did not expect (``TypeError: 'PSLiteral' object is not
iterable``), inflates any stream in full however large it decodes, and interprets any number of drawing
operators on a page. So a damaged plan could lose a page's tables without an error, a damaged file could
end in a traceback, and a hostile one could take gigabytes or hours. This module bounds that:

* `scan_streams` (before pdfminer opens the file): no stream may decode to more than
  `MAX_STREAM_BYTES`, nor all of them together to more than `MAX_DECODED_BYTES` (decompression bombs).
  It decodes each stream of the file's bytes incrementally, counting and discarding, so the check itself
  holds at most one stream's compressed bytes and one 1 MiB piece of output;
  The same pass notes Flate streams that do not inflate to their end: pdfminer reads those as empty or
  cut short without a warning (a page's content stream damaged in the middle makes the page blank);
* `check_page` (before a page is interpreted): its content streams, with the form XObjects it draws
  counted as often as it draws them, may hold at most `MAX_PAGE_CONTENT_BYTES` bytes and
  `MAX_PAGE_PATHS` paths (rectangles and subpaths: what becomes an object of pdfminer's layout);
* `check_pages`: the same over all pages, before any is read, with the document's bounds (`Bounds`):
  every page is first held to what pdfium may read (`SCAN_BOUNDS`: it reads every page's text to find
  chapter VI, extractors/chapter.py), then chapter VI's pages to what pdfplumber may read (`READ_BOUNDS`,
  `check_cost` and `check_total` in extractors/document.py): a vision's map and chart pages never reach
  pdfminer's interpreter;
* `read_guarded` (around each page's read): any exception while reading page N becomes a `PdfReadError`
  naming page N, and pdfminer's warnings during the read (damage it skipped over) are collected; once all
  pages are read, pages with warnings fail the read, named. Each page is interpreted by
  extractors/interpreter.py, which refuses content that ends cut short (inside a text object, operands
  without their operator, saved states not restored): pdfminer lays out what is left without a warning.

The limits and why (raw/plan_vi.pdf, 17 pages: largest stream 124 KB decoded (a font), 0.9 MB decoded
in all, largest page content 37 KB, at most 218 paths on a page):

* 64 MiB per stream and 256 MiB in all: 500× and 280× the plan; an embedded full CJK font is 5–20 MB.
  Image streams are not counted: pdfminer does not decode them for text and tables;
* 4 MiB of content and 50,000 paths per page: ~110× and ~230× the plan's largest page, and more than
  the robustness fixtures whose rules are drawn as thousands of dots. pdfminer interprets ~0.6 MB of
  content per second and keeps every path as an object: 200,000 tiny paths on one page took 9 s and
  420 MB in pdfminer and another 6 s and 500 MB in pdfplumber before any table was looked for; 49,000
  (just under the limit) take ~17 s and ~400 MB for the whole build;
* 32 MiB of content and 400,000 paths over chapter VI's pages: so that many pages each just under the
  page limits cannot add up to minutes, while Chromium's print with dotted rules (251,222 paths) builds;
* pages only pdfium reads: 64 MiB and 300,000 paths a page, 256 MiB and 2,000,000 paths in all (pdfium
  reads a 100,000-subpath map page in 0.2 s); the measured figures are next to each constant below.

Nothing here imports from ``pipeline``: the pipeline turns `PdfReadError` into its one-line InputError.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

MAX_STREAM_BYTES = 64 << 20
MAX_DECODED_BYTES = 256 << 20
# What pdfplumber (pdfminer) may interpret: chapter VI's pages. Measured on this machine (2 shared cores):
# pdfminer and pdfplumber keep every path as an object, ~4.5 s and ~330 MB for a vector-map page of 20,000
# subpaths (4 MB of content), ~23 s and 1.5 GB for 100,000 (20 MB); 200,000 tiny rectangles took 15 s and
# 900 MB. The plan's largest page holds 44 KB and 249 paths. Chromium's A4 print with dotted inner rules
# (tests/test_whole_plan.py) draws every dot: 251,222 paths over 19 pages (at most 15,716 a page), 5.5 MB of
# content; it builds exactly in ~26 s of CPU (plain pdfplumber extract_tables: the same) and 250 MB.
MAX_PAGE_CONTENT_BYTES = 4 << 20  # ~95× the plan's largest page, ~14× a dotted-rule page; a map page's 4 MB ~5 s
MAX_PAGE_PATHS = 50_000  # ~3× a dotted-rule page, ~200× a plain one; 49,000 take ~17 s for the build
MAX_DOCUMENT_CONTENT_BYTES = 32 << 20  # the chapter: 0.7 MB plain, 5.5 MB dotted (~6×)
MAX_DOCUMENT_PATHS = 400_000  # the chapter: ~3,500 plain, 251,222 dotted (1.6×: B5 has more rules); ≤ ~1 min
# What only pdfium reads (its text, to find the chapter): every page, the chapter's too, before pdfminer
# parses any. pdfium read the 20,000-subpath map page in 0.06 s (33 MB) and the 100,000-subpath one (20 MB of
# content) in 0.22 s and 88 MB; a published vision's map, chart and photo pages hold well under 1 MB of
# content each (plan_whole.pdf: 13 KB at most outside chapter VI; a full-page vector map of the area with
# roads and rivers: a few MB). The bounds keep a scan at a few seconds and a few hundred MB at worst.
MAX_SCAN_PAGE_CONTENT_BYTES = 64 << 20  # ~3× the 100,000-subpath map page: ~0.7 s, ~300 MB in pdfium
MAX_SCAN_PAGE_PATHS = 300_000  # 3× that page
MAX_SCAN_DOCUMENT_CONTENT_BYTES = 256 << 20  # ~12 such map pages: ~3 s of pdfium
MAX_SCAN_DOCUMENT_PATHS = 2_000_000  # ~20 such map pages, ~500× a 300-page vision of plain pages
# Form XObjects drawing forms: deeper than this is refused (pdfminer itself recurses without a bound).
MAX_FORM_DEPTH = 12

T = TypeVar("T")
R = TypeVar("R")


class PdfReadError(Exception):
    """The PDF could not be read as it is: the message is one sentence without the file name (the
    caller adds it); ``pages`` are the 1-based pages concerned (empty: the document as a whole)."""

    def __init__(self, message: str, pages: Iterable[int] = ()) -> None:
        super().__init__(message)
        self.pages = list(pages)


def describe(error: BaseException) -> str:
    """``Type: message`` on one line (pdfplumber wraps pdfminer's errors: name the inner one)."""
    inner = error
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    text = " ".join(str(inner).split())
    if len(text) > 160:
        text = text[:157] + "…"
    return f"{type(inner).__name__}: {text}" if text else type(inner).__name__


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB"


# -- decompression bombs ---------------------------------------------------------------------------
class _TooLarge(Exception):
    pass


_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FLATE, _LZW, _RL = {b"FlateDecode", b"Fl"}, {b"LZWDecode", b"LZW"}, {b"RunLengthDecode", b"RL"}
_A85, _AHX = {b"ASCII85Decode", b"A85"}, {b"ASCIIHexDecode", b"AHx"}
_PIECE = 1 << 20


def _flate(data: bytes, cap: int, keep: bool, problems: list[str] | None = None) -> tuple[int, bytes]:
    """Inflate data, at most cap bytes. A stream that does not inflate to its end (damaged, cut short) is
    noted in problems: pdfminer would silently read it as empty (zlib error) or as its first part."""
    decompressor = zlib.decompressobj()
    total, out, pending = 0, [], data
    try:
        while pending:
            piece = decompressor.decompress(pending, _PIECE)
            pending = decompressor.unconsumed_tail
            total += len(piece)
            if total > cap:
                raise _TooLarge
            if keep:
                out.append(piece)
            if decompressor.eof or (not piece and not pending):
                break
        if not decompressor.eof and problems is not None:
            problems.append("zlib: the data ends before the stream does")
    except zlib.error as error:
        # A wrong checksum only (the data all inflated) pdfminer reads in full, with a warning.
        if problems is not None and "incorrect data check" not in str(error):
            problems.append(f"zlib: {error}".replace("Error -3 while decompressing data: ", ""))
    return total, b"".join(out)


def _lzw(data: bytes, cap: int, keep: bool) -> tuple[int, bytes]:
    from io import BytesIO

    from pdfminer.lzw import LZWDecoder

    total, out = 0, []
    for piece in LZWDecoder(BytesIO(data)).run():
        total += len(piece)
        if total > cap:
            raise _TooLarge
        if keep:
            out.append(piece)
    return total, b"".join(out)


def _runlength(data: bytes, cap: int, keep: bool) -> tuple[int, bytes]:
    from pdfminer.runlength import rldecode

    total, i = 0, 0
    while i < len(data):
        n = data[i]
        if n == 128:
            break
        if n < 128:
            total += n + 1
            i += n + 2
        else:
            total += 257 - n
            i += 2
        if total > cap:
            raise _TooLarge
    return total, rldecode(data) if keep else b""


def _decoded_size(data: bytes, filters: list[bytes] | None, cap: int, problems: list[str]) -> int:
    """Bytes the stream decodes to through its filters (what pdfminer would inflate); raise _TooLarge
    past cap. Filters that do not grow the data, or that pdfminer leaves encoded, end the count."""
    if filters is None:  # the dictionary could not be read (damaged, or an indirect /Filter): try Flate
        return _flate(data, cap, keep=False)[0]
    size = len(data)
    for i, name in enumerate(filters):
        keep = i < len(filters) - 1
        if name in _FLATE:
            size, data = _flate(data, cap, keep, problems)
        elif name in _LZW:
            size, data = _lzw(data, cap, keep)
        elif name in _RL:
            size, data = _runlength(data, cap, keep)
        elif name in _A85 or name in _AHX:
            if not keep:
                break
            from pdfminer.ascii85 import ascii85decode, asciihexdecode

            try:
                data = ascii85decode(data) if name in _A85 else asciihexdecode(data)
            except Exception:
                break
            size = len(data)
        else:  # DCT, JPX, JBIG2, CCITT (images), Crypt, unknown: pdfminer does not inflate them for text
            break
    return size


_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")


def scan_streams(path: Path | bytes, max_stream: int = MAX_STREAM_BYTES,
                 max_total: int = MAX_DECODED_BYTES) -> dict[int, str]:
    """Refuse a PDF with a stream that decodes to more than ``max_stream`` bytes, or streams that decode
    to more than ``max_total`` together (images aside). Works on the file's bytes, not its cross-reference
    table, so a damaged table or object streams hide nothing.

    Returns the damaged streams, object number → what is wrong (-1 when the number cannot be read):
    Flate data that does not inflate to its end. pdfminer reads such a stream as empty, or as the part
    before the damage, without a word (``PDFStream.decode``: ``except zlib.error: data = b""``), so a
    page whose content stream is damaged would simply lose its tables.
    """
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    total = 0
    damaged: dict[int, str] = {}
    for match in _STREAM.finditer(data):
        head_start = max(0, match.start() - 4096)
        head = data[head_start:match.start()]
        objects = list(_OBJ.finditer(head))
        objid = int(objects[-1].group(1)) if objects else -1
        head = head[objects[-1].start():] if objects else head
        if _IMAGE.search(head):
            continue
        end = data.find(b"endstream", match.end())
        body = data[match.end(): end if end >= 0 else len(data)]
        found = _FILTER.search(head)
        filters = None if found is None and b"/Filter" in head else \
            ([] if found is None else _NAME.findall(found.group(1)))
        if filters == []:
            total += len(body)
            continue
        problems: list[str] = []
        try:
            size = _decoded_size(body, filters, min(max_stream, max_total - total), problems)
        except _TooLarge:
            what = "one stream" if total + max_stream <= max_total else "its streams together"
            limit = max_stream if what == "one stream" else max_total
            raise PdfReadError(f"{what} would decode to more than {_mib(limit)} (stream at byte "
                               f"{match.end()}): a decompression bomb, not a plan") from None
        if problems and filters is not None:
            damaged.setdefault(objid, problems[0])
        total += size
    return damaged


def damaged_streams_error(damaged: dict[int, str], pages: dict[int, list[int]]) -> PdfReadError:
    """The error for damaged streams; ``pages`` maps a content stream's object number to the pages
    drawing it."""
    hit = sorted({p for objid in damaged for p in pages.get(objid, [])})
    objid, problem = next(iter(damaged.items()))
    if hit:
        objid = next(o for o in damaged if pages.get(o))
        listed = ", ".join(map(str, hit[:10])) + (" …" if len(hit) > 10 else "")
        return PdfReadError(f"the content of page{'s' if len(hit) > 1 else ''} {listed} cannot be read in "
                            f"full (stream {objid}: {damaged[objid]}): the PDF is damaged", hit)
    which = f"stream {objid}" if objid >= 0 else "a stream"
    more = f" and {len(damaged) - 1} more" if len(damaged) > 1 else ""
    return PdfReadError(f"{which}{more} cannot be read in full ({problem}): the PDF is damaged")


def content_streams(pdf_pages) -> dict[int, list[int]]:
    """Object number of each content stream → the pages (1-based) whose /Contents name it."""
    from pdfminer.pdftypes import resolve1

    found: dict[int, list[int]] = {}
    for number, page in enumerate(pdf_pages, start=1):
        contents = page.page_obj.attrs.get("Contents")
        refs = resolve1(contents) if not hasattr(contents, "objid") else contents
        for ref in refs if isinstance(refs, list) else [refs]:
            objid = getattr(ref, "objid", None)
            if objid is not None:
                found.setdefault(objid, []).append(number)
    return found


# -- page size -------------------------------------------------------------------------------------
_DELIM = rb"\s\[\]()<>{}/%"
# Each rectangle (re) and each subpath begun by a move (m) becomes one object in pdfminer's layout.
_PATH_OPS = re.compile(rb"(?<![^" + _DELIM + rb"])(?:re|m)(?![^" + _DELIM + rb"])")
_DO = re.compile(rb"/([^" + _DELIM + rb"]+)\s*Do(?![^" + _DELIM + rb"])")


def _page_cost(page_obj, bounds: "Bounds | None" = None) -> tuple[int, int]:
    """(content bytes, paths) that interpreting the pdfminer page means, each form
    XObject counted as often as it is drawn. Stops counting once both limits are passed."""
    from pdfminer.pdfinterp import LITERAL_FORM
    from pdfminer.pdftypes import PDFStream, dict_value, resolve1

    page_bytes = MAX_PAGE_CONTENT_BYTES if bounds is None else bounds.page_bytes
    page_paths = MAX_PAGE_PATHS if bounds is None else bounds.page_paths
    memo: dict[int, tuple[int, int]] = {}

    def cost(data: bytes, resources, depth: int) -> tuple[int, int]:
        size, paths = len(data), len(_PATH_OPS.findall(data))
        uses = _DO.findall(data)
        if not uses:
            return size, paths
        if depth > MAX_FORM_DEPTH:
            raise PdfReadError(f"form XObjects nested more than {MAX_FORM_DEPTH} deep")
        xobjects = dict_value(resolve1(dict_value(resources).get("XObject", {}))) if resources else {}
        for name in uses:
            ref = xobjects.get(name.decode("latin-1"))
            form = resolve1(ref)
            if not isinstance(form, PDFStream) or resolve1(form.get("Subtype")) is not LITERAL_FORM:
                continue
            key = id(form)
            if key not in memo:
                memo[key] = (page_bytes + 1, page_paths + 1)  # a form drawing itself
                memo[key] = cost(form.get_data(), resolve1(form.get("Resources")) or resources, depth + 1)
            form_size, form_paths = memo[key]
            size, paths = size + form_size, paths + form_paths
            if size > page_bytes and paths > page_paths:
                break
        return size, paths

    data = b"\n".join(stream.get_data() for stream in (resolve1(s) for s in page_obj.contents)
                      if isinstance(stream, PDFStream))
    return cost(data, page_obj.resources, 0)


@dataclass(frozen=True)
class Bounds:
    """How much content and how many paths a page and the pages together may hold for one reader."""

    page_bytes: int
    page_paths: int
    document_bytes: int
    document_paths: int
    what: str  # the pages it bounds, for the refusal: "a page", "a page outside chapter VI"


READ_BOUNDS = Bounds(MAX_PAGE_CONTENT_BYTES, MAX_PAGE_PATHS, MAX_DOCUMENT_CONTENT_BYTES, MAX_DOCUMENT_PATHS,
                     "a page")
SCAN_BOUNDS = Bounds(MAX_SCAN_PAGE_CONTENT_BYTES, MAX_SCAN_PAGE_PATHS, MAX_SCAN_DOCUMENT_CONTENT_BYTES,
                     MAX_SCAN_DOCUMENT_PATHS, "a page")


def check_cost(cost: tuple[int, int], page_number: int, bounds: Bounds = READ_BOUNDS) -> tuple[int, int]:
    """Refuse a page whose (content bytes, paths) are over ``bounds``; return them."""
    size, paths = cost
    if size > bounds.page_bytes:
        raise PdfReadError(f"page {page_number}: its content is {size / (1 << 20):.1f} MiB, over the "
                           f"{_mib(bounds.page_bytes)} {bounds.what} may hold: not a plan page", [page_number])
    if paths > bounds.page_paths:
        raise PdfReadError(f"page {page_number}: it draws {paths:,} paths, over the {bounds.page_paths:,} "
                           f"{bounds.what} may hold: not a plan page", [page_number])
    return size, paths


def check_page(page_obj, page_number: int, bounds: Bounds = READ_BOUNDS) -> tuple[int, int]:
    """Refuse a page whose content would take pdfminer and pdfplumber unbounded time or memory; return
    its (content bytes, paths)."""
    return check_cost(_page_cost(page_obj, bounds), page_number, bounds)


def check_total(costs: Iterable[tuple[int, tuple[int, int]]], bounds: Bounds, what: str = "a PDF") -> None:
    """Refuse pages ((number, (bytes, paths)), in order) that together hold more than ``bounds`` allow."""
    total_size = total_paths = 0
    first = None
    for n, (size, paths) in costs:
        first = n if first is None else first
        total_size, total_paths = total_size + size, total_paths + paths
        if total_size > bounds.document_bytes or total_paths > bounds.document_paths:
            raise PdfReadError(
                f"pages {first}–{n} hold {total_size / (1 << 20):.1f} MiB of content and {total_paths:,} paths, "
                f"over the {_mib(bounds.document_bytes)} and {bounds.document_paths:,} {what} may hold: not a plan",
                [n])


# -- pdfminer's warnings ---------------------------------------------------------------------------
# Warnings about metadata renkei does not read, never about lost content. Each was seen on an undamaged PDF
# of a common producer; anything else pdfminer warns about fails the read.
HARMLESS_WARNINGS = (
    # Chromium (Skia) writes Type 3 and CID font descriptors without a FontBBox; pdfminer falls back to an
    # empty box. Glyph boxes are rebuilt from each glyph's size and baseline (extractors/glyphs.py), so the
    # font box is never used.
    "Could not get FontBBox from font descriptor",
    # /PageLabels of a style pdfminer does not know: the printed page number is read from the page itself.
    "Unknown page label style",
)


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = " ".join(record.getMessage().split())
        except Exception:  # a message that cannot be formatted is still a warning
            message = f"{record.name}: {record.msg!r}"
        if not message.startswith(HARMLESS_WARNINGS):
            self.messages.append(message[:160])


@contextlib.contextmanager
def pdfminer_warnings() -> Iterator[list[str]]:
    """Collect the messages pdfminer logs at WARNING or above inside the block (none reach stderr)."""
    logger = logging.getLogger("pdfminer")
    recorder = _Recorder()
    old_level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(recorder)
    try:
        yield recorder.messages
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(old_level)


def check_pages(pages: Iterable[T], page_obj: Callable[[T], object], number: Callable[[T], int],
                bounds: Bounds = READ_BOUNDS) -> dict[int, tuple[int, int]]:
    """`check_page` on every page, and the whole document's bounds, before any page is interpreted (the
    check only counts in the content streams: a document over the bounds is refused in a second). Returns
    each page's (content bytes, paths)."""
    costs: dict[int, tuple[int, int]] = {}
    damaged: list[tuple[int, str]] = []
    for page in pages:
        n = number(page)
        with page_guard(n), pdfminer_warnings() as messages:
            costs[n] = check_page(page_obj(page), n, bounds)
        if messages:
            damaged.append((n, messages[0]))
        check_total(costs.items(), bounds)
    if damaged:
        raise damage_error(damaged)
    return costs


def read_guarded(pages: Iterable[T], read: Callable[[T], R], number: Callable[[T], int]) -> Iterator[R]:
    """``read(page)`` for each page, every failure a `PdfReadError` (pages from `open_guarded`, whose
    bounds it has checked).

    ``number(page)`` is the 1-based page number. Raises at the first page that fails to read; pages whose
    read made pdfminer warn are reported together once every page has been read (`reported`).
    """
    return reported(_read_each(pages, read, number))


def _read_each(pages: Iterable[T], read: Callable[[T], R], number: Callable[[T], int]
               ) -> Iterator[tuple[int, R, list[str]]]:
    iterator = iter(pages)
    index = 0
    while True:
        with pdfminer_warnings() as before:  # warnings while finding the page count as the page's
            try:
                page = next(iterator)
            except StopIteration:
                break
            except PdfReadError:
                raise
            except Exception as error:  # the page tree itself is damaged
                raise PdfReadError(f"the page after page {index} cannot be read ({describe(error)})",
                                   [index + 1]) from error
            index += 1
            n = number(page)
        result, messages = read_one(page, read, n)
        yield n, result, before + messages


def reported(results: Iterable[tuple[int, R, list[str]]]) -> Iterator[R]:
    """Each page's result of ``(page number, result, pdfminer's warnings while reading it)``, in order; once
    all are through, the pages whose read made pdfminer warn fail the read together (`damage_error`): what
    `read_guarded` and the parallel reader (extractors/ruled.py) report alike."""
    damaged: list[tuple[int, str]] = []
    for n, result, messages in results:
        if messages:
            damaged.append((n, messages[0]))
        yield result
    if damaged:
        raise damage_error(damaged)


def read_one(page: T, read: Callable[[T], R], n: int) -> tuple[R, list[str]]:
    """``(read(page), pdfminer's warnings during the read)`` for page ``n``, any failure a `PdfReadError`
    naming the page: one step of `read_guarded`, also what a worker process runs for each page it reads
    (extractors/ruled.py), the warnings going back with the result to be reported as `read_guarded` does.

    ``page`` is a pdfplumber page: it is laid out first by `extractors.interpreter.lay_out`, which refuses a
    page whose content stream was cut short (pdfminer would lay out what is left without a word)."""
    from extractors.interpreter import ContentCutShort, lay_out

    with pdfminer_warnings() as messages:
        try:
            lay_out(page)
            result = read(page)
        except PdfReadError:
            raise
        except ContentCutShort as error:
            raise PdfReadError(f"page {n}: its content ends cut short ({error}): the PDF is damaged",
                               [n]) from None
        except MemoryError:
            raise PdfReadError(f"page {n}: cannot be read (out of memory)", [n]) from None
        except RecursionError as error:
            raise PdfReadError(f"page {n}: cannot be read (nested too deeply)", [n]) from error
        except Exception as error:
            raise PdfReadError(f"page {n}: cannot be read ({describe(error)})", [n]) from error
    return result, list(messages)


def damage_error(damaged: list[tuple[int, str]]) -> PdfReadError:
    pages = [p for p, _ in damaged]
    listed = ", ".join(map(str, pages[:10])) + (" …" if len(pages) > 10 else "")
    return PdfReadError(f"pdfminer could not read parts of page{'s' if len(pages) > 1 else ''} {listed} "
                        f"(page {pages[0]}: {damaged[0][1]}): the PDF is damaged", pages)


@contextlib.contextmanager
def guarded_document(what: str = "the PDF", pages: Iterable[int] = ()) -> Iterator[None]:
    """Around opening a PDF and whole-document reads: any exception becomes one `PdfReadError`."""
    try:
        yield
    except PdfReadError:
        raise
    except MemoryError:
        raise PdfReadError(f"{what} cannot be read (out of memory)", pages) from None
    except RecursionError as error:
        raise PdfReadError(f"{what} cannot be read (nested too deeply)", pages) from error
    except Exception as error:
        raise PdfReadError(f"{what} cannot be read ({describe(error)})", pages) from error


def page_guard(page_number: int):
    """Around work on one page's objects: any exception becomes a `PdfReadError` naming the page."""
    return guarded_document(f"page {page_number}", [page_number])


@contextlib.contextmanager
def open_guarded(pdf_path: Path):
    """``pdfplumber.open`` and its page list, with failures and pdfminer's warnings while reading the
    document's structure (cross-reference table, trailer, page tree) a `PdfReadError`, and every page
    within the bounds (`check_pages`)."""
    import pdfplumber

    pdf = None
    try:
        with guarded_document(), pdfminer_warnings() as messages:
            pdf = pdfplumber.open(pdf_path)
            pages = pdf.pages
        if messages:
            raise PdfReadError(f"pdfminer could not read parts of the document structure ({messages[0]}): "
                               "the PDF is damaged")
        check_pages(pages, page_obj=lambda p: p.page_obj, number=lambda p: p.page_number)
    except BaseException:
        if pdf is not None:
            pdf.close()
        raise
    with pdf:
        yield pdf, pages
