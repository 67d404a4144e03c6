"""`python -m pipeline validate DIR`: run the expectation suites (expectations/*.json) on a build.

Each suite is a hand-written Great Expectations 1.x suite JSON whose ``meta`` says what it runs on:

    "meta": {"frame": {"table": "budgets"}            a table of the build, or a derived frame
                                                      (pipeline.checks.reconcile: {"derive": …, …}),
             "row_key": ["project_no", "fiscal_year"], columns that identify an offending row,
             "requires": ["overview"],                 tables that must exist …
             "optional": true}                         … or else the suite is skipped, not failed

Pinned, reviewed values (project count, one fiscal year's budget total …) are not in the suites but in
params.yaml (``pinned:``); a suite refers to them as ``{"$PARAMETER": "project_count"}``, to a value of a
pinned mapping with a dotted name (``budget_total.fiscal_year``), anywhere in an expectation's kwargs, row
conditions included: validate puts the values in before Great Expectations sees the suite. A pinned value
that names a year names it as data (``budget_total: {fiscal_year: …, thousand_yen: …}``), so no suite
names the plan period. So are the partner municipalities and their codes (``partner_municipalities``,
``partner_lg_codes``, from the reviewed schemas/members.csv). A suite that names a parameter params.yaml
lacks stops validate (exit 2) before anything runs.

Runs with an ephemeral context, fully offline. Prints one line per failed expectation (suite,
expectation, a few offending rows) and a summary line; writes OUT/results.json (deterministic: no
times or ids, so it diffs cleanly and DVC sees no change when nothing changed). OUT defaults to
DIR/validation. There is one report for people, `report` (out/report.html): every expectation of every
suite with pass/fail and offending rows, offline. GX Data Docs are not written: their HTML loads its
CSS, JS and icons from CDNs (unstyled and without status icons offline) and carries run ids and times.
Exit status: 0 all passed, 1 some expectation failed, 2 the build or params could not be read. With
``--no-fail`` (dvc.yaml's validate stage) a failed expectation is recorded in results.json and exits 0, so
that the report and the review of a new edition are still made; `renkei gate` (pipeline/checks/gate.py), the
last stage, then fails the run naming them.
"""

from __future__ import annotations

import datetime
from importlib import resources
import json
import math
import os
import shutil
import sys
from pathlib import Path
from collections.abc import Iterable
from typing import Any, TextIO

import pandas as pd

from pipeline.checks.reconcile import Tables, TableMissing, build_frame

# The suites are package data of the `expectations` package (installed with renkei), so validate works from
# any install, not only from the source tree.
SUITES_DIR = Path(str(resources.files("expectations")))
RESULTS_NAME = "results.json"
DOCS_DIR_NAME = "data_docs"  # written by earlier versions; a stale one is removed
SHOWN_ROWS = 3  # offending rows printed per failed expectation
KEPT_ROWS = 20  # … and kept in results.json
# The run time GX records: a fixed value, so nothing in a run depends on the clock (the validation
# is of the data, which has its own provenance in manifest.json). Not a year of any plan.
FIXED_RUN_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


# -- inputs ----------------------------------------------------------------------------------------
def load_params(path: Path) -> dict:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data.get("pinned"), dict):
        raise ValueError(f"{path}: no 'pinned:' mapping")
    return data


def suite_parameters(params: dict) -> dict[str, Any]:
    """The values suites may refer to with {"$PARAMETER": name}."""
    from pipeline.normalizers.municipalities import read_members

    members = read_members()  # reviewed, like the pinned values: an edition whose members differ fails here
    return {
        **params["pinned"],
        "partner_municipalities": list(members.partners),
        "partner_lg_codes": [(name, members.lg_code(name)) for name in members.partners],
        "partner_count": len(members.partners),
    }


def parameter(parameters: dict[str, Any], name: str) -> Any:
    """The value of ``name``: a suite parameter, or with dots a value inside a pinned mapping."""
    value: Any = parameters
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ValueError(f"params.yaml has no pinned value {name!r}")
        value = value[part]
    return value


