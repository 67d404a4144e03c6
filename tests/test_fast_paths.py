"""The faster paths of the build give exactly what the plain ones give (no PDF read)."""

from __future__ import annotations

import json
import math
import random
from operator import itemgetter
from pathlib import Path

import pytest
from pdfplumber.utils import cluster_objects

from extractors.ruled import _CellIndex
from extractors.settings import Layout
from extractors.text import clusters, inside as _inside, inside_mask as _inside_mask
from pipeline.stages.build import _StageFiles

SETTINGS = Layout()


def _values(rng: random.Random, n: int) -> list[float]:
    # Few distinct values on a coarse lattice, so that ties and chains within the tolerance are common.
    return [round(rng.uniform(0, 12), rng.choice((0, 1, 2))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(50))
def test_clusters_are_pdfplumbers(seed):
    rng = random.Random(seed)
    objects = [{"doctop": v, "i": i} for i, v in enumerate(_values(rng, rng.randint(1, 30)))]
    tolerance = rng.choice((0.5, 1, 2.5))
    assert clusters(objects, itemgetter("doctop"), tolerance) == \
        cluster_objects(objects, itemgetter("doctop"), tolerance)


@pytest.mark.parametrize("seed", range(30))
def test_cell_index_finds_the_first_box_a_scan_finds(seed):
    rng = random.Random(seed)
    # A grid of cells, some merged, some boxes overlapping or duplicated, edges shared (as pdfplumber gives).
    xs = sorted({round(rng.uniform(0, 500), rng.choice((0, 1, 2))) for _ in range(rng.randint(2, 12))})
    ys = sorted({round(rng.uniform(0, 700), rng.choice((0, 1, 2))) for _ in range(rng.randint(2, 12))})
    if len(xs) < 2 or len(ys) < 2:
        return
    boxes = []
    for _ in range(rng.randint(1, 40)):
        c0 = rng.randrange(len(xs) - 1)
        r0 = rng.randrange(len(ys) - 1)
        boxes.append((xs[c0], ys[r0], xs[rng.randint(c0 + 1, len(xs) - 1)], ys[rng.randint(r0 + 1, len(ys) - 1)]))
    index = _CellIndex(boxes, SETTINGS)
    chars = []
    for _ in range(400):
        # Centres on and around the edges (the slack), and anywhere.
        cx = rng.choice((rng.choice(xs) + rng.choice((-0.5, -0.49, 0, 0.5, 0.51, 0.25)), rng.uniform(-20, 520)))
        cy = rng.choice((rng.choice(ys) + rng.choice((-0.5, -0.49, 0, 0.5, 0.51, 0.25)), rng.uniform(-20, 720)))
        w, h = rng.uniform(0, 12), rng.uniform(0, 12)
        chars.append({"x0": cx - w / 2, "x1": cx + w / 2, "top": cy - h / 2, "bottom": cy + h / 2})
    chars.append({"x0": math.nan, "x1": 1.0, "top": 1.0, "bottom": 2.0})
    chars.append({"x0": math.inf, "x1": math.inf, "top": 1.0, "bottom": 2.0})
    for char in chars:
        expected = next((i for i, box in enumerate(boxes) if _inside(char, box, SETTINGS.cell_slack)), None)
        assert index(char) == expected, (char, boxes)
    for box in boxes:
        assert _inside_mask(chars, box, SETTINGS.cell_slack) == [_inside(c, box, SETTINGS.cell_slack) for c in chars]


def test_cell_index_of_boxes_that_are_not_finite():
    boxes = [(0.0, 0.0, math.nan, 10.0), (0.0, 0.0, 10.0, 10.0)]
    assert _CellIndex(boxes, SETTINGS)({"x0": 1.0, "x1": 2.0, "top": 1.0, "bottom": 2.0}) == 1


def test_stage_files_in_memory_are_the_files(tmp_path):
    obj = {"pages": [{"b": 1.1, "a": (2, 3), "marks": ["※1"], "size": 1e16, "z": -0.0, "n": None,
                      "by_page": {10: "x", 9: "日本"}, "nan": math.nan}]}
    lazy = _StageFiles(tmp_path / "lazy", lazy=True)
    eager = _StageFiles(tmp_path / "eager")
    for files in (lazy, eager):
        files.put("layout.json", obj)
    assert lazy.exists("layout.json") and not (tmp_path / "lazy").exists()
    assert json.dumps(lazy.get("layout.json")) == json.dumps(eager.get("layout.json"))
    assert list(lazy.get("layout.json")["pages"][0]) == list(eager.get("layout.json")["pages"][0])
    lazy.materialize()
    assert (tmp_path / "lazy" / "layout.json").read_bytes() == (tmp_path / "eager" / "layout.json").read_bytes()
    lazy.remove("layout.json")
    eager.remove("layout.json")
    assert not lazy.exists("layout.json") and not eager.exists("layout.json")
