"""The layers are visible in the folders and hold: imports only go down, and no module imports itself
through others (lazy imports inside functions count too).

    schemas/, extractors/            the contract; PDF readers, text folding, geometry (import nothing above)
    pipeline/normalizers/            printed values → numbers, units, years (text only)
    pipeline/stages/, pipeline/checks/, pipeline/diff/
    pipeline/cli.py, bench.py, load.py (the entry points)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "extractors", "schemas", "expectations")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


GRAPH = _imports()
# Which layer may import which (a module may always import from its own layer).
LAYERS = {
    "schemas": 0, "extractors": 0, "expectations": 0,
    "pipeline.errors": 1, "pipeline.inputs": 1, "pipeline.normalizers": 1,
    "pipeline.stages": 2, "pipeline.checks": 2, "pipeline.diff": 2,
    "pipeline": 3,
}


def _layer(module: str) -> tuple[str, int]:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return best, LAYERS[best]


def test_the_graph_sees_the_modules():
    assert "extractors.textnorm" in GRAPH["extractors.ruled"]
    assert "pipeline.stages.parse" in GRAPH["pipeline.stages.build"]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_upward_import(module):
    _, level = _layer(module)
    upward = [t for t in GRAPH[module] if _layer(t)[1] > level]
    assert not upward, f"{module} imports the layer above: {upward}"


def test_extractors_and_schemas_never_import_pipeline():
    bad = {m: sorted(t for t in ts if t.startswith("pipeline")) for m, ts in GRAPH.items()
           if m.startswith(("extractors", "schemas"))}
    assert not {m: ts for m, ts in bad.items() if ts}


def test_no_import_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_every_dvc_stage_depends_on_all_the_code():
    """A stage runs code from all three code folders (the CLI, the checks, the schema), so each depends on
    the folders whole: an edit to any module it runs makes `dvc status` show it changed."""
    import yaml

    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    for name, stage in stages.items():
        assert {"pipeline", "extractors", "schemas"} <= set(stage["deps"]), name
