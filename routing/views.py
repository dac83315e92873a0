from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import yaml_io
from .directory_io import DirectoryError
from .dispatch import current_index
from .forms import DirectoryConfirmForm, DirectoryUploadForm, SimulatorForm
from .models import Region, RegionLevel
from .permissions import can_import_directory, can_use_rule_simulator
from .replay import directory_preview
from .services import DirectoryChanged, directory_import_confirmed

logger = logging.getLogger(__name__)


@login_required
@require_GET
def rule_simulator(request):
    """Admins and dispatchers try a claim against the live rules and read why it went where."""
    if not can_use_rule_simulator(request.user):
        raise PermissionDenied
    submitted = "matter" in request.GET
    form = SimulatorForm(request.GET if submitted else None)
    decision = None
    if submitted and "next_level" not in request.GET and form.is_valid():
        index = current_index()
        data = form.cleaned_data
        decision = index.decide(
            matter=data["matter"],
            region=data["region"].code,
            parties=data["parties"],
            channel=data["channel"],
            severity=data["severity"],
            detail=True,
        )
    context = {"form": form, "decision": decision}
    if decision is not None:
        context["lead_label"] = index.unit_label(decision.lead) if decision.lead else None
        context["cooperating_labels"] = [index.unit_label(code) for code in decision.cooperating]
    status = 400 if submitted and "next_level" not in request.GET and form.errors else 200
    return render(request, "routing/simulator.html", context, status=status)


@require_GET
def region_children(request):
    """Children of a region for cascading selects. Administrative divisions are public data."""
    parent = request.GET.get("parent", "").strip()
    children = Region.objects.filter(parent__code=parent) if parent else Region.objects.filter(parent__isnull=True)
    rows = list(children.order_by("code").values("code", "name", "level"))
    level_label = str(RegionLevel(rows[0]["level"]).label) if rows else ""
    return JsonResponse({"children": rows, "level_label": level_label})


# Directory import with its rule-change replay ------------------------------------------------------
#: The preview is carried to the confirmation signed (tamper-evident, bound to the admin and to the
#: directory version it was computed from), so any web process on any host can confirm it.
IMPORT_SALT = "routing.directory-import"
IMPORT_MAX_AGE = 2 * 60 * 60


def _preview_page(request, *, text: str, data, months: int, name: str, status: int = 200, notice: str = ""):
    """Dry-run the import and replay, and show the result with a signed confirmation form."""
    try:
        report = directory_preview(data=data, months=months)
    except DirectoryError as exc:
        form = DirectoryUploadForm(initial={"months": months})
        context = {"form": form, "errors": exc.errors, "file_name": name}
        return render(request, "routing/directory_import.html", context, status=400)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    token = signing.dumps(
        {
            "user": request.user.pk,
            "text": text,
            "sha": digest,
            "version": report.version,
            "months": months,
            "name": name,
        },
        salt=IMPORT_SALT,
        compress=True,
    )
    context = {
        "report": report,
        "confirm": DirectoryConfirmForm(initial={"token": token}),
        "file_name": name,
        "digest": digest,
        "notice": notice,
    }
    return render(request, "routing/directory_import.html", context, status=status)


def _signed_preview(request) -> dict | None:
    form = DirectoryConfirmForm(request.POST)
    if not form.is_valid():
        return None
    try:
        preview = signing.loads(form.cleaned_data["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return preview if preview.get("user") == request.user.pk else None


@login_required
@require_http_methods(["GET", "POST"])
def directory_import_page(request):
    """Admins upload a directory file, read what it would change (the import summary and the
    replay of recent cases by the new rules), then confirm — or leave: nothing is kept server-side
    and nothing changes until the confirmation."""
    if not can_import_directory(request.user):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "routing/directory_import.html", {"form": DirectoryUploadForm()})
    if "token" not in request.POST:
        form = DirectoryUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "routing/directory_import.html", {"form": form}, status=400)
        # control characters in a file name are refused before any view (core.request_checks)
        name = Path(form.cleaned_data["file"].name or "").name[:100]
        return _preview_page(
            request, text=form.text, data=form.directory, months=form.cleaned_data["months"], name=name
        )
    preview = _signed_preview(request)
    if preview is None:
        form = DirectoryUploadForm()
        context = {"form": form, "expired": True}
        return render(request, "routing/directory_import.html", context, status=400)
    data = yaml_io.load(preview["text"])
    try:
        summary = directory_import_confirmed(data=data, version=preview["version"], actor=request.user)
    except DirectoryChanged as exc:
        return _preview_page(
            request, text=preview["text"], data=data, months=preview["months"], name=preview["name"],
            status=409, notice=exc.message,
        )  # fmt: skip
    except DirectoryError as exc:
        context = {"form": DirectoryUploadForm(), "errors": exc.errors, "file_name": preview["name"]}
        return render(request, "routing/directory_import.html", context, status=400)
    logger.info("directory imported", extra={"user_id": request.user.pk, "sha256": preview["sha"]})
    messages.success(request, _("目录已导入：") + "；".join(summary.lines()))
    return redirect("routing:directory-import")
