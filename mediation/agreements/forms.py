"""Forms of the 调解协议书 screens (``mediation.agreements.views``), and the functions that build
them for a screen (bound to the POST, or prefilled from the row). They validate and say in Chinese
what to fix; views hand ``cleaned_data`` to ``mediation.agreements.services``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.forms import DateField, text_field

from ..models import Agreement, Confirmation, JudicialStatus, Mediation, PerformanceStatus
from . import services as ag

#: Public verification: largest upload accepted.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


class AgreementForm(forms.Form):
    """The content of an agreement (also of a batch: one set of terms for every applicant)."""

    facts = text_field(
        gettext_lazy("纠纷事实"),
        message=gettext_lazy("请填写纠纷事实：当事人之间发生了什么纠纷、争议的焦点是什么。"),
        max_length=4000,
        rows=5,
    )
    terms = text_field(
        gettext_lazy("协议条款"),
        message=gettext_lazy("请填写协议条款：各方同意的具体内容，如支付金额、方式和时间。"),
        max_length=4000,
        rows=6,
        help_text=gettext_lazy("每行一条，如：一、被申请人于2026年12月31日前一次性支付申请人工资12000元。"),
    )
    performance_deadline = DateField(
        label=gettext_lazy("履行期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("各方应在此日期前履行完毕；到期后系统提醒您回访。"),
        error_messages={
            "required": gettext_lazy("请填写履行期限，如 2026-12-31。"),
            "invalid": gettext_lazy("履行期限的格式不正确，请按“年-月-日”填写，如 2026-12-31。"),
        },
    )

    def clean_performance_deadline(self):
        value = self.cleaned_data["performance_deadline"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("履行期限不能早于今天（%(d)s），请重新选择。") % {"d": today.isoformat()})
        return value


class VoidForm(forms.Form):
    reason = text_field(
        gettext_lazy("作废原因"), message=gettext_lazy("请填写作废原因，如条款需要修改、当事人不同意。"), max_length=500
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("确认码"),
        max_length=12,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
        error_messages={"required": gettext_lazy("请输入当事人收到的 6 位数字确认码。")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("确认码是 6 位数字，请核对当事人收到的短信。"))
        return code


def confirm_form(confirmation: Confirmation, data=None) -> ConfirmForm:
    """One party's code field (prefixed, so each party's errors stay under its own field)."""
    return ConfirmForm(data=data, prefix=f"c{confirmation.pk}")


class JudicialApplyForm(forms.Form):
    court = forms.CharField(
        label=gettext_lazy("受理法院"),
        max_length=100,
        strip=True,
        help_text=gettext_lazy("当事人住所地、标的物所在地或调解组织所在地的基层人民法院。"),
        error_messages={
            "required": gettext_lazy("请填写受理法院，如佛山市高明区人民法院。"),
            "max_length": gettext_lazy("法院名称最多 %(limit_value)d 个字，请核对后再填写。"),
        },
    )


class JudicialDecideForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("法院决定"),
        choices=[
            (JudicialStatus.CONFIRMED, gettext_lazy("确认调解协议有效")),
            (JudicialStatus.REFUSED, gettext_lazy("不予确认")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择法院的决定：确认有效或不予确认。"),
            "invalid_choice": gettext_lazy("请选择法院的决定：确认有效或不予确认。"),
        },
    )
    document_number = forms.CharField(
        label=gettext_lazy("法院文书号"),
        max_length=80,
        strip=True,
        help_text=gettext_lazy("如（2026）粤0608民特123号。"),
        error_messages={
            "required": gettext_lazy("请填写法院文书号，如（2026）粤0608民特123号。"),
            "max_length": gettext_lazy("文书号最多 %(limit_value)d 个字，请核对后再填写。"),
        },
    )


class PerformanceForm(forms.Form):
    result = forms.ChoiceField(
        label=gettext_lazy("履行情况"),
        choices=[
            (PerformanceStatus.CARRIED_OUT, gettext_lazy("已履行")),
            (PerformanceStatus.NOT_CARRIED_OUT, gettext_lazy("未履行（或未完全履行）")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择回访结果：已履行或未履行。"),
            "invalid_choice": gettext_lazy("请选择回访结果：已履行或未履行。"),
        },
    )
    note = text_field(
        gettext_lazy("回访记录"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("未履行时必填：哪一方、哪些条款未履行，当事人的意见。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("result") == PerformanceStatus.NOT_CARRIED_OUT and not data.get("note"):
            self.add_error("note", _("未履行时请填写回访情况：哪一方、哪些条款未履行，当事人的意见。"))
        return data


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("协议验证码"),
        max_length=32,
        strip=True,
        help_text=gettext_lazy("协议书上印有的 12 位验证码，扫描二维码会自动填写。"),
        error_messages={"required": gettext_lazy("请填写协议书上的 12 位协议验证码。")},
    )
    document = forms.FileField(
        label=gettext_lazy("协议书 PDF 文件"),
        required=False,
        help_text=gettext_lazy("上传您持有的协议书 PDF（不超过 10 MB）即可；已有文件校验码的，也可以在下方粘贴。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    sha256 = forms.CharField(
        label=gettext_lazy("文件校验码（选填）"),
        required=False,
        max_length=80,
        strip=True,
        help_text=gettext_lazy("由 64 位数字和字母 a–f 组成，代表文件内容；不上传文件时才需填写。"),
    )

    def clean_code(self):
        code = ag.normalise_code(self.cleaned_data["code"])
        if len(code) != ag.CODE_LENGTH or any(c not in ag.CODE_ALPHABET for c in code):
            raise forms.ValidationError(_("协议验证码应为 12 位字母和数字，请对照协议书核对后再填写。"))
        return code

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return upload
        if upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(_("文件过大：协议书 PDF 不超过 10 MB，请确认上传的是协议书文件。"))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("该文件不是 PDF 文件，请上传协议书的 PDF 文件。"))
        return upload

    def clean_sha256(self):
        value = self.cleaned_data.get("sha256", "").strip().lower()
        if value and not ag.SHA256_HEX.match(value):
            raise forms.ValidationError(_("文件校验码应为 64 位数字和字母 a–f，请完整粘贴。"))
        return value

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        has_file, has_hash = bool(data.get("document")), bool(data.get("sha256"))
        if not has_file and not has_hash:
            raise forms.ValidationError(_("请上传协议书 PDF 文件，或粘贴其文件校验码。"))
        if has_file and has_hash:
            raise forms.ValidationError(_("上传文件和粘贴文件校验码只需其一，请删去其中一项。"))
        return data


# Building a screen's form ---------------------------------------------------------------------------


def terms_form(mediation: Mediation, data=None) -> AgreementForm:
    """The terms of a new draft or group batch: bound to ``data``, or blank with the facts taken
    from the mediation's request."""
    if data is not None:
        return AgreementForm(data)
    return AgreementForm(initial={"facts": mediation.request_note})


def edit_form(agreement: Agreement, data=None) -> AgreementForm:
    initial = {
        "facts": agreement.facts,
        "terms": agreement.terms,
        "performance_deadline": agreement.performance_deadline,
    }
    return AgreementForm(data, initial=initial)


def judicial_apply_form(agreement: Agreement, data=None) -> JudicialApplyForm:
    return JudicialApplyForm(data, initial={"court": agreement.judicial_court})


def performance_form(agreement: Agreement, data=None) -> PerformanceForm:
    """The follow-up form, showing the note of an earlier follow-up when there was one."""
    recorded = agreement.performance_status != PerformanceStatus.PENDING
    return PerformanceForm(data, initial={"note": agreement.performance_note} if recorded else {})


def verify_form(code: str = "") -> VerifyForm:
    """A blank verification form with the code prefilled (from the QR link or the last try)."""
    return VerifyForm(initial={"code": code[:32]})
