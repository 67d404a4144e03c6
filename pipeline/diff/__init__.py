"""Comparing two builds (two editions of the plan): match projects (match.py), compare rows
(compare.py), render reports (report.py); command.py is the CLI entry."""