def resolve(value: Any, parameters: dict[str, Any]) -> Any:
    """``value`` with every ``{"$PARAMETER": name}`` in it replaced by the parameter's value."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return parameter(parameters, value["$PARAMETER"])
        return {k: resolve(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, parameters) for v in value]
    return value


def check_parameters(suites: list[dict], parameters: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming the suite and the parameter when a suite refers to one params lacks."""
    for suite in suites:
        try:
            resolve(suite["expectations"], parameters)
        except ValueError as error:
            raise ValueError(f"suite {suite['name']}: {error}") from None


def load_suites(suites_dir: Path = SUITES_DIR, only: Iterable[str] | None = None) -> list[dict]:
    suites = []
    for path in sorted(Path(suites_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        meta = data.get("meta") or {}
        if "frame" not in meta:
            raise ValueError(f"{path}: meta.frame missing (which table or derived frame it checks)")
        if data.get("name") != path.stem:
            raise ValueError(f"{path}: suite name {data.get('name')!r} differs from the file name")
        suites.append(data)
    if only is not None:
        wanted = set(only)
        unknown = wanted - {s["name"] for s in suites}
        if unknown:
            raise ValueError(f"no suite {', '.join(sorted(unknown))} in {suites_dir}")
        suites = [s for s in suites if s["name"] in wanted]
    if not suites:
        raise ValueError(f"no suites in {suites_dir}")
    return suites


# -- results ---------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON-safe, deterministic Python values (numpy scalars unwrapped, NaN → None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set) else items
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _parameter_text(value: Any, parameters: dict) -> Any:
    """A ``{"$PARAMETER": name}`` as ``name=value`` (lists by their name alone), anything else as it is."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        try:
            resolved = parameter(parameters, name)
        except ValueError:
            resolved = None
        return name if isinstance(resolved, list) else f"{name}={resolved}"
    return value


def _condition_text(condition: Any, parameters: dict | None = None) -> str:
    if condition is None:
        return ""
    if isinstance(condition, dict):
        kind = condition.get("type")
        if kind in ("and", "or"):
            return f" {kind} ".join(_condition_text(c, parameters) for c in condition["conditions"])
        column = (condition.get("column") or {}).get("name")
        if kind == "nullity":
            return f"{column} is {'null' if condition['is_null'] else 'not null'}"
        if kind == "comparison":
            return f"{column} {condition['operator']} {_parameter_text(condition['parameter'], parameters or {})}"
        return condition.get("pass_through_filter", str(condition))
    return str(condition)


def _label(expectation: dict) -> str:
    """``expect_x(column)`` — the name tests and people grep for."""
    kwargs = expectation.get("kwargs", {})
    cols = kwargs.get("column") or kwargs.get("column_list")
    if cols is None and "column_A" in kwargs:
        cols = [kwargs["column_A"], kwargs["column_B"]]
    inner = ", ".join(cols) if isinstance(cols, list) else (cols or "")
    return f"{expectation['type']}({inner})" if inner else expectation["type"]


def _settings_text(expectation: dict, parameters: dict) -> str:
    kwargs = expectation.get("kwargs", {})
    skip = {"column", "column_list", "column_A", "column_B", "row_condition", "condition_parser",
            "result_format", "batch_id"}
    parts = []
    for key, value in kwargs.items():
        if key in skip:
            continue
        value = _parameter_text(value, parameters)
        text = json.dumps(_plain(value), ensure_ascii=False) if not isinstance(value, str) else value
        parts.append(f"{key}={text if len(text) <= 40 else text[:37] + '...'}")
    where = _condition_text(kwargs.get("row_condition"), parameters)
    if where:
        parts.append(f"where {where}")
    return " ".join(parts)


def _rows_text(rows: list[dict]) -> str:
    return "; ".join(" ".join(f"{k}={v}" for k, v in row.items()) for row in rows)


def _describe(entry: dict) -> str:
    """One line for a failed expectation."""
    head = f"FAIL {entry['suite']}: {entry['expectation']}"
    if entry.get("settings"):
        head += f" [{entry['settings']}]"
    if entry.get("error"):
        return f"{head} — error: {entry['error']}"
    if entry.get("unexpected_count") is not None:
        text = f"{head} — {entry['unexpected_count']} of {entry['element_count']} rows"
        if entry.get("rows"):
            more = " …" if entry["unexpected_count"] > SHOWN_ROWS else ""
            text += f": {_rows_text(entry['rows'][:SHOWN_ROWS])}{more}"
        return text
    return f"{head} — observed {json.dumps(entry.get('observed_value'), ensure_ascii=False)}"


def _entry(suite: dict, position: int, expectation: dict, result: Any, parameters: dict) -> dict:
    res = result.result or {}
    info = result.exception_info or {}
    error = None
    if isinstance(info, dict):
        if info.get("raised_exception"):
            error = info.get("exception_message")
        else:  # multi-metric results nest their exception info per metric
            for nested in info.values():
                if isinstance(nested, dict) and nested.get("raised_exception"):
                    error = nested.get("exception_message")
                    break
    rows = res.get("unexpected_index_list")
    if rows and not isinstance(rows[0], dict):
        rows = [{"row": r} for r in rows]
    entry = {
        "suite": suite["name"],
        "position": position,
        "frame": suite["meta"]["frame"],
        "expectation": _label(expectation),
        "type": expectation["type"],
        "kwargs": _plain(expectation.get("kwargs", {})),
        "settings": _settings_text(expectation, parameters),
        "success": bool(result.success) and error is None,
        "observed_value": _plain(res.get("observed_value")),
        "element_count": _plain(res.get("element_count")),
        "unexpected_count": _plain(res.get("unexpected_count")),
        "rows": _plain(rows[:KEPT_ROWS]) if rows else [],
        "error": error,
    }
    if expectation.get("meta"):
        entry["meta"] = _plain(expectation["meta"])
    return entry


# -- running ---------------------------------------------------------------------------------------
def _gx_context():
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # before the import, or it phones home
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    for name in list(context.list_data_docs_sites()):  # no Data Docs (see the module docstring)
        context.delete_data_docs_site(name)
    return gx, context


def validate_build(build_dir: Path, params: dict, *, suites_dir: Path = SUITES_DIR,
                   only: Iterable[str] | None = None) -> dict:
    """Run the suites (all, or those named in ``only``) on the build; return the results document."""
    suites = load_suites(suites_dir, only)
    parameters = suite_parameters(params)
    check_parameters(suites, parameters)
    tables = Tables(build_dir)
    entries: list[dict] = []
    suite_status: dict[str, str] = {}
    runnable = []
    for suite in suites:
        meta = suite["meta"]
        missing = [t for t in meta.get("requires", []) if t not in tables]
        if missing and meta.get("optional"):
            suite_status[suite["name"]] = f"skipped (no {', '.join(missing)})"
            continue
        try:
            if missing:
                raise TableMissing(missing[0])
            frame = build_frame(meta["frame"], tables)
        except TableMissing as error:
            frame, problem = None, f"table {error.args[0]} missing from the build"
        except (KeyError, ValueError, TypeError) as error:
            frame, problem = None, f"could not build the frame: {type(error).__name__}: {error}"
        if frame is None:
            suite_status[suite["name"]] = "failed"
            entries.append({"suite": suite["name"], "position": None, "frame": meta["frame"], "expectation": "frame",
                            "type": "frame", "kwargs": {}, "settings": "", "success": False,
                            "observed_value": None, "element_count": None, "unexpected_count": None,
                            "rows": [], "error": problem})
            continue
        runnable.append((suite, frame))

    gx, context = _gx_context()
    from great_expectations.core.run_identifier import RunIdentifier

    run_id = RunIdentifier(run_name="validate", run_time=FIXED_RUN_TIME)
    source = context.data_sources.add_pandas("renkei")
    for suite, frame in runnable:
        meta = suite["meta"]
        batch = source.add_dataframe_asset(suite["name"]).add_batch_definition_whole_dataframe("all")
        # each config carries its position, to pair GX's results with the hand-written configs
        configs = [{**e, "kwargs": resolve(e.get("kwargs", {}), parameters),
                    "meta": {**(e.get("meta") or {}), "position": i}}
                   for i, e in enumerate(suite["expectations"])]
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite["name"], expectations=configs, meta=meta))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite["name"], data=batch, suite=gx_suite))
        key = [c for c in meta.get("row_key", []) if c in frame.columns]
        result_format = {"result_format": "COMPLETE", "partial_unexpected_count": KEPT_ROWS}
        if key:
            result_format["unexpected_index_column_names"] = key
        result = definition.run(batch_parameters={"dataframe": frame}, expectation_parameters=parameters,
                                result_format=result_format, run_id=run_id)
        by_position = {one.expectation_config.meta["position"]: one for one in result.results}
        if sorted(by_position) != list(range(len(configs))):
            raise RuntimeError(f"{suite['name']}: {len(by_position)} results for {len(configs)} expectations")
        ok = True
        for position, expectation in enumerate(suite["expectations"]):
            entry = _entry(suite, position, expectation, by_position[position], parameters)
            entries.append(entry)
            ok = ok and entry["success"]
        suite_status[suite["name"]] = "passed" if ok else "failed"

    failed = [e for e in entries if not e["success"]]
    return {
        "success": not failed,
        "statistics": {
            "suites": len(suites),
            "suites_failed": sum(1 for s in suite_status.values() if s == "failed"),
            "suites_skipped": sum(1 for s in suite_status.values() if s.startswith("skipped")),
            "expectations": len(entries),
            "expectations_failed": len(failed),
        },
        "parameters": _plain({k: v for k, v in parameters.items() if k in params["pinned"]}),
        "suites": dict(sorted(suite_status.items())),
        "results": entries,
    }


def write_results(results: dict, out_dir: Path) -> Path:
    from pipeline.stages.atomic import write_json

    path = Path(out_dir) / RESULTS_NAME
    write_json(results, path)
    return path


def run_validate(build_dir: Path, params: Path = Path("params.yaml"), out: Path | None = None, *,
                 suites: Iterable[str] | None = None, suites_dir: Path = SUITES_DIR,
                 stream: TextIO | None = None, fail: bool = True) -> int:
    """Validate ``build_dir``; print failures and a summary to ``stream`` (stdout); write
    ``out``/results.json. Returns the exit status; with ``fail=False`` a failed expectation is only recorded
    (exit 0: the gate stage fails the run after the report and the review are written)."""
    stream = stream or sys.stdout
    build_dir = Path(build_dir)
    out = Path(out) if out is not None else build_dir / "validation"
    from pipeline.stages.builddir import require_build
    from pipeline.inputs import InputError

    try:
        # A missing table is a failure the suites report (exit 1); a folder that is no build cannot be
        # validated at all (exit 2), and nothing is written into it.
        require_build(build_dir, tables=False)
        settings = load_params(params)
        check_parameters(load_suites(suites_dir, suites), suite_parameters(settings))
    except (InputError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = out / DOCS_DIR_NAME
    if stale.is_dir() and (stale / "index.html").exists():
        shutil.rmtree(stale)  # Data Docs of an earlier version: outdated results nobody should open
    results = validate_build(build_dir, settings, suites_dir=suites_dir, only=suites)
    path = write_results(results, out)

    for entry in results["results"]:
        if not entry["success"]:
            print(_describe(entry), file=stream)
    stats = results["statistics"]
    verdict = "passed" if results["success"] else "FAILED"
    line = (f"validate {verdict}: {stats['expectations'] - stats['expectations_failed']} of "
            f"{stats['expectations']} expectations met, {stats['suites_failed']} of {stats['suites']} "
            f"suites failed")
    if stats["suites_skipped"]:
        line += f", {stats['suites_skipped']} skipped"
    line += f"; results {path}"
    if not fail and not results["success"]:
        line += " (recorded: `renkei gate` fails the run after the report and the review)"
    print(line, file=stream)
    return 0 if results["success"] or not fail else 1
