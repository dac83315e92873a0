"""Reads of the 一键诉讼 screens, scoped to the mediations the user may see."""

from __future__ import annotations

from ..models import LitigationPackage, Mediation
from ..selectors import visible_mediations


def package_detail(user, pk: int) -> LitigationPackage | None:
    """A package of a mediation ``user`` may see, with what the permission predicates read."""
    return (
        LitigationPackage.objects.select_related(
            "mediation__case__region", "mediation__case__centre", "mediation__case__lead_unit", "mediation__mediator"
        )
        .filter(pk=pk, mediation__in=visible_mediations(user).values("pk"))
        .first()
    )


def panel_packages(mediation: Mediation) -> list[LitigationPackage]:
    """A mediation's packages, newest first, with who submitted them."""
    return list(mediation.litigation_packages.select_related("submitted_by").order_by("-submitted_at", "-id"))
