"""`python -m pipeline.bench PDF`: the build's wall time and peak memory next to plain pdfplumber.

Two commands, each run in a fresh subprocess so that peak RSS is that run's own (``ru_maxrss`` from
``os.wait4`` on the child), alternated and repeated ``--runs`` times (default 3); the table shows the
medians and the ratio build / plain:

* build:  ``python -m pipeline --no-progress build --pdf PDF --out <tmp>`` (no overview PDF, so both
  sides read the same pages);
* plain:  open PDF with pdfplumber and call ``page.extract_tables()`` on every page.

Both include interpreter start-up and imports: that is what a user waits for. Nothing here asserts a
time; the figures are for people (``make bench``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = """
import sys
import pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    n = sum(len(page.extract_tables()) for page in pdf.pages)
print(n)
"""


def measure(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``argv`` once; return (wall seconds, peak RSS MiB) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Drain stderr in full before reaping, so the child never blocks on a full pipe.
    err = proc.stderr.read()
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"{' '.join(argv[1:4])}… exited {proc.returncode}: {last[0]}")
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    rss = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return wall, rss


def bench(pdf: Path, runs: int = 3) -> dict[str, dict[str, list[float]]]:
    pdf = Path(pdf).resolve()
    root = Path(__file__).resolve().parent.parent
    results: dict[str, dict[str, list[float]]] = {"build": {"time": [], "rss": []},
                                                  "plain": {"time": [], "rss": []}}
    with tempfile.TemporaryDirectory(prefix="renkei-bench-") as tmp:
        commands = {
            "build": [sys.executable, "-m", "pipeline", "--no-progress", "build", "--pdf", str(pdf),
                      "--out", str(Path(tmp) / "out")],
            "plain": [sys.executable, "-c", PLAIN, str(pdf)],
        }
        for _ in range(runs):
            for name, argv in commands.items():  # alternate, so drift hits both alike
                wall, rss = measure(argv, cwd=root)
                results[name]["time"].append(wall)
                results[name]["rss"].append(rss)
    return results


def table(results: dict[str, dict[str, list[float]]], pdf: Path) -> str:
    med = {name: {k: statistics.median(v) for k, v in r.items()} for name, r in results.items()}
    runs = len(results["build"]["time"])
    rows = [
        f"{Path(pdf).name}: median of {runs} run(s), each in a fresh process",
        f"{'':28}{'wall s':>10}{'peak RSS MiB':>15}   runs (s)",
    ]
    labels = {"build": "build (python -m pipeline)", "plain": "plain extract_tables()"}
    for name in ("build", "plain"):
        each = " ".join(f"{t:.2f}" for t in results[name]["time"])
        rows.append(f"{labels[name]:28}{med[name]['time']:>10.2f}{med[name]['rss']:>15.1f}   {each}")
    rows.append(f"{'ratio build / plain':28}{med['build']['time'] / med['plain']['time']:>10.2f}"
                f"{med['build']['rss'] / med['plain']['rss']:>15.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.pdf.is_file():
        print(f"error: {args.pdf}: no such file", file=sys.stderr)
        return 2
    try:
        results = bench(args.pdf, runs=max(1, args.runs))
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table(results, args.pdf))
    return 0


if __name__ == "__main__":
    sys.exit(main())
