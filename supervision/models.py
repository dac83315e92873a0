"""Supervision: 督办 orders (warnings live on the case; the sweep is in services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(models.Model):
    """督办: a supervisor's instruction on a case to a unit, with its own reply deadline."""

    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="orders")
    unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("督办对象"), on_delete=models.PROTECT, related_name="orders"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="orders_issued"
    )
    instruction = models.TextField(_("督办要求"))
    due_at = models.DateTimeField(_("回复时限"))
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    reply = models.TextField(_("回复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="orders_replied"
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    pressed = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="order_unit_open"),
            models.Index(fields=["status", "due_at"], name="order_status_due"),
        ]

    def __str__(self) -> str:
        return f"督办 {self.case_id} → {self.unit_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == OrderStatus.OPEN and self.due_at < timezone.now()
