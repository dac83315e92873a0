from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone

from .models import Membership, User, VerificationCode


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)
    fields = ("unit", "role", "active")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "masked_phone", "is_citizen", "is_staff", "is_active", "last_login")
    list_filter = ("is_citizen", "is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("username", "full_name", "phone", "memberships__unit__name")
    ordering = ("username",)
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email", "is_citizen", "elderly_mode")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "active", "created_at")
    list_filter = ("role", "active", "unit__region__level")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")


@admin.register(VerificationCode)
class VerificationCodeAdmin(admin.ModelAdmin):
    list_display = ("masked_phone", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose",)
    readonly_fields = ("phone", "purpose", "created_at", "expires_at", "attempts", "used_at")
    exclude = ("code_hash",)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False
