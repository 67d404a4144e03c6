"""Files generated from the schema (schemas.fields, schemas.tables): regenerate with

    python -m schemas.generate           # writes them
    python -m schemas.generate --check   # exit 1 and name the stale ones (tests/test_schema_suites.py does this)

* ``expectations/schema_<table>.json`` — the schema-level expectation suite of each table: its key (unique,
  not null), every non-nullable column not null, enums, ranges, patterns and minimum lengths. The hand-written
  suites beside them keep only what the schema cannot say: pinned values, cross-column, cross-table and
  document rules.
* ``docs/data-dictionary.md`` — every table and column: type, nullability, unit, constraints, example,
  descriptions in English and Japanese. The examples are each table's own, from
  ``docs/data-dictionary-examples.json``, which ``python -m schemas.generate --examples BUILD`` writes from a
  build of raw/plan_vi.pdf
  (schemas.examples; a test compares it with a fresh build).

The DuckDB DDL and comments (schemas.tables.duckdb_statements), the Parquet schema (arrow_schema) and
datapackage.json (datapackage) are built from the same schema at build time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from schemas.examples import EXAMPLES_FILE, dumps, examples_from_build, load_examples
from schemas.fields import CONSTRAINTS, DERIVED, FROM_PROJECT, IDENTITY, POSITION, PROVENANCE
from schemas.tables import (CONTRACT_VERSION, FOREIGN_KEYS, LICENSES, NATURAL_KEY, PUBLISHER, SOURCE_TITLES,
                            TABLES, _frictionless_type, column_role, get_spec)

ROOT = Path(__file__).resolve().parent.parent
SUITE_PREFIX = "schema_"
DICTIONARY = Path("docs/data-dictionary.md")
REGENERATE = "python -m schemas.generate"


# -- expectation suites ------------------------------------------------------------------------------
def _expect(kind: str, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs}


def schema_suite(name: str) -> dict:
    """The Great Expectations suite of the schema-level rules of table ``name``."""
    spec = get_spec(name)
    expectations = []
    key = spec.primary_key
    if len(key) == 1:
        expectations.append(_expect("expect_column_values_to_be_unique", column=key[0]))
    else:
        expectations.append(_expect("expect_compound_columns_to_be_unique", column_list=list(key)))
    for column in spec.fields:
        if not spec.field(column).nullable:
            expectations.append(_expect("expect_column_values_to_not_be_null", column=column))
    for column in spec.fields:
        c = CONSTRAINTS.get(column, {})
        if "enum" in c:
            expectations.append(_expect("expect_column_values_to_be_in_set", column=column, value_set=list(c["enum"])))
        if "minimum" in c or "maximum" in c:
            bounds = {k: c[f] for k, f in (("min_value", "minimum"), ("max_value", "maximum")) if f in c}
            expectations.append(_expect("expect_column_values_to_be_between", column=column, **bounds))
        if "pattern" in c:
            expectations.append(_expect("expect_column_values_to_match_regex", column=column,
                                        regex=f"^(?:{c['pattern']})$"))
        if "minLength" in c:
            expectations.append(_expect("expect_column_value_lengths_to_be_between", column=column,
                                        min_value=c["minLength"]))
    meta: dict = {"frame": {"table": name}, "row_key": list(key),
                  "generated": f"from schemas/ by `{REGENERATE}`: do not edit",
                  "notes": f"Schema-level rules of {name}: key, required columns, enums, ranges, patterns, lengths."}
    if spec.optional:
        meta.update(requires=[name], optional=True)
    return {"name": f"{SUITE_PREFIX}{name}", "meta": meta, "expectations": expectations}


# -- data dictionary ---------------------------------------------------------------------------------
def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _constraints_text(column: str) -> str:
    c = CONSTRAINTS.get(column, {})
    parts = []
    if "enum" in c:
        parts.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']}–{c['maximum']}")
    elif "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "pattern" in c:
        parts.append(f"matches `{c['pattern']}`")
    if "minLength" in c:
        parts.append(f"at least {c['minLength']} character{'s' if c['minLength'] > 1 else ''}")
    return "; ".join(parts)


def _role_text(table: str, column: str) -> str:
    """The column's role (schemas.fields.Role, the table's natural key) in words."""
    role = column_role(table, column)
    if role is None:
        return "data"
    if role.kind == NATURAL_KEY:
        return "natural key"
    if role.kind == DERIVED:
        return f"derived from `{role.of}`"
    if role.kind == POSITION:
        return "position"
    if role.kind == IDENTITY:
        return "stable id"
    if role.kind == FROM_PROJECT:
        return f"the project's `{role.of.partition('.')[2]}` (repeated from `projects`)"
    assert role.kind == PROVENANCE, role
    part = role.part.replace("_", " ")
    if role.part == "page_label":
        return f"provenance: page label of `{role.of}`"
    return f"provenance: {part}" + (f" of `{role.of}`" if role.of else "")


def _example(text: object) -> str:
    """An example as a Markdown code span (a longer fence where the text holds a backtick)."""
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def data_dictionary(examples: dict[str, dict[str, object]] | None = None) -> str:
    examples = load_examples() if examples is None else examples
    out = [
        "# Data dictionary",
        "",
        f"<!-- generated from schemas/ by `{REGENERATE}`: do not edit; tests/test_schema_suites.py checks it -->",
        "",
        f"Contract version {CONTRACT_VERSION}. Every table of a build, every column in file order. What the",
        "tables are and how they relate: [the data contract](data-contract.md). The same descriptions are in the",
        "Parquet field metadata, `datapackage.json` and the comments of `renkei.duckdb`.",
        "",
        "Types are Arrow types (Parquet logical types); **required** columns are never null. Examples are each",
        "table's own values in the build of `raw/plan_vi.pdf` with `raw/overview.pdf`",
        "(`docs/data-dictionary-examples.json`; one row of the table where it can, so the columns of one cell",
        "read together; long texts cut with …).",
        "Page columns come in pairs: `page` is the 1-based page index in the PDF file, `page_label` the number",
        "printed on that page (PDF page 1 of the chapter is printed 「- 61 -」: `page` 1, `page_label` \"61\").",
        "The role says what a column is beyond its values: the table's **natural key** (what identifies a row",
        "across editions, so the diff matches rows by it), **provenance** (where a value was printed: page, page",
        "label, table, row, column, span, box, source), **position** (a number given by printed order, which moves",
        "when a row is inserted), **derived from** another column (a reading of that printed text: the diff",
        "reports it inside the edit of its source) or plain **data**.",
        "",
        "Sources: " + "; ".join(f"{role}: {title} ({PUBLISHER})" for role, title in SOURCE_TITLES.items()) + ".",
        f"License: {LICENSES[0]['title']}",
        "",
        "| table | rows | key | references |",
        "|---|---|---|---|",
    ]
    for name, spec in TABLES.items():
        refs = "; ".join(f"{', '.join(cols)} → {parent}.{', '.join(pcols)}"
                         for cols, parent, pcols in FOREIGN_KEYS.get(name, []))
        rows = spec.description + (" (optional)" if spec.optional else "")
        out.append(f"| [`{name}`](#{name}) | {_cell(rows)} | {', '.join(f'`{k}`' for k in spec.primary_key)} | "
                   f"{_cell(refs)} |")
    for name, spec in TABLES.items():
        out += ["", f"## {name}", "", f"{spec.description}", "", f"{spec.description_ja}", "",
                f"Key: {', '.join(f'`{k}`' for k in spec.primary_key)}."]
        for cols, parent, pcols in FOREIGN_KEYS.get(name, []):
            out.append(f"`{', '.join(cols)}` refers to [`{parent}`](#{parent}).`{', '.join(pcols)}`.")
        out += ["", "| column | type | required | role | unit | constraints | example | description | 説明 |",
                "|---|---|---|---|---|---|---|---|---|"]
        for column in spec.fields:
            f = spec.field(column)
            mine = examples.get(name, {})
            value = mine[column] if column in mine else (f.example if name not in examples else None)
            example = "" if value is None else _example(value)
            out.append(f"| `{column}` | {f.type} ({_frictionless_type(f.type)}) | "
                       f"{'key' if column in spec.primary_key else ('no' if f.nullable else 'yes')} | "
                       f"{_cell(_role_text(name, column))} | "
                       f"{_cell(f.unit)} | {_cell(_constraints_text(column))} | {_cell(example)} | "
                       f"{_cell(f.description_en)} | {_cell(f.description_ja)} |")
    return "\n".join(out) + "\n"


# -- files -------------------------------------------------------------------------------------------
def _json(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def generated_files() -> dict[Path, str]:
    """{path relative to the repository: content} of every generated file."""
    files = {Path("expectations") / f"{SUITE_PREFIX}{name}.json": _json(schema_suite(name)) for name in TABLES}
    files[DICTIONARY] = data_dictionary()
    return files


def stale_files(root: Path = ROOT) -> list[str]:
    """Generated files that are missing or differ from a fresh generation, plus stray schema_*.json suites."""
    files = generated_files()
    stale = [str(p) for p, text in files.items()
             if not (root / p).is_file() or (root / p).read_text(encoding="utf-8") != text]
    stray = [str(p.relative_to(root)) for p in sorted((root / "expectations").glob(f"{SUITE_PREFIX}*.json"))
             if p.relative_to(root) not in files]
    return stale + stray


def write_files(root: Path = ROOT) -> list[str]:
    written = []
    for path, text in generated_files().items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(str(path))
    files = generated_files()
    for stray in sorted((root / "expectations").glob(f"{SUITE_PREFIX}*.json")):
        if stray.relative_to(root) not in files:
            stray.unlink()
            written.append(f"{stray.relative_to(root)} (removed)")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schemas.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a generated file is stale")
    parser.add_argument("--examples", type=Path, metavar="BUILD",
                        help="first write docs/data-dictionary-examples.json from BUILD (a build of raw/plan_vi.pdf with "
                             "raw/overview.pdf), then generate")
    args = parser.parse_args(argv)
    if args.examples is not None:
        if not (args.examples / "manifest.json").is_file():
            print(f"error: {args.examples}: not a build (no manifest.json)", file=sys.stderr)
            return 2
        text = dumps(examples_from_build(args.examples))
        if not EXAMPLES_FILE.is_file() or EXAMPLES_FILE.read_text(encoding="utf-8") != text:
            EXAMPLES_FILE.write_text(text, encoding="utf-8")
            print(f"wrote {EXAMPLES_FILE.relative_to(ROOT)}")
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print(f"run `{REGENERATE}` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
