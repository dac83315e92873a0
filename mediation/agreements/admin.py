"""Admin for agreements (调解协议书), their confirmations and group batches. Read-only: an
agreement changes only through ``mediation.agreements`` (a sealed one never), so the admin is a
place to look things up, not to edit them."""

from django.contrib import admin

from ..models import Agreement, AgreementBatch, Confirmation


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConfirmationInline(admin.TabularInline):
    model = Confirmation
    extra = 0
    can_delete = False
    fields = ("name", "phone", "code_sent_at", "attempts", "confirmed_at", "method", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(_ReadOnly):
    list_display = (
        "code",
        "case_number",
        "status",
        "performance_deadline",
        "sealed_at",
        "judicial_status",
        "performance_status",
    )
    list_filter = ("status", "judicial_status", "performance_status")
    search_fields = ("code", "case_number", "mediation__number", "sha256")
    list_select_related = ("mediation",)
    date_hierarchy = "created_at"
    inlines = [ConfirmationInline]


@admin.register(Confirmation)
class ConfirmationAdmin(_ReadOnly):
    list_display = ("agreement", "name", "code_sent_at", "attempts", "confirmed_at", "method")
    list_filter = ("method",)
    search_fields = ("agreement__code", "name")
    list_select_related = ("agreement",)
    exclude = ("code_hash",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "code_hash"]


@admin.register(AgreementBatch)
class AgreementBatchAdmin(_ReadOnly):
    list_display = ("mediation", "state", "done", "total", "created_at", "finished_at")
    list_filter = ("state",)
    search_fields = ("mediation__number",)
    list_select_related = ("mediation",)
