"""Editing questionnaires: the tree is JSON, checked on save with plain Chinese errors; saving a
changed tree adds a new version (older versions and their letters never change)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from . import tree as dtree
from .models import GuidanceLetter, Questionnaire, QuestionnaireVersion


class QuestionnaireForm(forms.ModelForm):
    tree = forms.JSONField(
        label=_("决策树（JSON）"),
        widget=forms.Textarea(attrs={"rows": 30, "style": "font-family: monospace; width: 100%"}),
        help_text=_("格式见 docs/consult.md。保存时检查：选项指向的节点必须存在、不能绕圈、每个结论都要有路走到。"),
        error_messages={"invalid": _("不是有效的 JSON：请检查引号、逗号和括号是否成对。")},
    )

    class Meta:
        model = Questionnaire
        fields = ["matter", "title", "intro", "active", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["matter"].disabled = True
            latest = self.instance.versions.order_by("-number").first()
            if latest is not None:
                self.fields["tree"].initial = latest.tree

    def clean_matter(self):
        matter = self.cleaned_data["matter"]
        if matter is not None and not matter.mediable:
            raise ValidationError(_("只有可调解的事项类型才能设置咨询问卷。"))
        return matter

    def clean_tree(self):
        tree = self.cleaned_data["tree"]
        problems = dtree.validate(tree)
        if problems:
            raise ValidationError(problems)
        return tree


class VersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    fields = ["number", "created_at", "created_by", "letters_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("已出具意见书"))
    def letters_count(self, obj):
        return obj.letters.count()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    form = QuestionnaireForm
    list_display = ["title", "matter", "active", "sort_order"]
    list_select_related = ["matter"]
    inlines = [VersionInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in ("title", "intro", "active", "sort_order")}
            services.questionnaire_edit(questionnaire=obj, fields=fields, tree=data["tree"], actor=request.user)
            return
        created = services.questionnaire_create(
            matter=data["matter"],
            title=data["title"],
            intro=data["intro"],
            tree=data["tree"],
            actor=request.user,
            sort_order=data["sort_order"],
        )
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    """Versions are read only: a change is made on the questionnaire and becomes a new version."""

    list_display = ["questionnaire", "number", "created_at", "created_by"]
    list_select_related = ["questionnaire", "created_by"]
    fields = ["questionnaire", "number", "created_at", "created_by", "tree_text"]
    readonly_fields = fields

    @admin.display(description=_("决策树"))
    def tree_text(self, obj):
        return json.dumps(obj.tree, ensure_ascii=False, indent=2)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GuidanceLetter)
class GuidanceLetterAdmin(admin.ModelAdmin):
    list_display = ["code", "matter", "region", "issued_at"]
    list_select_related = ["matter", "region"]
    search_fields = ["code"]
    fields = ["code", "version", "matter", "region", "issued_at", "answers", "result"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
