"""A sample of the fuzz run (tests/fuzz.py; the full run is `make fuzz`): damaged and hostile PDFs give the
reference data set or a one-line refusal, never a traceback, different data with exit 0, or a build past
the time (60 s) and memory (1 GiB peak RSS) bounds.

24 seeded mutations, the seeds that once gave wrong data with exit 0 (`fuzz.REGRESSION_SEEDS`), and the four
crafted files (decompression bomb, 200,000 paths on a page, 10,000 empty
pages, a loop in the page tree), two builds at a time. The seeds change with the code (`fuzz.code_seeds`:
drawn from a hash of the source files), so every edit of the readers meets mutations the suite has not
tried before, while a run of the same code tries the same ones. Each test's id names its seed, and a
failure says the one command that replays it (``python -m tests.fuzz --first SEED --seeds 1 -v``);
``RENKEI_FUZZ_SEEDS=17,1046`` runs those seeds instead.
"""

from __future__ import annotations

import pytest

from tests import fuzz
from tests.conftest import RAW

SEEDS = fuzz.sample_seeds()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, fuzz.Result]:
    workdir = tmp_path_factory.mktemp("fuzz")
    makers = [(lambda d, n=name: fuzz.crafted(n, d)) for name in fuzz.CRAFTED]
    makers += [(lambda d, s=seed: fuzz.seed_case(s, d)) for seed in SEEDS]
    ran = fuzz.run_cases(makers, workdir, workers=2)
    print(f"\nseeds {', '.join(map(str, SEEDS))} ({fuzz.seeds_origin()})\n" + fuzz.table(ran))
    return {r.case.name.split(":")[0] if r.case.name.startswith("seed") else r.case.name: r for r in ran}


@pytest.mark.parametrize("name", [f"crafted: {n}" for n in fuzz.CRAFTED] + [f"seed {s}" for s in SEEDS])
def test_outcome_is_the_reference_or_a_refusal(results, name):
    result = results[name]
    assert result.outcome in fuzz.GOOD, f"{result.line()}\nreplay: {fuzz.replay(name)}"


def test_crafted_files_are_refused_or_read(results):
    # The three that cannot be the plan are refused, quickly; a page-tree loop is walked once.
    for name in ("bomb", "paths-200k", "pages-10k"):
        assert results[f"crafted: {name}"].outcome == "refused", results[f"crafted: {name}"].line()
    assert results["crafted: kids-loop"].outcome in ("same", "refused"), results["crafted: kids-loop"].line()


def test_classify():
    assert fuzz.classify(2, "error: x.pdf: page 3: cannot be read (TypeError: …)\n", 1, None)[0] == "refused"
    assert fuzz.classify(2, "Traceback (most recent call last):\n  …\nTypeError: x\n", 1, None)[0] == "traceback"
    assert fuzz.classify(2, "warning: …\nerror: x\n", 1, None)[0] == "unclean"
    assert fuzz.classify(0, "projects=51\n", 1, False)[0] == "silent-difference"
    assert fuzz.classify(0, "projects=53\n", 1, True)[0] == "same"
    assert fuzz.classify(None, "", 1, None)[0] == "hang"
    assert fuzz.classify(2, "error: x\n", fuzz.MEMORY_LIMIT + 1, None)[0] == "over-memory"


def test_different_data_on_a_page_that_prints_the_same_text_is_a_silent_difference(plan_build, tmp_path):
    """The oracle behind "changed-document": data may differ only on pages whose printed text (read by pdfium)
    differs too. Same PDF on both sides, one cell changed on page 5: nothing excuses it."""
    import shutil

    import pandas as pd

    changed = tmp_path / "changed"
    shutil.copytree(plan_build.path, changed)
    cells = pd.read_parquet(changed / "cells.parquet")
    row = cells[(cells.source == "plan") & (cells.page == 5)].index[3]
    cells.loc[row, "text"] = cells.loc[row, "text"] + "X"
    cells.to_parquet(changed / "cells.parquet")
    assert fuzz.pages_with_other_data(plan_build.path, changed, "plan") == {5}
    assert fuzz.changed_document(RAW / "plan_vi.pdf", RAW / "plan_vi.pdf", plan_build.path, changed, "plan") is None
    assert fuzz.pdfium_pages(RAW / "plan_vi.pdf")[4]  # pdfium reads the page's text


def test_the_sample_follows_the_code(tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "a.py").write_text("x = 1\n")
    before = fuzz.code_seeds(tmp_path)
    assert before == fuzz.code_seeds(tmp_path)  # the same code samples the same seeds
    (tmp_path / "pipeline" / "a.py").write_text("x = 2\n")
    assert fuzz.code_seeds(tmp_path) != before
    assert len(before) == fuzz.SAMPLE and all(0 <= s < fuzz.SEED_SPACE for s in before)


def test_the_sample_always_holds_the_seeds_that_once_gave_wrong_data(monkeypatch):
    monkeypatch.delenv("RENKEI_FUZZ_SEEDS", raising=False)
    seeds = fuzz.sample_seeds()
    assert set(fuzz.REGRESSION_SEEDS) <= set(seeds) and set(fuzz.code_seeds()) <= set(seeds)
    assert seeds == sorted(set(seeds))


def test_seeds_can_be_named(monkeypatch):
    monkeypatch.setenv("RENKEI_FUZZ_SEEDS", "1046, 5015")
    assert fuzz.sample_seeds() == [1046, 5015]
    assert fuzz.replay("seed 1046") == "python -m tests.fuzz --first 1046 --seeds 1 --no-crafted -v"


def test_free_text_and_the_other_pdf_count_as_other_data(plan_build, tmp_path):
    """A footnote is in no cell (seed 587 changed one): the oracle places it on its page. Rows of the PDF
    that was not mutated may not change at all: then nothing excuses the difference (None)."""
    import shutil

    import pandas as pd

    changed = tmp_path / "changed"
    shutil.copytree(plan_build.path, changed)
    notes = pd.read_parquet(changed / "footnotes.parquet")
    notes.loc[notes.index[0], "text"] = notes.loc[notes.index[0], "text"] + "X"
    notes.to_parquet(changed / "footnotes.parquet")
    assert fuzz.pages_with_other_data(plan_build.path, changed, "plan") == {int(notes.page.iloc[0])}
    assert fuzz.pages_with_other_data(plan_build.path, changed, "overview") is None
