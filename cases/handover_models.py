"""退回申请 / 转办申请 (issue #15, governed returns and transfers): a unit asks the centre to take a
case back or to give it to another unit; the centre's dispatcher approves or refuses.

Imported by ``cases.models`` (so the app registers it; the services are in ``cases.handover``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case


class HandoverKind(models.TextChoices):
    RETURN = "return", _("退回申请")
    TRANSFER = "transfer", _("转办申请")


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")
    WITHDRAWN = "withdrawn", _("已撤回")
    LAPSED = "lapsed", _("已失效")


class HandoverRequest(models.Model):
    """One unit's request to hand a case back (退回) or on (转办), and the centre's decision.

    At most one is pending per case (``one_pending_handover_per_case``). While it is pending the
    case stays with the unit, in its status, on its running clock. ``charged_at``: when it was
    counted as 推诿 against ``unit`` (refused, or approved on a case that became buck-passed —
    docs/handover.md); the KPI snapshot counts it on that day."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="handover_requests")
    kind = models.CharField(_("申请类型"), max_length=10, choices=HandoverKind.choices)
    unit = models.ForeignKey("routing.Unit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申请理由"))
    proposed_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("建议承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PENDING)
    to_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("转至单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    charged_at = models.DateTimeField(_("计入推诿时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"))

    class Meta:
        verbose_name = _("退回/转办申请")
        verbose_name_plural = _("退回/转办申请")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_handover_per_case"
            )
        ]
        indexes = [
            # the dispatcher's 退回/转办申请 tab: pending requests, oldest first
            models.Index(fields=["created_at", "id"], name="handover_pending", condition=models.Q(status="pending")),
            # the KPI's 推诿次数: requests charged in a time range
            models.Index(fields=["charged_at"], name="handover_charged", condition=models.Q(charged_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status == HandoverStatus.PENDING
