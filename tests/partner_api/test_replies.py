"""POST /api/v1/replies/litigation and /referral: a court's or petition bureau's answer becomes
the court gateway's record and a timeline event — only for what was referred within the key's
area, and only with the court_replies scope."""

from __future__ import annotations

import pytest
from api_helpers import problem_of

from cases.models import CaseEvent
from mediation.models import LitigationPackage
from notifications.models import OutboxMessage

DOCUMENT = "（2026）粤0608民诉前调1234号"


@pytest.fixture
def referred(mediators, user, fresh):
    """A dispute the 高明 court handed over (诉前委派), mediated by gm_court_mediator; with
    ``failed=True`` the mediation failed and its litigation package went to the court gateway."""
    from cases.services import PartyData
    from mediation import services as ms
    from mediation.litigation.services import litigation_submit
    from mediation.models import Source
    from routing.models import MatterType, Region, Unit

    def make(failed=False):
        m = ms.referral_register(
            actor=user("gm_window"),
            source=Source.COURT,
            referral_document=DOCUMENT,
            referring_unit=Unit.objects.get(code="GM-FY"),
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            title="某五金厂拖欠工资纠纷（诉前委派）",
            description="原告夏志明诉某五金厂拖欠工资一万二千元，法院诉前委派调解。",
            parties=[
                PartyData(name="夏志明", phone="13800138000", role="applicant"),
                PartyData(name="明东五金制品厂", phone="13700137000", role="respondent"),
            ],
        )
        mediator = user("gm_court_mediator")
        ms.mediation_assign(mediation=fresh(m), actor=user("gm_dispatch"), mediator=mediator.mediator_profile)
        ms.mediation_accept(mediation=fresh(m), actor=mediator, no_conflict=True)
        if not failed:
            return fresh(m)
        ms.mediation_fail(mediation=fresh(m), actor=mediator, reason="差额过大", next_step="litigation")
        return litigation_submit(mediation=fresh(m), actor=mediator)

    return make


@pytest.fixture
def court(api_key, api):
    _key, raw = api_key(scopes=["court_replies"], partner="佛山市高明区人民法院")
    return api(raw)


def test_a_court_files_a_litigation_package(court, referred):
    package = referred(failed=True)
    response = court.post(
        "/api/v1/replies/litigation",
        {"reference": package.reference, "decision": "accepted", "court_document": "（2026）粤0608民初1234号"},
    )
    assert response.status_code == 201, response.content
    package.refresh_from_db()
    assert package.state == "accepted" and package.court_document == "（2026）粤0608民初1234号"
    event = CaseEvent.objects.filter(case=package.mediation.case, transition="court_reply").get()
    assert event.actor is None and "佛山市高明区人民法院 经接口答复" in event.note
    assert response.json() == {
        "case_number": package.mediation.case.number,
        "kind": "litigation",
        "recorded_at": response.json()["recorded_at"],
        "state": "accepted",
    }
    assert OutboxMessage.objects.filter(kind="court_reply").count() == 1  # the mediator is told


def test_a_court_returns_a_package_with_its_reason(court, referred):
    package = referred(failed=True)
    body = problem_of(
        court.post("/api/v1/replies/litigation", {"reference": package.reference, "decision": "returned"}), 400
    )
    assert "reply" in body["errors"]
    response = court.post(
        "/api/v1/replies/litigation", {"reference": package.reference, "decision": "returned", "reply": "缺少证据原件"}
    )
    assert response.status_code == 201 and response.json()["state"] == "returned"


def test_a_package_answers_once(court, referred):
    package = referred(failed=True)
    reply = {"reference": package.reference, "decision": "accepted", "court_document": "（2026）粤0608民初1号"}
    assert court.post("/api/v1/replies/litigation", reply, key="r-1").status_code == 201
    assert court.post("/api/v1/replies/litigation", reply, key="r-1").status_code == 201  # a retry
    body = problem_of(court.post("/api/v1/replies/litigation", reply), 409)  # a second answer
    assert "reference" in body["errors"]
    assert CaseEvent.objects.filter(transition="court_reply").count() == 1


def test_a_package_outside_the_keys_area_is_not_found(api_key, api, referred):
    package = referred(failed=True)
    _key, raw = api_key(scopes=["court_replies"], region="440604", partner="禅城区人民法院")
    reply = {"reference": package.reference, "decision": "accepted", "court_document": "（2026）粤0604民初1号"}
    body = problem_of(api(raw).post("/api/v1/replies/litigation", reply), 404)
    assert "reference" in body["errors"]
    problem_of(api(raw).post("/api/v1/replies/litigation", {**reply, "reference": "OUT-none"}), 404)
    assert LitigationPackage.objects.get().state == "submitted"


def test_a_referring_court_replies_about_its_referral(court, referred):
    m = referred()
    response = court.post(
        "/api/v1/replies/referral",
        {
            "referral_document": DOCUMENT,
            "reply": "已收悉调解进展，请于期限内报送结果。",
            "document": "（2026）粤0608民诉前调1234号之一",
        },
    )
    assert response.status_code == 201, response.content
    event = CaseEvent.objects.get(case=m.case, transition="referral_reply")
    assert event.public is False and "佛山市高明区人民法院" in event.note and "已收悉" in event.note
    assert OutboxMessage.objects.filter(kind="referral_reply", recipient_user=m.mediator.user).count() == 1
    assert response.json()["state"] == "recorded"


def test_a_referral_of_another_area_or_unknown_is_not_found(api_key, api, referred):
    referred()
    _key, raw = api_key(scopes=["court_replies"], region="440604", partner="禅城区人民法院")
    before = CaseEvent.objects.count()
    problem_of(api(raw).post("/api/v1/replies/referral", {"referral_document": DOCUMENT, "reply": "收到"}), 404)
    body = problem_of(
        api(raw).post("/api/v1/replies/referral", {"referral_document": "（2026）无此号", "reply": "收到"}), 404
    )
    assert "referral_document" in body["errors"]
    assert CaseEvent.objects.count() == before


def test_replies_need_the_court_replies_scope(api, referred):
    referred()
    body = problem_of(api().post("/api/v1/replies/referral", {"referral_document": DOCUMENT, "reply": "收到"}), 403)
    assert "court_replies" in body["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/replies/litigation", {"reference": "x", "decision": "maybe"}, "decision"),
        ("/api/v1/replies/litigation", {"reference": "x", "decision": "accepted"}, "court_document"),
        ("/api/v1/replies/litigation", {"reference": 5, "decision": "accepted"}, "reference"),
        ("/api/v1/replies/referral", {"referral_document": DOCUMENT}, "reply"),
        ("/api/v1/replies/referral", {"referral_document": DOCUMENT, "reply": "收\x00到"}, "reply"),
    ],
)
def test_bad_replies_name_the_field(court, referred, path, body, field, written):
    referred()
    before = written()
    assert field in problem_of(court.post(path, body), 400)["errors"]
    assert written() == before
