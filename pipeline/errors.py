"""Errors that are the document's fault, shared by the stages (the CLI prints them as one line, exit 2)."""


class ParseError(ValueError):
    """The document does not have the shape of the plan; the message names the page and the problem."""


def one_line(error: BaseException) -> str:
    """An error's message as one line of at most 200 characters: what a refusal quotes of a library's error
    (whose message may span lines or hold a whole file's name list)."""
    return " ".join(str(error).split())[:200]
