"""Fuzzing the build with damaged and hostile PDFs: every outcome must be the reference data set or a
one-line refusal.

`python -m tests.fuzz [--seeds N] [--first S] [--workers W]` (``make fuzz``, nightly-sized: 1,000 seeds by
default, ~10 min with two workers on two cores) mutates raw/plan_vi.pdf
(and, for one seed in eight, the excerpt raw/overview.pdf) with seeded mutations, adds four crafted
hostile files, runs ``python -m pipeline build`` on each in a subprocess and prints the table of
outcomes and the time it took; it exits 1 when any outcome is bad. tests/test_fuzz.py runs a sample of 24
seeds drawn from a hash of the source files (`code_seeds`), so the sample changes with the code.

Outcomes (`classify`):

* ``same``: exit 0 and every Parquet file byte-identical to the reference build's;
* ``refused``: exit 2, exactly one line on stderr, starting ``error:``;
* ``traceback`` (bad): a Python traceback on stderr;
* ``changed-document``: exit 0 with different data, but only on pages whose text an independent reader
  (pdfium, through pypdfium2) also reads differently from the original's: the mutation changed what the
  page prints (a content-stream edit that draws other glyphs or fewer rows), and the build read that;
* ``silent-difference`` (bad): exit 0 with different data on a page whose printed text did not change;
* ``unclean`` (bad): any other exit, or a refusal of more than one line;
* ``hang`` (bad): still running after ``TIME_LIMIT`` seconds (the process group is killed);
* ``over-memory`` (bad): peak resident memory above ``MEMORY_LIMIT``, whatever the exit.

Bounds, per case: ``TIME_LIMIT`` = 60 s wall clock (the reference build takes ~2.5 s alone, ~5 s with
two builds side by side on two cores: a damaged file may cost a lot more than the plan, never minutes);
``MEMORY_LIMIT`` = 1 GiB peak RSS (the reference build peaks at ~210 MB). Each child also runs under
``RLIMIT_AS`` = 4 GiB so that a runaway allocation fails inside the child instead of taking the machine
(the reference build's address space peaks at ~1.7 GB: pyarrow and numpy reserve more than they touch,
so the address-space limit cannot itself be the 1 GiB bound).

Mutations (`mutate`, all from ``random.Random(seed)``):

* byte level: ``flip`` (1–32 bytes XORed), ``truncate`` (cut anywhere; half of the time ``%%EOF`` is
  appended again so that the parser, not the up-front check, has to cope), ``block`` (1–4096 bytes
  overwritten with random bytes), ``duplicate`` (a chunk of 16–16384 bytes copied elsewhere),
  ``delete`` (a chunk of 1–8192 bytes removed);
* object level, with pikepdf: ``content`` (one page's decoded content stream damaged by one of the byte
  mutations, then compressed again, so the damage reaches the interpreter, not zlib), ``rawstream`` (the
  compressed bytes of one stream damaged), ``object`` (a key of one object's dictionary deleted or given
  a value of another type).

Crafted hostile files (`crafted`): ``bomb`` (a content stream of 2 GiB of zeros deflated to ~2 MB added
to page 1), ``paths-200k`` (200,000 tiny filled rectangles added to page 5), ``pages-10k`` (10,000 empty
pages appended), ``kids-loop`` (the page tree's /Kids made to point back at the root /Pages node); the
full run adds ``paths-40k-each-page`` (40,000 tiny rectangles on every page: each page is under the
per-page bound, the document is not).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "raw" / "plan_vi.pdf"
OVERVIEW = ROOT / "raw" / "overview.pdf"

TIME_LIMIT = 60.0
MEMORY_LIMIT = 1 << 30
ADDRESS_SPACE_LIMIT = 4 << 30
BAD = ("traceback", "silent-difference", "unclean", "hang", "over-memory")
# excerpt-left-out: a mutated excerpt whose rows no longer all link to a project; the build is the build
# without --overview, byte for byte, and one warning line names the rows (pipeline/stages/build.py).
GOOD = ("same", "refused", "changed-document", "excerpt-left-out")
OUTCOMES = (*GOOD, *BAD)
LEFT_OUT = "excerpt rows link to no project"
BYTE_KINDS = ("flip", "truncate", "block", "duplicate", "delete")
KINDS = (*BYTE_KINDS, "content", "rawstream", "object")
CRAFTED = ("bomb", "paths-200k", "pages-10k", "kids-loop")
# Only in the full run (slow by design: pages just under the per-page bound until the document's is hit).
CRAFTED_FULL = (*CRAFTED, "paths-40k-each-page")


@dataclass(frozen=True)
class Case:
    name: str  # "seed 17: duplicate 5120 bytes at 80000 → 120001" or "crafted: bomb"
    target: str  # "plan" or "overview": which input the mutated file stands in for
    path: Path


@dataclass
class Result:
    case: Case
    outcome: str
    detail: str
    seconds: float
    peak_rss: int  # bytes

    def line(self) -> str:
        return (f"{self.outcome:<17} {self.seconds:6.1f} s {self.peak_rss / 2**20:6.0f} MiB  "
                f"{self.case.target:<8} {self.case.name}: {self.detail}")


# -- mutations -----------------------------------------------------------------------------------
def _byte_mutation(data: bytes, rng: random.Random, kind: str) -> tuple[bytes, str]:
    n = len(data)
    if kind == "flip":
        buf = bytearray(data)
        k = rng.randint(1, 32)
        positions = sorted(rng.randrange(n) for _ in range(k))
        for p in positions:
            buf[p] ^= rng.randint(1, 255)
        return bytes(buf), f"flip {k} bytes at {positions[0]}…{positions[-1]}"
    if kind == "truncate":
        cut = rng.randrange(n // 10, n)
        eof = rng.random() < 0.5
        return data[:cut] + (b"\n%%EOF\n" if eof else b""), f"truncate at {cut}" + (" + %%EOF" if eof else "")
    if kind == "block":
        size = rng.randint(1, 4096)
        at = rng.randrange(n)
        return data[:at] + rng.randbytes(size) + data[at + size:], f"block of {size} random bytes at {at}"
    if kind == "duplicate":
        size = rng.randint(16, 16384)
        src = rng.randrange(n)
        dst = rng.randrange(n)
        return data[:dst] + data[src:src + size] + data[dst:], f"duplicate {size} bytes from {src} at {dst}"
    if kind == "delete":
        size = rng.randint(1, 8192)
        at = rng.randrange(n)
        return data[:at] + data[at + size:], f"delete {size} bytes at {at}"
    raise ValueError(kind)


def _save(pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _object_mutation(data: bytes, rng: random.Random, kind: str) -> tuple[bytes, str]:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if kind == "content":
            index = rng.randrange(len(pdf.pages))
            page = pdf.pages[index]
            content = page.obj.Contents
            streams = list(content) if isinstance(content, pikepdf.Array) else [content]
            stream = rng.choice(streams)
            decoded, how = _byte_mutation(stream.read_bytes(), rng, rng.choice(BYTE_KINDS))
            stream.write(zlib.compress(decoded), filter=pikepdf.Name.FlateDecode)
            return _save(pdf), f"content of page {index + 1}: {how}"
        objects = [o for o in pdf.objects if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream))]
        if kind == "rawstream":
            streams = [o for o in objects if isinstance(o, pikepdf.Stream)]
            stream = rng.choice(streams)
            raw, how = _byte_mutation(stream.read_raw_bytes(), rng, rng.choice(("flip", "block", "delete")))
            stream.write(raw, filter=stream.get("/Filter"), decode_parms=stream.get("/DecodeParms"))
            return _save(pdf), f"raw bytes of stream {stream.objgen}: {how}"
        if kind == "object":
            obj = rng.choice([o for o in objects if len(o.keys())])
            key = rng.choice(sorted(obj.keys()))
            choice = rng.randrange(5)
            values = [None, pikepdf.Name("/Junk"), rng.randint(-5, 100000), pikepdf.Array([]),
                      pikepdf.Array([rng.random() * 1000 for _ in range(4)])]
            if choice == 0 or key in ("/Length", "/Filter"):
                # /Length and /Filter are rewritten by qpdf on save; change the dictionary instead
                if key in ("/Length", "/Filter"):
                    obj["/Junk"] = values[rng.randrange(1, 5)]
                    return _save(pdf), f"object {obj.objgen}: /Junk added"
                del obj[key]
                return _save(pdf), f"object {obj.objgen}: {key} deleted"
            obj[key] = values[choice]
            return _save(pdf), f"object {obj.objgen}: {key} = {values[choice]!r}"
    raise ValueError(kind)


def mutate(data: bytes, seed: int) -> tuple[bytes, str]:
    """The seed's mutation of data and a description of it (the same seed gives the same bytes)."""
    rng = random.Random(seed)
    kind = KINDS[rng.randrange(len(KINDS))]
    if kind in BYTE_KINDS:
        return _byte_mutation(data, rng, kind)
    try:
        return _object_mutation(data, rng, kind)
    except Exception as error:  # pikepdf refused the mutation: fall back to a byte mutation
        mutated, how = _byte_mutation(data, rng, rng.choice(BYTE_KINDS))
        return mutated, f"{how} (pikepdf {kind} failed: {type(error).__name__})"


