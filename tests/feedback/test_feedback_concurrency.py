"""Two clicks on the rating link at the same moment (two phones, a double tap on a slow network):
one rating, one event. Threads against PostgreSQL; SQLite serialises writers (the sequential
double click is in test_rating_link.py)."""

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)

from cases.models import Case, CaseEvent, Status
from feedback.services import LinkUsed, rating_link_rate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


def test_two_clicks_at_once_rate_once(submit_case, to_feedback, link_token, race):
    case = to_feedback(submit_case())
    token = link_token()
    results = race(
        lambda: rating_link_rate(raw=token, rating="satisfied", solved=True),
        lambda: rating_link_rate(raw=token, rating="unsatisfied", solved=False, comment="没解决"),
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1 and isinstance(losers[0], LinkUsed), results
    events = CaseEvent.objects.filter(case=case, transition__in=["rate_closed", "rate_unsatisfied"])
    assert events.count() == 1
    assert Case.objects.get(pk=case.pk).status in (Status.CLOSED, Status.REVIEWING)
