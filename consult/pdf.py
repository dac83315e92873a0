"""The 解纷意见书 as a PDF (``core.pdf``: the built-in CID font, every text escaped).

Drawn only from the letter's snapshot (``GuidanceLetter.result``), so the PDF of an old letter is
the same after its questionnaire is edited. Deterministic (``invariant``): the same letter renders
to the same bytes.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from core import pdf
from core.pdf import cn_date, para

from .selectors import letter_sections


def _disclaimer() -> str:
    return _(
        "本意见书根据您的回答自动生成，供您了解解决纠纷的途径参考，不是法律意见或处理决定。"
        "具体情况请向综治中心、人民调解组织或律师咨询。"
    )


def verify_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('consult:verify')}"


def _bullets(items, style) -> list:
    return [para(f"{number}. {item}", style) for number, item in enumerate(items, start=1)]


def _title(result) -> str:
    return _("%(matter)s解纷意见书") % {"matter": result["matter_name"]}


def _heading(number: str, text: str) -> str:
    return _("%(number)s、%(text)s") % {"number": number, "text": text}


def letter_pdf_bytes(letter) -> bytes:
    pdf.register_font()
    styles = pdf.styles(11, 19)
    result = letter.result
    n = letter_sections(result)
    story: list = [
        para(_title(result), styles["title"]),
        para(
            _("验证码：%(code)s　出具日期：%(date)s") % {"code": letter.code, "date": cn_date(letter.issued_at)},
            styles["meta"],
        ),
        Spacer(1, 3 * mm),
        para(_heading(n["path"], _("建议的解决途径")), styles["h2"]),
        para(f"{result['path_label']}：{result['headline']}", styles["body"]),
    ]
    if result.get("department"):
        story.append(para(_("可找的部门：%(d)s") % {"d": result["department"]}, styles["body"]))
    story.append(para(_heading(n["reasons"], _("理由")), styles["h2"]))
    story.extend(_bullets(result["reasons"], styles["body"]))
    story.append(para(_heading(n["materials"], _("需要准备的材料")), styles["h2"]))
    story.extend(_bullets(result["materials"], styles["body"]))
    if result.get("time_limits"):
        story.append(para(_heading(n["time_limits"], _("要注意的时间")), styles["h2"]))
        story.extend(_bullets(result["time_limits"], styles["body"]))
    if result.get("laws"):
        story.append(para(_heading(n["laws"], _("相关法律规定")), styles["h2"]))
        story.extend(
            para(f"《{law['law']}》{law['article']}：{law['summary']}", styles["body"]) for law in result["laws"]
        )
    if result.get("kb_laws"):
        title = _("相关法律规定（补充）") if result.get("laws") else _("相关法律规定")
        story.append(para(_heading(n["kb_laws"], title), styles["h2"]))
        for law in result["kb_laws"]:
            line = f"《{law['law']}》{law['article']}：{law['title']}"
            story.append(para(line + (f"。{law['excerpt']}" if law.get("excerpt") else ""), styles["body"]))
    story.append(para(_heading(n["centre"], _("就近办理")), styles["h2"]))
    centre = result.get("centre")
    if centre:
        story.append(para(f"{centre['name']}（{centre['region']}）", styles["body"]))
    else:
        story.append(para(_("可到所在乡镇（街道）综治中心或区群众诉求服务中心。"), styles["body"]))
    point = result.get("service_point")
    if point:
        story.append(para(_("服务点：%(v)s") % {"v": point["name"]}, styles["body"]))
        story.append(para(_("地址：%(v)s") % {"v": point["address"]}, styles["body"]))
        story.append(para(_("办公时间：%(v)s") % {"v": point["hours"]}, styles["body"]))
        if point.get("phone"):
            story.append(para(_("咨询电话：%(v)s") % {"v": point["phone"]}, styles["body"]))
    story.append(para(_("您的回答"), styles["h2"]))
    story.extend(para(f"{item['question']}　{item['answer']}", styles["plain"]) for item in result["answers"])
    story.append(Spacer(1, 4 * mm))
    story.append(para(_disclaimer(), styles["note"]))
    story.append(
        para(_("核验：访问 %(url)s 输入验证码 %(code)s") % {"url": verify_url(), "code": letter.code}, styles["note"])
    )

    buffer = BytesIO()
    document = pdf.document(
        buffer,
        title=_title(result),
        author=_("一口办"),
        margins=(22 * mm, 22 * mm, 20 * mm, 20 * mm),
        invariant=True,
    )
    footer = pdf.page_footer(
        centre=lambda page: _("验证码 %(code)s · 第 %(page)s 页") % {"code": letter.code, "page": page}
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
