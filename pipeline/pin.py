"""`renkei pin BUILD`: take a reviewed build's figures and project ids into the repository.

A person runs it after looking at the report and the review of a new edition (the gate stage names them);
`make run` never does, and no build writes these files. It writes three files and prints the changes as a
unified diff:

- params.yaml ``pinned:``: the build's project, indicator and KPI counts and the budget total of the plan's
  first fiscal year, with that year (``budget_total: {fiscal_year, thousand_yen}``), from the build's
  metrics.json. Only the values are edited, line by line, so every comment and the layout stay; the result
  is read back with PyYAML and must hold exactly the new values, or nothing is written.
- the crosswalk (schemas/project_ids.csv, pipeline/stages/identity.py): every project of the build under its
  project_id, with the build's name and summary (a provisional id taken in, a renamed project's name
  updated). The build's ids must be what the current crosswalk gives its projects; a build made with
  another crosswalk is refused (rebuild first), so a pin never takes ids nobody saw.
- the reviewed members (schemas/members.csv, pipeline/normalizers/municipalities.py): the members the build
  read from the PDF's member tables, and any ``--member`` named (a chapter-only edition prints no member
  table: a new partner it names is refused by the build until a person adds it so; ``--member`` alone, with
  no build, edits only this file).

Each file is written beside itself and moved into place. Exit 0 (also when nothing changes), 2 when the
build or a file cannot be read (one line).
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any

import regex

from pipeline.errors import ParseError
from pipeline.inputs import InputError
from extractors.textnorm import fold_text
from pipeline.normalizers.municipalities import MEMBERS_FILE, Members, format_members, parse_members
from pipeline.stages.identity import Entry, assign_ids, format_crosswalk, parse_crosswalk

# pinned: key path → where its value comes from in a build (metrics.json)
_COUNTS = {("project_count",): "projects", ("indicator_count",): "indicators", ("kpi_count",): "kpis"}
_KEY_LINE = regex.compile(r"^(?P<indent>[ ]*)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<space>[ ]*)"
                          r"(?P<value>[^#\s][^#]*?)?(?P<tail>[ ]*(?:#.*)?)$")


class PinError(Exception):
    """The build or a file cannot be pinned from (one line)."""


def pinned_values(metrics: dict, budgets_years: list[int]) -> dict[tuple[str, ...], int]:
    """{key path in ``pinned:``: value} from a build's metrics.json and its fiscal years."""
    counts = metrics.get("counts", {})
    out: dict[tuple[str, ...], int] = {}
    for path, table in _COUNTS.items():
        if table not in counts:
            raise PinError(f"metrics.json has no count of {table}")
        out[path] = int(counts[table])
    if not budgets_years:
        raise PinError("the build has no budget rows")
    year = min(budgets_years)  # the plan's first fiscal year: the one it prints amounts for
    total = metrics.get("budget_thousand_yen", {}).get("by_fiscal_year", {}).get(f"fy{year}")
    if total is None:
        raise PinError(f"the build prints no budget amount for its first fiscal year {year}")
    out[("budget_total", "fiscal_year")] = year
    out[("budget_total", "thousand_yen")] = int(total)
    return out


