"""建议征集: a centre publishes a topic; people who are logged in send suggestions; the centre's
staff mark each adopted or noted with a public reply, and hide abusive ones with a recorded reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    centre = models.ForeignKey(
        "routing.Unit", verbose_name=_("发布中心"), on_delete=models.PROTECT, related_name="suggestion_topics"
    )
    title = models.CharField(_("主题"), max_length=100)
    body = models.TextField(_("征集说明"))
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("征集主题")
        verbose_name_plural = _("征集主题")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["opens_on", "closes_on"], name="suggestion_topic_dates")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on

    def is_closed(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.closes_on


class Verdict(models.TextChoices):
    NEW = "new", _("待处理")
    ADOPTED = "adopted", _("已采纳")
    NOTED = "noted", _("已收悉")


class Suggestion(models.Model):
    topic = models.ForeignKey(Topic, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="suggestions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("建议内容"))
    created_at = models.DateTimeField(_("提交时间"))
    verdict = models.CharField(_("处理结果"), max_length=8, choices=Verdict.choices, default=Verdict.NEW)
    reply = models.TextField(_("公开答复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    hidden = models.BooleanField(_("已屏蔽"), default=False)
    hidden_reason = models.CharField(_("屏蔽原因"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("屏蔽人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("屏蔽时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["topic", "hidden", "created_at"], name="suggestion_by_topic")]

    def __str__(self) -> str:
        return self.text[:30]


class EventKind(models.TextChoices):
    REPLY = "reply", _("答复")
    HIDE = "hide", _("屏蔽")
    UNHIDE = "unhide", _("取消屏蔽")


class SuggestionEvent(models.Model):
    """What staff did to a suggestion, kept for good: every reply as it was written (an edited
    reply keeps its earlier versions), every hiding and restoring with its reason. Staff only."""

    suggestion = models.ForeignKey(Suggestion, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=8, choices=EventKind.choices)
    verdict = models.CharField(_("处理结果"), max_length=8, choices=Verdict.choices, blank=True)
    text = models.TextField(_("答复或原因"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("建议处理记录")
        verbose_name_plural = _("建议处理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["suggestion", "at"], name="suggestion_event_by_item")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.kind}"
