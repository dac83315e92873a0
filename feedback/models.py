"""回访与群众互动 (issue #11): the citizen's materials, messages and presses on an open case, the
single-use rating links sent with the result, and the clerks' call-back attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingToken(models.Model):
    """A rating link (``/r/<token>/``) in the result SMS. Only the SHA-256 of the token is kept: the
    token itself is in the SMS alone. Valid while unused, not replaced by a newer link (the case
    went back to review and a new result was sent) and while the case awaits its rating."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="rating_tokens")
    party = models.ForeignKey(
        "cases.Party", verbose_name=_("当事人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("发送时间"))
    used_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价链接")
        verbose_name_plural = _("评价链接")
        indexes = [models.Index(fields=["case", "created_at"], name="rating_token_case")]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.created_at:%Y-%m-%d}"


class CallOutcome(models.TextChoices):
    RATED = "rated", _("电话评价")
    NO_ANSWER = "no_answer", _("无人接听")
    REFUSED = "refused", _("拒绝评价")


class CallAttempt(models.Model):
    """One call-back call (电话回访) by a clerk to a case awaiting its rating."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="call_attempts")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("回访结果"), max_length=12, choices=CallOutcome.choices)
    note = models.TextField(_("说明"), blank=True)
    day = models.DateField(_("回访日期"))  # local date: "three attempts on different days"
    created_at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("电话回访记录")
        verbose_name_plural = _("电话回访记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="call_attempt_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


class SupplementKind(models.TextChoices):
    MATERIAL = "material", _("补充材料")
    MESSAGE = "message", _("留言")


class SupplementVia(models.TextChoices):
    ACCOUNT = "account", _("登录后提交")
    TRACKING = "tracking", _("凭查询码提交")


class Supplement(models.Model):
    """Materials (补充材料: files, stored as attachments of the citizen's claim, and a note) or a
    message (留言) the citizen added to an open case. Counted per case and day for the limits."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="supplements")
    claim = models.ForeignKey("intake.Claim", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=10, choices=SupplementKind.choices)
    text = models.TextField(_("内容"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("提交方式"), max_length=10, choices=SupplementVia.choices)
    attachments = models.ManyToManyField("intake.Attachment", verbose_name=_("附件"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("群众补充材料与留言")
        verbose_name_plural = _("群众补充材料与留言")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "kind", "created_at"], name="supplement_case_day")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
