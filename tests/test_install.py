"""The install installs exactly the lock, whatever the index offers besides.

A lock that breaks when someone publishes a release is not a lock: pip resolving ``typer[all]>=0.5`` (an
extra a locked package asks for) afresh once typer 0.29.3 was out stopped ``make run`` on every new machine.
Here the Makefile's own ``install`` recipe runs against a local index (wheels this test builds) that also
offers a newer release of a locked package, asked for through an extra as frictionless asks for typer; the
locked release must be the one installed, and ``pip check`` must pass. The old recipe (the lock resolved
again) is run on the same index as the control, so that the test shows the hazard it guards against.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = (),
           extras: tuple[str, ...] = ()) -> Path:
    """A pure-Python wheel with one module and the given Requires-Dist lines."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": "\n".join(
            ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             *(f"Provides-Extra: {e}" for e in extras), *(f"Requires-Dist: {r}" for r in requires)]) + "\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: renkei-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    files[f"{dist}/RECORD"] = "\n".join(record + [f"{dist}/RECORD,,"]) + "\n"
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
    return path


_BACKEND = """
import base64, hashlib, zipfile
from pathlib import Path

def _record(files):
    lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        lines.append(f"{path},sha256={digest},{len(text.encode())}")
    return "\\n".join(lines + ["app-0.1.0.dist-info/RECORD,,"]) + "\\n"

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    dist = "app-0.1.0.dist-info"
    files = {"app.pth": str(Path(__file__).parent) + "\\n",
             f"{dist}/METADATA": "Metadata-Version: 2.1\\nName: app\\nVersion: 0.1.0\\n"
                                 "Requires-Dist: framework==1.0\\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    files[f"{dist}/RECORD"] = _record(files)
    name = "app-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
    return name

build_wheel = build_editable
"""


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def index(tmp_path: Path) -> dict:
    """Wheels of a small locked world plus a newer release of one locked package, and a project using it."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    # `framework` asks for an extra of `cli`, as frictionless asks for typer[all]; `cli` 2.0 came out later.
    framework = _wheel(wheels, "framework", "1.0", requires=("cli[all]>=0.5",))
    cli = _wheel(wheels, "cli", "1.0", extras=("all",))
    _wheel(wheels, "cli", "2.0", extras=("all",))
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"cli==1.0 \\\n    --hash=sha256:{_hash(cli)}\n"
                    f"framework==1.0 \\\n    --hash=sha256:{_hash(framework)}\n", encoding="utf-8")
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("", encoding="utf-8")
    # An in-tree build backend: the venv's own setuptools (65, without wheel) cannot build editables, and
    # the test must not fetch one.
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["framework==1.0"]\n', encoding="utf-8")
    (project / "backend.py").write_text(_BACKEND, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    # Only the local wheels: no configured index, no network.
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheels),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    return {"lock": lock, "project": project, "env": env, "venv": tmp_path / "venv"}


def _installed(venv: Path, env: dict) -> str:
    listing = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                             capture_output=True, text=True, env=env, check=True).stdout
    return next(line for line in listing.splitlines() if line.lower().startswith("cli=="))


def test_the_makefile_install_takes_the_locked_release_when_a_newer_one_is_offered(index) -> None:
    venv = index["venv"]
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "install", f"VENV={venv}", f"LOCK={index['lock']}",
         f"PROJECT={index['project']}"], capture_output=True, text=True, env=index["env"], timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _installed(venv, index["env"]) == "cli==1.0"
    assert (venv / ".installed-stamp").exists()


def test_resolving_the_lock_again_is_what_broke(index) -> None:
    """The control: the recipe before (no --no-deps) on the same index refuses or drifts to cli 2.0."""
    venv = index["venv"]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--require-hashes",
                             "-r", str(index["lock"])], capture_output=True, text=True, env=index["env"])
    drifted = result.returncode == 0 and _installed(venv, index["env"]) != "cli==1.0"
    assert result.returncode != 0 or drifted, "the old recipe installed the lock: the test shows no hazard"


def test_the_install_recipe_installs_nothing_it_would_resolve() -> None:
    """Each pip install of the recipe is --no-deps, and the set is proven complete by pip check."""
    recipe = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), "install", "VENV=/nonexistent/venv"],
                            capture_output=True, text=True, check=True).stdout
    installs = [line for line in recipe.splitlines() if " pip install " in line]
    assert len(installs) == 2 and all("--no-deps" in line for line in installs)
    assert any("--require-hashes" in line and "requirements.lock" in line for line in installs)
    assert any(" pip check" in line for line in recipe.splitlines())
