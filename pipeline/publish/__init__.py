"""Publishing a build for people to look at: report.html (`renkei report`: report.py), `renkei review`
(every value drawn on its page: review.py), and the diff shown (`renkei diff --format html` and the review of
two builds: diffview.py, with the `renkei diff` entry point in diffcommand.py). Every page comes from a
Jinja template in ``templates/`` with autoescape on, since every string in a build is text read from a PDF,
and ``templates/renkei.css`` is the one stylesheet of all of them. Nothing else in renkei writes HTML
(tests/test_layers.py).
"""
