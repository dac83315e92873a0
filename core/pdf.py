"""The one PDF base: ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1, no font file
shipped: the viewer supplies the glyphs, pdfminer reads the Chinese back), the paragraph styles,
and the only way text reaches a ``Paragraph``: escaped.

ReportLab's ``Paragraph`` parses its text as markup, so ``<unclosed`` breaks the build and
``<img src="/etc/passwd"/>`` makes the server open a file. Every text — a citizen's, a unit's,
our own — goes through ``para``/``text``; markup we add ourselves (``<br/>``) is added after.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate

from .formatting import cn_date, cn_datetime

__all__ = [
    "FONT",
    "GREY",
    "RED",
    "cn_date",
    "cn_datetime",
    "document",
    "page_footer",
    "para",
    "register_font",
    "styles",
    "text",
]

FONT = "STSong-Light"
RED = colors.HexColor("#b3261e")
GREY = colors.HexColor("#6b7280")


def register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def text(value) -> str:
    """Any value as Paragraph markup: escaped, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def para(value, style) -> Paragraph:
    """A Paragraph of plain text (escaped)."""
    return Paragraph(text(value), style)


def styles(
    size: float = 10.5, leading: float = 17, *, overrides: dict[str, dict] | None = None
) -> dict[str, ParagraphStyle]:
    """The named paragraph styles of a document, from a body of ``size``/``leading``:
    title, subtitle, meta, h2, body, plain, cell, label, note, draft. ``overrides`` changes some
    attributes of some styles (``{"title": {"textColor": RED}}``)."""
    base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=leading, wordWrap="CJK")
    spec = {
        "title": {"fontSize": 19, "leading": 26, "alignment": TA_CENTER, "textColor": RED},
        "subtitle": {"alignment": TA_CENTER, "textColor": GREY},
        "meta": {"fontSize": 9.5, "leading": 14, "alignment": TA_RIGHT, "textColor": GREY},
        "h2": {"fontSize": 13.5, "leading": 20, "spaceBefore": 10, "spaceAfter": 4, "textColor": RED},
        "body": {},
        "plain": {},
        "cell": {"fontSize": 9, "leading": 12},
        "label": {"fontSize": 9.5, "leading": 14, "textColor": GREY},
        "note": {"fontSize": 8.5, "leading": 12, "textColor": GREY},
        "draft": {"fontSize": 10, "leading": 15, "alignment": TA_CENTER, "textColor": RED},
    }
    for name, changes in (overrides or {}).items():
        spec[name] = {**spec.get(name, {}), **changes}
    return {name: ParagraphStyle(name, parent=base, **attrs) for name, attrs in spec.items()}


def document(buffer, *, title: str, author: str, margins: tuple[float, float, float, float], **options):
    """An A4 ``SimpleDocTemplate`` writing to ``buffer``; ``margins``: left, right, top, bottom."""
    left, right, top, bottom = margins
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author=author,
        **options,
    )


PageText = Callable[[int], str]


def page_footer(
    *, centre: PageText | None = None, left: PageText | None = None, right: PageText | None = None, y=10 * mm
):
    """A page callback (``onFirstPage``/``onLaterPages``) writing small grey footer lines: each
    argument turns the page number into a text (drawn as text, not markup)."""

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        if centre is not None:
            canvas.drawCentredString(doc.pagesize[0] / 2, y, centre(doc.page))
        if left is not None:
            canvas.drawString(doc.leftMargin, y, left(doc.page))
        if right is not None:
            canvas.drawRightString(doc.leftMargin + doc.width, y, right(doc.page))
        canvas.restoreState()

    return draw
