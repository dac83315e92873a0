"""The mediator's and the dispatcher's home show the mediations waiting (issue #17)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Mediation

pytestmark = pytest.mark.django_db


def test_mediator_home_counts_and_lists_the_late(mediation_in, login, django_assert_max_num_queries):
    late = mediation_in("in_progress")
    Mediation.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))
    mediation_in("assigned")
    mediation_in("in_progress")
    client = login("gm_mediator")
    # 5 for the page and profile cards, 4 for the workbench (the profile twice, counts, late list),
    # 1 for the header's bell (unread messages)
    with django_assert_max_num_queries(10):
        body = client.get(reverse("home")).content.decode()
    assert 'data-testid="mediation-in_progress-count">2<' in body
    assert 'data-testid="mediation-assigned-count">1<' in body
    assert 'data-testid="mediation-in_progress-late">其中超期 1 件<' in body
    assert "mediation-requested" not in body  # a mediator is never given unassigned ones
    assert f"{reverse('mediation:mediation-list')}?tab=assigned" in body
    assert reverse("mediation:mediation-detail", args=[late.number]) in body and "超过调解期限" in body


def test_dispatcher_home_counts_mediations_to_assign(mediation_in, login):
    mediation_in("requested")
    body = login("gm_dispatch").get(reverse("home")).content.decode()
    assert 'data-testid="mediation-requested-count">1<' in body and "待指派调解员" in body
