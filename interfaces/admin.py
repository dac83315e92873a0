from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiCall, ApiKey
from .services import api_keys_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made with ``manage.py api_key_create`` (the only moment the key is shown) and
    revoked here; never deleted, so the call log keeps naming the partner."""

    list_display = ("partner", "prefix", "scope_list", "region", "rate_per_minute", "created_at", "state")
    list_filter = ("revoked_at",)
    search_fields = ("partner", "prefix")
    list_select_related = ("region",)
    fields = ("partner", "prefix", "scopes", "region", "rate_per_minute", "created_at", "revoked_at")
    readonly_fields = ("partner", "prefix", "scopes", "region", "created_at", "revoked_at")
    actions = ["revoke"]

    @admin.display(description=_("授权范围"))
    def scope_list(self, obj):
        return "、".join(obj.scopes)

    @admin.display(description=_("状态"))
    def state(self, obj):
        return _("有效") if obj.active else _("已吊销")

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        count = api_keys_revoke(keys=list(queryset))
        self.message_user(request, _("已吊销 %(n)s 个密钥，使用它们的调用将被拒绝。") % {"n": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False  # the key must be shown once to whoever makes it: manage.py api_key_create

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ("at", "partner", "method", "endpoint", "status", "client")
    list_filter = ("status", "endpoint")
    search_fields = ("key__partner", "key__prefix")
    list_select_related = ("key",)
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description=_("合作方"), ordering="key__partner")
    def partner(self, obj):
        return obj.key.partner if obj.key else _("（未使用密钥）")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
