"""The directory in the Django admin. Every save goes through ``routing.services`` so that
paths stay right and every process rebuilds its dispatch index."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import MatterType, Region, RoutingRule, RuleTarget, SeverityRule, Unit, UnitRole


class TreeAdminMixin:
    """Indent by depth so the tree is visible in the change list (ordered by path)."""

    @admin.display(description=_("名称（树形）"), ordering="path")
    def tree_name(self, obj):
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            (obj.depth - 1) * 1.5,
            "└ " if obj.depth > 1 else "",
            obj.name,
        )

    def save_model(self, request, obj, form, change):
        services.tree_node_save(node=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # the directory never deletes; retire units with "在用" off instead


class DirectoryAdminMixin:
    def save_model(self, request, obj, form, change):
        services.directory_object_save(obj=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.directory_touch()


class ChildRegionFilter(admin.SimpleListFilter):
    title = _("所属区划（含下级）")
    parameter_name = "within"

    def lookups(self, request, model_admin):
        return [(r.code, r.name) for r in Region.objects.filter(depth__lte=3).order_by("path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region = Region.objects.filter(code=self.value()).first()
        if region is None:
            return queryset.none()
        field = "path" if queryset.model is Region else "region__path"
        return queryset.filter(**{f"{field}__startswith": region.path})


@admin.register(Region)
class RegionAdmin(TreeAdminMixin, admin.ModelAdmin):
    list_display = ("tree_name", "code", "level", "unit_count")
    list_filter = ("level", ChildRegionFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    fields = ("code", "name", "level", "parent", "path", "depth")
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_units=Count("units"))

    @admin.display(description=_("单位数"), ordering="n_units")
    def unit_count(self, obj):
        return obj.n_units


@admin.register(MatterType)
class MatterTypeAdmin(TreeAdminMixin, admin.ModelAdmin):
    list_display = (
        "tree_name",
        "code",
        "mediable",
        "accept_days",
        "sign_days",
        "handle_days",
        "contact_days",
        "active",
    )
    list_filter = ("mediable", "active", "depth")
    search_fields = ("code", "name", "keywords")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")
    list_per_page = 100


@admin.register(UnitRole)
class UnitRoleAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "unit_count")
    search_fields = ("code", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_units=Count("units"))

    @admin.display(description=_("单位数"), ordering="n_units")
    def unit_count(self, obj):
        return obj.n_units

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "region", "role_list", "active")
    list_filter = ("active", "roles", "region__level", ChildRegionFilter)
    search_fields = ("code", "name", "region__name", "region__code")
    autocomplete_fields = ("region",)
    filter_horizontal = ("roles",)
    list_select_related = ("region",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("职能"))
    def role_list(self, obj):
        return "、".join(r.name for r in obj.roles.all())

    def has_delete_permission(self, request, obj=None):
        return False


class RuleTargetFormSet(BaseInlineFormSet):
    """A rule has exactly one lead target (主办) and any number of cooperating ones (协办)."""

    def clean(self):
        super().clean()
        leads = 0
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("kind") == "lead":
                leads += 1
        if leads != 1:
            raise ValidationError(_("每条规则必须有且只有一个主办目标（当前 %(n)s 个）。") % {"n": leads})


class RuleTargetInline(admin.TabularInline):
    model = RuleTarget
    formset = RuleTargetFormSet
    extra = 1
    fields = ("kind", "position", "unit", "role", "level")
    autocomplete_fields = ("unit", "role")


@admin.register(RoutingRule)
class RoutingRuleAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    list_display = (
        "position",
        "rule_id",
        "matter",
        "region",
        "min_parties",
        "min_severity",
        "channel_list",
        "priority",
        "target_summary",
    )
    list_display_links = ("rule_id",)
    list_editable = ("position",)
    list_filter = (
        "priority",
        ("matter", admin.RelatedOnlyFieldListFilter),
        ("region", admin.RelatedOnlyFieldListFilter),
        ("targets__unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("rule_id", "note", "matter__name", "region__name", "targets__unit__name")
    autocomplete_fields = ("matter", "region")
    inlines = [RuleTargetInline]
    ordering = ("position", "id")

    def get_queryset(self, request):
        from .selectors import rules_with_targets

        return rules_with_targets()

    @admin.display(description=_("渠道"))
    def channel_list(self, obj):
        return "、".join(obj.channels) if obj.channels else _("任意")

    @admin.display(description=_("主办 / 协办"))
    def target_summary(self, obj):
        targets = list(obj.targets.all())
        lead = [t.describe() for t in targets if t.kind == "lead"]
        coop = [t.describe() for t in targets if t.kind == "cooperating"]
        return "；".join(lead) + (" ＋ " + "、".join(coop) if coop else "")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.directory_touch()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.directory_touch()


@admin.register(SeverityRule)
class SeverityRuleAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    """严重程度规则: what proposes 较大 / 重大 at registration (also imported with the directory file)."""

    list_display = ("position", "level", "matter", "min_parties", "keyword_list", "note")
    list_display_links = ("level",)
    list_filter = ("level",)
    autocomplete_fields = ("matter",)
    ordering = ("position", "id")

    @admin.display(description=_("关键词"))
    def keyword_list(self, obj):
        return "、".join(obj.keywords or [])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.directory_touch()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.directory_touch()
