"""Cases in the admin are read-only (changes go through the case pages and their services);
the working-day calendar is maintained here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from routing.services import directory_touch

from .models import (
    Case,
    CaseEvent,
    DuplicatePair,
    DuplicateScanRun,
    ExtensionRequest,
    HandoverRequest,
    JointTask,
    PersonalDataAccess,
    UnreasonLabel,
    WorkCalendarDay,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "transition", "from_status", "to_status", "actor", "actor_unit", "public", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "title",
        "status",
        "channel",
        "matter",
        "region",
        "lead_unit",
        "stage_due_at",
        "created_at",
    )
    list_filter = ("status", "channel", "flagged", ("centre", admin.RelatedOnlyFieldListFilter))
    # a centre checks an imported case by its old id (=: exact, served by the unique index)
    search_fields = ("number", "title", "=external_id", "referral_document", "letter_number")
    date_hierarchy = "created_at"
    list_select_related = ("matter", "region", "lead_unit")
    exclude = ("cooperating_units",)
    inlines = [CaseEventInline]
    show_full_result_count = False  # no COUNT(*) over a million rows on every page


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("case", "unit", "days", "status", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("case", "unit")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "unit", "case")
    list_select_related = ("user", "unit", "case")
    search_fields = ("case__number", "user__username")
    date_hierarchy = "created_at"


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("date", "is_workday", "name")}),
        (
            _("说明"),
            {
                "description": _(
                    "内置日历已包含至 2026 年的法定节假日和调休。国务院公布下一年安排后，在此逐日录入："
                    "放假日“是否工作日”不勾选，调休上班日勾选。录入的日期优先于内置日历。"
                ),
                "fields": (),
            },
        ),
    )

    # Processes cache the calendar with the directory snapshot (cases.workdays): a change replaces
    # the stamp in the same transaction so every process reads the calendar again.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        directory_touch()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        directory_touch()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        directory_touch()


@admin.register(DuplicatePair)
class DuplicatePairAdmin(ReadOnlyAdmin):
    """疑似重复 (issue #13): decided by dispatchers on the queue's 疑似重复 tab, read-only here."""

    list_display = ("case_a", "case_b", "score", "reason", "source", "status", "created_at", "decided_by")
    list_filter = ("status", "source")
    search_fields = ("case_a__number", "case_b__number")
    raw_id_fields = ("case_a", "case_b", "decided_by")
    list_select_related = ("case_a", "case_b", "decided_by")


@admin.register(DuplicateScanRun)
class DuplicateScanRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "through", "cases_checked", "pairs_added")


@admin.register(JointTask)
class JointTaskAdmin(ReadOnlyAdmin):
    """联办任务 (issue #15): given, answered and withdrawn on the case pages, read-only here."""

    list_display = ("case", "unit", "status", "warning_level", "due_at", "answered_at", "created_by")
    list_filter = ("status", "warning_level")
    search_fields = ("case__number", "unit__name")
    raw_id_fields = ("case", "unit", "created_by", "answered_by", "withdrawn_by")
    list_select_related = ("case", "unit", "created_by")


@admin.register(UnreasonLabel)
class UnreasonLabelAdmin(ReadOnlyAdmin):
    """不合理诉求认定 (issue #15): read-only; proposals and decisions go through the case page."""

    list_display = ("case", "unit", "kind", "status", "proposed_at", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("case__number",)
    raw_id_fields = ("case",)
    list_select_related = ("case", "unit")


@admin.register(HandoverRequest)
class HandoverRequestAdmin(ReadOnlyAdmin):
    """退回申请 / 转办申请 (issue #15): filed and decided on the case pages, read-only here."""

    list_display = ("case", "kind", "unit", "status", "created_at", "decided_at", "charged_at")
    list_filter = ("kind", "status")
    search_fields = ("case__number", "unit__name")
    raw_id_fields = ("case", "unit", "requested_by", "proposed_unit", "to_unit", "decided_by")
    list_select_related = ("case", "unit")
