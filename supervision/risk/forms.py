"""Forms of the 研判预警 screens. Forms never write: the view hands ``cleaned_data`` to
``supervision.risk.services``. Errors say in Chinese what is wrong; bound forms keep the text."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import text_field as _text

from ..models import RiskKind, RiskStatus
from .services import TEXT_LIMIT

_CHOICE_GONE = _("所选项不在可选范围内，请从列表中重新选择。")


class RiskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *RiskStatus.choices])
    kind = forms.ChoiceField(label=_("预警类型"), required=False, choices=[("", _("全部类型")), *RiskKind.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].error_messages["invalid_choice"] = _CHOICE_GONE


class RiskAssessForm(forms.Form):
    assessment = _text(
        _("研判意见"),
        message=_("请填写研判意见：这一预警反映了什么问题、风险多大。"),
        max_length=TEXT_LIMIT,
        rows=4,
        placeholder=_("例如：明城镇近一周欠薪诉求集中，涉及同一建筑工地，存在群体性上访风险。"),
    )
    measures = _text(
        _("措施"),
        message=_("请填写采取的措施，例如约谈、联合排查、化解方案。"),
        max_length=TEXT_LIMIT,
        rows=4,
        placeholder=_("例如：约谈施工方负责人，人社局、住建局联合现场核查，三日内反馈。"),
    )