def edit_pinned(text: str, values: dict[tuple[str, ...], int]) -> str:
    """``text`` (params.yaml) with the values under ``pinned:`` replaced in place: each ``key: value`` line
    whose path (by indentation) is in ``values`` gets the new value, its comment and spacing kept. Every
    path must be found once."""
    lines = text.splitlines(keepends=True)
    stack: list[tuple[int, str]] = []
    found: set[tuple[str, ...]] = set()
    out = []
    for line in lines:
        body = line.rstrip("\n")
        m = _KEY_LINE.match(body)
        if m is None or not body.strip() or body.lstrip().startswith("#"):
            out.append(line)
            continue
        indent = len(m["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m["key"]))
        path = tuple(k for _, k in stack)
        if path[0] == "pinned" and path[1:] in values and m["value"] is not None:
            key = path[1:]
            if key in found:
                raise PinError(f"pinned.{'.'.join(key)} is given twice")
            found.add(key)
            new = f"{m['indent']}{m['key']}:{m['space']}{values[key]}{m['tail']}"
            out.append(new + line[len(body):])
            continue
        out.append(line)
    missing = [".".join(k) for k in values if k not in found]
    if missing:
        raise PinError(f"params.yaml has no pinned value {', '.join('pinned.' + m for m in missing)} to update")
    return "".join(out)


def _check_params(text: str, values: dict[tuple[str, ...], int], where: Path) -> None:
    """The edited file must read back (PyYAML) with exactly the new values: a layout the line edit does not
    understand (a flow mapping, an anchor) is refused rather than written wrong."""
    import yaml

    pinned = (yaml.safe_load(text) or {}).get("pinned", {})
    for path, value in values.items():
        node: Any = pinned
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node != value:
            raise PinError(f"{where}: pinned.{'.'.join(path)} reads {node!r} after the edit, not {value}")


def new_crosswalk(projects: list[dict], crosswalk: list[Entry]) -> list[Entry]:
    """The crosswalk with every project of the build under its id (name and summary of the build)."""
    assignment = assign_ids([(p["project_no"], p["name"], p["summary"]) for p in projects], crosswalk)
    built = {p["project_no"]: p["project_id"] for p in projects}
    if assignment.ids != built:
        differ = sorted(no for no in built if assignment.ids.get(no) != built[no])
        raise PinError(f"the build's project ids differ from what the crosswalk gives (project {differ[0]}: "
                       f"{built[differ[0]]} in the build, {assignment.ids.get(differ[0])} now): rebuild first")
    by_id = {e.project_id: e for e in crosswalk}
    for p in projects:
        by_id[p["project_id"]] = Entry(p["project_id"], p["name"], p["summary"])
    return sorted(by_id.values(), key=lambda e: e.number)


def _diff(old: str, new: str, path: Path) -> str:
    """A unified diff as git prints it, the file named relative to the working folder where it lies in it."""
    try:
        name = Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        name = Path(path)
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name}".replace("//", "/"), f"b/{name}".replace("//", "/")))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.pin-tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_build(build_dir: Path) -> tuple[dict, list[int], list[dict]]:
    import pyarrow.parquet as pq

    from pipeline.stages.builddir import require_build

    require_build(build_dir)
    metrics = json.loads((build_dir / "metrics.json").read_text(encoding="utf-8"))
    years = sorted(set(pq.read_table(build_dir / "budgets.parquet", columns=["fiscal_year"])
                       .column("fiscal_year").to_pylist()))
    projects = pq.read_table(build_dir / "projects.parquet",
                             columns=["project_no", "project_id", "name", "summary"]).to_pylist()
    return metrics, years, projects


def new_members(reviewed: Members, built: dict | None, added: list[str]) -> Members:
    """The reviewed members after the pin: the build's, where it read them from the PDF's member tables
    (``built``: its manifest's members record), then each ``added`` partner (a municipality of Japan, not
    yet a member)."""
    members = reviewed
    if built is not None and built.get("source") == "document":
        members = Members(built["center"], tuple(built["partners"]))
    for name in added:
        name = fold_text(name).strip()
        if name in members.all:
            raise PinError(f"--member {name}: already a member")
        members.lg_code(name)
        members = Members(members.center, (*members.partners, name))
    return Members(members.center, members.partners)


def _built_members(build_dir: Path) -> dict | None:
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    return manifest.get("sources", {}).get("plan", {}).get("members")


def run_pin(build_dir: Path | None, params: Path = Path("params.yaml"), crosswalk: Path | None = None, *,
            dry_run: bool = False, members_file: Path | None = None, add_members: list[str] = ()) -> int:
    from pipeline.stages.identity import CROSSWALK

    params = Path(params)
    crosswalk = Path(crosswalk) if crosswalk is not None else CROSSWALK
    members_file = Path(members_file) if members_file is not None else MEMBERS_FILE
    changes = []
    try:
        if build_dir is None and not add_members:
            raise PinError("name the reviewed build (or give --member to edit only the members)")
        old_members = members_file.read_text(encoding="utf-8")
        built = None
        if build_dir is not None:
            build_dir = Path(build_dir)
            metrics, years, projects = _read_build(build_dir)
            values = pinned_values(metrics, years)
            old_params = params.read_text(encoding="utf-8")
            new_params = edit_pinned(old_params, values)
            _check_params(new_params, values, params)
            old_walk = crosswalk.read_text(encoding="utf-8") if crosswalk.is_file() else ""
            entries = parse_crosswalk(old_walk, str(crosswalk)) if old_walk else []
            new_walk = format_crosswalk(new_crosswalk(projects, entries))
            changes += [(params, old_params, new_params), (crosswalk, old_walk, new_walk)]
            built = _built_members(build_dir)
        members = new_members(parse_members(old_members, str(members_file)), built, list(add_members))
        changes.append((members_file, old_members, format_members(members)))
    except (PinError, ParseError, InputError, OSError, ValueError, KeyError) as error:
        print(f"error: pin: {error}", file=sys.stderr)
        return 2
    diff = "".join(_diff(old, new, path) for path, old, new in changes if old != new)
    if not diff:
        print(f"pin: nothing to change: {', '.join(str(p) for p, _, _ in changes)} already hold "
              f"{build_dir or 'the members'}'s figures, ids and members")
        return 0
    sys.stdout.write(diff)
    if dry_run:
        print("pin: --dry-run, nothing written", file=sys.stderr)
        return 0
    for path, old, new in changes:
        if old != new:
            _write(path, new)
    print(f"pin: wrote {', '.join(str(p) for p, o, n in changes if o != n)}; commit them with the new data",
          file=sys.stderr)
    return 0
