"""PDFs of the agreements app: the 调解协议书 and the 司法确认申请书.

Built on ``core.pdf`` (ReportLab's built-in CID font ``STSong-Light``, every text escaped): no
font file is shipped, the viewer supplies the glyphs. Rendering is deterministic
(``invariant``: no creation time or random document id in the file), so the same agreement
renders to the same bytes and tests can extract the Chinese text back with pdfminer. The QR code
is drawn as vector squares from segno's matrix, no image library involved.

These functions only read what they are given; callers load the rows (``mediation.agreements``).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import segno
from django.conf import settings
from django.urls import reverse
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases.models import PartyRole
from core import pdf
from core.masking import mask_phone
from core.pdf import FONT, cn_datetime, para

LINE = colors.HexColor("#9ca3af")
BLANK_DATE = "　　年　　月　　日"


def _styles() -> dict:
    return pdf.styles(
        11,
        19,
        overrides={
            "title": {"fontSize": 20, "leading": 28, "spaceAfter": 4, "textColor": colors.black},
            "h2": {"fontSize": 12.5, "spaceAfter": 3, "textColor": colors.black},
            "body": {"firstLineIndent": 22},
            "cell": {"fontSize": 9.5, "leading": 13},
        },
    )


def cn_date(value: dt.date | dt.datetime | None) -> str:
    """``2026年11月21日`` (a datetime in Beijing time); blanks to fill in by hand for none."""
    return pdf.cn_date(value, empty=BLANK_DATE)


def verify_url(code: str) -> str:
    """Where the QR code points: the public verification page with the code filled in."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('mediation:agreement-verify')}?code={code}"


def _paragraphs(text: str, style) -> list[Paragraph]:
    """One paragraph per non-empty line, the text escaped (a party's ``<`` is not markup)."""
    lines = [line.strip() for line in (text or "").splitlines()]
    return [para(line, style) for line in lines if line]


def _cell(text: str, styles) -> Paragraph:
    return para(text or "", styles["cell"])


