"""GET /api/v1/cases/<number> and GET /api/v1/events: public words only, the key's area only,
a keyset cursor, bounded pages, a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_helpers import WAGES, problem_of
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseEvent

PRIVATE = ("何秀英", "13900139000", "139****9000", "44060819900101123X", "明东村工业区", "一万二千元")


@pytest.fixture
def filed(api):
    """``filed(client, n)`` → case numbers of n claims the client filed (accepted and dispatched
    by the window clerk, so each has several public events)."""
    from accounts.models import User
    from cases.models import Case
    from cases.services import case_accept

    def make(client, n=1, accept=True, **change):
        numbers = []
        for i in range(n):
            response = client.post(
                "/api/v1/claims", {**WAGES, "external_id": f"ext-{i}-{change.get('region', '')}", **change}
            )
            assert response.status_code == 201, response.content
            number = response.json()["case_number"]
            if accept:
                case_accept(case=Case.objects.get(number=number), actor=User.objects.get(username="gm_window"))
            numbers.append(number)
        return numbers

    return make


@pytest.fixture
def settled(settings):
    settings.PARTNER_API_FEED_SETTLE_SECONDS = 0


def test_public_status_has_words_and_codes_but_no_personal_data(api, filed):
    client = api()
    (number,) = filed(client)
    response = client.get(f"/api/v1/cases/{number}")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == number and body["external_id"] == "ext-0-"
    assert body["status"] == "dispatched" and body["status_text"] == "已交办理单位"
    assert body["matter"] == {"code": "labor.wages", "name": "拖欠工资"}
    assert body["region"]["code"] == "440608102201" and body["handling_unit"]
    assert body["due_at"] and body["due_label"] and body["clock_paused"] is False
    assert [e["kind"] for e in body["events"]] == ["submit", "accept", "dispatch"]
    assert body["events"][0]["text"].startswith("您通过 12345 热线反映的诉求已登记")
    text = response.content.decode()
    assert not [p for p in PRIVATE if p in text]


def test_the_typed_address_never_shows_only_the_place_name(api, filed):
    client = api()
    (number,) = filed(client, address="明东村 王建国家 13600136000")
    text = client.get(f"/api/v1/cases/{number}").content.decode()
    assert "13600136000" not in text and "王建国" not in text and "136****6000" not in text
    assert '"name"' in text


def test_staff_notes_reach_partners_with_numbers_masked(api, filed, settled):
    from accounts.models import User
    from cases.models import Case
    from cases.services import case_add_note

    client = api()
    (number,) = filed(client)
    case = Case.objects.select_related("lead_unit", "region", "matter", "centre").get(number=number)
    lead = User.objects.filter(memberships__unit=case.lead_unit).first() or User.objects.get(username="gm_window")
    case_add_note(case=case, actor=lead, note="已约老板 13600136000 明日面谈", public=True)
    status = client.get(f"/api/v1/cases/{number}").content.decode()
    feed = client.get("/api/v1/events").content.decode()
    for text in (status, feed):
        assert "13600136000" not in text and "已约老板 *********** 明日面谈" in text


def test_the_feed_leaves_out_imported_cases(api, filed, settled, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    client = api()
    (live,) = filed(client)
    line = {
        "external_id": "GM-OLD-00001",
        "channel": "hotline",
        "matter": "labor.wages",
        "region": "440608102201",
        "description": "明东村五金厂老板拖欠三个月工资共计一万二千元，多次讨要无果。",
        "contact_name": "何秀英",
        "contact_phone": "13900139000",
        "people": 3,
        "created_at": "2025-03-03T09:30:00+08:00",
    }
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=StringIO())
    imported = json.loads(out.getvalue().splitlines()[0])["case"]
    assert client.get(f"/api/v1/cases/{imported}").status_code == 200  # the status still answers
    numbers = {event["case_number"] for event in client.get("/api/v1/events").json()["events"]}
    assert live in numbers and imported not in numbers


def test_internal_events_are_not_shown(api, filed):
    from cases.models import Case
    from cases.services import case_record

    client = api()
    (number,) = filed(client)
    case = Case.objects.get(number=number)
    case_record(case=case, transition="add_note", actor=None, note="内部：申请人何秀英 13900139000", public=False)
    body = client.get(f"/api/v1/cases/{number}").json()
    assert "何秀英" not in str(body) and len(body["events"]) == 3


def test_a_case_outside_the_keys_area_is_not_found(api, filed):
    (number,) = filed(api())
    other = api(region="440604")  # 禅城区
    body = problem_of(other.get(f"/api/v1/cases/{number}"), 404)
    assert body["detail"].startswith("未找到")
    problem_of(api().get("/api/v1/cases/高明-2026-999999"), 404)
    assert api(region=None).get(f"/api/v1/cases/{number}").status_code == 200  # a key for everywhere


def test_another_partner_sees_the_status_without_our_external_id(api, filed):
    (number,) = filed(api())
    body = api(partner="佛山市12345").get(f"/api/v1/cases/{number}").json()
    assert body["external_id"] is None


def test_status_reads_a_fixed_number_of_queries(api, filed, django_assert_num_queries):
    client = api()
    (number,) = filed(client)
    client.get(f"/api/v1/cases/{number}")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/cases/{number}")
    # the key (1), the case (1), its public events with their units (1), the call log (1)
    assert len(one.captured_queries) == 4, [q["sql"][:100] for q in one.captured_queries]


def test_the_feed_pages_through_public_events_by_cursor(api, filed, settled):
    client = api()
    numbers = filed(client, 3)
    first = client.get("/api/v1/events", {"limit": 4}).json()
    assert first["has_more"] is True and len(first["events"]) == 4
    second = client.get("/api/v1/events", {"cursor": first["next_cursor"], "limit": 4}).json()
    third = client.get("/api/v1/events", {"cursor": second["next_cursor"], "limit": 4}).json()
    events = first["events"] + second["events"] + third["events"]
    assert third["has_more"] is False and len(events) == 9  # submit, accept, dispatch × 3
    assert [e["case_number"] for e in events][::3] == numbers
    assert [int(e["cursor"]) for e in events] == sorted(int(e["cursor"]) for e in events)
    assert {e["external_id"] for e in events} == {"ext-0-", "ext-1-", "ext-2-"}
    empty = client.get("/api/v1/events", {"cursor": third["next_cursor"]}).json()
    assert empty == {"events": [], "next_cursor": third["next_cursor"], "has_more": False}
    assert not [p for p in PRIVATE if p in str(events)]


def test_the_feed_holds_only_public_events_of_the_keys_area(api, filed, settled):
    from cases.models import Case
    from cases.services import case_record

    mine = api(region="440608102")  # 明城镇
    (number,) = filed(mine)
    filed(api(region=None, partner="全市平台"), accept=False, region="440604010")  # 祖庙街道: not 明城镇
    case_record(case=Case.objects.get(number=number), transition="add_note", actor=None, note="内部", public=False)
    events = mine.get("/api/v1/events").json()["events"]
    assert {e["case_number"] for e in events} == {number} and len(events) == 3


def test_the_feed_leaves_the_youngest_events_for_the_next_call(api, filed, settings):
    settings.PARTNER_API_FEED_SETTLE_SECONDS = 60
    client = api()
    filed(client, 1)
    old = timezone.now() - timedelta(minutes=5)
    first_event = CaseEvent.objects.order_by("id").first()
    CaseEvent.objects.filter(pk=first_event.pk).update(created_at=old)
    page = client.get("/api/v1/events").json()
    assert [e["kind"] for e in page["events"]] == ["submit"] and page["next_cursor"] == str(first_event.pk)
    CaseEvent.objects.update(created_at=old)
    assert [e["kind"] for e in client.get("/api/v1/events", {"cursor": page["next_cursor"]}).json()["events"]] == [
        "accept",
        "dispatch",
    ]


def test_the_feed_reads_a_fixed_number_of_queries_whatever_the_page(api, filed, settled):
    client = api()
    filed(client, 1)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/events")
    filed(client, 6, region="440608102201")
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/events").json()["events"]) == 21
    assert len(small.captured_queries) == len(large.captured_queries) == 3  # key, events, call log


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_bad_feed_parameters_name_the_parameter(api, params, field):
    assert field in problem_of(api().get("/api/v1/events", params), 400)["errors"]


def test_control_characters_in_the_query_answer_a_problem_body(api):
    problem_of(api().get("/api/v1/events", {"cursor": "1\x00"}), 400)


def test_reading_needs_a_key(api):
    problem_of(api(None).get("/api/v1/events"), 401)
    problem_of(api(None).get("/api/v1/cases/高明-2026-000001"), 401)


def test_unknown_query_parameters_are_named(api):
    body = problem_of(api().get("/api/v1/events", {"since": "1"}), 400)
    assert body["errors"] == {"since": ["未知的查询参数；可用：cursor、limit。"]}
    assert "x" in problem_of(api().get("/api/v1/cases/高明-2026-000001", {"x": "1"}), 400)["errors"]


def test_a_claim_on_the_api_channel_reads_as_filed_through_a_partner_platform(api, filed):
    client = api()
    (number,) = filed(client, accept=False, channel="api")
    assert (
        client.get(f"/api/v1/cases/{number}").json()["events"][0]["text"].startswith("您通过合作平台反映的诉求已登记")
    )
