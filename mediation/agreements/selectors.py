"""Reads of the agreement screens: each scoped to the mediations the user may see
(``mediation.selectors.visible_mediations``), with what the permission predicates and the
templates read built in, so templates trigger no queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from ..models import Agreement, AgreementBatch, AgreementStatus, Confirmation, Mediation
from ..selectors import visible_mediations


def _confirmations() -> Prefetch:
    return Prefetch("confirmations", queryset=Confirmation.objects.order_by("id"))


def agreement_detail(user, pk: int) -> Agreement | None:
    """An agreement of a mediation ``user`` may see, with its mediation, case, mediator, batch and
    confirmations; None when there is none or it is outside the user's scope."""
    return (
        Agreement.objects.select_related(
            "mediation__case__region",
            "mediation__case__matter",
            "mediation__case__lead_unit",
            "mediation__case__centre",
            "mediation__mediator__user",
            "batch",
        )
        .prefetch_related(_confirmations())
        .filter(pk=pk, mediation__in=visible_mediations(user).values("pk"))
        .first()
    )


def confirmation_detail(user, pk: int) -> Confirmation | None:
    """A party's confirmation on an agreement of a mediation ``user`` may see."""
    visible = visible_mediations(user).values("pk")
    return Confirmation.objects.filter(pk=pk, agreement__mediation__in=visible).first()


def batch_detail(user, pk: int) -> AgreementBatch | None:
    """A group batch of a mediation ``user`` may see, with its mediation, case and mediator."""
    visible = visible_mediations(user).values("pk")
    return (
        AgreementBatch.objects.select_related("mediation__case", "mediation__mediator__user")
        .filter(pk=pk, mediation__in=visible)
        .first()
    )


def batch_agreements(batch: AgreementBatch, *, start: int, limit: int) -> list[Agreement]:
    """Up to ``limit`` of a batch's agreements from ``start`` (in creation order), with their
    claimant and confirmations."""
    return list(
        batch.agreements.select_related("claimant")
        .prefetch_related(_confirmations())
        .order_by("id")[start : start + limit]
    )


def panel_agreements(mediation: Mediation) -> list[Agreement]:
    """The mediation's own agreements (not those of a batch), with their confirmations."""
    return list(
        Agreement.objects.filter(mediation=mediation, batch__isnull=True)
        .prefetch_related(_confirmations())
        .order_by("id")
    )


def panel_batches(mediation: Mediation) -> list[AgreementBatch]:
    """The mediation's batches, each annotated with how many of its agreements are sealed."""
    return list(
        AgreementBatch.objects.filter(mediation=mediation)
        .annotate(sealed=Count("agreements", filter=Q(agreements__status=AgreementStatus.SEALED)))
        .order_by("-created_at", "-id")
    )
