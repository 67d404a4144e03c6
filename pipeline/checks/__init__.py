"""Checks of a build: glyph conservation and gaps (inside build), the camelot cross-check, the expectation
suites (validate, with the derived frames of reconcile) and the text-layer check. The report that shows
their outcome is published by pipeline.publish.report.

The stages run three kinds of check while they build (a build that loses a glyph, skips a project or reads
an undecodable text layer must fail there, naming the page), and import them from here only: this package
is the one interface of the checks to the stages (tests/test_layers.py holds every stage to it). The other
checks (crosscheck, validate) run on a finished build and import the stages, never the other way round.
"""

from importlib import import_module

# name → the module that defines it. Imported on first use (PEP 562), so that importing another check
# (crosscheck, validate: `python -m pipeline …` in its own interpreter) does not load the readers these
# three need (pdfplumber); tests/test_imports.py holds each command to what it uses.
INTERFACE = {
    "check_conserved": "pipeline.checks.conservation",
    "check_fragment_placed": "pipeline.checks.conservation",
    "check_no_gaps": "pipeline.checks.invariants",
    "describe": "pipeline.checks.textlayer",
    "odd_pages": "pipeline.checks.textlayer",
    "undecoded_places": "pipeline.checks.textlayer",
}
__all__ = list(INTERFACE)


def __getattr__(name: str):
    if name not in INTERFACE:
        raise AttributeError(f"module 'pipeline.checks' has no attribute {name!r}")
    value = getattr(import_module(INTERFACE[name]), name)
    globals()[name] = value
    return value
