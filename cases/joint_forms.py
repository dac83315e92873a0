"""Forms of the 联办任务 screens (cases.joint): give a task, answer it, withdraw it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import UploadError, check_uploads

from .forms import DateField, UnitChoiceField, text_field
from .joint import REASON_MAX, REPLY_MAX, REQUEST_MAX, due_date_error
from .workdays import add_working_days

#: What the file chooser offers (the same kinds ``core.uploads`` accepts by their content).
ACCEPTED_UPLOADS = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.jpg,.jpeg,.png,.gif,.webp,.pdf"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class ReplyFilesField(forms.Field):
    """Up to nine images or PDFs, checked by content (``core.uploads.check_uploads``, as a claim's
    attachments are); cleans to a list of ``CheckedUpload`` (empty when none chosen)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "multiple": True, "accept": ACCEPTED_UPLOADS}

    def clean(self, value):
        files = [f for f in (value or []) if f]
        try:
            return check_uploads(files) if files else []
        except UploadError as exc:
            raise forms.ValidationError(str(exc), code="upload") from exc


#: The deadline offered by default: three working days from today.
DEFAULT_DAYS = 3


class JointTaskForm(forms.Form):
    unit = UnitChoiceField(
        label=_("协办单位"),
        empty_label=_("请选择协办单位"),
        error_messages={
            "required": _("请选择协办单位。"),
            "invalid_choice": _("所选单位不存在或已停用，请重新选择。"),
        },
    )
    request = text_field(
        _("协办事项"),
        message=_("请填写需要协办单位做什么，例如核实现场情况并出具意见。"),
        max_length=REQUEST_MAX,
        rows=3,
    )
    due_date = DateField(
        label=_("答复期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("协办单位须在该工作日结束前答复；临近和超过期限时会预警。"),
        error_messages={"required": _("请选择答复期限。"), "invalid": _("日期格式应为 2026-01-31。")},
    )

    def __init__(self, *args, case, units, default_due: bool = False, **kwargs):
        self.case = case
        if default_due:  # the form's own page (the case page's panel saves the calendar read)
            due = add_working_days(timezone.now(), DEFAULT_DAYS)
            kwargs.setdefault("initial", {"due_date": timezone.localtime(due).date()})
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units([u for u in units if u.pk != case.lead_unit_id])

    def clean_due_date(self):
        value: dt.date = self.cleaned_data["due_date"]
        problem = due_date_error(self.case, value, timezone.now())
        if problem:
            raise forms.ValidationError(problem)
        return value


class JointAnswerForm(forms.Form):
    reply = text_field(_("答复内容"), message=_("请填写答复内容，说明办理情况和结果。"), max_length=REPLY_MAX, rows=5)
    files = ReplyFilesField(
        label=_("附件（选填）"),
        help_text=_("可上传图片（JPG、PNG、GIF、WebP）或 PDF，最多 9 个，每个不超过 10 MB。"),
    )


class JointWithdrawForm(forms.Form):
    reason = text_field(_("撤回理由"), message=_("请填写撤回理由。"), max_length=REASON_MAX, rows=2)
