"""pdfminer's page interpreter, made to notice a content stream that was cut short.

A page whose content stream lost its end (a truncated download, a damaged copy, a block of bytes overwritten)
still parses: pdfminer stops at the end of what is there and lays out what it read, with no warning. When the
cut falls inside a project table that continues on the next page, the next page's rows are stitched onto the
wrong project and the build is wrong with exit 0 (fuzz seeds 290, 374, 223 and 351 of tests/fuzz.py: the rows
of projects 51–53 went to project 50).

A content stream written by any producer ends where an instruction ends, outside a text object, with every
saved graphics state restored (ISO 32000-1 §7.8.2, §8.4.2, §9.4: ``q``/``Q`` balanced, ``BT``/``ET`` paired,
operands followed by their operator). A cut stream almost never does: it ends with operands that have no
operator, or inside ``BT … ET``, or between ``q`` and ``Q``. `CheckedInterpreter` counts those while pdfminer
interprets the page anyway (no second parse of the content), and `lay_out` raises `ContentCutShort`
(extractors/pdfguard.py `read_one` turns it into the refusal naming the page).
Form XObjects are held to the same rule (pdfminer interprets each with a copy of this interpreter).

Unbalanced ``Q`` (more restores than saves) is left alone: pdfminer ignores a ``Q`` with nothing saved and
some producers write one; it does not mean lost content.
"""

from __future__ import annotations

from pdfminer.pdfinterp import PDFPageInterpreter


class CheckedInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter, which remembers what the content stream left open at its end."""

    def init_state(self, ctm) -> None:
        super().init_state(ctm)
        self.text_open = False

    def do_BT(self) -> None:
        self.text_open = True
        super().do_BT()

    def do_ET(self) -> None:
        self.text_open = False
        super().do_ET()

    def execute(self, streams) -> None:
        super().execute(streams)
        left_open = []
        if self.argstack:
            left_open.append(f"{len(self.argstack)} operand{'s' if len(self.argstack) > 1 else ''} without "
                             "an operator")
        if self.text_open:
            left_open.append("inside a text object (BT without ET)")
        if self.gstack:
            left_open.append(f"{len(self.gstack)} saved graphics state{'s' if len(self.gstack) > 1 else ''} "
                             "not restored (q without Q)")
        if left_open:
            raise ContentCutShort("; ".join(left_open))


class ContentCutShort(Exception):
    """A content stream (the page's or a form's) ends in the middle of something."""


def lay_out(page) -> None:
    """Lay the pdfplumber ``page`` out now, as its ``layout`` property would (same device, same
    parameters), with `CheckedInterpreter`; pdfplumber then uses this layout for every object it gives.

    Raises `ContentCutShort` when the page's content, or a form it draws, was cut short."""
    if hasattr(page, "_layout"):
        return
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    device = PDFPageAggregatorWithMarkedContent(page.pdf.rsrcmgr, pageno=page.page_number,
                                                laparams=page.pdf.laparams)
    CheckedInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    # pdfplumber's Page.layout caches its result under this name and returns it when set (pdfplumber 0.11).
    page._layout = device.get_result()
