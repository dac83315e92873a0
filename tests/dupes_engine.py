"""The similarity engine for the duplicate tests (issue #13): the real ``similar.engine`` when it is
installed, else a tiny private stand-in with the contract's signature (CONTRACT-13), so the intake
side can be tested before the engine lands. Texts in the tests are near-copies, similar under both."""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass
from datetime import timedelta

import pytest


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class _Match:
    case_id: int
    score: float
    shared_terms: tuple = ()
    same_place: str = ""
    same_matter: bool = False
    why: str = ""


def _stub_similar_open_cases(text, *, region_id, matter_id, days=30, exclude_case_ids=(), limit=5, min_score=0.35):
    from django.utils import timezone

    from cases.models import OPEN_STATUSES, Case
    from routing.models import MatterType, Region

    region, matter = Region.objects.get(pk=region_id), MatterType.objects.get(pk=matter_id)
    codes = region.ancestor_codes
    town = Region.objects.filter(code__in=codes, level="town").first() or region
    branch = MatterType.objects.get(code=matter.ancestor_codes[0])
    rows = (
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            created_at__gte=timezone.now() - timedelta(days=days),
            region__path__startswith=town.path,
            matter__path__startswith=branch.path,
        )
        .exclude(pk__in=list(exclude_case_ids))
        .select_related("region")
    )
    mine = _bigrams(text)
    found = []
    for case in rows:
        theirs = _bigrams(case.description)
        score = len(mine & theirs) / max(1, len(mine | theirs))
        if score >= min_score:
            place = "同一村" if case.region_id == region.pk else "同一镇街"
            found.append(
                _Match(
                    case.pk, round(score, 2), (), place, case.matter_id == matter.pk, f"描述相似 {score:.2f}，{place}"
                )
            )
    return sorted(found, key=lambda m: -m.score)[:limit]


def real_engine_available() -> bool:
    try:
        importlib.import_module("similar.engine")
    except ImportError:
        return False
    return True


@pytest.fixture
def engine(monkeypatch):
    """The similarity engine the selector calls: the real one, or the stand-in."""
    if real_engine_available():
        return importlib.import_module("similar.engine")
    module = types.ModuleType("similar.engine")
    module.similar_open_cases = _stub_similar_open_cases
    package = types.ModuleType("similar")
    package.engine = module
    monkeypatch.setitem(sys.modules, "similar", package)
    monkeypatch.setitem(sys.modules, "similar.engine", module)
    return module
