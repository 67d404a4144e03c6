"""The layers are visible in the folders and hold: imports only go down, and no module imports itself
through others (lazy imports inside functions count too).

    schemas/, extractors/            the contract; PDF readers, text folding, geometry (import nothing above)
    pipeline/normalizers/            printed values → numbers, units, years (text only)
    pipeline/stages/                 the build: extract → parse → normalize → write
    pipeline/checks/, pipeline/diff/ checks of a build; comparing two builds (side by side: neither imports
                                     the other)
    pipeline/publish/                pages for people: report, review, the diff shown (all HTML is here)
    pipeline/cli.py, bench.py, load.py (the entry points)

One import goes up, through a declared interface: the stages run the in-build checks (glyph conservation,
gaps, the text layer) and import them from ``pipeline.checks`` itself, whose ``__all__`` names exactly those.
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
    "pipeline.errors": 1, "pipeline.inputs": 1, "pipeline.normalizers": 1, "pipeline.identity": 1,
    "pipeline.stages": 2,
    "pipeline.checks": 3, "pipeline.diff": 3,
    "pipeline.publish": 4,
    "pipeline": 5,
}
# Packages of one level that must not import each other (the first two levels share code freely).
SEPARATE_FROM = 2
# The one upward import: a stage may import the checks package itself (its __all__), nothing under it.
INTERFACE = "pipeline.checks"
INTERFACE_MODULES = {"pipeline.checks.conservation", "pipeline.checks.invariants", "pipeline.checks.textlayer"}


def _layer(module: str) -> tuple[str, int]:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return best, LAYERS[best]


def test_the_graph_sees_the_modules():
    assert "extractors.textnorm" in GRAPH["extractors.ruled"]
    assert "pipeline.stages.parse" in GRAPH["pipeline.stages.build"]


def _allowed_upward(module: str, target: str) -> bool:
    return _layer(module)[0] == "pipeline.stages" and target == INTERFACE


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_upward_import(module):
    _, level = _layer(module)
    upward = [t for t in GRAPH[module] if _layer(t)[1] > level and not _allowed_upward(module, t)]
    assert not upward, f"{module} imports the layer above: {upward}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_packages_of_one_level_stay_apart(module):
    """checks and diff never import each other (a check of one build is not a comparison of two)."""
    name, level = _layer(module)
    across = [t for t in GRAPH[module] if _layer(t)[1] == level >= SEPARATE_FROM and _layer(t)[0] != name]
    assert not across, f"{module} imports a package beside it: {across}"


def _path(module: str) -> Path:
    path = ROOT / (module.replace(".", "/") + ".py")
    return path if path.exists() else ROOT / module.replace(".", "/") / "__init__.py"


def _from_imports(module: str) -> list[tuple[str, list[str]]]:
    """(module imported from, names) of every ``from X import …`` in ``module``, lazy ones included."""
    return [(node.module, [a.name for a in node.names])
            for node in ast.walk(ast.parse(_path(module).read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0]


def test_stages_import_checks_only_through_the_interface():
    from pipeline import checks

    stage_modules = [m for m in GRAPH if m.startswith("pipeline.stages")]
    used: set[str] = set()
    for module in stage_modules:
        for source, names in _from_imports(module):
            if source.startswith("pipeline.checks"):
                assert source == INTERFACE, f"{module} imports {source}: import it from {INTERFACE}"
                assert set(names) <= set(checks.__all__), f"{module} imports {names} outside {INTERFACE}.__all__"
                used.update(names)
        imports = [n for n in ast.walk(ast.parse(_path(module).read_text(encoding="utf-8")))
                   if isinstance(n, ast.Import)]
        assert not any(a.name.startswith("pipeline.checks") for n in imports for a in n.names), module
    # the interface is exactly what the stages use, each name defined by one of the in-build checks
    assert used == set(checks.__all__) == set(checks.INTERFACE)
    assert set(checks.INTERFACE.values()) == INTERFACE_MODULES
    for name, module in checks.INTERFACE.items():
        assert callable(getattr(checks, name)) and getattr(checks, name).__module__ == module, name
    assert _from_imports(INTERFACE) == [("importlib", ["import_module"])]  # nothing else behind the interface


def test_no_html_outside_publishing():
    """Every page for people is rendered in pipeline.publish (templates, one stylesheet, autoescape)."""
    renderers = ("jinja2", "markupsafe", "html")
    for module, path in ((m, _path(m)) for m in GRAPH):
        if module.startswith(("pipeline.publish",)):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        assert not [n for n in names if n.split(".")[0] in renderers], f"{module} renders HTML: {names}"
        assert "<!DOCTYPE" not in path.read_text(encoding="utf-8"), module


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
