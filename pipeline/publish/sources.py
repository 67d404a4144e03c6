"""The PDFs a build was read from, found and checked against the SHA-256 its manifest records.

A review draws a build's cells on its PDF's pages, so drawing them on another printing (or another
edition) would show every box in the wrong place while looking right. The PDF is therefore accepted only when
its SHA-256 is the one in ``manifest.json["sources"][role]``. Candidates, in order: the files given on the
command line (``--pdf``, repeatable: each goes to the source whose hash it has), then the source's ``path``
(the path the build was given, relative to where it ran; older builds record only the file name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def sha256(path: Path) -> str:
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class Source:
    """One PDF of a build: its role (plan, overview), the name and hash the manifest records, and the file
    found for it (None when none was found or checked; ``problem`` then says why, in one line)."""

    role: str
    file: str
    sha256: str
    path: Path | None
    problem: str | None = None


def find_sources(manifest: dict, candidates: Iterable[Path] = ()) -> dict[str, Source]:
    """Every source of the manifest, each with the candidate file whose SHA-256 matches, or a problem."""
    hashes: dict[Path, str | None] = {}
    for path in candidates:
        path = Path(path)
        try:
            hashes[path] = sha256(path) if path.is_file() else None
        except OSError:
            hashes[path] = None
    wanted = {str(info.get("sha256", "")) for info in manifest.get("sources", {}).values()}
    strangers = [p for p, h in hashes.items() if h not in wanted]  # given, but no source of this build
    found: dict[str, Source] = {}
    for role, info in sorted(manifest.get("sources", {}).items()):
        want, name = str(info.get("sha256", "")), str(info.get("file", role))
        tried = dict(hashes)
        recorded = info.get("path")
        if isinstance(recorded, str) and recorded:
            path = Path(recorded)
            try:
                tried.setdefault(path, sha256(path) if path.is_file() else None)
            except OSError:
                tried.setdefault(path, None)
        match = next((p for p, h in tried.items() if h == want), None)
        if match is not None:
            found[role] = Source(role, name, want, match)
            continue
        suspects = ([Path(recorded)] if isinstance(recorded, str) and recorded else []) + [
            p for p in tried if p.name == name] or [p for p in strangers if hashes[p] is None]
        if suspects and tried.get(suspects[0]) is None:
            problem = f"{suspects[0]}: no such file (the build's {role} PDF is {name})"
        elif suspects:
            problem = (f"{suspects[0]} is not the PDF this build was read from (SHA-256 "
                       f"{tried[suspects[0]][:12]}…, the manifest's {role} PDF {name} has {want[:12]}…)")
        else:
            problem = f"{name} (SHA-256 {want[:12]}…) was not given; pass it with --pdf"
            if strangers:  # e.g. another printing under another name, or the other edition's PDF
                problem += f" ({', '.join(p.name for p in strangers[:2])}: not a PDF of this build)"
        found[role] = Source(role, name, want, None, problem)
    return found
