"""Stable project ids: every project of a build gets the ``project_id`` of the reviewed crosswalk.

The printed number (``project_no``) moves when a project is inserted or removed; other systems need a key
that does not. As PUDL keeps its entity ids, the ids live in a reviewed file in the repository,
``schemas/project_ids.csv`` (``CROSSWALK``: ``project_id,name,summary``, one row per id ever given, with the
name and summary of the last reviewed edition). A build matches its projects to the crosswalk by the diff's
identity rules (``pipeline.identity``: the same name, else name + summary similarity ≥ 75), so a
renumbered or renamed project keeps its id. A project that matches no row gets a provisional id, the next
number after the crosswalk's highest (in printed order, so the same input gives the same ids), and the build
names it (stderr and ``manifest.json["provisional_project_ids"]``).

Builds only read the crosswalk: a person takes provisional ids in with ``renkei pin`` after reviewing them
(pipeline/pin.py), which is the only writer. An id is never reused: a project removed from the plan keeps
its row, so a later project cannot inherit its id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

import schemas

from pipeline.identity import Project, match_projects
from pipeline.errors import ParseError

CROSSWALK = Path(schemas.__file__).resolve().parent / "project_ids.csv"  # shipped as package data
COLUMNS = ("project_id", "name", "summary")
ID_PATTERN = regex.compile(r"P([0-9]{3,})")


@dataclass(frozen=True)
class Entry:
    project_id: str
    name: str
    summary: str

    @property
    def number(self) -> int:
        return int(self.project_id[1:])


def format_id(number: int) -> str:
    return f"P{number:03d}"


def read_crosswalk(path: Path | None = None) -> list[Entry]:
    """The crosswalk's rows (``path``, default `CROSSWALK`); a missing file is an empty crosswalk (every id
    provisional). A malformed file stops the build with one line naming it."""
    path = Path(path) if path is not None else CROSSWALK
    if not path.is_file():
        return []
    return parse_crosswalk(path.read_text(encoding="utf-8"), str(path))


def parse_crosswalk(text: str, where: str = "crosswalk") -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ParseError(f"{where}: header is {reader.fieldnames}, expected {','.join(COLUMNS)}")
    entries, seen = [], set()
    for line, row in enumerate(reader, start=2):
        pid = row["project_id"] or ""
        if not ID_PATTERN.fullmatch(pid):
            raise ParseError(f"{where}: line {line}: project_id {pid!r} is not P and 3 or more digits")
        if int(pid[1:]) in seen:
            raise ParseError(f"{where}: line {line}: project_id {pid} given twice")
        if not row["name"]:
            raise ParseError(f"{where}: line {line}: {pid} has no name")
        seen.add(int(pid[1:]))
        entries.append(Entry(pid, row["name"], row["summary"] or ""))
    return entries


def format_crosswalk(entries: list[Entry]) -> str:
    """The crosswalk file's text, rows by id (what `renkei pin` writes; deterministic)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in sorted(entries, key=lambda e: e.number):
        writer.writerow([e.project_id, e.name, e.summary])
    return out.getvalue()


@dataclass(frozen=True)
class Assignment:
    """The ids of one edition's projects: ``ids`` {project_no: project_id}; ``provisional`` the projects
    (no, id, name) that matched no crosswalk row; ``renamed`` those matched under another name."""
    ids: dict[int, str]
    provisional: list[dict[str, Any]]
    renamed: list[dict[str, Any]]


def assign_ids(projects: list[tuple[int, str, str]], crosswalk: list[Entry]) -> Assignment:
    """Match (project_no, name, summary) of one edition to the crosswalk (module docstring)."""
    by_number = {e.number: e for e in crosswalk}
    matching = match_projects([Project(e.number, e.name, e.summary) for e in crosswalk],
                              [Project(no, name, summary) for no, name, summary in projects])
    ids = {p.new.no: by_number[p.old.no].project_id for p in matching.pairs}
    renamed = [{"project_no": p.new.no, "project_id": ids[p.new.no], "name": p.new.name,
                "crosswalk_name": p.old.name} for p in matching.pairs if p.renamed]
    next_number = max(by_number, default=0) + 1
    provisional = []
    for p in matching.added:  # by new number: printed order
        ids[p.no] = format_id(next_number)
        provisional.append({"project_no": p.no, "project_id": ids[p.no], "name": p.name})
        next_number += 1
    return Assignment(ids, provisional, renamed)


def add_project_ids(tables: dict[str, list[dict[str, Any]]], crosswalk: list[Entry]) -> Assignment:
    """Give every row that names a project its ``project_id`` beside ``project_no``, in place."""
    assignment = assign_ids([(p["project_no"], p["name"], p["summary"]) for p in tables["projects"]], crosswalk)
    for rows in tables.values():
        for row in rows:
            if "project_no" in row:
                no = row["project_no"]
                row["project_id"] = None if no is None else assignment.ids[no]
    return assignment


def provisional_line(provisional: list[dict[str, Any]], crosswalk: Path | None = None) -> str:
    """The one line a build prints for its provisional ids."""
    crosswalk = crosswalk if crosswalk is not None else CROSSWALK
    named = "; ".join(f"{p['project_id']} = project {p['project_no']} {p['name']}" for p in provisional)
    return (f"renkei: {len(provisional)} project{'s' if len(provisional) != 1 else ''} not in the crosswalk "
            f"{crosswalk.name} got provisional ids: {named} (review them, then `renkei pin`)")
