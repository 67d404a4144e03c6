# The README's two commands: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export GX_ANALYTICS_ENABLED := false
export DVC_NO_ANALYTICS := 1

.PHONY: run test bench diff install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# The whole pipeline (dvc.yaml): build, cross-check, validate, report. Only stages whose inputs changed
# rerun; dvc.lock records what was built from what (commit it with the cache: false outputs).
run: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dvc repro

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pipeline.bench raw/plan_vi.pdf

# `make diff OLD=old.pdf NEW=new.pdf`: build both editions into out/diff/old and out/diff/new, then write
# out/diff/diff.json, diff.md and diff.html. The diff exits 1 when it finds differences: that is a
# result, not a failure (only 2, the comparison failed, stops make).
diff: $(STAMP)
	@[ -n "$(OLD)" ] && [ -n "$(NEW)" ] || { echo "usage: make diff OLD=old.pdf NEW=new.pdf" >&2; exit 2; }
	$(PY) -m pipeline build --pdf "$(OLD)" --out out/diff/old
	$(PY) -m pipeline build --pdf "$(NEW)" --out out/diff/new
	@for fmt in json md html; do \
	  echo "$(PY) -m pipeline diff out/diff/old out/diff/new --format $$fmt --out out/diff/diff.$$fmt"; \
	  $(PY) -m pipeline diff out/diff/old out/diff/new --format $$fmt --out out/diff/diff.$$fmt; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc; \
	done
	@sed -n 3p out/diff/diff.md

clean:
	rm -rf out/* build/
