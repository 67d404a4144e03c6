"""Comparing two builds (two editions of the plan): match projects (match.py), compare rows (compare.py),
the JSON and Markdown reports (report.py). The HTML report and the `renkei diff` entry point are in
pipeline.publish (diffview.py, diffcommand.py), above this package."""
