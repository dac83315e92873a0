"""Forms of the citizen's mediation request, the centre's confirmation and the invitation answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import TextField
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel
from routing.widgets import RegionCascadeWidget

DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
NO_PREFERENCE = ""


def mediable_matter_choices() -> list[tuple[str, str]]:
    rows = MatterType.objects.filter(active=True, mediable=True).select_related("parent").order_by("path")
    choices = [("", _("请选择纠纷类型"))]
    choices += [(m.code, f"{m.parent.name} › {m.name}" if m.parent_id else m.name) for m in rows]
    return choices


class RequestForm(forms.Form):
    """申请调解: what the dispute is about, where, who the other party is, and a mediator wished for."""

    matter = forms.ChoiceField(
        label=_("纠纷类型"),
        error_messages={
            "required": _("请选择纠纷类型。"),
            "invalid_choice": _("所选纠纷类型不能申请调解，请重新选择。"),
        },
    )
    region = forms.CharField(
        label=_("纠纷发生地点"),
        widget=RegionCascadeWidget,
        error_messages={"required": _("请选择纠纷发生的地点，至少选到乡镇（街道）一级。")},
    )
    address = TextField(label=_("详细地址"), max_length=200, required=False, help_text=_("选填，如小区楼栋、门牌号。"))
    description = TextField(
        label=_("纠纷经过"),
        min_length=DESCRIPTION_MIN,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
        help_text=_("请写清楚发生了什么、双方分歧在哪里、希望怎样解决（10 至 2000 字）。"),
        error_messages={
            "required": _("请填写纠纷经过。"),
            "min_length": _("纠纷经过至少 %(limit_value)d 个字（当前 %(show_value)d 个字），请把事情说清楚。"),
            "max_length": _("纠纷经过不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字），请精简后再提交。"),
        },
    )
    other_name = TextField(
        label=_("对方姓名或单位"),
        max_length=50,
        error_messages={"required": _("请填写对方的姓名或单位名称。")},
    )
    other_phone = forms.CharField(
        label=_("对方手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("我们会给对方发短信，请对方答复是否同意调解。"),
        error_messages={"required": _("请填写对方的 11 位手机号。")},
    )
    preferred = forms.ChoiceField(
        label=_("希望由哪位调解员调解"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("您选择的调解员暂时不能接受新的调解，请重新选择。")},
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护说明》"),
        error_messages={"required": _("请阅读并勾选同意《个人信息保护说明》后再提交。")},
    )

    def __init__(self, *args, recommended=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = mediable_matter_choices()
        self.recommended = list(recommended)
        self.fields["preferred"].choices = [(NO_PREFERENCE, _("由中心安排"))] + [
            (str(c.profile.pk), f"{c.profile.display_name}（{c.profile.organisation}）") for c in self.recommended
        ]

    def clean_matter(self) -> MatterType:
        matter = MatterType.objects.filter(code=self.cleaned_data["matter"], active=True, mediable=True).first()
        if matter is None:
            raise forms.ValidationError(_("所选纠纷类型不能申请调解，请重新选择。"))
        return matter

    def clean_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["region"]).first()
        if region is None:
            raise forms.ValidationError(_("所选地点不存在，请重新选择。"))
        if region.level_rank < LEVEL_RANK[RegionLevel.TOWN]:
            raise forms.ValidationError(
                _("请至少选到乡镇（街道）一级（目前只选到“%(name)s”）。") % {"name": region.name}
            )
        return region

    def clean_other_phone(self) -> str:
        phone = "".join(ch for ch in self.cleaned_data["other_phone"] if ch.isdigit())
        if len(phone) != 11 or not phone.startswith("1"):
            raise forms.ValidationError(_("请填写对方的 11 位手机号，如 13800138000。"))
        return phone

    def preferred_profile(self):
        pk = self.cleaned_data.get("preferred") or ""
        return next((c.profile for c in self.recommended if str(c.profile.pk) == pk), None)


class ConfirmForm(forms.Form):
    """The centre confirms and fixes the mediator (the citizen's wish preselected)."""

    mediator = forms.ChoiceField(label=_("调解员"), required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = [c for c in candidates if c.eligible]
        self.fields["mediator"].choices = [("", _("暂不指定（对方同意后再指派）"))] + [
            (str(c.profile.pk), f"{c.profile.display_name}（{c.profile.organisation}，{c.score} 分）")
            for c in self.candidates
        ]

    def mediator_profile(self):
        pk = self.cleaned_data.get("mediator") or ""
        return next((c.profile for c in self.candidates if str(c.profile.pk) == pk), None)


class RefuseForm(forms.Form):
    """不予调解: the reason, in words the citizen will read."""

    reason = TextField(
        label=_("不予调解的理由（申请人会看到）"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("请用群众听得懂的话写明原因和下一步怎么办，如“对方已向法院起诉，请等待法院处理”。"),
        error_messages={
            "required": _("请写明不予调解的理由，申请人会看到这段话。"),
            "min_length": _("理由至少 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
            "max_length": _("理由不能超过 %(limit_value)d 个字（当前 %(show_value)d 个字）。"),
        },
    )
