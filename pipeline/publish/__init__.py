"""Publishing a build for people to look at: `renkei review` (every value drawn on its page) and the review of a
diff (old and new crops of every changed cell). HTML comes from the Jinja templates in ``templates/`` with
autoescape on, since every string in a build is text read from a PDF; ``templates/renkei.css`` is the one
stylesheet meant to be shared by every page renkei writes.
"""