def _grid(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def qr_drawing(data: str, size: float = 30 * mm) -> Drawing:
    """The QR code of ``data`` as vector squares (one rectangle per run of dark modules)."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    count = len(rows)
    module = size / count
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for y, row in enumerate(rows):
        x = 0
        while x < count:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < count and row[x]:
                x += 1
            drawing.add(
                Rect(
                    start * module,
                    size - (y + 1) * module,
                    (x - start) * module,
                    module,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return drawing


def _party_label(role: str) -> str:
    try:
        return str(PartyRole(role).label)
    except ValueError:
        return role or ""


def _footer(code: str):
    return pdf.page_footer(centre=lambda page: f"协议验证码 {code}　第 {page} 页", y=12 * mm)


def _document(buffer: BytesIO, title: str) -> SimpleDocTemplate:
    return pdf.document(
        buffer,
        title=title,
        author="一口办 · 群众诉求服务平台",
        margins=(22 * mm, 22 * mm, 20 * mm, 22 * mm),
        creator="一口办",
        invariant=True,
    )


# 调解协议书 -------------------------------------------------------------------------------------


def _parties_grid(agreement, styles, width: float) -> Table:
    """The parties with full names, ID numbers and phones (the legal document itself)."""
    rows = [[_cell(h, styles) for h in ("身份", "姓名/名称", "证件号码", "联系电话")]]
    for party in agreement.parties or []:
        rows.append(
            [
                _cell(_party_label(party.get("role", "")), styles),
                _cell(party.get("name", ""), styles),
                _cell(party.get("id_number", "") or "—", styles),
                _cell(party.get("phone", "") or "—", styles),
            ]
        )
    return _grid(rows, [width * 0.16, width * 0.38, width * 0.26, width * 0.20])


def _confirmations_grid(confirmations: list, styles, width: float) -> Table:
    """Who confirmed a sealed agreement, when and how (phones masked)."""
    rows = [[_cell(h, styles) for h in ("当事人", "确认方式", "确认手机号", "确认时间")]]
    for item in confirmations:
        rows.append(
            [
                _cell(item.name, styles),
                _cell(item.method, styles),
                _cell(mask_phone(item.phone), styles),
                _cell(cn_datetime(item.confirmed_at), styles),
            ]
        )
    return _grid(rows, [width * 0.34, width * 0.20, width * 0.20, width * 0.26])


def _closing(agreement, profile, *, sealed: bool, styles, width: float) -> Table:
    """The mediator's signature block beside the QR code that verifies the document."""
    mediator_name = profile.display_name if profile else ""
    organisation = profile.organisation if profile else ""
    signature = [
        para(f"调解员：{mediator_name}", styles["plain"]),
        para(f"调解组织：{organisation}", styles["plain"]),
        para(f"日期：{cn_date(agreement.sealed_at if sealed else None)}", styles["plain"]),
    ]
    url = verify_url(agreement.code)
    qr_text = [
        para("扫码核验本协议书", styles["note"]),
        para(f"或访问 {url}", styles["note"]),
        para(f"协议验证码：{agreement.code}", styles["note"]),
    ]
    closing = Table(
        [[signature, qr_drawing(url), qr_text]],
        colWidths=[width * 0.48, 32 * mm, width * 0.52 - 32 * mm],
    )
    closing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return closing


def agreement_pdf(agreement, *, confirmations: list | None = None) -> bytes:
    """The 调解协议书 of ``agreement`` (its ``mediation``, ``mediation.mediator.user`` loaded).

    Parties appear with full names and ID numbers: this is the legal document itself. A draft or
    an agreement still being signed carries a line saying it is not yet in force; a sealed one
    lists each party's confirmation (who, when, how) instead.
    """
    pdf.register_font()
    styles = _styles()
    mediation = agreement.mediation
    profile = mediation.mediator
    sealed = agreement.status == "sealed"
    confirmations = confirmations or []

    story: list = [para("人民调解协议书", styles["title"])]
    story.append(
        para(
            (f"案件编号：{agreement.case_number}　调解编号：{mediation.number}　协议验证码：{agreement.code}"),
            styles["meta"],
        )
    )
    if not sealed:
        story.append(Spacer(1, 3 * mm))
        story.append(para("（本文本尚未经各方当事人确认，不发生法律效力）", styles["draft"]))

    story.append(para("当事人", styles["h2"]))
    width = A4[0] - 44 * mm
    story.append(_parties_grid(agreement, styles, width))

    story.append(para("一、纠纷事实", styles["h2"]))
    story.extend(_paragraphs(agreement.facts, styles["body"]))
    story.append(para("二、经调解，各方当事人自愿达成如下协议", styles["h2"]))
    story.extend(_paragraphs(agreement.terms, styles["body"]))
    story.append(para("三、履行期限", styles["h2"]))
    story.append(
        para(f"各方当事人应于{cn_date(agreement.performance_deadline)}前履行完毕本协议约定的义务。", styles["body"])
    )
    story.append(para("四、其他约定", styles["h2"]))
    story.append(
        para(
            "本协议经各方当事人确认后生效，具有法律约束力，当事人应当按照约定履行。"
            "当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
            styles["body"],
        )
    )

    if sealed:
        story.append(para("当事人确认记录", styles["h2"]))
        story.append(_confirmations_grid(confirmations, styles, width))

    closing = _closing(agreement, profile, sealed=sealed, styles=styles, width=width)
    story.append(Spacer(1, 8 * mm))
    story.append(KeepTogether([closing]))

    buffer = BytesIO()
    doc = _document(buffer, f"人民调解协议书 {agreement.code}")
    doc.build(story, onFirstPage=_footer(agreement.code), onLaterPages=_footer(agreement.code))
    return buffer.getvalue()


# 司法确认申请书 -----------------------------------------------------------------------------------


def judicial_application_pdf(agreement) -> bytes:
    """The 司法确认申请书 (application for judicial confirmation) of a sealed agreement, to the
    court recorded on it; the sealed agreement is listed as its attachment with its SHA-256."""
    pdf.register_font()
    styles = _styles()
    mediation = agreement.mediation
    profile = mediation.mediator
    organisation = profile.organisation if profile else ""

    story: list = [para("司法确认申请书", styles["title"])]
    story.append(para(f"案件编号：{agreement.case_number}　协议验证码：{agreement.code}", styles["meta"]))
    story.append(para("申请人", styles["h2"]))
    width = A4[0] - 44 * mm
    rows = [[_cell(h, styles) for h in ("身份", "姓名/名称", "证件号码", "联系电话")]]
    for party in agreement.parties or []:
        rows.append(
            [
                _cell(_party_label(party.get("role", "")), styles),
                _cell(party.get("name", ""), styles),
                _cell(party.get("id_number", "") or "—", styles),
                _cell(party.get("phone", "") or "—", styles),
            ]
        )
    story.append(_grid(rows, [width * 0.16, width * 0.38, width * 0.26, width * 0.20]))

    story.append(para("请求事项", styles["h2"]))
    story.append(
        para(
            (
                f"请求人民法院依法确认申请人于{cn_date(agreement.sealed_at)}经{organisation}主持调解达成的"
                f"调解协议（协议验证码：{agreement.code}）有效。"
            ),
            styles["body"],
        )
    )
    story.append(para("事实与理由", styles["h2"]))
    story.extend(_paragraphs(agreement.facts, styles["body"]))
    story.append(
        para(
            "上述纠纷经人民调解，各方当事人自愿达成调解协议，协议内容不违反法律、行政法规的强制性规定，"
            "不损害国家利益、社会公共利益和他人合法权益。根据《中华人民共和国人民调解法》第三十三条的规定，"
            "申请人共同向贵院申请司法确认。",
            styles["body"],
        )
    )
    story.append(para("附件", styles["h2"]))
    story.append(para(f"1. 人民调解协议书一份（SHA-256：{agreement.sha256}）", styles["plain"]))
    story.append(para("2. 当事人身份证明材料", styles["plain"]))
    story.append(Spacer(1, 6 * mm))
    story.append(para("此致", styles["plain"]))
    story.append(para(agreement.judicial_court, styles["plain"]))
    story.append(Spacer(1, 8 * mm))
    story.append(para("申请人（签名或盖章）：", styles["plain"]))
    story.append(Spacer(1, 14 * mm))
    story.append(para(f"{cn_date(agreement.judicial_applied_at)}", styles["meta"]))
    story.append(Spacer(1, 4 * mm))
    story.append(para(f"调解组织：{organisation}　调解员：{profile.display_name if profile else ''}", styles["note"]))

    buffer = BytesIO()
    doc = _document(buffer, f"司法确认申请书 {agreement.code}")
    doc.build(story, onFirstPage=_footer(agreement.code), onLaterPages=_footer(agreement.code))
    return buffer.getvalue()
