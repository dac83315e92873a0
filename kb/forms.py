from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import TextField
from routing.forms import matter_choices
from routing.models import MatterType, Region

from .models import Category

QUERY_MAX = 100
PANEL_TEXT_MAX = 2000


def _matter(code: str) -> MatterType | None:
    if not code:
        return None
    matter = MatterType.objects.filter(code=code, active=True).first()
    if matter is None:
        raise forms.ValidationError(_("没有这个事项类型，请从列表中重新选择。"))
    return matter


class SearchForm(forms.Form):
    q = TextField(
        label=_("查找"),
        required=False,
        max_length=QUERY_MAX,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("如：拖欠工资、物业费、邻居漏水"), "maxlength": QUERY_MAX}
        ),
        error_messages={
            "max_length": _("搜索词太长：最多 %(limit_value)d 个字（当前 %(show_value)d 个字），请只输入关键的几个词。")
        },
    )
    category = forms.ChoiceField(
        label=_("栏目"),
        required=False,
        choices=[("", _("全部栏目")), *Category.choices],
        error_messages={"invalid_choice": _("没有这个栏目，请从“政策法规”“办事指南”“常见问答”中选择。")},
    )
    matter = forms.ChoiceField(
        label=_("事项类型"),
        required=False,
        error_messages={"invalid_choice": _("没有这个事项类型，请从列表中重新选择。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = matter_choices()
        self.fields["matter"].choices = [("", _("全部事项")), *choices[1:]]

    def clean_matter(self):
        return _matter(self.cleaned_data["matter"])


class PanelForm(forms.Form):
    """What the intake forms send as the clerk types (names as on those forms)."""

    description = TextField(required=False, max_length=None)
    matter = forms.CharField(required=False, max_length=60)
    region = forms.CharField(required=False, max_length=40)

    def clean_description(self):
        return self.cleaned_data["description"][:PANEL_TEXT_MAX]

    def clean_matter(self):
        return _matter(self.cleaned_data["matter"])

    def clean_region(self):
        code = self.cleaned_data["region"]
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("所选地点不存在，请重新选择。"))
        return region
