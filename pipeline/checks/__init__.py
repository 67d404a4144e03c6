"""Checks of a build: glyph conservation and gaps (inside build), the camelot cross-check, the expectation
suites (validate, with the derived frames of reconcile), the text-layer check, and the offline report."""
