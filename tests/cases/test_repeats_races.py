"""疑似重复 decided twice at once (issue #13): two dispatchers (or a double click reaching two
workers) merge the same pair, or one merges while the other marks it 非重复 — exactly one decision
is taken, with its events, and 重复诉求次数 grows once. Threads against PostgreSQL."""

import pytest
from django.db import connection  # noqa: F401  (the skipif condition reads it)

from accounts.models import User
from cases import duplicates as d
from cases.models import Case, CaseEvent, DuplicatePair, DuplicateSource, DuplicateStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="thread races need PostgreSQL"),
]


@pytest.fixture
def pair(submit_case):
    first, second = submit_case(), submit_case(phone="13600000001")
    d.record_pairs(second, [type("M", (), {"case_id": first.pk, "score": 0.9, "why": "描述相似 0.90"})()], "intake")
    return DuplicatePair.objects.get(), first, second


def test_two_merges_at_once_merge_once(pair, race):
    found, first, second = pair

    def merge():
        return d.duplicate_pair_merge(
            pair=DuplicatePair.objects.get(pk=found.pk), actor=User.objects.get(username="gm_dispatch")
        )

    results = race(merge, merge)
    assert sorted(r is None for r in results) == [False, True], results
    assert Case.objects.get(pk=first.pk).repeat_count == 2
    assert CaseEvent.objects.filter(transition__in=["merge", "merge_in"]).count() == 2


def test_a_merge_and_a_dismissal_at_once_take_one_decision(pair, race):
    found, first, second = pair
    dispatcher = lambda: User.objects.get(username="gm_dispatch")  # noqa: E731
    results = race(
        lambda: d.duplicate_pair_merge(pair=DuplicatePair.objects.get(pk=found.pk), actor=dispatcher()),
        lambda: d.duplicate_pair_dismiss(pair=DuplicatePair.objects.get(pk=found.pk), actor=dispatcher(), note="不同"),
    )
    status = DuplicatePair.objects.get(pk=found.pk).status
    merged = CaseEvent.objects.filter(transition="merge").count()
    dismissed = CaseEvent.objects.filter(transition="not_duplicate").count()
    if status == DuplicateStatus.MERGED:
        assert (merged, dismissed, results[1]) == (1, 0, False)
    else:
        assert status == DuplicateStatus.NOT_DUPLICATE and (merged, dismissed, results[0]) == (0, 2, None)
    assert DuplicatePair.objects.get(pk=found.pk).source == DuplicateSource.INTAKE
