"""Forms of the 一键诉讼 screens (``mediation.litigation.views``): the submission's confirmation
and the court's reply, each saying in Chinese what to fix."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.forms import text_field

from ..models import LitigationPackage


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核对：当事人、诉求、证据和调解笔录无误，同意将材料包移送法院"),
        error_messages={"required": gettext_lazy("请先勾选确认，再提交诉讼材料包。")},
    )


class ReplyForm(forms.Form):
    STATE_CHOICES = [
        (LitigationPackage.State.ACCEPTED, gettext_lazy("法院已立案")),
        (LitigationPackage.State.RETURNED, gettext_lazy("法院退回")),
    ]
    state = forms.ChoiceField(
        label=gettext_lazy("法院答复"),
        choices=STATE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择法院的答复：已立案或退回。"),
            "invalid_choice": gettext_lazy("请选择法院的答复：已立案或退回。"),
        },
    )
    court_document = forms.CharField(
        label=gettext_lazy("法院案号"),
        required=False,
        max_length=80,
        strip=True,
        help_text=gettext_lazy("立案时必填，如（2026）粤0608民初1234号。"),
        error_messages={"max_length": gettext_lazy("案号最多 %(limit_value)d 个字，请核对后再填写。")},
    )
    reply = text_field(
        gettext_lazy("答复内容"),
        required=False,
        help_text=gettext_lazy("退回时必填：法院退回的理由或需补充的材料。"),
    )

    def clean(self):
        data = super().clean()
        state = data.get("state")
        if state == LitigationPackage.State.ACCEPTED and not data.get("court_document"):
            self.add_error("court_document", _("法院已立案时请填写法院案号，如（2026）粤0608民初1234号。"))
        if state == LitigationPackage.State.RETURNED and not data.get("reply"):
            self.add_error("reply", _("法院退回时请填写退回理由，如需补充的材料。"))
        return data


def reply_form(package: LitigationPackage, data=None) -> ReplyForm:
    """The reply form of one package (prefixed: the panel shows one per package awaiting a reply)."""
    return ReplyForm(data=data, prefix=f"reply-{package.pk}")
