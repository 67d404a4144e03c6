"""Real PDFs that are not the plan, for tests/test_corpus.py: the test files of PDF libraries, taken from
their Debian source packages.

Why these: a tool fed whatever PDF a user has must refuse every one that is not the plan in one line, and
real files from many producers (scanners, office suites, TeX, broken and encrypted ones) find what files
made here do not. pdfplumber's own corpus would do, but its files come only from its repository, whose
content this workplace may not commit; Debian's source packages are a package registry, so `make corpus`
fetches them with apt-get like any other package (into .corpus/, git-ignored). The machine's apt
configuration is left alone: the source lists are made from its own ``deb`` entries (same mirrors, same
keys) in a folder of the corpus's, and only the PDFs are kept.

    python -m tests.corpus fetch .corpus     # what `make corpus` runs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

# Source packages whose tests or samples hold PDFs (about 260 together).
PACKAGES = ("camelot-py", "pdfminer", "pypdf")
# Suites tried in this order for a package missing from the machine's own release.
LATER_SUITES = ("trixie",)
STAMP = ".complete"
PARTIAL = ".partial"


def corpus_pdfs(folder: Path) -> list[Path]:
    """The corpus's PDFs, in a fixed order; empty unless a fetch completed."""
    if not (folder / STAMP).exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")


