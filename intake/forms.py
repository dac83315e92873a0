"""Citizen and public forms: the web claim, rating, withdrawal and public tracking.

Clerk forms (window, hotline, grid) live in ``intake/staff_forms.py``.
Every message says what is wrong and how to fix it, in Chinese (CONVENTIONS.md "Interface").
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import check_code
from accounts.models import phone_validator
from cases.forms import TextField
from cases.models import Rating
from core.masking import mask_phone
from routing.forms import matter_picker
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel
from routing.widgets import RegionCascadeWidget

from .held import held_uploads
from .uploads import MAX_FILES, UploadError, check_uploads

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
PEOPLE_MAX = 100_000
ACCEPTED_UPLOADS = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.jpg,.jpeg,.png,.gif,.webp,.pdf"


def new_submission_token() -> str:
    """A fresh token for one filled-in form: its retries and double clicks make one claim."""
    return uuid.uuid4().hex


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.Field):
    """Up to nine images or PDFs, checked by content (``intake.uploads.check_uploads``).

    Cleans to a list of ``CheckedUpload``; an empty selection is an empty list.
    """

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "multiple": True, "accept": ACCEPTED_UPLOADS}

    def clean(self, value):
        files = [f for f in (value or []) if f]
        if not files:
            return []
        try:
            return check_uploads(files)
        except UploadError as exc:
            raise forms.ValidationError(str(exc), code="upload") from exc


class ClaimForm(forms.Form):
    """The citizen's web claim (网上提交诉求)."""

    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)
    matter = forms.ChoiceField(
        label=_("事项类型"),
        error_messages={
            "required": _("请选择事项类型；不确定时，可参考填写诉求内容后出现的推荐。"),
            "invalid_choice": _("所选事项类型不存在，请重新选择。"),
        },
    )
    region = forms.CharField(
        label=_("发生地点"),
        widget=RegionCascadeWidget,
        error_messages={"required": _("请选择诉求发生的地点，至少选到乡镇（街道）一级。")},
    )
    address = TextField(
        label=_("详细地址"),
        max_length=200,
        required=False,
        help_text=_("如门牌号、小区楼栋、路段或附近的标志性建筑（选填）。"),
        error_messages={"max_length": _("详细地址不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。")},
    )
    description = TextField(
        label=_("诉求内容"),
        min_length=DESCRIPTION_MIN,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX}),
        help_text=_("请写清楚发生了什么、从什么时候开始、涉及谁、希望怎样解决（10 至 2000 字）。"),
        error_messages={
            "required": _("请填写诉求内容。"),
            "min_length": _("诉求内容至少 %(limit_value)d 个字（当前 %(show_value)d 个字），请把事情经过说清楚。"),
            "max_length": _("诉求内容不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字），请精简后再提交。"),
        },
    )
    people_count = forms.IntegerField(
        label=_("涉及人数"),
        min_value=1,
        max_value=PEOPLE_MAX,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("包括您本人在内，受此事影响的人数。"),
        error_messages={
            "required": _("请填写涉及人数（至少 1 人）。"),
            "invalid": _("涉及人数请填写整数，如 1、12。"),
            "min_value": _("涉及人数至少为 1。"),
            "max_value": _("涉及人数不能超过 %(limit_value)s，请核实后填写。"),
        },
    )
    contact_name = TextField(
        label=_("联系人"),
        max_length=50,
        error_messages={
            "required": _("请填写联系人姓名，便于工作人员与您联系。"),
            "max_length": _("联系人姓名不能超过 %(limit_value)d 个字。"),
        },
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        help_text=_("11 位手机号，用于接收查询码和办理进度短信。"),
        error_messages={"required": _("请填写联系电话（11 位手机号）。")},
    )
    attachments = AttachmentsField(
        label=_("附件"),
        help_text=_("图片（JPG、PNG、GIF、WebP）或 PDF，最多 9 个，每个不超过 10 MB（选填）。"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护说明》"),
        error_messages={"required": _("请阅读并勾选同意《个人信息保护说明》后再提交。")},
    )

    def __init__(self, *args, account_phone: str | None = None, owner=None, **kwargs):
        """``account_phone``: the submitting account's verified phone, the only number a web claim
        may name as its SMS contact (docs/security.md: the platform never texts an unverified
        number on a web user's say-so). ``None`` skips the check (unbound re-display).
        ``owner``: the citizen, whose files held from a failed submit of this form come back."""
        super().__init__(*args, **kwargs)
        self.account_phone = account_phone
        self.fields["matter"].choices = matter_picker()
        self.form_key, self.held, self.held_removed = "", [], []
        if self.is_bound:
            self.find_held(owner, self.data)

    def find_held(self, owner, data) -> None:
        """The files ``owner`` has held for this form (intake.held), keyed by its submission token,
        less the ones ticked "移除" in ``data``; another citizen's token reaches none of them."""
        self.form_key = (data.get("submission_token") or "").strip().lower()
        getlist = getattr(data, "getlist", None)
        removed = set(getlist("held_remove")) if getlist else set()
        held = held_uploads(owner, self.form_key)
        self.held = [row for row in held if str(row.pk) not in removed]
        self.held_removed = [row.pk for row in held if str(row.pk) in removed]

    def clean_submission_token(self) -> str:
        token = (self.cleaned_data.get("submission_token") or "").strip().lower()
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            raise forms.ValidationError(_("页面已过期，请检查填写的内容后再次提交。"), code="token")
        return token

    def clean_attachments(self) -> list:
        uploads = self.cleaned_data["attachments"]
        if len(uploads) + len(self.held) > MAX_FILES:
            raise forms.ValidationError(
                _("最多上传 %(n)s 个附件：已附上 %(held)s 个，您又选择了 %(m)s 个。请移除一些或少选几个。")
                % {"n": MAX_FILES, "held": len(self.held), "m": len(uploads)},
                code="too_many",
            )
        return uploads

    def clean_matter(self) -> MatterType:
        matter = MatterType.objects.filter(code=self.cleaned_data["matter"], active=True).first()
        if matter is None:
            raise forms.ValidationError(_("所选事项类型已停用，请重新选择。"))
        return matter

    def clean_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("所选地点不存在，请重新选择。"))
        if region.level_rank < LEVEL_RANK[RegionLevel.TOWN]:
            raise forms.ValidationError(
                _("请至少选到乡镇（街道）一级（目前只选到“%(name)s”）；能确定的话，请继续选到村（社区）或网格。")
                % {"name": region.name}
            )
        return region

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_contact_name(self) -> str:
        name = self.cleaned_data["contact_name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写联系人姓名，便于工作人员与您联系。"))
        return name

    def clean_contact_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["contact_phone"])
        phone_validator(phone)
        if self.account_phone is not None and phone != self.account_phone:
            raise forms.ValidationError(
                _(
                    "网上提交时，联系电话须为您账号已验证的手机号（%(own)s），查询码和进度短信只发到这个号码。"
                    "如需留其他号码，请到窗口或拨打热线登记。"
                )
                % {"own": mask_phone(self.account_phone) or _("账号未绑定手机号")},
                code="unverified_phone",
            )
        return phone


