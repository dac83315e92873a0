"""The session records (调解笔录) of a mediation as one Chinese PDF, for the litigation package.

ReportLab's built-in CID font ``STSong-Light`` (Adobe-GB1) needs no font file: the PDF viewer
supplies the glyphs, and text extraction (pdfminer) reads the Chinese back. Input is plain data
(``RecordsDocument``), so the renderer runs no queries and is easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from core import pdf
from core.pdf import para


@dataclass(frozen=True)
class SessionRecord:
    title: str  # 第 1 次调解
    when: str  # 2026年11月21日 14:05
    mode: str
    place: str
    status: str
    participants: str
    attendance: str
    record: str
    recorded_at: str


@dataclass(frozen=True)
class RecordsDocument:
    mediation_number: str
    case_number: str
    case_title: str
    mediator: str
    organisation: str
    outcome: str
    outcome_note: str
    generated_at: str
    sessions: list[SessionRecord] = field(default_factory=list)


def _styles() -> dict:
    return pdf.styles(
        10.5,
        18,
        overrides={
            "title": {"fontSize": 18},
            "subtitle": {"fontSize": 9.5},
            "h2": {"fontSize": 13, "spaceBefore": 12},
            "cell": {"fontSize": 9.5, "leading": 14},
        },
    )


def _facts(rows: list[tuple[str, str]], styles) -> Table:
    data = [[para(k, styles["label"]), para(v or "—", styles["cell"])] for k, v in rows]
    table = Table(data, colWidths=[28 * mm, 142 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d1d5db")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#faf9f7")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def records_pdf(document: RecordsDocument) -> bytes:
    """Render the records: a heading with the mediation and case, one section per session (time,
    mode, place, participants, attendance, the record itself), and the outcome."""
    pdf.register_font()
    styles = _styles()
    story = [
        para(_("调解笔录"), styles["title"]),
        para(
            (
                _("调解编号 %(m)s · 案件编号 %(c)s · 生成于 %(at)s")
                % {"m": document.mediation_number, "c": document.case_number, "at": document.generated_at}
            ),
            styles["subtitle"],
        ),
        Spacer(1, 6 * mm),
        _facts(
            [
                (_("案件"), document.case_title),
                (_("调解员"), document.mediator),
                (_("调解组织"), document.organisation),
            ],
            styles,
        ),
    ]
    if not document.sessions:
        story.append(para(_("本次调解没有召开调解会的记录。"), styles["h2"]))
    for session in document.sessions:
        block = [
            para(session.title, styles["h2"]),
            _facts(
                [
                    (_("时间"), session.when),
                    (_("方式"), session.mode),
                    (_("地点"), session.place),
                    (_("状态"), session.status),
                    (_("参加人员"), session.participants),
                    (_("到场情况"), session.attendance),
                ],
                styles,
            ),
            Spacer(1, 2 * mm),
            para(_("笔录内容"), styles["label"]),
        ]
        story.append(KeepTogether(block))
        story.append(para(session.record or _("（未制作笔录）"), styles["body"]))
        if session.recorded_at:
            story.append(para(_("笔录时间：%(at)s") % {"at": session.recorded_at}, styles["label"]))
    story.append(para(_("调解结果"), styles["h2"]))
    story.append(para(document.outcome, styles["body"]))
    if document.outcome_note:
        story.append(para(document.outcome_note, styles["body"]))

    footer = pdf.page_footer(
        centre=lambda page: _("%(m)s 调解笔录 · 第 %(page)d 页") % {"m": document.mediation_number, "page": page}
    )
    out = BytesIO()
    doc = pdf.document(
        out,
        title=_("调解笔录 %(m)s") % {"m": document.mediation_number},
        author=document.organisation or "Yikouban",
        margins=(20 * mm, 20 * mm, 18 * mm, 18 * mm),
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
