"""Questionnaires (a decision tree per mediable matter, versioned) and the letters they produce.

A ``QuestionnaireVersion`` is never changed once saved: editing a questionnaire in the admin
writes a new version (``consult.services.questionnaire_revise``). A ``GuidanceLetter`` keeps the
answers and a snapshot of everything it shows (``result``), so it reads the same for ever, whatever
happens to the questionnaire later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    matter = models.OneToOneField(
        "routing.MatterType",
        verbose_name=_("事项类型"),
        on_delete=models.PROTECT,
        related_name="questionnaire",
        limit_choices_to={"mediable": True},
    )
    title = models.CharField(_("标题"), max_length=60)
    intro = models.TextField(_("开头说明"), max_length=500, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("咨询问卷")
        verbose_name_plural = _("咨询问卷")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    tree = models.JSONField(_("决策树"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="consult_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.title} 第{self.number}版"


class GuidanceLetter(models.Model):
    code = models.CharField(_("验证码"), max_length=20, unique=True)
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("问卷版本"), on_delete=models.PROTECT, related_name="letters"
    )
    matter = models.ForeignKey("routing.MatterType", verbose_name=_("事项类型"), on_delete=models.PROTECT)
    region = models.ForeignKey(
        "routing.Region", verbose_name=_("所在地区"), null=True, blank=True, on_delete=models.PROTECT
    )
    answers = models.JSONField(_("回答"))
    result = models.JSONField(_("意见内容"))
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("群众账号"), null=True, blank=True, on_delete=models.SET_NULL
    )
    issued_at = models.DateTimeField(_("出具时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("解纷意见书")
        verbose_name_plural = _("解纷意见书")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.result.get('matter_name', '')}解纷意见书 {self.code}"
