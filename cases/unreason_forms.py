"""Forms of the 不合理诉求 / 恶意诉求 screens (cases.unreason): propose, decide, revoke."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import text_field
from .unreason import DECISION_MAX, REASON_MAX
from .unreason_models import MALICIOUS_GROUNDS, UnreasonGround, UnreasonKind


class UnreasonProposeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("申请认定为"),
        choices=UnreasonKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择类别：不合理诉求或恶意诉求。"),
            "invalid_choice": _("请选择类别：不合理诉求或恶意诉求。"),
        },
    )
    grounds = forms.MultipleChoiceField(
        label=_("认定情形（可多选）"),
        choices=UnreasonGround.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("恶意诉求须至少勾选一项恶意情形（后四项）。"),
        error_messages={
            "required": _("请至少勾选一项认定情形。"),
            "invalid_choice": _("所选认定情形无效，请重新勾选。"),
        },
    )
    reason = text_field(
        _("申请理由"),
        message=_("请填写申请理由，说明诉求内容、已做的答复和认定依据。"),
        max_length=REASON_MAX,
        rows=4,
        help_text=_("诉求服务中心据此审核认定；认定后本案不纳入本单位满意率考核。"),
    )

    def clean(self):
        data = super().clean()
        kind, grounds = data.get("kind"), data.get("grounds")
        if kind == UnreasonKind.MALICIOUS and grounds and not MALICIOUS_GROUNDS & set(grounds):
            self.add_error(
                "grounds",
                _("认定恶意诉求须至少勾选一项恶意情形：虚构歪曲事实、谋取不当利益、辱骂威胁或缠访闹访。"),
            )
        return data


class UnreasonDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("予以认定")), ("refuse", _("不予认定"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择审核结论：予以认定或不予认定。"),
            "invalid_choice": _("请选择审核结论：予以认定或不予认定。"),
        },
    )
    reason = text_field(
        _("审核意见"),
        required=False,
        max_length=DECISION_MAX,
        rows=2,
        help_text=_("不予认定时必填，申请单位会看到。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reason"):
            self.add_error("reason", _("不予认定须填写理由，告知申请单位。"))
        return data


class UnreasonRevokeForm(forms.Form):
    reason = text_field(
        _("撤销理由"),
        message=_("撤销认定须填写理由。"),
        max_length=DECISION_MAX,
        rows=2,
        help_text=_("撤销后本案重新计入该单位满意率。"),
    )
