"""What a person must look at before `renkei pin`, the same on report.html and on the review page: the
build's provisional project ids (``manifest.json["provisional_project_ids"]``: projects not yet in the
reviewed crosswalk schemas/project_ids.csv), the members its PDF's member tables name that differ from the
reviewed schemas/members.csv (``manifest.json["sources"]["plan"]["members"]["changed"]``) and the failed
expectations of its validation (the FAIL rows of results.json), each with its offending rows. The gate fails
the run on exactly these (pipeline/checks/gate.py).
"""

from __future__ import annotations

import json


def outcome(entry: dict) -> str:
    """A failed expectation's error or offending rows (up to three), else what was observed, as one line."""
    if entry.get("error"):
        return f"error: {entry['error']}"
    rows = entry.get("rows") or []
    if rows and not entry.get("success"):
        more = " …" if (entry.get("unexpected_count") or 0) > 3 else ""
        return "; ".join(" ".join(f"{k}={v}" for k, v in r.items()) for r in rows[:3]) + more
    observed = entry.get("observed_value")
    if observed is None:
        return ""
    text = json.dumps(observed, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def provisional_ids(manifest: dict) -> list[dict]:
    """The build's provisional ids as {project_id, project_no, name}, by project number."""
    rows = [{"project_id": str(p.get("project_id", "")), "project_no": p.get("project_no"),
             "name": str(p.get("name", ""))} for p in manifest.get("provisional_project_ids") or []]
    return sorted(rows, key=lambda p: (p["project_no"] is None, p["project_no"] or 0, p["project_id"]))


def failed_expectations(validation: dict | None) -> list[dict]:
    """Every failed expectation of the results (the FAIL rows), in the results' order: suite, position,
    expectation, settings, unexpected (n of m) and the offending rows or observed value."""
    failed = []
    for entry in (validation or {}).get("results", []):
        if entry.get("success"):
            continue
        unexpected = entry.get("unexpected_count")
        failed.append({"suite": str(entry.get("suite", "")),
                       "position": "" if entry.get("position") is None else entry["position"] + 1,
                       "expectation": entry.get("expectation", ""), "settings": entry.get("settings", ""),
                       "unexpected": "" if unexpected is None else f"{unexpected} of {entry.get('element_count')}",
                       "outcome": outcome(entry)})
    return failed


def member_changes(manifest: dict) -> dict[str, list[str]] | None:
    """{"joined": [...], "left": [...]} where the edition's members differ from the reviewed ones, else None."""
    changed = ((manifest.get("sources") or {}).get("plan") or {}).get("members", {}).get("changed")
    if not changed:
        return None
    return {"joined": [str(n) for n in changed.get("joined", [])], "left": [str(n) for n in changed.get("left", [])]}


def attention(manifest: dict, validation: dict | None) -> dict:
    """The template's `attention` block: provisional ids, member changes, FAIL rows, whether results were
    given."""
    provisional, failures = provisional_ids(manifest), failed_expectations(validation)
    members = member_changes(manifest)
    parts = []
    if provisional:
        parts.append(f"{len(provisional)} provisional project id{'s' if len(provisional) != 1 else ''} ("
                     + ", ".join(f"{p['project_id']} = No. {p['project_no']}" for p in provisional) + ")")
    if members:
        parts.append("members differ from schemas/members.csv (joined: " + ("、".join(members["joined"]) or "none")
                     + "; left: " + ("、".join(members["left"]) or "none") + ")")
    if failures:
        parts.append(f"{len(failures)} failed expectation{'s' if len(failures) != 1 else ''} ("
                     + ", ".join(sorted({f['suite'] for f in failures})) + ")")
    return {"provisional": provisional, "failures": failures, "members": members,
            "validated": validation is not None,
            "line": "; ".join(parts)}
