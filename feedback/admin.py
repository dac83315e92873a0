from django.contrib import admin

from .models import CallAttempt, RatingToken, Supplement


@admin.register(RatingToken)
class RatingTokenAdmin(admin.ModelAdmin):
    """Read-only: only the hash is stored; the link itself was in the SMS alone."""

    list_display = ["case", "created_at", "used_at", "revoked_at"]
    list_select_related = ["case"]
    readonly_fields = ["case", "party", "created_at", "used_at", "revoked_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CallAttempt)
class CallAttemptAdmin(admin.ModelAdmin):
    list_display = ["case", "outcome", "clerk", "created_at"]
    list_filter = ["outcome"]
    list_select_related = ["case", "clerk"]
    raw_id_fields = ["case", "clerk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Supplement)
class SupplementAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "via", "created_at"]
    list_filter = ["kind", "via"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "claim", "author", "attachments"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
