"""The command line as people meet it: the `renkei` console script, --help with every option explained and
an example per command, and the one-line loader."""

from __future__ import annotations

import argparse
import importlib
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import _parser, main

ROOT = Path(__file__).resolve().parent.parent


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_console_script_is_declared_and_returns_an_exit_status():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    target = project["scripts"]["renkei"]
    module, _, name = target.partition(":")
    entry = getattr(importlib.import_module(module), name)
    assert entry is main
    assert main(["check-pdf", str(ROOT / "raw" / "plan_vi.pdf")]) == 0  # an int for sys.exit


def test_prog_is_renkei_and_help_says_how_to_call_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: renkei ")
    assert ".venv/bin/renkei" in text and "activate" in text


def test_every_option_has_help_and_every_command_an_example():
    commands = _subcommands()
    assert set(commands) == {"build", "duckdb", "extract", "parse", "normalize", "write", "crosscheck", "validate", "report",
                             "check-pdf", "diff", "review", "gate", "pin"}
    for name, command in commands.items():
        assert command.prog == f"renkei {name}"
        assert command.epilog and f"renkei {name} " in command.epilog, name
        for action in command._actions:
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


def test_build_help_explains_pdf_overview_out(capsys):
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    for help_text in ("the plan as published (raw/plan_whole.pdf", "or chapter VI alone", "the one-page excerpt (抜粋, raw/overview.pdf)",
                      "the build folder to write"):
        assert help_text in flat
    assert "renkei build --pdf raw/plan_whole.pdf --overview raw/overview.pdf --out build-out" in text


def test_load_tables_returns_every_table_with_nullable_dtypes(plan_build):
    import json

    from pipeline import load_tables

    tables = load_tables(plan_build.path)
    manifest = json.loads((plan_build.path / "manifest.json").read_text(encoding="utf-8"))
    assert list(tables) == sorted(manifest["row_counts"])
    assert {name: len(frame) for name, frame in tables.items()} == manifest["row_counts"]
    budgets = tables["budgets"]
    assert str(budgets["amount_thousand_yen"].dtype) == "int64[pyarrow]"
    assert budgets["amount_thousand_yen"].isna().sum() > 0  # unprinted amounts stay <NA>, not NaN floats
    assert str(tables["projects"]["field_no"].dtype).startswith("int")
    numpy = load_tables(plan_build.path, dtype_backend="numpy_nullable")
    assert isinstance(numpy["budgets"]["amount_thousand_yen"].dtype, pd.Int64Dtype)


def test_load_tables_refuses_a_folder_that_is_no_build(tmp_path):
    from pipeline import load_tables
    from pipeline.inputs import InputError

    with pytest.raises(InputError):
        load_tables(tmp_path)


def test_the_commands_are_one_table_and_a_new_command_is_one_entry(capsys):
    """Each subcommand comes from `COMMANDS` and runs its entry's handler; nothing else dispatches."""
    import pipeline.cli as cli

    assert [c.name for c in cli.COMMANDS] == list(_subcommands())
    for command in cli.COMMANDS:
        assert _subcommands()[command.name].get_default("handler") is command.run
    assert not hasattr(cli, "_run")  # the old second dispatch
    seen = []
    extra = cli.Command("hello", "say hello to a build", "renkei hello out/data",
                        (cli.arg("build_dir", type=Path, metavar="BUILD_DIR", help="a build folder"),),
                        lambda args: seen.append(args.build_dir) or 7)
    parser = cli._parser((*cli.COMMANDS, extra))
    args = parser.parse_args(["hello", "x"])
    assert args.handler(args) == 7 and seen == [Path("x")]


def test_validate_has_no_dead_no_docs_option():
    assert "--no-docs" not in _subcommands()["validate"].format_help()
