"""Partners' API keys and the log of their calls (docs/interfaces.md).

A key is shown once, when it is made (``manage.py api_key_create``); only its SHA-256 is kept. It
is never deleted, only revoked, so the call log keeps naming who made each call.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    partner = models.CharField(_("合作方"), max_length=100)
    prefix = models.CharField(_("密钥前缀"), max_length=12, help_text=_("用于辨认密钥，不能用于调用。"))
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("授权范围"), default=list)
    region = models.ForeignKey(
        "routing.Region",
        verbose_name=_("授权区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只能提交和查询该区域（含下级）的诉求；空表示不限区域。"),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("每分钟调用上限"), null=True, blank=True, help_text=_("空表示使用系统默认值。")
    )
    created_at = models.DateTimeField(_("创建时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["partner", "-created_at"]

    def __str__(self) -> str:
        return f"{self.partner}（{self.prefix}…）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiCall(models.Model):
    """One row per call: who (the key; none for a public endpoint called without one), which
    endpoint, the answer's status, when. Written with one INSERT after the answer is made."""

    key = models.ForeignKey(
        ApiKey, verbose_name=_("接口密钥"), null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    method = models.CharField(_("方法"), max_length=8)
    endpoint = models.CharField(_("接口"), max_length=100)
    status = models.PositiveSmallIntegerField(_("状态码"))
    client = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key", "-at"], name="api_call_key_recent")]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"
