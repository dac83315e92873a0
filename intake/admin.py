from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Attachment, Claim


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("original_name", "content_type", "size", "sha256", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "channel", "case", "contact_name", "phone", "created_at")
    list_filter = ("channel",)
    search_fields = ("tracking_code", "case__number")
    list_select_related = ("case",)
    date_hierarchy = "created_at"
    exclude = ("contact_phone",)
    readonly_fields = [f.name for f in Claim._meta.fields if f.name != "contact_phone"] + ["phone"]
    inlines = [AttachmentInline]
    show_full_result_count = False

    @admin.display(description=_("联系电话"))
    def phone(self, obj):
        return obj.masked_phone

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
