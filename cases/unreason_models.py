"""不合理诉求 / 恶意诉求 labels (issue #15): a unit proposes, the centre decides (审核认定).

Imported by ``cases.models`` (so the app registers them; the services are in ``cases.unreason``).
See docs/unreasonable-claims.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case


class UnreasonKind(models.TextChoices):
    UNREASONABLE = "unreasonable", _("不合理诉求")
    MALICIOUS = "malicious", _("恶意诉求")


class UnreasonGround(models.TextChoices):
    """The standard grounds (认定情形) a unit ticks; the first three describe an unreasonable demand,
    the last four a malicious one (``MALICIOUS_GROUNDS``)."""

    BEYOND_POLICY = "beyond_policy", _("诉求超出政策法规范围")
    ANSWERED_REPEAT = "answered_repeat", _("已依法依规答复，仍反复提出同一诉求")
    EXCESSIVE = "excessive", _("诉求明显超出合理限度或现实条件")
    FABRICATED = "fabricated", _("虚构、歪曲事实")
    IMPROPER_GAIN = "improper_gain", _("以诉求谋取不当利益")
    ABUSE = "abuse", _("辱骂、威胁工作人员")
    NUISANCE = "nuisance", _("无正当理由大量重复投诉、缠访闹访")


#: A 恶意诉求 needs at least one of these grounds.
MALICIOUS_GROUNDS = frozenset(
    {UnreasonGround.FABRICATED, UnreasonGround.IMPROPER_GAIN, UnreasonGround.ABUSE, UnreasonGround.NUISANCE}
)


class UnreasonStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REFUSED = "refused", _("不予认定")
    REVOKED = "revoked", _("已撤销认定")
    LAPSED = "lapsed", _("已失效")  # pending when the case moved to another lead unit


#: A label that still counts: at most one per case and unit (DB constraint ``unreason_one_live``).
LIVE_STATUSES = [UnreasonStatus.PENDING, UnreasonStatus.APPROVED]


class UnreasonLabel(models.Model):
    """One proposal of a 不合理诉求 / 恶意诉求 label by the case's lead unit, and the centre's decision.

    While approved, the case carries the label (``Case.unreason`` / ``Case.unreason_unit``, kept by
    the services) and is left out of that unit's 满意率."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="unreason_labels")
    unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="unreason_labels"
    )
    kind = models.CharField(_("类别"), max_length=14, choices=UnreasonKind.choices)
    grounds = models.JSONField(_("认定情形"), default=list)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("状态"), max_length=10, choices=UnreasonStatus.choices, default=UnreasonStatus.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("不合理诉求认定")
        verbose_name_plural = _("不合理诉求认定")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="unreason_one_live",
            ),
        ]
        indexes = [
            # the centre's 待审核 list: oldest first
            models.Index(fields=["proposed_at"], name="unreason_pending", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"

    @property
    def ground_labels(self) -> list[str]:
        return [str(UnreasonGround(g).label) for g in self.grounds if g in UnreasonGround.values]
