"""Forms for clerks (window, hotline) and grid workers."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator
from cases.forms import TextField
from cases.services import CaseOrigin
from routing.dispatch import directory_row
from routing.forms import matter_picker
from routing.models import MatterType, Region
from routing.widgets import RegionCascadeWidget

from .held import as_uploads, held_uploads
from .selectors_staff import caller_open_case
from .uploads import MAX_FILES, UploadError, check_uploads

ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        try:
            return check_uploads(files)
        except UploadError as exc:
            raise forms.ValidationError(str(exc)) from exc


class StaffClaimForm(forms.Form):
    """What every staff-registered claim has. Subclasses add the channel's own fields."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)
    matter = forms.ChoiceField(label=_("事项类型"), error_messages={"required": _("请选择事项类型。")})
    region = forms.CharField(
        label=_("发生地"),
        widget=RegionCascadeWidget,
        error_messages={"required": _("请选择诉求发生地，至少到乡镇（街道）。")},
    )
    address = TextField(label=_("详细地址"), max_length=200, required=False)
    description = TextField(
        label=_("诉求内容"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("请记录诉求内容。"),
            "min_length": _("诉求内容至少 10 个字，请写清楚事情经过和诉求。"),
            "max_length": _("诉求内容不超过 2000 字。"),
        },
    )
    people_count = forms.IntegerField(
        label=_("涉及人数"),
        min_value=1,
        max_value=100000,
        initial=1,
        error_messages={"min_value": _("涉及人数至少为 1。"), "invalid": _("涉及人数应为整数。")},
    )
    attachments = MultipleFileField(label=_("附件（图片或 PDF，最多 9 个，每个不超过 10 MB）"), required=False)
    # The clerk's answer to the duplicate candidates (intake.duplicates): the "并入此案" buttons post
    # the chosen case number; "登记为新案件" posts register_new (kept hidden once chosen).
    attach_candidate = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    register_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_picker()
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
        # Files held from an earlier failed submit of this same form (intake.held), less the ones
        # the user took off ("移除").
        self.form_key = (self.data.get("submission_key") or "").strip() if self.is_bound else ""
        getlist = getattr(self.data, "getlist", None)
        removed = set(getlist("held_remove")) if self.is_bound and getlist else set()
        held = held_uploads(owner, self.form_key) if self.is_bound else []
        self.held = [row for row in held if str(row.pk) not in removed]
        self.held_removed = [row.pk for row in held if str(row.pk) in removed]

    def clean_attachments(self):
        uploads = self.cleaned_data["attachments"]
        if len(uploads) + len(self.held) > MAX_FILES:
            raise forms.ValidationError(
                _("最多 %(n)s 个附件：已附上 %(held)s 个，又选择了 %(m)s 个。")
                % {"n": MAX_FILES, "held": len(self.held), "m": len(uploads)}
            )
        return uploads

    def clean_matter(self):
        matter = directory_row(MatterType, self.cleaned_data["matter"])
        if matter is None or not matter.active:
            raise forms.ValidationError(_("请选择有效的事项类型。"))
        return matter

    def clean_region(self):
        region = directory_row(Region, self.cleaned_data["region"])
        if region is None:
            raise forms.ValidationError(_("所选地点不存在，请重新选择。"))
        if region.level in ("province", "city", "district"):
            raise forms.ValidationError(_("请把发生地选到乡镇（街道）或更具体的村（社区）。"))
        return region


def staff_submission_key(clerk, key: str | None) -> str | None:
    """The claim's ``submission_key`` for a staff form's token: scoped to the account, so one
    person's form token can never return another's claim."""
    return f"staff-{clerk.pk}-{key}" if key else None


def claim_arguments(form: forms.Form, *, clerk, contact: dict) -> dict:
    """``claim_submit``'s arguments from a valid staff form (all but the channel and submitter)."""
    data = form.cleaned_data
    key = data.get("submission_key")
    return {
        "matter": data["matter"],
        "region": data["region"],
        "description": data["description"],
        "address": data.get("address", ""),
        "people_count": data["people_count"],
        "uploads": as_uploads(getattr(form, "held", [])) + (data.get("attachments") or []),
        "registered_by": clerk,
        "submission_key": staff_submission_key(clerk, key),
        "id_number": "",
        **contact,
    }


