"""Checks of a build: glyph conservation and gaps (inside build), the camelot cross-check, the expectation
suites (validate, with the derived frames of reconcile) and the text-layer check. The report that shows
their outcome is published by pipeline.publish.report.

The stages run three kinds of check while they build (a build that loses a glyph, skips a project or reads
an undecodable text layer must fail there, naming the page), and import them from here only: this package
is the one interface of the checks to the stages (tests/test_layers.py holds every stage to it). The other
checks (crosscheck, validate) run on a finished build and import the stages, never the other way round.
"""

from pipeline.checks.conservation import check_conserved, check_fragment_placed
from pipeline.checks.invariants import check_no_gaps
from pipeline.checks.textlayer import describe, odd_pages, undecoded_places

__all__ = ["check_conserved", "check_fragment_placed", "check_no_gaps", "describe", "odd_pages",
           "undecoded_places"]
