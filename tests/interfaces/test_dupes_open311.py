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


def test_the_task_runs_against_the_database(o311, api_key, claim_form, engine, submit_case, caplog):
    """Without the hook patched: the task finds the candidate and logs case numbers only."""
    earlier = submit_case(phone="13700137000")
    _key, raw = api_key(region="440608")
    from intake.models import Claim
    from intake.tasks import claim_duplicates_record

    assert o311.post("requests.json", raw, claim_form()).status_code == 200
    claim = Claim.objects.get(channel="api")
    with caplog.at_level("INFO", logger="intake.duplicates"):
        claim_duplicates_record(claim.pk)
    assert earlier.number in caplog.text and "13700137000" not in caplog.text
