"""Errors that are the document's fault, shared by the stages (the CLI prints them as one line, exit 2)."""


class ParseError(ValueError):
    """The document does not have the shape of the plan; the message names the page and the problem."""
