"""Reads of the consult app."""

from __future__ import annotations

import re

from django.apps import apps

from routing.dispatch import current_index, unit_cached
from routing.models import Region, RegionLevel
from routing.roles import DISPATCH_ROLE

from .models import GuidanceLetter, Questionnaire, QuestionnaireVersion

#: Where a citizen goes in person: the town's 综治中心 first, else the district's 诉求服务中心.
CENTRE_ROLES = ("comprehensive_centre", DISPATCH_ROLE)
_CODE = re.compile(r"[A-Z2-9]{12}")


def questionnaires():
    """The active questionnaires of active mediable matters, in display order (one query)."""
    return (
        Questionnaire.objects.filter(active=True, matter__active=True, matter__mediable=True)
        .select_related("matter")
        .order_by("sort_order", "id")
    )


def questionnaire_with_version(matter_code: str, number=None) -> tuple[Questionnaire, QuestionnaireVersion] | None:
    """The active questionnaire of a matter with its version ``number``, or its current (latest)
    one when no number is given; None when either does not exist (two queries, one tree read)."""
    found = questionnaires().filter(matter__code=matter_code).first()
    if found is None:
        return None
    version = version_of(found, number) if number else found.versions.order_by("-number").first()
    return None if version is None else (found, version)


def version_of(questionnaire: Questionnaire, number) -> QuestionnaireVersion | None:
    try:
        return questionnaire.versions.get(number=int(number))
    except (QuestionnaireVersion.DoesNotExist, TypeError, ValueError):
        return None


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Towns (乡镇街道) grouped by district, for the 'where do you live' select."""
    towns = Region.objects.filter(level=RegionLevel.TOWN).select_related("parent").order_by("path")
    groups: dict[str, list[tuple[str, str]]] = {}
    for town in towns:
        groups.setdefault(town.parent.name if town.parent else "", []).append((town.code, town.name))
    return list(groups.items())


def region_by_code(code: str | None) -> Region | None:
    if not code or len(code) > 40:
        return None
    return Region.objects.filter(code=code).first()


def nearest_centre(region: Region | None) -> dict | None:
    """The centre a citizen of ``region`` can visit: name and the region it sits in."""
    if region is None:
        return None
    index = current_index()
    for role in CENTRE_ROLES:
        code = index.nearest_with_role(region.code, role)
        if code:
            unit = unit_cached(code)
            return {"name": unit.name, "region": unit.region.name}
    return None


def service_point_snapshot(region: Region | None) -> dict | None:
    """Where to go and when: the place's own ``selfservice.ServicePoint``, else the nearest one
    above it (the QR page's rule), copied into the letter at issue time so the letter keeps reading
    the same. ``selfservice`` is read through ``apps`` (consult may not import it; one query)."""
    if region is None or not apps.is_installed("selfservice"):
        return None
    model = apps.get_model("selfservice", "ServicePoint")
    codes = list(region.ancestor_codes)
    points = {p.region.code: p for p in model.objects.filter(region__code__in=codes).select_related("region")}
    point = next((points[code] for code in reversed(codes) if code in points), None)
    if point is None:
        return None
    return {"name": point.name, "address": point.address, "hours": point.hours, "phone": point.phone}


#: Chinese numerals for the letter's sections (一、二、…): at most ten sections.
_NUMERALS = "一二三四五六七八九十"


def letter_sections(result: dict) -> dict[str, str]:
    """The number of each section the letter shows, in order and without gaps: the time limits
    and the laws (the questionnaire's, then the knowledge base's snapshot ``kb_laws``) are left
    out when a letter has none, and the next section takes their number."""
    shown = ["path", "reasons", "materials"]
    if result.get("time_limits"):
        shown.append("time_limits")
    if result.get("laws"):
        shown.append("laws")
    if result.get("kb_laws"):
        shown.append("kb_laws")
    shown.append("centre")
    return {key: _NUMERALS[index] for index, key in enumerate(shown)}


def normalise_code(value: str) -> str:
    return re.sub(r"[\s\-－—]", "", value or "").upper()


def letter_by_code(value: str) -> GuidanceLetter | None:
    code = normalise_code(value)
    if not _CODE.fullmatch(code):
        return None
    return GuidanceLetter.objects.filter(code=code).first()


def letter_claim_draft(code: str) -> dict | None:
    """What the citizen claim form starts from when opened from a letter (intake.presets)."""
    letter = letter_by_code(code)
    if letter is None:
        return None
    result = letter.result
    return {"matter": result["matter_code"], "region": result["region_code"], "description": result["draft"]}


def letters_of(user):
    """The letters issued to ``user`` (their account was signed in when the letter was made)."""
    return GuidanceLetter.objects.filter(citizen=user).only("code", "issued_at", "result").order_by("-issued_at", "-id")
