from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .dispatch import current_index
from .forms import SimulatorForm
from .models import Region, RegionLevel
from .permissions import can_use_rule_simulator


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
