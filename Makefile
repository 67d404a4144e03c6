# The README's two commands: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
# What `install` installs: the lock, then the project (tests/test_install.py points both at a small project).
LOCK    ?= requirements.lock
PROJECT ?= .
STAMP  := $(VENV)/.installed-stamp
export GX_ANALYTICS_ENABLED := false
export DVC_NO_ANALYTICS := 1

.PHONY: run test bench diff install clean producers corpus lock fuzz test-fast bytecode

# Debian packages the producer matrix prints with (tests/test_producers.py): PDF programs and the Japanese
# fonts office programs and browsers use. Installed only when one is missing; needs root and apt.
PRODUCER_PACKAGES := chromium wkhtmltopdf libreoffice-writer-nogui ghostscript poppler-utils qpdf fontconfig \
	fonts-noto-cjk fonts-ipaexfont fonts-ipafont fonts-vlgothic fonts-takao-gothic fonts-takao-mincho \
	fonts-umeplus fonts-dejavu-core libpangoft2-1.0-0
PRODUCER_PACKAGES += ocrmypdf tesseract-ocr tesseract-ocr-jpn

install: $(STAMP)

# Every package of the environment comes from requirements.lock (exact versions with hashes, the test
# extra included) and nothing else: --no-deps, so pip resolves nothing (a release published after the lock,
# even one an extra such as typer[all] names, is never considered); `pip check` then proves the locked set
# complete. renkei itself is installed with the locked setuptools (--no-build-isolation: no build
# environment fetched from the index). tests/test_install.py installs so against a local index that offers
# newer releases.
$(STAMP): $(PROJECT)/pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e $(PROJECT)
	$(PY) -m pip check
	touch $(STAMP)

# The project's modules compiled once (__pycache__/, git- and dvc-ignored): where PYTHONDONTWRITEBYTECODE is
# set (as on the machines here), Python would otherwise compile every module again in each process, ~0.1–0.2 s
# for each build and for each dvc stage. A module edited since is compiled in memory as usual.
bytecode: $(STAMP)
	@$(PY) -m compileall -q pipeline extractors schemas tests > /dev/null

# Refresh requirements.lock after changing pyproject.toml's dependencies (needs PyPI).
lock: $(STAMP)
	$(PY) -m pip install -q pip-tools==7.6.2
	$(PY) -m piptools compile -q --generate-hashes --allow-unsafe --extra test --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# The whole pipeline (dvc.yaml): build, cross-check, validate, report. Only stages whose inputs changed
# rerun; dvc.lock records what was built from what (commit it with the cache: false outputs).
# The install step (pip install -e .) also installs the command .venv/bin/renkei.
# out/renkei.duckdb holds out/data's edition or is not there: removed before dvc repro (which may change
# out/data and then stop, at the gate or any stage), written from out/data once the run passed; a failed
# run says so in one line (pipeline/stages/database.py).
run: $(STAMP) bytecode
	@$(PY) -m pipeline duckdb out/data --out out/renkei.duckdb --remove
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc repro || { status=$$?; echo "out/renkei.duckdb: none, since dvc repro failed (exit $$status): no database of another edition beside out/data; 'make run' writes it once the run passes" >&2; exit $$status; }
	$(PY) -m pipeline duckdb out/data --out out/renkei.duckdb

producers: $(STAMP)
	@missing="$$($(PY) -c 'from tests.printers.producers import missing; print(" ".join(missing()))')"; \
	if [ -n "$$missing" ]; then \
	  echo "installing the producer matrix's Debian packages (missing: $$missing)"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(PRODUCER_PACKAGES) >/dev/null) || { echo "error: apt-get could not install $(PRODUCER_PACKAGES)" >&2; exit 2; }; \
	  else \
	    echo "error: not root or no apt-get: install these Debian packages by hand: $(PRODUCER_PACKAGES)" >&2; exit 2; \
	  fi; \
	fi

# Real PDFs that are not the plan, for tests/test_corpus.py: the test files of camelot, pdfminer and pypdf
# from their Debian source packages (~30 MB once), fetched with apt-get into .corpus/ (git-ignored; the
# machine's apt configuration is left alone: tests/corpus.py). Needs root and apt, like the producers.
corpus: $(STAMP)
	@$(PY) -m tests.corpus fetch .corpus

test: $(STAMP) bytecode producers corpus
	$(PY) -m pytest -q

# The unit tests alone (no PDF is read or printed): seconds, for the edit-test loop. CI runs `make test`.
test-fast: $(STAMP) bytecode
	$(PY) -m pytest -q -m "not slow"

# Nightly-sized: 1,000 seeded mutations of the plan and the excerpt plus five crafted hostile PDFs
# (tests/fuzz.py), two builds at a time (~45 min on two cores; FUZZ_SEEDS=60 for a quick look); prints the
# outcome table, the bounds and the time taken, exits 1 on a traceback, different data with exit 0, a hang
# or a build over the memory bound. `make test` runs 24 seeds drawn from a hash of the source files
# (tests/test_fuzz.py), so the sample changes with the code; a failure prints the command that replays it.
FUZZ_SEEDS ?= 1000
fuzz: $(STAMP) bytecode
	$(PY) -m tests.fuzz --seeds $(FUZZ_SEEDS) --workers 2

# The main job stage by stage (each dvc.yaml command, then dvc repro -f, in a temporary copy), then the build
# against plain pdfplumber: wall and CPU seconds, medians, the load average (docs/input.md).
bench: $(STAMP) bytecode
	$(PY) -m pipeline.bench --repro --runs 3
	$(PY) -m pipeline.bench raw/plan_vi.pdf --runs 5
	$(PY) -m pipeline.bench raw/plan_whole.pdf --pad-to 105 --runs 3

# `make diff OLD=old.pdf NEW=new.pdf [OUT=dir]` (to try it, the repo ships a revised edition:
# `make diff OLD=raw/plan_vi.pdf NEW=tests/fixtures/plan_vi_revised_sample.pdf`): check both PDFs first
# (one line and exit 2 if either is missing or bad, nothing built), then `renkei diff OLD NEW --out OUT`
# builds both editions into OUT/old and OUT/new and writes OUT/diff.json, diff.md and diff.html (old and
# new crops of every changed value; docs/diff.md). OUT defaults to out/diff (git-ignored). The diff exits
# 1 when it finds differences: that is a result, not a failure (only 2, the comparison failed, stops make).
OUT ?= out/diff
diff: $(STAMP) bytecode
	@[ -n "$(OLD)" ] && [ -n "$(NEW)" ] || { echo "usage: make diff OLD=old.pdf NEW=new.pdf [OUT=dir] (try OLD=raw/plan_vi.pdf NEW=tests/fixtures/plan_vi_revised_sample.pdf)" >&2; exit 2; }
	@$(PY) -m pipeline check-pdf "$(OLD)" "$(NEW)"
	$(PY) -m pipeline diff "$(OLD)" "$(NEW)" --out "$(OUT)"; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@sed -n 3p "$(OUT)/diff.md"

clean:
	rm -rf out/* build/
