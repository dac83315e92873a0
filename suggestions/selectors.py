"""Reads of 建议征集: the public topic list and page, the staff's lists (bounded, no N+1)."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from . import permissions
from .models import Suggestion, Topic


def public_topics() -> QuerySet[Topic]:
    return Topic.objects.select_related("centre").annotate(
        shown_count=Count("suggestions", filter=Q(suggestions__hidden=False))
    )


def public_topics_ordered() -> QuerySet[Topic]:
    """The public list: topics open today first, then those about to open (即将开始), then the
    closed ones with their replies; newest first within each."""
    today = timezone.localdate()
    phase = Case(
        When(opens_on__lte=today, closes_on__gte=today, then=Value(0)),
        When(opens_on__gt=today, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return public_topics().annotate(phase=phase).order_by("phase", "-opens_on", "-id")


def public_suggestions(topic: Topic) -> QuerySet[Suggestion]:
    """What the public reads once a topic has closed: the suggestions not hidden, with replies."""
    return topic.suggestions.filter(hidden=False).order_by("created_at", "id")


def managed_topics(user) -> QuerySet[Topic]:
    qs = public_topics().annotate(
        new_count=Count("suggestions", filter=Q(suggestions__verdict="new", suggestions__hidden=False))
    )
    if permissions.is_admin(user):
        return qs
    return qs.filter(centre_id__in=permissions.managed_centre_ids(user))


def managed_suggestions(topic: Topic) -> QuerySet[Suggestion]:
    """Every suggestion of the topic for its staff, each with its history (one query for all)."""
    from .models import SuggestionEvent

    history = Prefetch("events", queryset=SuggestionEvent.objects.select_related("actor").order_by("at", "id"))
    return (
        topic.suggestions.select_related("author", "replied_by", "hidden_by")
        .prefetch_related(history)
        .order_by("created_at", "id")
    )
