"""Readers of printed values: Japanese numerals and scales, quantities with units and years, era labels,
the municipalities of the agreement. Pure functions of text, no files."""
