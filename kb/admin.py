"""Editing the knowledge base in the admin: search, filters, checks with plain Chinese messages;
every save goes through ``kb.services.article_save`` (who, when, the search columns)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.forms import TextField

from . import services
from .models import Article


class ArticleForm(forms.ModelForm):
    title = TextField(label=_("标题"), max_length=120, error_messages={"required": _("请填写标题。")})
    body = TextField(
        label=_("正文"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("纯文本；空一行分段。用群众听得懂的话写：规定是什么、该怎么办、找哪里。"),
        error_messages={"required": _("请填写正文。")},
    )

    class Meta:
        model = Article
        fields = ["code", "title", "category", "law_name", "law_article", "body", "matters", "regions", "published"]
        error_messages = {
            "code": {
                "required": _("请填写编号。"),
                "invalid": _("编号只能用小写字母、数字和短横线，如 labor-wages-time-limit。"),
                "unique": _("这个编号已被其他条目使用，请换一个。"),
            },
            "category": {
                "required": _("请选择栏目。"),
                "invalid_choice": _("请选择栏目：政策法规、办事指南或常见问答。"),
            },
        }

    def clean(self):
        data = super().clean()
        problems = services.article_problems(
            title=data.get("title", ""),
            category=data.get("category", ""),
            body=data.get("body", ""),
            law_name=data.get("law_name", ""),
            law_article=data.get("law_article", ""),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        if "law_name" in data:
            data["law_name"] = services.clean_law_name(data["law_name"])
        return data


class TopMatterFilter(admin.SimpleListFilter):
    title = _("事项大类")
    parameter_name = "branch"

    def lookups(self, request, model_admin):
        from routing.models import MatterType

        return [(m.code, m.name) for m in MatterType.objects.filter(parent__isnull=True).order_by("path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        from routing.models import MatterType

        branch = MatterType.objects.filter(code=self.value()).first()
        if branch is None:
            return queryset.none()
        return queryset.filter(pk__in=Article.objects.filter(matters__path__startswith=branch.path).values("pk"))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["title", "category", "citation_text", "published", "updated_at", "updated_by"]
    list_filter = ["category", "published", TopMatterFilter]
    list_select_related = ["updated_by"]
    search_fields = ["title", "body", "law_name", "code"]
    filter_horizontal = ["matters", "regions"]
    readonly_fields = ["updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["code", "title", "category", "published"]}),
        (_("依据"), {"fields": ["law_name", "law_article"]}),
        (_("内容"), {"fields": ["body"]}),
        (_("适用范围"), {"fields": ["matters", "regions"]}),
        (_("记录"), {"fields": ["updated_at", "updated_by"]}),
    ]
    actions = ["publish", "unpublish"]

    @admin.display(description=_("依据"))
    def citation_text(self, obj):
        return obj.citation

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, actor=request.user)

    @admin.action(description=_("发布所选条目"))
    def publish(self, request, queryset):
        for article in queryset:
            article.published = True
            services.article_save(article=article, actor=request.user)

    @admin.action(description=_("撤回发布（仅编辑人员可见）"))
    def unpublish(self, request, queryset):
        for article in queryset:
            article.published = False
            services.article_save(article=article, actor=request.user)
