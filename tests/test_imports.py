"""Each stage imports what it uses and nothing heavy beside it (issue 18.10).

`dvc repro` starts one interpreter per stage, so a package imported by a stage that never uses it is paid
for on every run: Great Expectations alone costs ~3 s, camelot ~0.7 s, pandas ~0.4 s. Each case imports
the modules a command's handler imports (pipeline.cli and the stage module), in a fresh interpreter, and
names the heavy packages that must not be loaded by that alone (`python -X importtime -m pipeline …`
shows what a stage imports).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("great_expectations", "camelot", "pandas", "duckdb", "scipy", "matplotlib", "cv2", "PIL", "pypdfium2",
         "pdfplumber", "pyarrow", "jinja2")

# module the command imports → heavy packages it may load on import (the ones it uses)
ALLOWED = {
    "pipeline.cli": (),
    "pipeline.stages.build": ("pdfplumber", "pyarrow"),  # extract, parse, normalize (the readers' types, the schema)
    "pipeline.stages.database": ("pyarrow",),
    "pipeline.checks.crosscheck": (),  # camelot and pandas when it runs
    "pipeline.checks.validate": ("pandas", "pyarrow"),  # Great Expectations when it runs
    "pipeline.publish.report": ("pandas", "pyarrow"),  # jinja2 when it renders
    "pipeline.publish.diffcommand": ("pandas", "pyarrow"),  # the comparison; PDFium, Pillow, jinja2 for html
    "pipeline.publish.review": ("jinja2",),  # pyarrow, PDFium and Pillow when it runs
}


def _loaded(module: str) -> list[str]:
    code = (f"import json, sys, pipeline.cli, {module}; "
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_a_command_imports_no_heavy_package_it_does_not_use(module):
    unexpected = sorted(set(_loaded(module)) - set(ALLOWED[module]))
    assert unexpected == [], f"importing {module} loads {unexpected}"


def test_the_check_can_fail():
    # validate does import pandas: the same probe sees it
    assert "pandas" in _loaded("pipeline.checks.validate")
