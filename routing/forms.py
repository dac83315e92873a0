from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .dispatch import reference_cached
from .models import Channel, MatterType, Region
from .widgets import RegionCascadeWidget


def matter_choices() -> list:
    """A two-level picker: one optgroup per top-level matter, its children inside."""
    groups: dict[int, tuple[tuple, list[tuple]]] = {}
    for row in reference_cached("matter_picker", _matter_rows):
        pk, _code, _name, parent_id = row
        if parent_id is None:
            groups[pk] = (row, [])
        elif parent_id in groups:
            groups[parent_id][1].append(row)
    choices: list = [("", _("请选择事项类型"))]
    for (_pk, code, name, _parent), children in groups.values():
        options = [(code, _("%(name)s（整类）") % {"name": name})]
        options += [(child_code, child_name) for _p, child_code, child_name, _pp in children]
        choices.append((name, options))
    return choices


def _matter_rows() -> list[tuple]:
    # Kept with the directory snapshot inside ``directory_pinned`` (the labels are built per call,
    # in the request's language).
    return list(MatterType.objects.filter(active=True).order_by("path").values_list("id", "code", "name", "parent_id"))


class SimulatorForm(forms.Form):
    matter = forms.ChoiceField(label=_("事项类型"), error_messages={"required": _("请选择事项类型。")})
    region = forms.CharField(
        label=_("诉求所在地"),
        widget=RegionCascadeWidget,
        error_messages={"required": _("请至少选择到区县一级。")},
    )
    parties = forms.IntegerField(
        label=_("涉及人数"),
        min_value=1,
        max_value=100000,
        initial=1,
        error_messages={
            "required": _("请填写涉及人数。"),
            "min_value": _("涉及人数至少为 1。"),
            "invalid": _("涉及人数应为整数。"),
        },
    )
    channel = forms.ChoiceField(label=_("受理渠道"), choices=Channel.choices, initial=Channel.WEB)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices()

    def clean_region(self):
        code = self.cleaned_data["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("所选区划不存在，请重新选择。"))
        return region