def _deb_entries() -> list[dict[str, str]]:
    """The machine's ``deb`` sources (deb822 .sources files and one-line lists)."""
    entries: list[dict[str, str]] = []
    parts = Path("/etc/apt/sources.list.d")
    for path in sorted(parts.glob("*.sources")) if parts.is_dir() else []:
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", block, flags=re.M))
            if "deb" in fields.get("Types", "").split() and fields.get("Enabled", "yes") != "no":
                entries.append(fields)
    for path in [Path("/etc/apt/sources.list"), *(sorted(parts.glob("*.list")) if parts.is_dir() else [])]:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^deb\s+(\[[^]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$", line.strip())
            if m:
                signed = re.search(r"signed-by=(\S+?)[\s\]]", m.group(1) or "")
                entries.append({"URIs": m.group(2), "Suites": m.group(3), "Components": m.group(4),
                                **({"Signed-By": signed.group(1)} if signed else {})})
    return entries


def _source_list(entries: list[dict[str, str]]) -> str:
    """deb-src entries for the same mirrors, with the later suites added for the main archive."""
    blocks = []
    for e in entries:
        suites = e["Suites"].split()
        release = [s for s in suites if "-" not in s and "/" not in s]
        suites += [s for s in LATER_SUITES if release and s not in suites and "security" not in e["URIs"]]
        block = ["Types: deb-src", f"URIs: {e['URIs']}", f"Suites: {' '.join(suites)}",
                 f"Components: {e.get('Components', 'main')}"]
        if "Signed-By" in e:
            block.append(f"Signed-By: {e['Signed-By']}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks) + "\n"


def _apt(folder: Path) -> list[str]:
    apt = folder / "apt"
    return ["-o", f"Dir::Etc::sourcelist={apt / 'sources.list'}", "-o", f"Dir::Etc::sourceparts={apt / 'parts'}",
            "-o", f"Dir::State::Lists={apt / 'lists'}", "-o", f"Dir::Cache={apt / 'cache'}",
            "-o", "APT::Sandbox::User=root", "-qq"]


def _suites(folder: Path) -> list[str | None]:
    text = (folder / "apt" / "parts" / "corpus.sources").read_text(encoding="utf-8")
    found = [s for line in re.findall(r"^Suites: (.*)$", text, flags=re.M) for s in line.split()]
    return [None, *dict.fromkeys(s for s in found if "-" not in s)]


def _upstream(folder: Path, name: str, into: Path) -> list[tuple[str, int, str]]:
    """The upstream tarballs (file name, size, SHA-256) that the source index lists for ``name``."""
    run = subprocess.run(["apt-get", *_apt(folder), "source", "--print-uris", name], cwd=into,
                         capture_output=True, text=True)
    found = re.findall(r"^'[^']+' (\S+\.orig\.tar\.\w+) (\d+) SHA256:([0-9a-f]{64})$", run.stdout, flags=re.M)
    return [(file, int(size), digest) for file, size, digest in found]


def _whole(path: Path, size: int, digest: str) -> bool:
    return path.is_file() and path.stat().st_size == size and hashlib.sha256(path.read_bytes()).hexdigest() == digest


def _download(folder: Path, package: str, into: Path) -> list[Path]:
    """The package's upstream tarball(s), from the first suite that serves them whole.

    Only the upstream tarball is needed, and it is checked here against the size and SHA-256 of the
    signed source index: a mirror that serves it but lacks the Debian part (.dsc, seen for the later
    suite) makes apt-get fail for the package while the tarball it fetched is whole."""
    errors = []
    for suite in _suites(folder):
        shutil.rmtree(into, ignore_errors=True)
        into.mkdir(parents=True)
        name = package if suite is None else f"{package}/{suite}"
        expected = _upstream(folder, name, into)
        if not expected:
            errors.append(f"{name}: not in the source index")
            continue
        run = subprocess.run(["apt-get", *_apt(folder), "source", "--download-only", name], cwd=into,
                             capture_output=True, text=True)
        if all(_whole(into / file, size, digest) for file, size, digest in expected):
            return [into / file for file, _, _ in expected]
        errors.append(f"{name}: {(run.stderr.strip().splitlines() or ['the upstream tarball is not whole'])[-1]}")
    raise SystemExit(f"error: cannot fetch the source package {package}: {'; '.join(errors)}")


def _keep_pdfs(tarball: Path, into: Path) -> int:
    count = 0
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.lower().endswith(".pdf"):
                member.name = member.name.split("/", 1)[-1]  # without the top folder of the tarball
                archive.extract(member, into, filter="data")
                count += 1
    return count


def fetch(folder: Path) -> int:
    """Fill ``folder`` with the PDFs of PACKAGES; the count. Made in a sibling folder and renamed into
    place, so an interrupted fetch leaves no half corpus."""
    folder = folder.absolute()  # apt-get runs in the download folders
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit("error: the corpus is fetched with apt-get as root: run `make corpus` as root on Debian")
    work = folder.with_name(folder.name + ".partial")
    for mine, marker in ((folder, STAMP), (work, PARTIAL)):
        if mine.exists() and not (mine / marker).exists():
            raise SystemExit(f"error: {mine} exists and was not made by this command: move it away first")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / PARTIAL).write_text("being fetched by python -m tests.corpus\n", encoding="utf-8")
    apt = work / "apt"
    for sub in ("parts", "lists/partial", "cache/archives/partial"):
        (apt / sub).mkdir(parents=True)
    (apt / "sources.list").write_text("", encoding="utf-8")
    entries = _deb_entries()
    if not entries:
        raise SystemExit("error: no Debian package sources are configured on this machine (/etc/apt)")
    (apt / "parts" / "corpus.sources").write_text(_source_list(entries), encoding="utf-8")
    update = subprocess.run(["apt-get", *_apt(work), "update"], capture_output=True, text=True)
    if update.returncode != 0:
        raise SystemExit(f"error: apt-get update of the source lists failed: {update.stderr.strip()[-300:]}")
    total = 0
    for package in PACKAGES:
        downloads = work / "downloads" / package
        for tarball in _download(work, package, downloads):
            total += _keep_pdfs(tarball, work / "pdfs" / package)
        shutil.rmtree(downloads)
    shutil.rmtree(work / "downloads", ignore_errors=True)
    shutil.rmtree(apt)
    (work / PARTIAL).unlink()
    (work / STAMP).write_text(f"{total} PDFs from {', '.join(PACKAGES)}\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if corpus_pdfs(args.folder):
        print(f"{args.folder}: {len(corpus_pdfs(args.folder))} PDFs already")
        return 0
    print(f"{args.folder}: {fetch(args.folder)} PDFs from the Debian source packages {', '.join(PACKAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
