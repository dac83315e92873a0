"""Duplicates at intake on the Open311 path (issue #13): the answer is unchanged, and the new case
is handed to the 疑似重复 hook with the open case of the same caller it may repeat."""

from __future__ import annotations

import dupes_engine
import pytest

from cases.models import Case

pytestmark = pytest.mark.django_db
engine = dupes_engine.engine


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "intake.duplicates.record_intake_candidates",
        lambda case, found: calls.append((case.number, [c.number for c in found])) or len(found),
    )
    return calls


def test_a_repeat_request_is_recorded_for_the_dispatcher(
    o311, api_key, claim_form, engine, recorded, submit_case, django_capture_on_commit_callbacks
):
    earlier = submit_case(phone="13700137000")
    _key, raw = api_key(region="440608")
    with django_capture_on_commit_callbacks(execute=True):
        response = o311.post("requests.json", raw, claim_form())
    assert response.status_code == 200
    (item,) = response.data
    assert set(item) >= {"service_request_id", "service_notice", "account_id"}
    assert recorded == [(item["service_request_id"], [earlier.number])]
    assert Case.objects.get(number=item["service_request_id"]).status == "submitted"


def test_the_task_runs_against_the_database(o311, api_key, claim_form, engine, submit_case):
    """Without the hook patched: the task finds the candidate and records the pair 待研判 for the
    dispatcher (once: the task run again adds nothing), the reason without the phone in clear."""
    from cases.models import DuplicatePair, DuplicateSource

    earlier = submit_case(phone="13700137000")
    _key, raw = api_key(region="440608")
    from intake.models import Claim
    from intake.tasks import claim_duplicates_record

    assert o311.post("requests.json", raw, claim_form()).status_code == 200
    claim = Claim.objects.get(channel="api")
    assert claim_duplicates_record(claim.pk) in (0, 1)  # 1, or 0 when the on-commit task ran it first
    assert claim_duplicates_record(claim.pk) == 0
    pair = DuplicatePair.objects.get()
    assert {pair.case_a_id, pair.case_b_id} == {earlier.pk, claim.case_id}
    assert pair.source == DuplicateSource.INTAKE and "13700137000" not in pair.reason
