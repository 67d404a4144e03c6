"""`make bench --repro` times each dvc.yaml stage by its own command: the commands it runs are dvc.yaml's."""

from __future__ import annotations

import yaml

from pipeline import bench
from tests.conftest import ROOT


def test_repro_runs_the_dvc_yaml_commands_with_the_inputs_filled_in(tmp_path):
    copy, commands = bench.repro_copy(ROOT, tmp_path)
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    assert list(commands) == list(stages)  # every stage, in dvc.yaml's order
    assert all("${" not in c and c.startswith("python -m pipeline") for c in commands.values())
    assert f"--pdf {params['inputs']['pdf']}" in commands["crosscheck"]
    for pdf in params["inputs"].values():  # the inputs are in the copy, where the commands look
        assert (copy / pdf).read_bytes() == (ROOT / pdf).read_bytes()
    assert (copy / "dvc.yaml").is_file() and (copy / "pipeline" / "cli.py").is_file()


def test_a_failing_command_is_one_line(tmp_path):
    import os

    import pytest

    with pytest.raises(RuntimeError, match="exited 3: oops"):
        bench._shell("echo oops >&2; exit 3", tmp_path, dict(os.environ))
