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
    # the readers; the table libraries are imported while the pages are read (`import_later_steps`)
    "pipeline.stages.build": ("pdfplumber",),
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


PROBE = """
import json, sys
import extractors.ruled as ruled
LIBRARIES = ("duckdb", "numpy", "pandas", "pyarrow", "pyarrow.compute")
seen = {}
def loaded():
    return sorted(m for m in LIBRARIES if sys.modules.get(m) is not None)
original = ruled._read_parallel
def probe(*args, **kwargs):
    seen["at_fork"] = loaded()
    for i, page in enumerate(original(*args, **kwargs)):
        if i == 0:
            seen["first_page"] = loaded()
        yield page
ruled._read_parallel = probe
from pipeline.cli import main
try:
    main(["--no-progress", "build", "--pdf", sys.argv[1], "--out", sys.argv[2], *sys.argv[3:]])
except SystemExit:
    pass
seen["after"] = loaded()
print(json.dumps(seen))
"""


def _probe(out, *flags: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RENKEI_WORKERS": "2"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "raw" / "plan_vi.pdf"), str(out), *flags], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_build_imports_the_table_libraries_while_its_workers_read(tmp_path):
    """The workers are forked without pyarrow (and duckdb); the parent imports them while it waits for the
    first page (pipeline.stages.build.import_later_steps), not before reading nor after it. pandas and numpy
    are never imported: the build writes with pyarrow alone (schemas.rows) and tells pyarrow they are not
    there (`without_frame_libraries`), and renkei.duckdb only with --duckdb; nor pyarrow.compute (schemas.rows
    checks Python values)."""
    seen = _probe(tmp_path / "out")
    assert seen == {"at_fork": [], "first_page": ["pyarrow"], "after": ["pyarrow"]}, seen
    assert (tmp_path / "out" / "manifest.json").is_file() and not (tmp_path / "out" / "renkei.duckdb").exists()
    seen = _probe(tmp_path / "with-duckdb", "--duckdb")
    assert seen == {"at_fork": [], "first_page": ["duckdb", "pyarrow"], "after": ["duckdb", "pyarrow"]}, seen
    assert (tmp_path / "with-duckdb" / "renkei.duckdb").is_file()
