from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "kind", "masked_phone", "recipient_user", "status", "short_body")
    list_filter = ("channel", "kind", "status")
    search_fields = ("recipient_phone", "body", "recipient_user__username")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields if f.name != "secret"]  # never shown
    list_select_related = ("recipient_user",)

    @admin.display(description=_("接收手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.recipient_phone)

    @admin.display(description=_("内容"))
    def short_body(self, obj):
        return obj.body[:40]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