class InlineSignInForm(forms.Form):
    """The claim form's sign-in for a visitor: the SMS code sent to the claim's contact phone."""

    sms_code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("验证码发到上面填写的联系电话，10 分钟内有效。"),
    )

    def __init__(self, *args, sending_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code

    def clean(self):
        cleaned = super().clean()
        if not self.sending_code:
            check_code(self, cleaned, field="sms_code")
        return cleaned


def claim_form_initial_from(data) -> dict:
    """The typed values of a posted claim form, as ``initial`` for an unvalidated re-display.

    Used when a browser without JavaScript asks for the next level of the region cascade:
    the form comes back with everything kept and no error shown yet.
    """
    form = ClaimForm()
    initial = {}
    for name, field in form.fields.items():
        if name == "attachments":
            continue
        initial[name] = field.widget.value_from_datadict(data, {}, name)
    return initial


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def solved_field() -> forms.TypedChoiceField:
    """问题是否解决 (解决率, issue #11): asked beside every rating — web, SMS link, phone call-back."""
    return forms.TypedChoiceField(
        label=_("您反映的问题是否已经解决"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("请选择“已解决”或“未解决”。")},
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您对办理结果是否满意"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择“满意”“基本满意”或“不满意”。"), "invalid_choice": _("请重新选择评价。")},
    )
    comment = TextField(
        label=_("评价意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        help_text=_("选择“不满意”时必填，请说明原因，案件将重新审核办理。"),
        error_messages={"max_length": _("评价意见不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。")},
    )
    solved = solved_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rating") == Rating.UNSATISFIED and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("请说明不满意的原因，便于重新办理。"))
        return cleaned


class WithdrawForm(forms.Form):
    reason = TextField(
        label=_("撤回原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("选填，如“问题已自行解决”。"),
        error_messages={"max_length": _("撤回原因不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。")},
    )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "yk-code"}
        ),
        help_text=_("提交成功后短信中的 10 位查询码，字母不区分大小写。"),
        error_messages={"required": _("请输入查询码。")},
    )
    phone_last4 = forms.CharField(
        label=_("手机号后四位"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
        help_text=_("登记诉求时所留联系电话的最后 4 位。"),
        error_messages={"required": _("请输入手机号后四位。")},
    )

    def clean_code(self) -> str:
        return re.sub(r"[\s\-]", "", self.cleaned_data["code"]).upper()

    def clean_phone_last4(self) -> str:
        digits = self.cleaned_data["phone_last4"].strip()
        if not re.fullmatch(r"\d{4}", digits):
            raise forms.ValidationError(_("请输入 4 位数字。"))
        return digits
