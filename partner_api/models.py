"""What the partner REST API (/api/v1/) keeps beside the claims it takes: the partner's own id
for each claim, and each write's idempotency key with the answer it got (docs/api.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerClaim(models.Model):
    """A claim a partner (a 12345 platform, a grid platform, a court) filed through the API, under
    the partner's own id. One external id per partner: filing it again is a conflict, not a copy."""

    claim = models.OneToOneField(
        "intake.Claim", verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="partner_record"
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    partner = models.CharField(_("合作方"), max_length=100)
    external_id = models.CharField(_("合作方编号"), max_length=64)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("合作方诉求")
        verbose_name_plural = _("合作方诉求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "external_id"], name="partner_claim_external_id"),
        ]
        indexes = [models.Index(fields=["case", "partner"], name="partner_claim_case")]

    def __str__(self) -> str:
        return f"{self.partner} {self.external_id}"


class IdempotencyRecord(models.Model):
    """One write of a partner under its ``Idempotency-Key``: the request's digest and the answer.
    A retry with the same key and body gets the same answer; with another body, 409. Scoped by the
    API key (``api_key``), not the partner's name: two keys of one partner, or two partners who
    happen to share a name, never see each other's answers. Purged daily past
    ``PARTNER_API_IDEMPOTENCY_DAYS``."""

    api_key = models.ForeignKey(
        "interfaces.ApiKey",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接口密钥"),
    )
    partner = models.CharField(_("合作方"), max_length=100)
    key = models.CharField(_("幂等键"), max_length=100)
    endpoint = models.CharField(_("接口"), max_length=60)
    request_sha256 = models.CharField(_("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(_("状态码"))
    response = models.JSONField(_("应答"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_api_key_key")]

    def __str__(self) -> str:
        return f"{self.partner} {self.key}"
