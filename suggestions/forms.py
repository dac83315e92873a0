from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import TextField

from .models import Verdict

TEXT_MAX = 2000


class DateInput(forms.DateInput):
    input_type = "date"


class TopicForm(forms.Form):
    centre = forms.ChoiceField(label=_("发布中心"), error_messages={"required": _("请选择发布中心。")})
    title = TextField(label=_("主题"), max_length=100, error_messages={"required": _("请填写征集主题。")})
    body = TextField(
        label=_("征集说明"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写征集说明。")},
    )
    opens_on = forms.DateField(
        label=_("开始日期"),
        widget=DateInput,
        error_messages={"required": _("请选择开始日期。"), "invalid": _("开始日期格式不对，请按 2026-12-01 填写。")},
    )
    closes_on = forms.DateField(
        label=_("截止日期"),
        widget=DateInput,
        error_messages={"required": _("请选择截止日期。"), "invalid": _("截止日期格式不对，请按 2026-12-31 填写。")},
    )

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centres = {str(u.pk): u for u in centres}
        self.fields["centre"].choices = [(str(u.pk), u.name) for u in centres]

    def clean_centre(self):
        return self.centres[self.cleaned_data["centre"]]

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("截止日期不能早于开始日期。"))
        return data


class SuggestionForm(forms.Form):
    text = TextField(
        label=_("您的建议"),
        min_length=5,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
        help_text=_("5 至 2000 字。请勿填写身份证号、手机号等个人信息。"),
        error_messages={
            "required": _("请填写建议内容。"),
            "min_length": _("建议内容至少 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
            "max_length": _("建议内容不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
        },
    )


class ReplyForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("处理结果"),
        choices=[(Verdict.ADOPTED, Verdict.ADOPTED.label), (Verdict.NOTED, Verdict.NOTED.label)],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择“已采纳”或“已收悉”。"), "invalid_choice": _("请选择“已采纳”或“已收悉”。")},
    )
    reply = TextField(
        label=_("公开答复"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写公开答复。")},
    )


class HideForm(forms.Form):
    reason = TextField(
        label=_("屏蔽原因"),
        max_length=200,
        error_messages={"required": _("请填写屏蔽原因，如含有辱骂、广告或他人隐私。")},
    )


class UnhideForm(forms.Form):
    reason = TextField(
        label=_("取消屏蔽的原因"),
        max_length=200,
        error_messages={"required": _("请填写取消屏蔽的原因，如“误屏蔽，内容并无不当”。")},
    )
