"""一码解纷: where a place's service point is and when it is open, for the QR landing page and the
poster. Kept here, keyed by region, rather than on ``routing.Unit`` (docs/selfservice.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServicePoint(models.Model):
    """The 诉求服务中心 or 综治中心 serving a region and every place below it that has none."""

    region = models.OneToOneField(
        "routing.Region", verbose_name=_("所在区划"), on_delete=models.CASCADE, related_name="service_point"
    )
    name = models.CharField(_("服务点名称"), max_length=100, help_text=_("如“明城镇综治中心”。"))
    address = models.CharField(_("地址"), max_length=200)
    hours = models.CharField(_("办公时间"), max_length=200, help_text=_("如“周一至周五 8:30—12:00，14:30—17:30”。"))
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")

    def __str__(self) -> str:
        return self.name
