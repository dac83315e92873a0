"""The 一码解纷 poster: one A4 page per place with its QR code, the four doors and the service
point's address and hours. ReportLab through ``core.pdf`` (its CJK font, escaped text); the QR
code is drawn from segno's module matrix as vector squares, so it prints sharp at any size."""

from __future__ import annotations

from io import BytesIO

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, PageBreak, Spacer, Table, TableStyle

from core.pdf import RED, document, page_footer, para, register_font, styles
from routing.models import Region

from .models import ServicePoint


def place_url(region: Region) -> str:
    """What the QR code opens: the public address (``PUBLIC_BASE_URL``), not the host the poster
    was printed from, which may be an internal one."""
    return f"{settings.PUBLIC_BASE_URL}/q/{region.code}/"


class QrCode(Flowable):
    """A QR code ``size`` wide, centred in the frame, drawn square by square."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.qr = segno.make(data, error="m", micro=False)
        self.size = size

    def wrap(self, available_width, available_height):
        self.offset = max(0, (available_width - self.size) / 2)
        return available_width, self.size

    def draw(self):
        border = 2
        matrix = [list(row) for row in self.qr.matrix]
        count = len(matrix) + 2 * border
        cell = self.size / count
        canvas = self.canv
        canvas.setFillColor(colors.black)
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    canvas.rect(
                        self.offset + (x + border) * cell,
                        self.size - (y + border + 1) * cell,
                        cell,
                        cell,
                        stroke=0,
                        fill=1,
                    )


def _poster_styles():
    return styles(
        13,
        20,
        overrides={
            "title": {"fontSize": 34, "leading": 44},
            "subtitle": {"fontSize": 15, "leading": 22},
            "h2": {"fontSize": 24, "leading": 32, "alignment": TA_CENTER, "textColor": colors.black},
            "note": {"fontSize": 10, "leading": 14, "alignment": TA_CENTER},
            "door": {"fontSize": 17, "leading": 24, "alignment": TA_CENTER, "textColor": RED},
        },
    )


def _poster_story(region: Region, chain: list[Region], point: ServicePoint | None, s) -> list:
    # Ideographic spaces, not "·": STSong-Light has no glyph for U+00B7.
    place = "\u3000".join(r.name for r in chain[-3:]) or region.name
    doors = [_("我要反映"), _("我要咨询"), _("申请调解"), _("查询进度")]
    door_table = Table([[para(d, s["door"]) for d in doors]], colWidths=[42 * mm] * 4)
    door_table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, RED),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RED),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story = [
        para(_("一码解纷"), s["title"]),
        para(_("有事扫一扫：反映、咨询、调解、查进度"), s["subtitle"]),
        Spacer(1, 8 * mm),
        para(place, s["h2"]),
        Spacer(1, 6 * mm),
        QrCode(place_url(region), 95 * mm),
        Spacer(1, 3 * mm),
        para(_("用手机微信或浏览器扫描二维码"), s["note"]),
        Spacer(1, 6 * mm),
        door_table,
        Spacer(1, 8 * mm),
    ]
    if point is not None:
        rows = [
            [para(_("服务点"), s["label"]), para(point.name, s["body"])],
            [para(_("地址"), s["label"]), para(point.address, s["body"])],
            [para(_("办公时间"), s["label"]), para(point.hours, s["body"])],
        ]
        if point.phone:
            rows.append([para(_("咨询电话"), s["label"]), para(point.phone, s["body"])])
    else:
        rows = [[para(_("服务点"), s["label"]), para(_("请就近到诉求服务中心或综治中心窗口办理。"), s["body"])]]
    info = Table(rows, colWidths=[28 * mm, 140 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.grey)]))
    footer = [info, Spacer(1, 4 * mm), para(_("不方便扫码？请在浏览器输入：") + place_url(region), s["note"])]
    # A long address or hours (up to 200 characters each) shrinks to the page's room, never a 2nd page.
    story.append(KeepInFrame(0, 0, footer, mode="shrink"))
    return story


def posters_pdf(places: list[tuple[Region, list[Region], ServicePoint | None]]) -> bytes:
    """One A4 page per (place, its chain from the city down, its service point)."""
    register_font()
    s = _poster_styles()
    buffer = BytesIO()
    title = _("一码解纷二维码海报")
    doc = document(
        buffer, title=title, author=_("一口办群众诉求服务平台"), margins=(20 * mm, 20 * mm, 18 * mm, 18 * mm)
    )
    story: list = []
    for index, (region, chain, point) in enumerate(places):
        if index:
            story.append(PageBreak())
        story += _poster_story(region, chain, point, s)
    footer = page_footer(centre=lambda _page: _("一口办群众诉求服务平台"))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
