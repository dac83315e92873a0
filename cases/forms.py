"""Forms for the staff case screens: the case search and one small form per action.

Every form takes the ``case`` and the acting ``user`` (``None`` case for the search), says in
Chinese what is wrong and how to fix it, and never writes: views hand ``cleaned_data`` to
``cases.services``.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from routing.models import Channel, MatterType, Severity

from . import selectors
from .models import Case, ContactMethod, Outcome, Status

TEXT_MAX = 2000

# Zero-width characters: invisible, so a field made of them looks empty and must count as empty.
# U+200B, U+2060 and U+FEFF carry nothing in our texts and go everywhere; the joiners U+200C/D
# build emoji and stay inside a text, but not at its ends.
_ZERO_WIDTH_ANYWHERE = re.compile("[\u200b\u2060\ufeff]")
_INVISIBLE_EDGES = re.compile("^[\\s\u200c\u200d]+|[\\s\u200c\u200d]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 and DEL, not tab/newlines


class TextField(forms.CharField):
    """The one field for typed text: bounded (``TEXT_MAX`` unless a field says otherwise), control
    characters dropped, zero-width characters treated as nothing, so "required" means something
    a person can read (issue #19 item 9)."""

    default_error_messages = {
        "max_length": _("内容过长：最多 %(limit_value)d 个字，当前 %(show_value)d 个字，请精简后再提交。")
    }

    def __init__(self, *, max_length: int | None = TEXT_MAX, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = _ZERO_WIDTH_ANYWHERE.sub("", _CONTROL.sub("", value))
        if self.strip:
            value = _INVISIBLE_EDGES.sub("", value)
        return value if value else self.empty_value


YEAR_MIN, YEAR_MAX = 2000, 2100
_YEAR_ERROR = _("日期超出可受理的范围，请填写 %(min)s 年至 %(max)s 年之间的日期。")


class _SaneYearMixin:
    """Dates beyond a sane horizon are refused with a clear error, not a 500 further down
    (year 1 or 9999 overflow date arithmetic and time zones; issue #19 item 12)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise forms.ValidationError(_YEAR_ERROR % {"min": YEAR_MIN, "max": YEAR_MAX}, code="horizon")


class DateField(_SaneYearMixin, forms.DateField):
    pass


class DateTimeField(_SaneYearMixin, forms.DateTimeField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # year 1 in a time zone east of UTC
            raise forms.ValidationError(_YEAR_ERROR % {"min": YEAR_MIN, "max": YEAR_MAX}, code="horizon") from None


def _text(label, *, required=True, message=None, max_length=TEXT_MAX, rows=3, help_text="", placeholder=""):
    errors = {"max_length": _("内容过长：最多 %(limit_value)d 个字，当前 %(show_value)d 个字，请精简后再提交。")}
    if message:
        errors["required"] = message
    attrs = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return TextField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs=attrs),
        help_text=help_text,
        error_messages=errors,
    )


#: The long-text field every action form uses (also supervision's forms).
text_field = _text


def unit_groups(units) -> list:
    """Choices grouped by region (``<optgroup>``), in the order given (region path: top down)."""
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(unit.region.name, []).append((str(unit.pk), unit.name))
    return list(groups.items())


class UnitChoiceField(forms.ChoiceField):
    """A select of units loaded once (one query, shared by a form's fields); cleans to a ``Unit``."""

    def __init__(self, *args, empty_label=None, **kwargs):
        self.units: dict[str, object] = {}
        self.empty_label = empty_label
        super().__init__(*args, **kwargs)

    def set_units(self, units) -> None:
        self.units = {str(u.pk): u for u in units}
        self.choices = ([("", self.empty_label)] if self.empty_label else []) + unit_groups(units)

    def clean(self, value):
        value = super().clean(value)
        return self.units.get(value) if value else None


class UnitMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *args, **kwargs):
        self.units: dict[str, object] = {}
        super().__init__(*args, **kwargs)

    def set_units(self, units) -> None:
        self.units = {str(u.pk): u for u in units}
        self.choices = unit_groups(units)

    def clean(self, value):
        value = super().clean(value)
        return [self.units[v] for v in value]


_INVALID_UNIT = _("所选单位不在可选范围内（可能已停用），请重新选择。")


# Search -----------------------------------------------------------------------------------------


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("编号或关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("案件编号、标题或诉求内容"), "type": "search"}),
        error_messages={"max_length": _("关键词最多 %(limit_value)d 个字。")},
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices])
    matter = forms.ChoiceField(label=_("事项大类"), required=False)
    channel = forms.ChoiceField(label=_("来源渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices])
    created_from = DateField(
        label=_("登记日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式应为 2026-01-31。")},
    )
    created_to = DateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式应为 2026-01-31。")},
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("", _("最新登记在前")), ("left", _("剩余时间最少在前")), ("-left", _("剩余时间最多在前"))],
    )
    plate = forms.BooleanField(label=_("只看挂牌督办"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.top_matters = {m.code: m for m in MatterType.objects.filter(parent__isnull=True).order_by("path")}
        self.fields["matter"].choices = [("", _("全部事项"))] + [(m.code, m.name) for m in self.top_matters.values()]
        for name in ("status", "matter", "channel", "sort"):
            self.fields[name].error_messages["invalid_choice"] = _("所选项不存在，请从列表中重新选择。")

    def clean_matter(self):
        code = self.cleaned_data["matter"]
        return self.top_matters.get(code) if code else None

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("结束日期不能早于开始日期，请调整日期范围。"))
        return data

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.case_search`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        start, end = data.get("created_from"), data.get("created_to")
        return {
            "text": data.get("q", ""),
            "status": data.get("status", ""),
            "matter": data.get("matter"),
            "channel": data.get("channel", ""),
            "plate": bool(data.get("plate")),
            "created_from": timezone.make_aware(datetime.combine(start, time.min), tz) if start else None,
            "created_before": (
                timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz) if end else None
            ),
        }


# Actions ----------------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of every action form. ``seen`` carries the case version the page showed, so a
    second submit from a stale page is recognised rather than acted on."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, case: Case, user, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)


class NoteForm(ActionForm):
    note = _text(_("意见（选填）"), required=False, rows=2)


class RejectForm(ActionForm):
    reason = _text(_("不予受理理由"), message=_("请填写不予受理的理由，该理由会告知群众。"))
    redirect_to = forms.CharField(
        label=_("建议途径（选填）"),
        required=False,
        max_length=200,
        help_text=_("告诉群众可以去哪里办理，例如：向区劳动人事争议仲裁委员会申请仲裁。"),
        error_messages={"max_length": _("建议途径最多 %(limit_value)d 个字，请精简。")},
    )


class ResolveOnSpotForm(ActionForm):
    result = _text(_("当场办理结果"), message=_("请填写当场办理的结果，例如已解答的政策和依据。"))


class DispatchForm(ActionForm):
    lead_unit = UnitChoiceField(
        label=_("主办单位"),
        empty_label=_("请选择主办单位"),
        error_messages={"required": _("请选择主办单位。"), "invalid_choice": _INVALID_UNIT},
    )
    cooperating_units = UnitMultipleChoiceField(
        label=_("协办单位（选填，可多选）"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("电脑上按住 Ctrl（Mac 为 ⌘）可选择多个单位。"),
        error_messages={"invalid_choice": _INVALID_UNIT},
    )
    note = _text(_("派单说明（选填）"), required=False, rows=2)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.dispatch_units(self.case) if units is None else units
        self.fields["lead_unit"].set_units(units)
        self.fields["cooperating_units"].set_units(units)

    def clean(self):
        data = super().clean()
        lead, cooperating = data.get("lead_unit"), data.get("cooperating_units") or []
        if lead is not None and lead in cooperating:
            self.add_error(
                "cooperating_units", _("主办单位不能同时作为协办单位，请取消勾选“%(u)s”。") % {"u": lead.name}
            )
        return data


class SignForm(ActionForm):
    pass


class PauseForm(ActionForm):
    reason = _text(_("中止原因"), message=_("请填写中止原因，如等待鉴定结论、当事人补充材料、法院审理。"))


class TransferForm(ActionForm):
    to_unit = UnitChoiceField(
        label=_("转办至"),
        empty_label=_("请选择承办单位"),
        error_messages={"required": _("请选择要转办的单位。"), "invalid_choice": _INVALID_UNIT},
    )
    reason = _text(_("转办理由"), message=_("请填写转办理由。"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.dispatch_units(self.case) if units is None else units
        self.fields["to_unit"].set_units([u for u in units if u.pk != self.case.lead_unit_id])


class EscalateForm(ActionForm):
    to_unit = UnitChoiceField(
        label=_("上报至"),
        empty_label=_("请选择上级单位"),
        help_text=_("只能报送到本单位所在地的上级区划单位。"),
        error_messages={"required": _("请选择上报的上级单位。"), "invalid_choice": _INVALID_UNIT},
    )
    reason = _text(_("上报理由"), message=_("请填写上报理由，说明为什么需要上级单位处理。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].set_units(selectors.escalation_units(self.case))


class ExtensionForm(ActionForm):
    days = forms.IntegerField(
        label=_("延期工作日"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("请填写延期天数（1 到 30 个工作日）。"),
            "invalid": _("延期天数应为整数，例如 5。"),
            "min_value": _("延期天数至少 1 个工作日。"),
            "max_value": _("延期天数最多 30 个工作日。"),
        },
    )
    reason = _text(_("延期理由"), message=_("请填写延期理由。"))


class AddNoteForm(ActionForm):
    note = _text(_("办理进展"), message=_("请填写办理进展。"))
    public = forms.BooleanField(
        label=_("群众可见"),
        required=False,
        help_text=_("勾选后群众可在进度查询中看到这条进展；不勾选则仅内部可见。"),
    )


class ContactForm(ActionForm):
    """首次联系: how the lead unit reached the citizen, and what was said."""

    method = forms.ChoiceField(
        label=_("联系方式"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择联系方式（电话、上门或短信）。"),
            "invalid_choice": _("请从电话、上门、短信中选择联系方式。"),
        },
    )
    note = _text(
        _("联系情况"),
        message=_("请填写联系情况，例如联系了谁、群众的主要诉求和答复。"),
        max_length=500,
        rows=3,
    )


class SeverityForm(ActionForm):
    """严重程度: the centre confirms the proposed level, or changes it with a reason."""

    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=Severity.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择严重程度：一般、较大或重大。"),
            "invalid_choice": _("请从一般、较大、重大中选择严重程度。"),
        },
    )
    reason = _text(
        _("理由"),
        required=False,
        max_length=500,
        rows=2,
        help_text=_("调整严重程度时必填，例如涉及人数、社会影响、是否可能激化。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].initial = self.case.severity

    def clean(self):
        data = super().clean()
        if data.get("severity") and data["severity"] != self.case.severity and not data.get("reason"):
            self.add_error("reason", _("调整严重程度须填写理由，例如涉及人数、社会影响。"))
        return data


class SubmitResultForm(ActionForm):
    outcome = forms.ChoiceField(
        label=_("办理结论"),
        choices=[("", _("请选择办理结论")), *Outcome.choices],
        error_messages={"required": _("请选择办理结论。"), "invalid_choice": _("请从列表中选择办理结论。")},
    )
    result = _text(_("办理结果"), message=_("请填写办理结果，说明做了什么、结果如何。"), rows=4)
    joint_override = _text(
        _("未等联办答复即提交的理由"),
        required=False,
        max_length=500,
        rows=2,
        help_text=_("还有联办任务未答复。确需先提交办理结果的，请说明理由；理由会记录在案件中。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .joint import JointTaskStatus, open_task_units

        loaded = getattr(self.case, "joint_task_list", None)  # the case page read them already
        if loaded is None:
            self.open_task_units = open_task_units(self.case)
        else:
            self.open_task_units = [t.unit.name for t in loaded if t.status == JointTaskStatus.OPEN]
        if not self.open_task_units:
            del self.fields["joint_override"]


class SendBackForm(ActionForm):
    reason = _text(_("驳回理由"), message=_("请填写驳回理由，说明需要补充或重办的内容。"))


class MergeForm(ActionForm):
    target = forms.CharField(
        label=_("合并到案件编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("例如 高明-2026-000123"), "autocomplete": "off"}),
        help_text=_("本案作为重复诉求并入该案件，诉求人随后关注该案件的进展。"),
        error_messages={"required": _("请填写要合并到的案件编号。"), "max_length": _("案件编号最多 40 个字符。")},
    )
    note = _text(_("说明（选填）"), required=False, rows=2)

    def clean_target(self):
        number = self.cleaned_data["target"].strip()
        if number == self.case.number:
            raise forms.ValidationError(_("不能合并到案件自身，请填写另一个案件的编号。"))
        target = selectors.open_case_for_merge(self.user, number)
        if target is None:
            raise forms.ValidationError(
                _("找不到可合并的案件 %(n)s：请核对编号；目标案件须在您的办理范围内且尚未办结。") % {"n": number}
            )
        return target


# 包案 and 挂牌督办 (issue #15, cases.baoan) -------------------------------------------------------


class BaoanTakeForm(ActionForm):
    """包案: the target date (a working day, from today, at most ``BAOAN_MAX_DAYS`` ahead)."""

    due_date = DateField(
        label=_("目标办结日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("须为工作日，不早于今天，最晚为今天起 90 天内。"),
        error_messages={
            "required": _("请填写目标办结日期。"),
            "invalid": _("日期格式不对，请按 2026-12-18 的格式填写。"),
        },
    )
    note = _text(
        _("包案要求（选填）"),
        required=False,
        max_length=500,
        rows=2,
        help_text=_("对承办单位的要求，例如“每周报告进展”“春节前化解”。"),
    )

    def clean_due_date(self):
        from .baoan import baoan_due_problem

        day = self.cleaned_data["due_date"]
        problem = baoan_due_problem(day, today=timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return day


class BaoanReleaseForm(ActionForm):
    reason = _text(
        _("撤销理由"), message=_("请填写撤销包案的理由，例如工作调整、已交由其他领导包案。"), max_length=500, rows=2
    )


class PlateHangForm(ActionForm):
    reason = _text(
        _("挂牌理由"), message=_("请填写挂牌督办的理由，例如群众反映强烈、久拖未决。"), max_length=500, rows=2
    )


class PlateRemoveForm(ActionForm):
    reason = _text(_("摘牌理由"), message=_("请填写摘牌理由，例如问题已解决、群众已认可。"), max_length=500, rows=2)
