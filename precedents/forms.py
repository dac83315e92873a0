"""The 类案检索 form: a description and filters. Sent by POST, so what was typed (often a citizen's
own words, with names and numbers) stays out of addresses and access logs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES
from cases.selectors import scope_bases
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel

from .selectors import Ending

#: Longer descriptions are cut to this many characters (with a message), not refused.
MAX_TEXT = 1000
#: Fewer characters than this match nothing useful (one CJK bigram at least).
MIN_TEXT = 2

_DATE_ERRORS = {"invalid": _("日期格式应为 2026-01-31。")}
#: The dates a filter may name: 0001-01-01 or 9999-12-31 would overflow once made aware (a 500).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
_DATE_RANGE = _("日期应在 2000-01-01 至 2100-12-31 之间，请重新选择。")


def _in_range(value):
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise forms.ValidationError(_DATE_RANGE)


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}, format="%Y-%m-%d"
        ),
        error_messages=_DATE_ERRORS,
        validators=[_in_range],
    )


class SimilarSearchForm(forms.Form):
    text = forms.CharField(
        label=_("诉求描述"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("输入诉求内容，例如：工地拖欠农民工工资三个月")}),
        help_text=_("按描述的相似程度查找已办结的案件；最多按前 %(n)d 字查找。") % {"n": MAX_TEXT},
    )
    matter = forms.ChoiceField(label=_("事项类型"), required=False)
    region = forms.ChoiceField(label=_("发生地"), required=False)
    closed_from = _date_field(_("办结日期从"))
    closed_to = _date_field(_("至"))
    ending = forms.ChoiceField(label=_("办结方式"), required=False, choices=[("", _("全部办结方式")), *Ending.CHOICES])
    case = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    mediation = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.trimmed = False
        matters = MatterType.objects.filter(active=True).order_by("path").only("code", "name", "path", "depth")
        self.matters = {m.code: m for m in matters}
        self.fields["matter"].choices = [("", _("全部事项"))] + [
            (m.code, "　" * (m.depth - 1) + m.name) for m in self.matters.values()
        ]
        levels = [level for level, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[RegionLevel.TOWN]]
        # the regions of the user's own area (their units' subtrees; everything for an admin)
        area = Q()
        bases = scope_bases(user, set(STAFF_ROLES))
        if bases and all(base is not None for base in bases):
            area = Q(pk__in=[])
            for base in bases:
                area |= Q(path__startswith=base.path)
        regions = Region.objects.filter(area, level__in=levels).order_by("path").only("code", "name", "path", "depth")
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [("", _("全部地区"))] + [
            (r.code, "　" * (r.depth - 1) + r.name) for r in self.regions.values()
        ]
        for name in ("matter", "region", "ending"):
            self.fields[name].error_messages["invalid_choice"] = _("所选项不存在，请从列表中重新选择。")

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text) > MAX_TEXT:
            text, self.trimmed = text[:MAX_TEXT].rstrip(), True
        if len(text) < MIN_TEXT:
            raise forms.ValidationError(
                _("请输入要查找的诉求描述（至少 %(n)d 个字），类案按描述的相似程度查找。") % {"n": MIN_TEXT}
            )
        return text

    def clean_matter(self):
        code = self.cleaned_data["matter"]
        return self.matters.get(code) if code else None

    def clean_region(self):
        code = self.cleaned_data["region"]
        return self.regions.get(code) if code else None

    def clean(self):
        data = super().clean()
        start, end = data.get("closed_from"), data.get("closed_to")
        if start and end and start > end:
            self.add_error("closed_to", _("结束日期不能早于开始日期，请调整日期范围。"))
        return data

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.filtered`` (after ``is_valid()``)."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        start, end = data.get("closed_from"), data.get("closed_to")
        return {
            "matter": data.get("matter"),
            "region": data.get("region"),
            "closed_from": timezone.make_aware(datetime.combine(start, time.min), tz) if start else None,
            "closed_before": (
                timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz) if end else None
            ),
            "ending": data.get("ending", ""),
        }
