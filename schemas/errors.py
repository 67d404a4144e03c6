"""The contract's error, apart from schemas/enforce.py (pandas) so that a caller can name it without
importing pandas: the build catches it around steps that import pandas only once pages are read."""


class SchemaError(ValueError):
    """A DataFrame does not fit its contract table. The message is one line."""
