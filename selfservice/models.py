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


class PosterBatch(models.Model):
    """整区打印: a place's posters and those of every place below it, built into one PDF by q2
    (``selfservice.tasks.poster_batch_build``); the person who asked downloads it when ready."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    region = models.ForeignKey(
        "routing.Region", verbose_name=_("地点"), on_delete=models.CASCADE, related_name="poster_batches"
    )
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="poster_batches"
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("海报张数"), default=0)
    file = models.FileField(_("PDF 文件"), upload_to="posters/%Y/%m/", blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整区海报")
        verbose_name_plural = _("整区海报")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "region", "-created_at"], name="poster_batch_recent")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_state_display()}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
