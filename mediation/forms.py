"""Forms for the mediation screens. They validate and say in Chinese what to fix; they never
write — views hand ``cleaned_data`` to ``mediation.services``."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.forms import DateTimeField, TextField, text_field
from cases.models import PartyRole
from core.periods import parse_month
from routing.models import MatterType, Region, Unit
from routing.widgets import RegionCascadeWidget

from . import kpi
from .models import (
    EXTERNAL_SOURCES,
    SOURCE_UNIT_ROLE,
    FailureNext,
    MediatorProfile,
    OrganisationKind,
    SessionMode,
    Source,
)

PHONE_ERROR = _("请输入 11 位手机号，如 13800138000；没有可不填。")


class ReferForm(forms.Form):
    note = text_field(
        _("移交理由和争议焦点"),
        message=_("请说明移交调解的理由和争议焦点。"),
        placeholder=_("如：双方对拖欠工资数额有争议，均同意由人民调解委员会调解。"),
    )


class AssignForm(forms.Form):
    mediator = forms.ModelChoiceField(
        label=_("调解员"),
        queryset=MediatorProfile.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择一名调解员。"),
            "invalid_choice": _("所选调解员不存在或已停用，请重新选择。"),
        },
    )
    note = text_field(_("指派说明"), required=False, rows=2)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        eligible = [c for c in candidates if c.eligible]
        self.fields["mediator"].queryset = MediatorProfile.objects.filter(pk__in=[c.profile.pk for c in eligible])
        self.fields["mediator"].choices = [(c.profile.pk, c.profile.display_name) for c in eligible]
        if eligible and not self.is_bound:
            self.initial.setdefault("mediator", eligible[0].profile.pk)


class AcceptForm(forms.Form):
    no_conflict = forms.BooleanField(
        label=_("本人与各方当事人无近亲属、利害关系或其他可能影响公正调解的关系"),
        error_messages={"required": _("请确认与各方当事人无利害关系后再接受；如有利害关系，请选择“不接受”。")},
    )


class ReasonForm(forms.Form):
    reason = text_field(_("原因"), message=_("请填写原因。"))


class DeclineForm(forms.Form):
    reason = text_field(
        _("不接受的原因"),
        message=_("请填写不接受的原因，如与当事人存在利害关系。"),
        placeholder=_("如：本人与被申请人系亲属关系，申请回避。"),
    )


class SettleForm(forms.Form):
    note = text_field(_("调解结果说明"), required=False, rows=2)


class FailForm(forms.Form):
    reason = text_field(_("调解不成的原因"), message=_("请填写调解不成的原因。"))
    next_step = forms.ChoiceField(
        label=_("后续途径"),
        choices=FailureNext.choices,
        initial=FailureNext.LITIGATION,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择后续途径。")},
    )


class WithdrawForm(forms.Form):
    reason = text_field(_("撤回原因"), message=_("请填写撤回原因。"))


def _local_input(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class SessionForm(forms.Form):
    scheduled_at = DateTimeField(
        label=_("调解时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("请填写调解时间。"),
            "invalid": _("时间格式不正确，请按“2026-11-25 09:30”的格式填写。"),
        },
    )
    mode = forms.ChoiceField(
        label=_("方式"),
        choices=SessionMode.choices,
        initial=SessionMode.ONSITE,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择调解方式。")},
    )
    place = TextField(label=_("地点"), max_length=200, required=False)
    meeting_link = forms.URLField(
        label=_("视频会议链接"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("请输入完整的会议链接，如 https://meeting.example.cn/123。")},
    )
    participants = text_field(_("参加人员"), required=False, rows=3, help_text=_("每行一人，如：夏志明（申请人）。"))
    notify_parties = forms.BooleanField(label=_("短信通知当事人"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
            self.initial.setdefault("scheduled_at", _local_input(start))

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        if value < timezone.now() - timedelta(days=1):
            raise forms.ValidationError(_("调解时间不能早于昨天；补记已召开的调解会，请选择召开当天的时间。"))
        return value

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == SessionMode.ONSITE and not (data.get("place") or "").strip():
            self.add_error("place", _("现场调解请填写地点，如：明城镇综治中心调解室。"))
        if mode == SessionMode.VIDEO and not data.get("meeting_link"):
            self.add_error("meeting_link", _("视频调解请填写会议链接。"))
        return data


class SessionRecordForm(forms.Form):
    attendance = text_field(
        _("到场情况"), required=False, rows=2, placeholder=_("如：申请人夏志明到场；被申请人委托代理人李某到场。")
    )
    record = text_field(_("调解笔录"), message=_("请填写调解笔录。"), rows=10, max_length=20000)


class SessionCancelForm(forms.Form):
    reason = text_field(_("取消原因"), message=_("请填写取消原因。"), rows=2)


class ReferralForm(forms.Form):
    """A dispute handed over by a court, petition bureau, police or procuratorate."""

    source = forms.ChoiceField(
        label=_("移送机关类型"),
        choices=[(s.value, s.label) for s in Source if s in EXTERNAL_SOURCES],
        error_messages={"required": _("请选择移送机关类型。")},
    )
    referring_unit = forms.ModelChoiceField(
        label=_("移送单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("（目录外单位，请在“纠纷事实与诉求”中写明单位名称）"),
        error_messages={"invalid_choice": _("所选移送单位不存在，请重新选择。")},
    )
    referral_document = forms.CharField(
        label=_("移送文书号"),
        max_length=80,
        error_messages={"required": _("请填写移送文书号，如（2026）粤0608民诉前调1234号。")},
        widget=forms.TextInput(attrs={"placeholder": _("如（2026）粤0608民诉前调1234号")}),
    )
    matter = forms.ModelChoiceField(
        label=_("纠纷类型"),
        queryset=MatterType.objects.none(),
        empty_label=_("请选择纠纷类型"),
        error_messages={"required": _("请选择纠纷类型。"), "invalid_choice": _("所选纠纷类型不存在，请重新选择。")},
    )
    region = forms.CharField(
        label=_("纠纷发生地"),
        widget=RegionCascadeWidget,
        error_messages={"required": _("请选择纠纷发生地，至少选到乡镇（街道）一级。")},
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    title = TextField(
        label=_("纠纷标题"), max_length=60, error_messages={"required": _("请填写纠纷标题，如：某五金厂拖欠工资纠纷。")}
    )
    description = text_field(_("纠纷事实与诉求"), message=_("请填写纠纷事实与当事人诉求。"), rows=5)
    applicant_name = TextField(
        label=_("申请人姓名/名称"), max_length=100, error_messages={"required": _("请填写申请人姓名或名称。")}
    )
    applicant_phone = forms.RegexField(
        label=_("申请人手机号"), regex=r"^1[3-9]\d{9}$", required=False, error_messages={"invalid": PHONE_ERROR}
    )
    applicant_id = forms.CharField(label=_("申请人证件号码"), max_length=30, required=False)
    respondent_name = TextField(
        label=_("被申请人姓名/名称"), max_length=100, error_messages={"required": _("请填写被申请人姓名或名称。")}
    )
    respondent_phone = forms.RegexField(
        label=_("被申请人手机号"), regex=r"^1[3-9]\d{9}$", required=False, error_messages={"invalid": PHONE_ERROR}
    )
    respondent_id = forms.CharField(label=_("被申请人证件号码"), max_length=30, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        roles = list(SOURCE_UNIT_ROLE.values())
        units = (
            Unit.objects.filter(active=True, roles__code__in=roles)
            .select_related("region")
            .prefetch_related("roles")
            .distinct()
        )
        self.fields["referring_unit"].queryset = units.order_by("region__path", "code")
        self.fields["matter"].queryset = MatterType.objects.filter(mediable=True).order_by("path")
        self.fields["matter"].label_from_instance = lambda m: ("　" * (m.depth - 1)) + m.name

    def clean_region(self):
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("所选地区不存在，请重新选择。"))
        if region.level in ("province", "city", "district"):
            raise forms.ValidationError(_("请至少选到乡镇（街道）一级。"))
        if self.user is not None:
            from accounts.models import Role
            from accounts.selectors import user_memberships

            areas = [m.unit.region.path for m in user_memberships(self.user) if m.role in (Role.CLERK, Role.DISPATCHER)]
            if not any(region.path.startswith(path) for path in areas):
                raise forms.ValidationError(_("该地区不在本中心的受理范围内，请由纠纷发生地的诉求服务中心登记。"))
        return region

    def clean(self):
        data = super().clean()
        unit = data.get("referring_unit")
        source = data.get("source")
        if unit is not None and source:
            wanted = SOURCE_UNIT_ROLE[Source(source)]
            if wanted not in {r.code for r in unit.roles.all()}:
                self.add_error("referring_unit", _("所选单位与移送机关类型不符，请重新选择。"))
        return data

    def parties(self):
        from cases.services import PartyData

        d = self.cleaned_data
        return [
            PartyData(
                name=d["applicant_name"],
                phone=d.get("applicant_phone") or "",
                id_number=d.get("applicant_id") or "",
                role=PartyRole.APPLICANT,
                notify=bool(d.get("applicant_phone")),
            ),
            PartyData(
                name=d["respondent_name"],
                phone=d.get("respondent_phone") or "",
                id_number=d.get("respondent_id") or "",
                role=PartyRole.RESPONDENT,
            ),
        ]


# Dashboards (调解统计, 调解员名录) -------------------------------------------------------------------


class PeriodForm(forms.Form):
    """A range of whole months (default: this year up to the current month) and a region."""

    start = forms.CharField(
        label=gettext_lazy("起始月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=gettext_lazy("截止月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    region = forms.CharField(label=gettext_lazy("地区"), required=False, max_length=40)

    def _month(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if value and parse_month(value) is None:
            raise forms.ValidationError(gettext("月份格式应为“2026-10”，请重新选择。"))
        return value

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors.get("start") or self.errors.get("end"):
            return data
        if bool(start) != bool(end):
            raise forms.ValidationError(gettext("请同时选择起始月份和截止月份。"))
        if start and end:
            period = kpi.MonthRange.parse(start, end)
            if period.first > period.last:
                raise forms.ValidationError(gettext("起始月份不能晚于截止月份，请调整后重新统计。"))
            if len(period.months) > kpi.MAX_MONTHS:
                raise forms.ValidationError(
                    gettext("统计区间最长 %(n)d 个月，请缩短月份范围。") % {"n": kpi.MAX_MONTHS}
                )
        return data

    def period(self) -> kpi.MonthRange:
        """The chosen months; this year up to the current month when nothing (valid) was chosen."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return kpi.MonthRange.parse(data["start"], data["end"])
        return kpi.MonthRange.this_year(timezone.localdate())


def period_form(data) -> tuple[PeriodForm, str]:
    """The form bound to ``data`` (a GET's parameters; unbound when empty) and the region code it
    carries (kept when valid by itself)."""
    form = PeriodForm(data or None)
    region = ""
    if form.is_bound:
        form.is_valid()
        region = (form.cleaned_data.get("region") or "").strip()
    return form, region


class DirectoryForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("组织类型"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(OrganisationKind.choices),
    )
    matter = forms.CharField(label=gettext_lazy("擅长领域"), required=False, max_length=60)
    region = forms.CharField(label=gettext_lazy("服务区域"), required=False, max_length=40)
    active = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部")), ("1", gettext_lazy("在岗")), ("0", gettext_lazy("不在岗"))],
    )
