"""Forms of the supervision screens: the overdue board's filters and the 督办 forms.

Forms never write: views hand ``cleaned_data`` to ``supervision.services``. Every error says in
Chinese what is wrong and how to fix it; bound forms re-show what was typed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import text_field as _text
from routing.models import Channel

from .selectors import BoardFilters, OrderTargets

_CHOICE_GONE = _("所选项不在可选范围内，请从列表中重新选择。")


def _due_days():
    return forms.IntegerField(
        label=_("回复时限（工作日）"),
        min_value=1,
        max_value=30,
        initial=2,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 30, "class": "yk-narrow"}),
        help_text=_("从今天起算的工作日数（节假日不计），1 到 30。"),
        error_messages={
            "required": _("请填写回复时限（1 到 30 个工作日）。"),
            "invalid": _("回复时限应为整数，例如 2。"),
            "min_value": _("回复时限至少 1 个工作日。"),
            "max_value": _("回复时限最多 30 个工作日。"),
        },
    )


# The overdue board -----------------------------------------------------------------------------


class OverdueFilterForm(forms.Form):
    """The board's filters. Choices come from the caller (loaded once, scoped to the user)."""

    region = forms.ChoiceField(label=_("区域"), required=False)
    unit = forms.ChoiceField(label=_("承办单位"), required=False)
    matter = forms.ChoiceField(label=_("事项大类"), required=False)
    channel = forms.ChoiceField(label=_("来源渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices])
    plate = forms.BooleanField(label=_("只看挂牌督办"), required=False)

    def __init__(self, *args, regions, units, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        self.units = {str(u.pk): u for u in units}
        self.matters = {m.code: m for m in matters}
        top = min((r.depth for r in regions), default=0)
        self.fields["region"].choices = [("", _("全部区域"))] + [
            (r.code, "\u3000" * (r.depth - top) + r.name) for r in regions
        ]
        groups: dict[str, list] = {}
        for u in units:
            label = u.name if u.active else _("%(name)s（已停用）") % {"name": u.name}
            groups.setdefault(u.region.name, []).append((str(u.pk), label))
        self.fields["unit"].choices = [("", _("全部单位")), *groups.items()]
        self.fields["matter"].choices = [("", _("全部事项"))] + [(m.code, m.name) for m in matters]
        for name in ("region", "unit", "matter", "channel"):
            self.fields[name].error_messages["invalid_choice"] = _CHOICE_GONE

    def filters(self) -> BoardFilters:
        """The selector's filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return BoardFilters(
            region=self.regions.get(data.get("region") or ""),
            unit=self.units.get(data.get("unit") or ""),
            matter=self.matters.get(data.get("matter") or ""),
            channel=data.get("channel") or "",
            plate=bool(data.get("plate")),
        )

    def summary(self) -> str:
        """The filters in words, for the export (全部 when none)."""
        f = self.filters()
        parts = [
            _("区域：%(v)s") % {"v": f.region.name} if f.region else "",
            _("单位：%(v)s") % {"v": f.unit.name} if f.unit else "",
            _("事项：%(v)s") % {"v": f.matter.name} if f.matter else "",
            _("渠道：%(v)s") % {"v": Channel(f.channel).label} if f.channel else "",
            _("只看挂牌督办") if f.plate else "",
        ]
        return "；".join(str(p) for p in parts if p) or str(_("全部"))


# 督办 ---------------------------------------------------------------------------------------------


class OrderIssueForm(forms.Form):
    unit = forms.ChoiceField(
        label=_("督办对象"),
        error_messages={"required": _("请选择督办对象（承办单位）。"), "invalid_choice": _CHOICE_GONE},
    )
    instruction = _text(
        _("督办要求"),
        message=_("请填写督办要求，说明需要对方落实什么。"),
        rows=4,
        placeholder=_("例如：请于两个工作日内联系当事人，核实欠薪金额并反馈处理进展。"),
    )
    due_days = _due_days()

    def __init__(self, *args, case, targets: OrderTargets, **kwargs):
        self.case = case
        role_labels = {"lead": _("主办"), "cooperating": _("协办")}
        self.units = {str(u.pk): u for u, _role in targets.handling}
        self.units.update({str(u.pk): u for u in targets.others})
        if "initial" not in kwargs and targets.handling:
            kwargs["initial"] = {"unit": str(targets.handling[0][0].pk)}
        super().__init__(*args, **kwargs)
        choices = []
        if targets.handling:
            choices.append(
                (
                    _("本案承办单位"),
                    [(str(u.pk), f"{u.name}（{role_labels[role]}）") for u, role in targets.handling],
                )
            )
        else:
            choices.append(("", _("请选择督办对象")))
        groups: dict[str, list] = {}
        for u in targets.others:
            groups.setdefault(str(_("%(region)s · 其他单位") % {"region": u.region.name}), []).append(
                (str(u.pk), u.name)
            )
        self.fields["unit"].choices = choices + list(groups.items())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean(self):
        data = super().clean()
        if not self.case.is_open:
            raise forms.ValidationError(_("案件已结束（%(s)s），无需再督办。") % {"s": self.case.get_status_display()})
        return data


class OrderReplyForm(forms.Form):
    reply = _text(
        _("回复内容"),
        message=_("请填写回复内容，说明采取了哪些措施、结果如何。"),
        rows=4,
        placeholder=_("例如：已约谈企业负责人，企业承诺本周五前支付拖欠工资。"),
    )


class OrderPressForm(forms.Form):
    instruction = _text(_("进一步督办要求"), message=_("请说明还需要进一步落实的内容。"), rows=3)
    due_days = _due_days()


class OrderCloseForm(forms.Form):
    note = _text(_("办结意见（选填）"), required=False, rows=2, placeholder=_("例如：督办事项已落实。"))
