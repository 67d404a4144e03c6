"""`renkei gate RESULTS --build DIR --report FILE --review FILE`: the last stage of `dvc repro`.

A new edition of the plan fails validation on the pinned, reviewed values (params.yaml ``pinned:``) by
design: nobody has looked at it yet. The reviewer needs the report and the review of exactly that build to
look at, so validate only records its results (``--no-fail``), report and review run on them, and this
stage fails the run afterwards, naming both. A build whose projects got provisional ids (not yet in the
reviewed crosswalk, pipeline/stages/identity.py) fails here too: its ids are not yet stable. After looking,
a person runs `renkei pin` (pipeline/pin.py) and `make run` passes.

Exit status: 0 passed; 1 validation failed or ids are provisional (one line on stderr); 2 the results, the
build, the report or the review is missing (the stages before did not run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _read(path: Path, what: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(f"{what} {path} cannot be read: {error}") from None


def gate_message(results: dict, manifest: dict, report: Path, review: Path, build: Path) -> str | None:
    """The line that fails the run, or None when the build passes."""
    reasons = []
    if not results.get("success"):
        failed = [e for e in results.get("results", []) if not e.get("success")]
        names = sorted({e.get("suite", "?") for e in failed})
        reasons.append(f"validation failed ({len(failed)} expectation{'s' if len(failed) != 1 else ''} in "
                       f"{', '.join(names)})")
    provisional = manifest.get("provisional_project_ids", [])
    if provisional:
        reasons.append(f"{len(provisional)} provisional project id{'s' if len(provisional) != 1 else ''} ("
                       + ", ".join(f"{p['project_id']} = project {p['project_no']}" for p in provisional) + ")")
    changed = manifest.get("sources", {}).get("plan", {}).get("members", {}).get("changed")
    if changed:  # the PDF's member tables differ from schemas/members.csv (reviewed)
        reasons.append("members differ from the reviewed schemas/members.csv (joined: "
                       f"{'、'.join(changed['joined']) or 'none'}; left: {'、'.join(changed['left']) or 'none'})")
    if not reasons:
        return None
    return (f"gate: {'; '.join(reasons)}. This build's report {report} and review {review} are written: look at "
            f"them, then `renkei pin {build}` takes its figures, ids and members (docs/validation.md)")


def run_gate(validation: Path, build: Path, report: Path, review: Path) -> int:
    try:
        results = _read(validation, "validation results")
        manifest = _read(Path(build) / "manifest.json", "the build's manifest")
        for path, what in ((report, "report"), (review, "review")):
            if not Path(path).is_file():
                raise FileNotFoundError(f"the {what} {path} is missing: run the {what} stage first")
    except FileNotFoundError as error:
        print(f"error: gate: {error}", file=sys.stderr)
        return 2
    message = gate_message(results, manifest, Path(report), Path(review), Path(build))
    if message is not None:
        print(message, file=sys.stderr)
        return 1
    print("gate: passed (validation passed, every project id and member reviewed)", file=sys.stderr)
    return 0