class PersonFieldsMixin(forms.Form):
    contact_name = TextField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写来访人姓名。")})
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请填写联系电话，用于告知办理进度。")},
    )
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper()
        if value and not ID_NUMBER.match(value):
            raise forms.ValidationError(_("身份证号码应为 18 位，最后一位可以是数字或 X。"))
        return value

    def claim_arguments(self, *, clerk) -> dict:
        data = self.cleaned_data
        contact = {name: data[name] for name in ("contact_name", "contact_phone", "id_number")}
        return claim_arguments(self, clerk=clerk, contact=contact)


class WindowClaimForm(PersonFieldsMixin, StaffClaimForm):
    """窗口登记: a walk-in, then accept, resolve on the spot, or just register."""

    NEXT_ACCEPT = "accept"
    NEXT_ON_SPOT = "on_spot"
    NEXT_REGISTER = "register"

    next_step = forms.ChoiceField(
        label=_("登记后"),
        widget=forms.RadioSelect,
        initial=NEXT_ACCEPT,
        choices=[
            (NEXT_ACCEPT, _("受理并按规则派单")),
            (NEXT_ON_SPOT, _("即接即办：当场办结")),
            (NEXT_REGISTER, _("仅登记，稍后处理")),
        ],
    )
    on_spot_result = TextField(label=_("当场办理结果"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = [
        "contact_name", "contact_phone", "id_number", "matter", "region", "address",
        "description", "people_count", "attachments", "next_step", "on_spot_result", "submission_key",
    ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_step") == self.NEXT_ON_SPOT and not (cleaned.get("on_spot_result") or "").strip():
            self.add_error("on_spot_result", _("选择“当场办结”时，请填写办理结果。"))
        return cleaned


class HotlineClaimForm(PersonFieldsMixin, StaffClaimForm):
    """12345 热线: keyboard-first; the caller's number comes first and shows earlier claims."""

    attach_to = forms.CharField(widget=forms.HiddenInput, required=False)
    accept_now = forms.BooleanField(label=_("登记后立即受理并派单"), required=False, initial=True)

    field_order = [
        "contact_phone", "contact_name", "id_number", "matter", "region", "address",
        "description", "people_count", "attachments", "accept_now", "attach_to", "submission_key",
    ]  # fmt: skip

    def __init__(self, *args, clerk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clerk = clerk
        self.target = None  # the open case the call is attached to (并案), set by clean()
        self.fields["contact_phone"].label = _("来电号码")
        self.fields["contact_phone"].widget.attrs.update({"autofocus": True})
        self.fields["contact_name"].label = _("来电人姓名")
        self.fields["contact_name"].error_messages["required"] = _("请填写来电人姓名（可只填姓氏，如“李先生”）。")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("attach_to"):
            self.target = caller_open_case(self.clerk, cleaned["contact_phone"], cleaned["attach_to"])
            if self.target is None:
                self.add_error(None, _("要并入的案件不存在、已结束或不在本中心范围，请重新选择。"))
        return cleaned


class GridReportForm(StaffClaimForm):
    """随手拍: a grid worker's report from their phone; a photo is required."""

    resident_name = TextField(label=_("反映群众姓名（可选）"), max_length=50, required=False)
    resident_phone = forms.CharField(
        label=_("反映群众电话（可选）"), max_length=11, required=False, validators=[phone_validator]
    )
    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grid_regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        attachments = self.fields["attachments"]
        attachments.required = not any(row.content_type.startswith("image/") for row in self.held)
        attachments.label = _("现场照片（必填，最多 9 张）")
        attachments.error_messages["required"] = _("请至少拍摄或选择一张现场照片。")
        attachments.widget.attrs.update({"accept": "image/*", "capture": "environment"})
        self.grid_regions = list(grid_regions or [])
        self.fields["region"] = forms.ChoiceField(
            label=_("所在网格"),
            choices=[(r.code, r.name) for r in self.grid_regions],
            error_messages={"required": _("请选择所在网格。")},
        )
        if self.grid_regions and not self.is_bound:
            self.initial["region"] = self.grid_regions[0].code

    def clean_region(self):
        code = self.cleaned_data["region"]
        for region in self.grid_regions:
            if region.code == code:
                return region
        raise forms.ValidationError(_("只能上报本人负责网格内的事项。"))

    def clean_attachments(self):
        uploads = super().clean_attachments()
        held_photo = any(row.content_type.startswith("image/") for row in self.held)
        if not held_photo and not any(upload.content_type.startswith("image/") for upload in uploads):
            raise forms.ValidationError(_("请至少上传一张现场照片（PDF 不算照片）。"))
        return uploads

    def claim_arguments(self, *, clerk) -> dict:
        """The resident's name and phone when given, else the grid worker's own; the spot's coordinates."""
        data = self.cleaned_data
        contact = {
            "contact_name": data["resident_name"] or clerk.display_name,
            "contact_phone": data["resident_phone"] or (clerk.phone or ""),
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
        }
        return claim_arguments(self, clerk=clerk, contact=contact)


def _require_scan(form: StaffClaimForm, label, message) -> None:
    """The attachments field as a required scan (来信, 交办单): a held file counts as given."""
    attachments = form.fields["attachments"]
    attachments.required = not form.held
    attachments.label = label
    attachments.error_messages["required"] = message


class LetterClaimForm(PersonFieldsMixin, StaffClaimForm):
    """来信登记: a letter, with its scan (required), its date and its number."""

    letter_number = TextField(
        label=_("来信编号"),
        max_length=60,
        help_text=_("信封或登记簿上的编号，如“高明来信〔2026〕118号”。"),
        error_messages={"required": _("请填写来信编号。")},
    )
    letter_date = forms.DateField(
        label=_("来信日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("请填写来信日期（信上落款或收信的日期）。"),
            "invalid": _("来信日期格式不对，如 2026-11-20。"),
        },
    )
    accept_now = forms.BooleanField(label=_("登记后立即受理并派单"), required=False, initial=True)

    field_order = [
        "contact_name", "contact_phone", "id_number", "letter_number", "letter_date", "matter", "region",
        "address", "description", "people_count", "attachments", "accept_now", "submission_key",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = _("来信人姓名")
        self.fields["contact_name"].error_messages["required"] = _("请填写来信人姓名（匿名来信填“匿名”）。")
        self.fields["contact_phone"].label = _("来信人电话（信中留有时填写）")
        self.fields["contact_phone"].required = False
        _require_scan(
            self, _("来信扫描件（必填，图片或 PDF，最多 9 个）"), _("请上传来信的扫描件或照片（图片或 PDF）。")
        )

    def clean_letter_date(self):
        value = self.cleaned_data["letter_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("来信日期不能晚于今天。"))
        return value

    def claim_arguments(self, *, clerk) -> dict:
        data = self.cleaned_data
        origin = CaseOrigin(letter_number=data["letter_number"], letter_date=data["letter_date"])
        return {**super().claim_arguments(clerk=clerk), "origin": origin}


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline given as a date: the end of that day, local time (as the working-day clock)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)), timezone.get_current_timezone())


class ReferralClaimForm(PersonFieldsMixin, StaffClaimForm):
    """上级交办: a case handed down by a higher authority, with its document number and deadline."""

    referral_authority = TextField(
        label=_("交办机关"),
        max_length=100,
        help_text=_("如“佛山市群众诉求服务中心”“广东省信访局”。"),
        error_messages={"required": _("请填写交办的上级机关。")},
    )
    referral_document = TextField(
        label=_("交办文号"),
        max_length=80,
        help_text=_("交办单上的文号，如“佛诉交〔2026〕35号”。"),
        error_messages={"required": _("请填写交办文号。")},
    )
    referral_deadline = forms.DateField(
        label=_("上级办理时限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("交办单要求办结的日期。它优先于事项本身的办理时限：各环节时限都不会晚于这一天。"),
        error_messages={"required": _("请填写上级要求的办理时限。"), "invalid": _("办理时限格式不对，如 2026-12-20。")},
    )
    accept_now = forms.BooleanField(label=_("登记后立即受理并派单"), required=False, initial=True)

    field_order = [
        "referral_authority", "referral_document", "referral_deadline", "contact_name", "contact_phone",
        "id_number", "matter", "region", "address", "description", "people_count", "attachments",
        "accept_now", "submission_key",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].label = _("反映人姓名")
        self.fields["contact_name"].error_messages["required"] = _("请填写反映人姓名（交办单上写明的群众）。")
        self.fields["contact_phone"].label = _("反映人电话（交办单上有时填写）")
        self.fields["contact_phone"].required = False
        self.fields["attachments"].label = _("交办单扫描件（图片或 PDF，最多 9 个）")

    def clean_referral_deadline(self):
        value = self.cleaned_data["referral_deadline"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("办理时限不能早于今天；已过期的交办请与交办机关确认新的时限。"))
        return value

    def claim_arguments(self, *, clerk) -> dict:
        data = self.cleaned_data
        origin = CaseOrigin(
            referral_authority=data["referral_authority"],
            referral_document=data["referral_document"],
            referral_due_at=end_of_day(data["referral_deadline"]),
        )
        return {**super().claim_arguments(clerk=clerk), "origin": origin}
