"""Read-only views of what the partner API keeps (written only by its services)."""

from django.contrib import admin

from .models import IdempotencyRecord, PartnerClaim


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerClaim)
class PartnerClaimAdmin(_ReadOnly):
    list_display = ("partner", "external_id", "case", "created_at")
    search_fields = ("partner", "external_id", "case__number")
    list_select_related = ("case",)
    show_full_result_count = False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(_ReadOnly):
    list_display = ("partner", "key", "endpoint", "status", "created_at")
    search_fields = ("partner", "key")
    list_filter = ("endpoint", "status")
    exclude = ("response",)  # the answer holds a tracking code
    show_full_result_count = False