def seed_case(seed: int, directory: Path) -> Case:
    target = "overview" if seed % 8 == 7 else "plan"
    source = OVERVIEW if target == "overview" else PLAN
    data, how = mutate(source.read_bytes(), seed)
    path = directory / f"seed{seed:04d}.pdf"
    path.write_bytes(data)
    return Case(f"seed {seed}: {how}", target, path)


# -- the suite's sample ---------------------------------------------------------------------------
SAMPLE = 24  # seeds tests/test_fuzz.py runs
SEED_SPACE = 100_000  # they are drawn from range(SEED_SPACE); `make fuzz` runs range(FUZZ_SEEDS)
CODE = ("pipeline", "extractors", "schemas")  # the code a build runs


def code_seeds(root: Path = ROOT, count: int = SAMPLE) -> list[int]:
    """``count`` seeds drawn from a SHA-256 of the build's source files (path and bytes of every ``*.py``
    under `CODE`): another edit of the code, other seeds; the same code, the same seeds."""
    digest = hashlib.sha256()
    for path in sorted(p for folder in CODE for p in (root / folder).rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sorted(random.Random(digest.hexdigest()).sample(range(SEED_SPACE), count))


# Seeds that once gave wrong data with exit 0, run by the suite every time besides the drawn ones:
# 1046 (a font without /Widths: "- 61 -" read as "16"), 18797 (a MediaBox cut to a sliver: tables outside the
# page), 290 and 374 (a page's content stream truncated inside a table that continues: the next page's rows
# stitched onto the wrong project), 223 and 351 (the excerpt's page cut short: 30 of 33 rows).
REGRESSION_SEEDS = (223, 290, 351, 374, 1046, 18797)


def sample_seeds() -> list[int]:
    """The suite's seeds: ``RENKEI_FUZZ_SEEDS`` (comma-separated) when set, else `code_seeds` and
    `REGRESSION_SEEDS`."""
    named = os.environ.get("RENKEI_FUZZ_SEEDS", "").strip()
    if named:
        return [int(s) for s in named.split(",") if s.strip()]
    return sorted(set(code_seeds()) | set(REGRESSION_SEEDS))


def seeds_origin() -> str:
    return "from RENKEI_FUZZ_SEEDS" if os.environ.get("RENKEI_FUZZ_SEEDS", "").strip() else \
        "drawn from a hash of the source files"


def replay(name: str) -> str:
    """The one command that runs the case named ``name`` ("seed 17" or "crafted: bomb") again."""
    if name.startswith("seed "):
        seed = int(name.split()[1].rstrip(":"))
        return f"python -m tests.fuzz --first {seed} --seeds 1 --no-crafted -v"
    return "python -m tests.fuzz --seeds 0 -v  (the crafted files)"


# -- crafted hostile files -----------------------------------------------------------------------
def _bomb_stream(pdf, size: int = 2 << 30):
    import pikepdf

    compressor = zlib.compressobj(9)
    chunk = bytes(1 << 24)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(compressor.flush())
    stream = pikepdf.Stream(pdf, b"")
    stream.write(b"".join(parts), filter=pikepdf.Name.FlateDecode)
    return stream


def crafted(name: str, directory: Path) -> Case:
    import pikepdf

    path = directory / f"{name}.pdf"
    with pikepdf.open(PLAN) as pdf:
        if name == "bomb":
            pdf.pages[0].contents_add(_bomb_stream(pdf), prepend=False)
        elif name == "paths-200k":
            rng = random.Random(0)
            ops = b"".join(b"%d %d .3 .3 re f\n" % (rng.randint(20, 570), rng.randint(20, 820))
                           for _ in range(200_000))
            pdf.pages[4].contents_add(pikepdf.Stream(pdf, b"q 0 g\n" + ops + b"Q\n"), prepend=False)
        elif name == "paths-40k-each-page":
            rng = random.Random(0)
            for page in pdf.pages:
                ops = b"".join(b"%d %d .3 .3 re f\n" % (rng.randint(20, 570), rng.randint(20, 820))
                               for _ in range(40_000))
                page.contents_add(pikepdf.Stream(pdf, b"q 0 g\n" + ops + b"Q\n"), prepend=False)
        elif name == "pages-10k":
            for _ in range(10_000):
                pdf.add_blank_page(page_size=(595, 842))
        elif name == "kids-loop":
            pages_root = pdf.Root.Pages
            # an intermediate /Pages node whose only kid is the root: a loop the parser must not follow
            loop = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=pikepdf.Array([pages_root]),
                                                        Count=17, Parent=pages_root))
            pages_root.Kids.append(loop)
        else:
            raise ValueError(name)
        pdf.save(path, deterministic_id=True)
    return Case(f"crafted: {name}", "plan", path)


