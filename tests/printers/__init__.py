"""Fixture printers: print the plan's content (taken from a build's tables, never from the seed) as PDF in
other ways, so tests can require that every way of printing it gives the same tables back."""
