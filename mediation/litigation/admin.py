"""Litigation packages (一键诉讼) in the admin: read-only, with a download link and — for the
default outbox gateway — whether the package still waits in the outbox folder. Packages are
created and answered only through ``mediation.litigation``."""

from __future__ import annotations

from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import LitigationPackage
from .court_gateway import OutboxFolderGateway


@admin.register(LitigationPackage)
class LitigationPackageAdmin(admin.ModelAdmin):
    list_display = (
        "mediation",
        "case_number",
        "state",
        "gateway",
        "reference",
        "size_display",
        "submitted_at",
        "replied_at",
        "outbox",
        "download",
    )
    list_filter = ("state", "gateway")
    search_fields = ("reference", "court_document", "mediation__number", "mediation__case__number", "sha256")
    list_select_related = ("mediation__case", "submitted_by")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at", "-id")
    show_full_result_count = False
    fields = (
        "mediation",
        "state",
        "gateway",
        "reference",
        "sha256",
        "size_display",
        "download",
        "outbox",
        "submitted_by",
        "submitted_at",
        "court_document",
        "court_reply",
        "replied_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("案件编号"), ordering="mediation__case__number")
    def case_number(self, obj):
        return obj.mediation.case.number

    @admin.display(description=_("大小"), ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description=_("发件箱"))
    def outbox(self, obj):
        if obj.gateway != OutboxFolderGateway.name:
            return "—"
        return _("待取件") if OutboxFolderGateway().locate(obj.reference) else _("已取走")

    @admin.display(description=_("材料包"))
    def download(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        url = reverse("admin:mediation_litigationpackage_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))

    def get_urls(self):
        own = [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="mediation_litigationpackage_download",
            )
        ]
        return own + super().get_urls()

    def download_view(self, request, pk):
        package = get_object_or_404(LitigationPackage, pk=pk)
        if not self.has_view_permission(request, package):
            raise Http404
        try:
            handle = package.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type="application/zip", as_attachment=True, filename=package.file.name.rsplit("/", 1)[-1]
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
