from __future__ import annotations

import yaml
from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import yaml_io
from .dispatch import reference_cached
from .models import Channel, MatterType, Region, Severity
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


class _FixedChoices(BaseChoiceIterator):
    """Choices already in Django's normal form: a field or widget given them keeps this object
    as it is (``normalize_choices`` leaves a ``BaseChoiceIterator`` alone) instead of rebuilding
    the whole picker for every form."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


def matter_picker() -> BaseChoiceIterator:
    """``matter_choices()`` for the intake forms, kept with the directory snapshot (per language)
    inside ``directory_pinned``: the window form's POST neither reads nor rebuilds the picker. The
    object is shared: read-only (a form that changes the list uses ``matter_choices()``)."""
    return reference_cached(f"matter_picker:{get_language()}", lambda: _FixedChoices(matter_choices()))


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
    severity = forms.ChoiceField(
        label=_("严重程度"),
        choices=Severity.choices,
        initial=Severity.GENERAL,
        required=False,
        error_messages={"invalid_choice": _("请从一般、较大、重大中选择严重程度。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices()

    def clean_severity(self):
        return self.cleaned_data.get("severity") or Severity.GENERAL

    def clean_region(self):
        code = self.cleaned_data["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("所选区划不存在，请重新选择。"))
        return region


#: The largest directory file the browser import takes (the demo city's is 37 KB).
DIRECTORY_FILE_MAX_BYTES = 2 * 1024 * 1024
REPLAY_MONTH_CHOICES = [(3, _("最近 3 个月")), (6, _("最近 6 个月")), (12, _("最近 12 个月")), (24, _("最近 24 个月"))]


class DirectoryUploadForm(forms.Form):
    """A directory file (docs/directory-format.md) to preview before importing it."""

    file = forms.FileField(
        label=_("目录文件（YAML）"),
        help_text=_("格式见“目录文件格式”说明；可先用“导出目录”得到现行目录再修改。不超过 2 MB。"),
        error_messages={"required": _("请选择要导入的目录文件。"), "empty": _("所选文件是空的，请检查后重新选择。")},
    )
    months = forms.TypedChoiceField(
        label=_("重放哪段时间登记的案件"),
        choices=REPLAY_MONTH_CHOICES,
        coerce=int,
        initial=12,
        error_messages={"invalid_choice": _("请选择重放的时间段。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > DIRECTORY_FILE_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 2 MB，请确认选择的是目录文件。"))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("文件不是 UTF-8 编码的文本，请另存为 UTF-8 后重新上传。")) from None
        if "\x00" in text:
            raise forms.ValidationError(_("文件不是文本文件，请选择 YAML 格式的目录文件。"))
        try:
            data = yaml_io.load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = _("（第 %(line)s 行附近）") % {"line": mark.line + 1} if mark is not None else ""
            raise forms.ValidationError(
                _("文件不是有效的 YAML%(where)s，请检查缩进和冒号。") % {"where": where}
            ) from None
        self.text, self.directory = text, data
        return upload


class DirectoryConfirmForm(forms.Form):
    """The signed preview (``routing.views``): the file's text, its hash and the directory version."""

    token = forms.CharField(widget=forms.HiddenInput)