# -- running and classifying ----------------------------------------------------------------------
def _limit_child() -> None:
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def run_build(pdf: Path, overview: Path | None, out: Path, timeout: float = TIME_LIMIT):
    """(returncode or None on timeout, stderr, seconds, peak RSS bytes) of one build in a subprocess."""
    command = [sys.executable, "-m", "pipeline", "build", "--pdf", str(pdf), "--out", str(out)]
    if overview is not None:
        command += ["--overview", str(overview)]
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    env.pop("RENKEI_DEBUG", None)
    errfile = tempfile.TemporaryFile()
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errfile,
                             preexec_fn=_limit_child)
    status = None
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            os.killpg(child.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(child.pid, 0)
            status = None
            break
        time.sleep(0.05)
    seconds = time.monotonic() - start
    child.returncode = 0  # reaped by wait4 above; keep Popen from waiting again
    errfile.seek(0)
    stderr = errfile.read().decode("utf-8", "replace")
    code = None if status is None else os.waitstatus_to_exitcode(status)
    return code, stderr, seconds, usage.ru_maxrss * 1024


def _parquet(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.parquet"))}


def describe_difference(reference: Path, build: Path) -> str:
    """What differs between two builds, in a few words ("projects 17, 18 missing; cells 1880 vs 2009 rows")."""
    import pandas as pd

    ref, new = _parquet(reference), _parquet(build)
    notes = []
    if set(ref) != set(new):
        notes.append(f"tables {sorted(set(ref) ^ set(new))} only in one build")
    try:
        a = pd.read_parquet(reference / "projects.parquet")
        b = pd.read_parquet(build / "projects.parquet")
        missing = sorted(set(a.project_no) - set(b.project_no))
        extra = sorted(set(b.project_no) - set(a.project_no))
        if missing:
            notes.append(f"projects {_ranges(missing)} missing")
        if extra:
            notes.append(f"projects {_ranges(extra)} extra")
    except Exception as error:  # a build without projects is a difference too
        notes.append(f"projects unreadable ({type(error).__name__})")
    for name in sorted(set(ref) & set(new)):
        if ref[name] != new[name]:
            rows_a = len(pd.read_parquet(reference / name))
            rows_b = len(pd.read_parquet(build / name))
            notes.append(f"{name.removesuffix('.parquet')} {rows_b} vs {rows_a} rows" if rows_a != rows_b
                         else f"{name.removesuffix('.parquet')} cells differ")
    return "; ".join(notes) or "no Parquet difference"


def pdfium_pages(pdf: Path) -> list[str] | None:
    """Each page's text as pdfium reads it, whitespace removed (None when pdfium cannot open the file)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except Exception:
        return None
    try:
        pages = []
        for i in range(len(document)):
            page = document[i]
            text = page.get_textpage().get_text_range()
            pages.append("".join(text.split()))
        return pages
    except Exception:
        return None
    finally:
        document.close()


def pages_with_other_data(reference: Path, build: Path, source: str) -> set[int] | None:
    """Pages of `source` ("plan" / "overview") on which the two builds read other data (None: not comparable).

    Every table counts, not only the cells: a heading the mutation removed moves projects to another
    category, and a footnote or a category is free text, in no cell. A row is placed on the pages its
    located columns name (`schemas.tables.located_columns`: ``page``, ``page_start``, ``role_page``, …);
    it is compared by its values without its grid positions (row, col, table_id): rows lost on one page
    renumber the rows of a table continued on the next, which still reads the same text. A table's rows are
    of the excerpt when it is the overview table or its ``source`` column says so, else of the plan; when
    rows of the other PDF (the one not mutated) differ, the builds are not comparable (None)."""
    import pandas as pd

    from schemas.tables import TABLES, located_columns

    pages: set[int] = set()
    for table in TABLES:
        path_a, path_b = reference / f"{table}.parquet", build / f"{table}.parquet"
        if not path_a.is_file() and not path_b.is_file():
            continue
        try:
            a = pd.read_parquet(path_a)
            b = pd.read_parquet(path_b)
        except Exception:
            return None
        located = located_columns(table, ("page", "source", "table", "row", "col"))
        page_columns = [loc["page"] for loc in located if "page" in loc]
        positions = {loc[part] for loc in located for part in ("table", "row", "col") if part in loc}
        values = [c for c in a.columns if c not in positions and c in b.columns]
        source_column = next((loc["source"] for loc in located if "source" in loc), None)
        if source_column is not None:
            mine = a[source_column] == source, b[source_column] == source
        else:
            ours = (table == "overview") == (source == "overview")
            mine = pd.Series(ours, index=a.index), pd.Series(ours, index=b.index)
        if not _rows(a[~mine[0]], values) == _rows(b[~mine[1]], values):
            return None  # data of the PDF that was not mutated changed: nothing the mutation printed excuses it
        rows_a, rows_b = _rows(a[mine[0]], values), _rows(b[mine[1]], values)
        changed = (rows_a - rows_b) + (rows_b - rows_a)
        for row in changed:
            record = dict(zip(values, row))
            pages |= {int(float(record[c])) for c in page_columns
                      if c in record and record[c] not in ("nan", "None", "<NA>")}
    return pages


def _rows(frame, columns: list[str]) -> Counter:
    return Counter(tuple(map(str, r)) for r in frame[columns].itertuples(index=False))


def changed_document(original: Path, mutated: Path, reference: Path, build: Path, source: str) -> str | None:
    """Why a different data set is what the mutated PDF prints, or None when it is not (a silent error).

    The builds' rows (of every table, `pages_with_other_data`) must differ only on pages whose text pdfium
    reads differently in the two PDFs."""
    before, after = pdfium_pages(original), pdfium_pages(mutated)
    data_pages = pages_with_other_data(reference, build, source)
    if before is None or after is None or not data_pages or len(before) != len(after):
        return None
    printed_pages = {i + 1 for i, (x, y) in enumerate(zip(before, after)) if x != y}
    if data_pages <= printed_pages:
        return f"pages {_ranges(sorted(data_pages))} print other text (pdfium reads it too)"
    return None


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}–{prev}" if prev != start else f"{start}")
            start = prev = n
    if start is not None:
        out.append(f"{start}–{prev}" if prev != start else f"{start}")
    return ", ".join(out)


def classify(code: int | None, stderr: str, peak_rss: int, same: bool | None) -> tuple[str, str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if peak_rss > MEMORY_LIMIT:
        return "over-memory", f"peak RSS {peak_rss / 2**20:.0f} MiB; {last[:200]}"
    if code is None:
        return "hang", f"killed after {TIME_LIMIT:.0f} s"
    if "Traceback" in stderr:
        return "traceback", last[:300]
    if code == 2 and len(lines) == 1 and last.startswith("error: "):
        return "refused", last[:300]
    if code == 0:
        return ("same", "") if same else ("silent-difference", "")
    return "unclean", f"exit {code}, {len(lines)} stderr lines: {last[:200]}"


def excerpt_left_out(stderr: str, build: Path, plan_only: Path) -> str | None:
    """The warning line when the build left the excerpt out as it must (one warning naming the rows, the
    build's tables those of the build without --overview), else None."""
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    if len(warnings) != 1 or LEFT_OUT not in warnings[0] or _parquet(build) != _parquet(plan_only):
        return None
    return warnings[0][:300]


class Runner:
    """Builds the reference data sets once, then runs cases against them."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.references: dict[str, Path] = {}
        self._lock = threading.Lock()

    def reference(self, target: str) -> Path:
        with self._lock:
            return self._reference(target)

    def _reference(self, target: str) -> Path:
        if target not in self.references:
            out = self.workdir / f"reference-{target}"
            code, stderr, _, _ = run_build(PLAN, OVERVIEW if target == "overview" else None, out)
            if code != 0:
                raise RuntimeError(f"the reference build failed: {stderr}")
            self.references[target] = out
        return self.references[target]

    def run(self, case: Case) -> Result:
        reference = self.reference(case.target)
        out = self.workdir / f"out-{case.path.stem}"
        pdf, overview = (PLAN, case.path) if case.target == "overview" else (case.path, None)
        code, stderr, seconds, rss = run_build(pdf, overview, out)
        same = code == 0 and _parquet(out) == _parquet(reference)
        outcome, detail = classify(code, stderr, rss, same)
        if outcome == "silent-difference" and case.target == "overview":
            left_out = excerpt_left_out(stderr, out, self.reference("plan"))
            if left_out is not None:
                outcome, detail = "excerpt-left-out", left_out
        if outcome == "silent-difference":
            original = OVERVIEW if case.target == "overview" else PLAN
            why = changed_document(original, case.path, reference, out, case.target)
            if why is not None:
                outcome, detail = "changed-document", f"{why}: {describe_difference(reference, out)}"
            else:
                detail = describe_difference(reference, out)
        shutil.rmtree(out, ignore_errors=True)
        return Result(case, outcome, detail, seconds, rss)


def run_cases(cases_of: list, workdir: Path, workers: int = 2, echo=None) -> list[Result]:
    """Make each case (a callable of the directory → Case) and run it, ``workers`` at a time."""
    runner = Runner(workdir)
    runner.reference("plan")

    def one(make) -> Result:
        case = make(workdir) if callable(make) else make
        result = runner.run(case)
        case.path.unlink(missing_ok=True)
        if echo:
            echo(result.line())
        return result

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, cases_of))


def table(results: list[Result]) -> str:
    counts = Counter(r.outcome for r in results)
    rows = [f"{'outcome':<18}{'count':>6}"]
    rows += [f"{o:<18}{counts.get(o, 0):>6}" for o in OUTCOMES]
    rows.append(f"{'total':<18}{len(results):>6}")
    slowest = max(results, key=lambda r: r.seconds)
    biggest = max(results, key=lambda r: r.peak_rss)
    rows.append(f"bounds: {TIME_LIMIT:.0f} s wall and {MEMORY_LIMIT / 2**20:.0f} MiB peak RSS per case "
                f"(RLIMIT_AS {ADDRESS_SPACE_LIMIT / 2**30:.0f} GiB); slowest {slowest.seconds:.1f} s "
                f"({slowest.case.name}), largest {biggest.peak_rss / 2**20:.0f} MiB ({biggest.case.name})")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="number of seeded mutations (default 1000)")
    parser.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-crafted", dest="crafted", action="store_false")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every case, not only bad ones")
    args = parser.parse_args(argv)

    def echo(line: str) -> None:
        if args.verbose or not line.startswith(("same", "refused")):
            print(line, flush=True)

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="renkei-fuzz-") as tmp:
        workdir = Path(tmp)
        makers = [(lambda d, n=name: crafted(n, d)) for name in CRAFTED_FULL] if args.crafted else []
        makers += [(lambda d, s=seed: seed_case(s, d)) for seed in range(args.first, args.first + args.seeds)]
        results = run_cases(makers, workdir, workers=args.workers, echo=echo)
    print(table(results))
    print(f"{len(results)} cases in {time.monotonic() - start:.0f} s with {args.workers} workers")
    bad = [r for r in results if r.outcome in BAD]
    for r in bad:
        print("BAD", r.line())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
