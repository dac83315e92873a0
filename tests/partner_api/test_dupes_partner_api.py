"""Duplicates at intake on the partner REST path (issue #13): the response keeps its contract, and
the new case is handed to the 疑似重复 hook (``intake.duplicates.record_intake_candidates``) with the
open case it may repeat."""

from __future__ import annotations

import dupes_engine
import pytest
from api_helpers import WAGES

from cases.models import Case

URL = "/api/v1/claims"
engine = dupes_engine.engine


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "intake.duplicates.record_intake_candidates",
        lambda case, found: calls.append((case.number, [c.number for c in found])) or len(found),
    )
    return calls


def test_a_repeat_claim_is_recorded_for_the_dispatcher(
    api, engine, recorded, submit_case, django_capture_on_commit_callbacks
):
    earlier = submit_case(phone="13900139000")
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post(URL, WAGES)
    assert response.status_code == 201, response.content
    body = response.json()
    assert recorded == [(body["case_number"], [earlier.number])]
    assert Case.objects.get(number=body["case_number"]).status == "submitted", "never merged on its own"


def test_a_new_problem_records_nothing(api, engine, recorded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert api().post(URL, WAGES).status_code == 201
    assert recorded == [] or recorded[0][1] == []


def test_a_repeat_claim_waits_in_the_dispatchers_duplicate_queue(
    api, engine, submit_case, django_capture_on_commit_callbacks
):
    """The hook is wired to the pair model: the dispatcher finds the pair 待研判, recorded once."""
    from cases.duplicates import record_pairs
    from cases.models import DuplicatePair, DuplicateSource, DuplicateStatus
    from intake.duplicates import candidates_for_claim
    from intake.models import Claim

    earlier = submit_case(phone="13900139000")
    with django_capture_on_commit_callbacks(execute=True):
        response = api().post(URL, WAGES)
    new = Case.objects.get(number=response.json()["case_number"])
    pair = DuplicatePair.objects.get()
    assert {pair.case_a_id, pair.case_b_id} == {earlier.pk, new.pk}
    assert pair.source == DuplicateSource.INTAKE and pair.status == DuplicateStatus.OPEN
    claim = Claim.objects.get(case=new)
    assert record_pairs(new, candidates_for_claim(claim), DuplicateSource.INTAKE) == 0, "idempotent"
    assert DuplicatePair.objects.count() == 1
