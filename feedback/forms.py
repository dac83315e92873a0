"""Forms of the citizen's voice and the call-back. Files are checked with intake's rules
(``intake.forms.AttachmentsField`` → ``intake.uploads.check_uploads``); every message in Chinese."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import TextField
from cases.models import Rating
from intake.forms import AttachmentsField, solved_field

from .models import CallOutcome

TEXT_MAX = 1000


def _text(label, *, required: bool, help_text: str = "") -> TextField:
    return TextField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
        help_text=help_text,
        error_messages={
            "required": _("请填写留言内容。"),
            "max_length": _("内容不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
        },
    )


class MaterialForm(forms.Form):
    attachments = AttachmentsField(
        label=_("补充材料"),
        help_text=_("图片（JPG、PNG、GIF、WebP）或 PDF，最多 9 个，每个不超过 10 MB。"),
    )
    text = _text(_("材料说明"), required=False, help_text=_("选填，如“工资条和考勤记录”。"))

    def clean_attachments(self):
        uploads = self.cleaned_data["attachments"]
        if not uploads:
            raise forms.ValidationError(_("请选择要补充的材料（图片或 PDF 文件）。"))
        return uploads


class MessageForm(forms.Form):
    text = _text(_("留言内容"), required=True, help_text=_("请写明需要办理单位了解的情况，最多 1000 字。"))


class LinkRatingForm(forms.Form):
    """The SMS link's page: three big buttons carry ``rating``; the rest is optional."""

    rating = forms.ChoiceField(
        label=_("您对办理结果是否满意"),
        choices=Rating.choices,
        error_messages={"required": _("请点击“满意”“基本满意”或“不满意”。"), "invalid_choice": _("请重新选择评价。")},
    )
    solved = solved_field()
    comment = _text(_("您的意见"), required=False, help_text=_("选填。选择“不满意”时，写明原因有助于重新办理。"))


class CallbackForm(forms.Form):
    """One call-back call: its outcome, and the rating when the citizen rated on the phone."""

    outcome = forms.ChoiceField(
        label=_("回访结果"),
        choices=CallOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择回访结果。"), "invalid_choice": _("请重新选择回访结果。")},
    )
    rating = forms.ChoiceField(
        label=_("群众评价"),
        choices=[("", _("（未评价）")), *Rating.choices],
        required=False,
        error_messages={"invalid_choice": _("请重新选择评价。")},
    )
    solved = solved_field()
    comment = _text(_("回访记录"), required=False, help_text=_("群众的意见或未接通、拒绝的情况，选填。"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == CallOutcome.RATED and not cleaned.get("rating"):
            self.add_error("rating", _("群众在电话中作了评价时，请选择“满意”“基本满意”或“不满意”。"))
        return cleaned
