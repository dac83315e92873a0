"""Forms of 退回申请 / 转办申请 (cases.handover): the unit's request (on the case page's action
panel) and the centre's decision (approve, with the unit for a 转办; refuse, with the reason)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .forms import ActionForm, UnitChoiceField, text_field
from .handover import REASON_MAX

_INVALID_UNIT = _("所选单位不在可选范围内，请重新选择。")


class ReturnRequestForm(ActionForm):
    reason = text_field(
        _("退回理由"),
        message=_("请填写退回理由，说明为什么不属于本单位办理。"),
        max_length=REASON_MAX,
        help_text=_("提交后由诉求服务中心审核；审核前案件仍由本单位办理，办理时限照常计算。"),
    )


class TransferRequestForm(ActionForm):
    proposed_unit = UnitChoiceField(
        label=_("建议转至（选填）"),
        required=False,
        empty_label=_("不确定，由中心指定"),
        help_text=_("知道应由哪个单位办理时请选择；不选则由诉求服务中心审核时指定。"),
        error_messages={"invalid_choice": _INVALID_UNIT},
    )
    reason = text_field(
        _("转办理由"),
        message=_("请填写转办理由，说明为什么应由其他单位办理。"),
        max_length=REASON_MAX,
        help_text=_("提交后由诉求服务中心审核；审核前案件仍由本单位办理，办理时限照常计算。"),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.dispatch_units(self.case) if units is None else units
        self.fields["proposed_unit"].set_units([u for u in units if u.pk != self.case.lead_unit_id])


class HandoverApproveForm(forms.Form):
    """同意: for a 转办申请 the unit it goes to (the suggested one preselected)."""

    to_unit = UnitChoiceField(
        label=_("转办至"),
        empty_label=_("请选择承办单位"),
        error_messages={"required": _("请选择转办至哪个单位。"), "invalid_choice": _INVALID_UNIT},
    )
    note = text_field(_("审核意见（选填）"), required=False, max_length=REASON_MAX, rows=2)

    def __init__(self, *args, request, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if request.kind == "transfer":
            self.fields["to_unit"].set_units([u for u in units if u.pk != request.unit_id])
            if request.proposed_unit_id:
                self.fields["to_unit"].initial = str(request.proposed_unit_id)
        else:
            del self.fields["to_unit"]


class HandoverRefuseForm(forms.Form):
    reason = text_field(
        _("不同意的理由"),
        message=_("请填写不同意的理由，告诉承办单位为什么仍应由其办理。"),
        max_length=REASON_MAX,
        rows=2,
        help_text=_("理由会告知承办单位；案件仍由其办理，办理时限不变。"),
    )
