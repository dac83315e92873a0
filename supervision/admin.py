"""Supervision in the admin: the warning thresholds (预警阈值), one editable row.

Saving or deleting goes through ``supervision.services`` so that open cases follow at once."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import RiskWarning, RiskWarningCase, WarningThresholds
from .thresholds import settings_thresholds


@admin.register(WarningThresholds)
class WarningThresholdsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at", "updated_by")
    fields = ("blue", "yellow", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request):
        # One row at most: while it exists it is edited, not added again.
        return super().has_add_permission(request) and not WarningThresholds.objects.exists()

    def changelist_view(self, request, extra_context=None):
        defaults = settings_thresholds()
        extra_context = {
            **(extra_context or {}),
            "title": _("预警阈值（未设置时按系统默认：蓝色 %(b)g%%，黄色 %(y)g%%）")
            % {"b": defaults["blue"] * 100, "y": defaults["yellow"] * 100},
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        row = services.warning_thresholds_set(blue=obj.blue, yellow=obj.yellow, actor=request.user)
        obj.pk = row.pk

    def delete_model(self, request, obj):
        services.warning_thresholds_clear(actor=request.user)

    def delete_queryset(self, request, queryset):
        services.warning_thresholds_clear(actor=request.user)


# 研判预警: read-only in the admin (the scan raises them; supervisors assess them on their page) ----


class RiskWarningCaseInline(admin.TabularInline):
    model = RiskWarningCase
    raw_id_fields = ("case",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RiskWarning)
class RiskWarningAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "region", "matter", "count", "status", "acknowledged_by")
    list_filter = ("kind", "status")
    search_fields = ("region__name", "subject")
    inlines = [RiskWarningCaseInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
