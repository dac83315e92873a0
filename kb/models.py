"""知识库: articles (政策法规 / 办事指南 / 常见问答) linked to matter types and regions.

``index_title`` and ``index_body`` hold the article's text pre-tokenised by ``similar.text.terms``
(space-separated), written by ``kb.services`` on every save. The database indexes them: an FTS5
table kept in step by triggers on SQLite, a GIN index over ``to_tsvector('simple', …)`` on
PostgreSQL (migration 0001; docs/knowledge-base.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    POLICY = "policy", _("政策法规")
    GUIDE = "guide", _("办事指南")
    FAQ = "faq", _("常见问答")


class Article(models.Model):
    code = models.SlugField(
        _("编号"),
        max_length=60,
        unique=True,
        help_text=_("字母、数字、短横线，如 labor-wages-time-limit；导入时按编号更新。"),
    )
    title = models.CharField(_("标题"), max_length=120)
    category = models.CharField(_("栏目"), max_length=10, choices=Category.choices)
    body = models.TextField(_("正文"), help_text=_("纯文本；空一行分段。"))
    law_name = models.CharField(
        _("法律法规名称"),
        max_length=100,
        blank=True,
        help_text=_("不带书名号，如：中华人民共和国劳动争议调解仲裁法"),
    )
    law_article = models.CharField(
        _("条款"), max_length=60, blank=True, help_text=_("如：第二十七条；不确定条号时留空，只写法律名称。")
    )
    matters = models.ManyToManyField(
        "routing.MatterType",
        verbose_name=_("适用事项"),
        related_name="kb_articles",
        blank=True,
        help_text=_("选上级分类即适用于其下全部事项。"),
    )
    regions = models.ManyToManyField(
        "routing.Region",
        verbose_name=_("适用地区"),
        related_name="kb_articles",
        blank=True,
        help_text=_("含其下级区划；留空表示全域适用。"),
    )
    published = models.BooleanField(_("已发布"), default=False, help_text=_("未发布的条目只有知识库编辑人员能看到。"))
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    index_title = models.TextField(_("标题索引词"), default="", blank=True, editable=False)
    index_body = models.TextField(_("正文索引词"), default="", blank=True, editable=False)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库条目")
        ordering = ["category", "title", "id"]
        indexes = [models.Index(fields=["published", "category"], name="kb_article_pub_cat")]

    def __str__(self) -> str:
        return self.title

    @property
    def citation(self) -> str:
        """《法律名》第N条, or just 《法律名》, or ""."""
        if not self.law_name:
            return ""
        return f"《{self.law_name}》{self.law_article}"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
