"""Duplicates at intake on the staff forms (issue #13): the window, the hotline, 随手拍 and 来信 find
the open cases of the same phone or with a similar text nearby, show them beside the form, and
attach the new claim to one with one click; without JavaScript the form comes back to ask first."""

from __future__ import annotations

import dupes_engine
import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, Status
from intake.models import Claim

pytestmark = pytest.mark.django_db
engine = dupes_engine.engine  # the fixture

WAGES = "明东村五金厂老板拖欠我们两个月工资八千元，多次讨要没有结果。"
WAGES_AGAIN = "明东村五金厂老板拖欠两个月工资共八千元，多次讨要都没有结果。"
CALLER = "13700137000"
GRID_KEY = "0123456789abcdef0123456789abcdef"  # held files need a form key of this shape
PLACE = {
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
}


def staff_login(client, username):
    assert client.login(username=username, password="Yikouban@2026")
    return client


def claim_post(**overrides):
    data = {
        "contact_name": "李先生",
        "contact_phone": CALLER,
        "id_number": "",
        "matter": "labor.wages",
        **PLACE,
        "address": "明东村工业区 3 号",
        "description": WAGES,
        "people_count": "1",
        "next_step": "accept",
        "accept_now": "on",
        "submission_key": "dupes-1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def earlier(client, demo, engine):
    """An open case registered at the window by the caller, then the client logged out."""
    staff_login(client, "gm_window")
    response = client.post(reverse("intake:window-register"), claim_post(next_step="register"))
    assert response.status_code == 302
    client.logout()
    return Case.objects.get()


def test_window_asks_first_and_keeps_everything_typed(client, earlier):
    staff_login(client, "gm_window")
    data = claim_post(submission_key="dupes-2", description=WAGES_AGAIN, address="明东村工业区 3 号 2 栋")
    response = client.post(reverse("intake:window-register"), data)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert Claim.objects.count() == 1, "nothing registered until the clerk chooses"
    assert 'data-testid="duplicates-alert"' in page
    assert earlier.number in page and "同一来电号码" in page
    for typed in (WAGES_AGAIN, "明东村工业区 3 号 2 栋", "李先生", CALLER, "dupes-2"):
        assert typed in page
    assert f'name="attach_candidate" value="{earlier.number}"' in page
    assert 'name="register_new"' in page


def test_window_attaches_with_one_click(client, earlier):
    staff_login(client, "gm_window")
    data = claim_post(submission_key="dupes-2", description=WAGES_AGAIN, attach_candidate=earlier.number)
    response = client.post(reverse("intake:window-register"), data)
    assert response.status_code == 302
    claim = Claim.objects.get(submission_key__endswith="dupes-2")
    assert claim.case.status == Status.MERGED and claim.case.merged_into_id == earlier.pk
    assert CaseEvent.objects.filter(case=earlier, transition="merge_in").exists()
    page = client.get(response["Location"], follow=True).content.decode()
    assert f"已登记并并入案件 {earlier.number}" in page
    # the citizen's tracking code follows the case it was attached to
    assert claim.case.merged_into.parties.filter(phone=CALLER).exists()


def test_window_registers_a_new_case_when_told(client, earlier):
    staff_login(client, "gm_window")
    page = client.post(reverse("intake:window-register"), claim_post(submission_key="d-3")).content.decode()
    assert f'name="shown_candidate" value="{earlier.pk}"' in page, "the candidates shown go back with the choice"
    data = claim_post(submission_key="d-3", register_new="True", shown_candidate=[str(earlier.pk), "x", "999999"])
    response = client.post(reverse("intake:window-register"), data)
    assert response.status_code == 302
    second = Claim.objects.get(submission_key__endswith="d-3").case
    assert second.pk != earlier.pk and second.status != Status.MERGED
    # the clerk's choice is remembered: the pair is decided 非重复, the nightly scan leaves it so
    from accounts.models import User
    from cases.duplicates import duplicates_scan
    from cases.models import DuplicatePair

    pair = DuplicatePair.objects.get()
    assert {pair.case_a_id, pair.case_b_id} == {earlier.pk, second.pk}
    assert pair.status == "not_duplicate" and pair.decided_by == User.objects.get(username="gm_window")
    assert pair.note == "受理时登记员判断为不同事项" and pair.decided_at is not None
    duplicates_scan()
    assert DuplicatePair.objects.get().status == "not_duplicate"


@pytest.mark.parametrize(
    "target",
    ["高明-2026-999999", "closed", "foreign", "not-a-candidate"],
)
def test_attach_to_a_bad_case_is_refused_and_nothing_is_created(client, earlier, target, submit_case):
    if target == "closed":
        Case.objects.filter(pk=earlier.pk).update(status=Status.CLOSED)
        target = earlier.number
    elif target == "foreign":  # an open case in 禅城区, not among this claim's candidates
        target = submit_case(region="440604010001", phone="13600136000").number
    elif target == "not-a-candidate":  # in the same town, but another phone and another matter
        target = submit_case(matter="labor.contract", phone="13600136000", text="公司不签劳动合同怎么办").number
    before = Claim.objects.count()
    staff_login(client, "gm_window")
    response = client.post(reverse("intake:window-register"), claim_post(submission_key="d-4", attach_candidate=target))
    assert response.status_code == 400
    assert "要并入的案件不存在、已结束或不在本次重复提示之列" in response.content.decode()
    assert Claim.objects.count() == before
    assert WAGES in response.content.decode()


def test_hotline_attaches_a_repeat_call_from_the_suggestion(client, earlier):
    staff_login(client, "gm_hotline")
    response = client.post(
        reverse("intake:hotline-register"), claim_post(submission_key="call-2", description=WAGES_AGAIN)
    )
    assert response.status_code == 200 and "同一来电号码" in response.content.decode()
    response = client.post(
        reverse("intake:hotline-register"),
        claim_post(submission_key="call-2", description=WAGES_AGAIN, attach_candidate=earlier.number),
    )
    assert response.status_code == 302
    case = Claim.objects.get(submission_key__endswith="call-2").case
    assert case.status == Status.MERGED and case.merged_into_id == earlier.pk
    event = CaseEvent.objects.get(case=case, transition="merge")
    assert event.actor.username == "gm_hotline" and "同一来电号码" in event.note


def test_hotline_history_attach_still_skips_the_question(client, earlier):
    staff_login(client, "gm_hotline")
    response = client.post(
        reverse("intake:hotline-register"), claim_post(submission_key="call-3", attach_to=earlier.number)
    )
    assert response.status_code == 302
    assert Claim.objects.get(submission_key__endswith="call-3").case.merged_into_id == earlier.pk


def test_similar_text_from_another_phone_is_found_in_the_same_town(client, earlier):
    staff_login(client, "gm_window")
    data = claim_post(
        submission_key="d-5", contact_phone="13600136000", description=WAGES_AGAIN, region_4="440608102202"
    )
    response = client.post(reverse("intake:window-register"), data)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert earlier.number in page and "描述相似" in page and "同一来电号码" not in page


def test_grid_worker_report_is_checked_too(client, earlier):
    staff_login(client, "md_grid")
    data = {
        "region": "440608102201001",
        "description": WAGES_AGAIN,
        "matter": "labor.wages",
        "people_count": "1",
        "resident_phone": CALLER,
        "submission_key": GRID_KEY,
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    response = client.post(reverse("intake:grid-report"), {**data, "attachments": photo})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert earlier.number not in page and "不在您的办理范围" in page
    assert "李先生" not in page.split('id="duplicates"')[1], "no personal data of a case outside the scope"
    assert "现场.png" in page, "the photo is held for the next submit"
    response = client.post(reverse("intake:grid-report"), {**data, "attach_candidate": str(earlier.pk)})
    assert response.status_code == 302
    claim = Claim.objects.get(submission_key__endswith=GRID_KEY)
    assert claim.case.merged_into_id == earlier.pk and claim.attachments.count() == 1


def test_a_grid_workers_own_phone_pairs_none_of_their_reports(client, demo, engine):
    # the resident's phone left empty: each report's applicant is the worker, with the worker's phone
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from cases.duplicates import duplicates_scan
    from cases.models import DuplicatePair
    from intake.duplicates import candidates_for_claim

    User.objects.filter(username="md_grid").update(phone="13912345678")
    staff_login(client, "md_grid")
    texts = (
        "明东村五金厂门口路灯不亮已经一周。",
        "明东村村道有个大坑，晚上骑车容易摔倒。",
        "明东村垃圾站满了三天没人清运。",
    )
    for n, text in enumerate(texts):
        photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
        data = {"region": "440608102201001", "description": text, "matter": "labor.wages", "people_count": "1"}
        data.update(resident_phone="", submission_key=f"{n:x}" * 32, attachments=photo)
        assert client.post(reverse("intake:grid-report"), data).status_code == 302
    claims = list(Claim.objects.order_by("id"))
    assert len(claims) == 3 and {c.contact_phone for c in claims} == {"13912345678"}
    assert not any(c.same_phone for c in candidates_for_claim(claims[-1])), "the intake rule skips staff phones"
    duplicates_scan()
    assert not DuplicatePair.objects.filter(reason__contains="同一联系电话").exists(), "so does the nightly one"


def test_a_grid_workers_register_new_leaves_an_unseen_case_to_the_dispatcher(client, earlier):
    # the worker saw the case without its content: not their call — the pair stays 待研判
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import DuplicatePair

    staff_login(client, "md_grid")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    data = {"region": "440608102201001", "description": WAGES_AGAIN, "matter": "labor.wages", "people_count": "1"}
    data.update(submission_key=GRID_KEY, attachments=photo, register_new="True", shown_candidate=str(earlier.pk))
    assert client.post(reverse("intake:grid-report"), data).status_code == 302
    pair = DuplicatePair.objects.get()
    assert pair.status == "open" and pair.decided_by is None and "未见内容" in pair.note


def test_letter_registration_is_checked_too(client, earlier):
    staff_login(client, "gm_window")
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("来信.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    data = claim_post(submission_key="letter-1", letter_number="高明来信〔2026〕9号", letter_date="2026-12-01")
    response = client.post(reverse("intake:letter-register"), {**data, "attachments": scan})
    assert response.status_code == 200 and earlier.number in response.content.decode()


# The panel beside the form ----------------------------------------------------------------------


def panel_post(**overrides):
    data = {"contact_phone": CALLER, "description": WAGES_AGAIN, "matter": "labor.wages", **PLACE}
    data.update(overrides)
    return data


def test_panel_lists_candidates_with_their_reason(client, earlier):
    staff_login(client, "gm_hotline")
    response = client.post(reverse("intake:duplicates"), panel_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert earlier.number in page and "同一来电号码" in page and earlier.title in page
    assert "登记于" in page and (earlier.lead_unit or earlier.centre).name in page


def test_panel_says_nothing_found(client, earlier):
    staff_login(client, "gm_hotline")
    page = client.post(
        reverse("intake:duplicates"), panel_post(contact_phone="13600136000", description="路灯坏了很久没人修理")
    ).content.decode()
    assert 'data-testid="no-duplicates"' in page and earlier.number not in page


def test_panel_phone_rule_keeps_to_the_clerks_scope(client, demo, engine, submit_case):
    # the caller reported something in 禅城区 before: a 高明 clerk is not told it exists at all
    foreign = submit_case(region="440604010001", phone=CALLER, text="普君社区张三家装修噪音 13812345678 扰民")
    staff_login(client, "gm_hotline")
    page = client.post(reverse("intake:duplicates"), panel_post()).content.decode()
    assert foreign.number not in page and "同一来电号码" not in page
    assert "张三" not in page and "13812345678" not in page and foreign.title not in page
    assert "普君" not in page and 'data-testid="no-duplicates"' in page


def test_panel_shows_only_matter_town_and_status_of_a_similar_case_outside_the_scope(client, earlier):
    staff_login(client, "md_grid")  # a grid worker may open no case: every candidate is outside
    from routing.models import Region

    town = Region.objects.get(code=PLACE["region_3"]).name
    page = client.post(reverse("intake:duplicates"), panel_post()).content.decode()
    item = page.split('data-testid="duplicate"')[1]
    assert "不在您的办理范围" in item and earlier.matter.name in item and town in item
    assert earlier.get_status_display() in item and "描述相似" in item
    for hidden in (earlier.number, earlier.title, earlier.region.name, "李先生", CALLER, "登记于"):
        assert hidden not in item, hidden
    if earlier.lead_unit_id:
        assert earlier.lead_unit.name not in item
    assert f'name="attach_candidate" value="{earlier.pk}"' in item, "attached by id, as a citizen joins"


def test_panel_query_count_is_bounded(client, earlier, submit_case, django_assert_max_num_queries):
    for n in range(6):
        submit_case(phone=CALLER, text=f"{WAGES} 第{n}次")
    staff_login(client, "gm_hotline")
    client.post(reverse("intake:duplicates"), panel_post())  # warm the session and the directory
    # session, user, memberships, stamp, the place's chain; the selector's 3; the engine's own
    from test_dupes_selector import engine_queries

    from routing.models import MatterType, Region

    place = Region.objects.get(code=PLACE["region_4"]), MatterType.objects.get(code="labor.wages")
    with django_assert_max_num_queries(8 + engine_queries(place, WAGES_AGAIN)):
        response = client.post(reverse("intake:duplicates"), panel_post())
    assert response.content.decode().count('data-testid="duplicate"') == 5


def test_panel_refuses_citizens_and_redirects_anonymous(client, demo, citizen):
    response = client.post(reverse("intake:duplicates"), panel_post())
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.get(reverse("intake:duplicates")).status_code in (302, 405)
    client.force_login(citizen)
    assert client.post(reverse("intake:duplicates"), panel_post()).status_code == 403
    staff_login(client, "gm_labor")  # a handler who is not a grid worker
    assert client.post(reverse("intake:duplicates"), panel_post()).status_code == 403


def test_panel_survives_bad_input(client, demo, engine):
    staff_login(client, "gm_window")
    for data in ({}, {"region_0": "nope", "matter": "x" * 500, "contact_phone": "12"}, {"description": "欠" * 5000}):
        response = client.post(reverse("intake:duplicates"), data)
        assert response.status_code == 200 and 'id="duplicates-title"' in response.content.decode()
    # control characters are refused at the edge (core.request_checks), never a 500
    assert client.post(reverse("intake:duplicates"), {"description": "\x00" * 50}).status_code == 400


def test_register_new_is_kept_through_a_correction(client, earlier):
    staff_login(client, "gm_window")
    response = client.post(
        reverse("intake:window-register"), claim_post(submission_key="d-6", register_new="True", contact_name="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<input type="hidden" name="register_new" value="True">' in page
    assert 'data-testid="duplicates-alert"' not in page
    response = client.post(reverse("intake:window-register"), claim_post(submission_key="d-6", register_new="True"))
    assert response.status_code == 302
    assert Claim.objects.get(submission_key__endswith="d-6").case.status != Status.MERGED
