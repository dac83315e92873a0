"""The KPI board's filters: a month, or a start and end date; the region and the ranking order."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.forms import DateField
from core.periods import Period
from core.periods import parse_month as parse_first_of_month

from .measures import MAX_PERIOD_DAYS


def parse_month(value: str) -> Period | None:
    """``2026-10`` → that calendar month; anything else → None."""
    first = parse_first_of_month(value)
    return Period.month(first.year, first.month) if first else None


class KpiFilterForm(forms.Form):
    """The board's period (a month, or a start and end date), region and ranking order."""

    month = forms.CharField(
        label=gettext_lazy("统计月份"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    start = DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    region = forms.CharField(label=gettext_lazy("地区"), required=False, max_length=40)
    # An unknown order falls back to 按期办结率 (kpi.RANKING_SORTS) rather than failing the form.
    sort = forms.CharField(label=gettext_lazy("排名依据"), required=False, max_length=20)

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("月份格式应为“2026-10”，请重新选择。"))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.errors.get("start") and not self.errors.get("end"):
            raise forms.ValidationError(_("按日期统计时请同时填写开始日期和结束日期。"))
        if start and end:
            if start > end:
                raise forms.ValidationError(_("开始日期不能晚于结束日期，请调整后重新统计。"))
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("统计区间最长两年，请缩短日期范围。"))
        return data

    def period(self, today: dt.date) -> Period:
        """The chosen period; the current month when nothing (valid) was chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        if data.get("month"):
            return parse_month(data["month"])
        return Period.current_month(today)
