"""Admin for mediation: the mediator pool (maintained here), mediations and sessions (read-mostly:
their state changes only through the workbench's services). Agreements and litigation packages
are registered in ``mediation.agreements.admin`` and ``mediation.litigation.admin`` (imported
below: Django autodiscovers only this module)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Mediation, MediationSession, MediatorProfile


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "organisation", "organisation_kind", "unit", "max_concurrent", "active")
    list_filter = ("organisation_kind", "active")
    search_fields = ("user__username", "user__full_name", "organisation")
    autocomplete_fields = ("user",)
    filter_horizontal = ("specialties", "regions")
    list_select_related = ("user", "unit")
    raw_id_fields = ("unit",)

    @admin.display(description=_("姓名"), ordering="user__full_name")
    def display_name(self, obj):
        return obj.display_name

    def has_delete_permission(self, request, obj=None):
        return False  # a mediator who leaves is set inactive: their mediations keep the link


class SessionInline(admin.TabularInline):
    model = MediationSession
    extra = 0
    can_delete = False
    fields = ("scheduled_at", "mode", "place", "status", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mediation)
class MediationAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "source", "mediator", "requested_at", "ended_at")
    list_filter = ("status", "source")
    search_fields = ("number", "case__number", "referral_document")
    list_select_related = ("mediator__user", "case")
    date_hierarchy = "requested_at"
    inlines = [SessionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .agreements import admin as agreements_admin  # noqa: E402, F401  (Agreement, Confirmation, AgreementBatch)
from .litigation import admin as litigation_admin  # noqa: E402, F401  (LitigationPackage)
