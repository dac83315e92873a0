"""Duplicates at intake on the citizen's web form (issue #13): "附近已有类似问题正在办理" with a
plain summary and no personal data of others; join it (the claim follows that case with its own
tracking code) or submit separately; nothing typed is lost either way."""

from __future__ import annotations

import dupes_engine
import pytest
from django.urls import reverse

from cases.citizen_words import STAFF_TERMS
from cases.models import Case, Status
from intake.models import Claim

pytestmark = pytest.mark.django_db
engine = dupes_engine.engine

NEIGHBOUR_TEXT = "何秀英反映：老板拖欠三个月工资共计一万二千元，多次讨要都无果，电话13900139000。"


@pytest.fixture
def nearby(demo, engine, submit_case, other_citizen):
    """An open case nearby (明东村, 拖欠工资) reported by another citizen."""
    return submit_case(submitter=other_citizen, phone="13900139000", text=NEIGHBOUR_TEXT)


def test_the_form_asks_first_without_personal_data_of_others(client, citizen, nearby, claim_data):
    client.force_login(citizen)
    data = claim_data(address="明东村工业区 8 号 3 栋")
    response = client.post(reverse("intake:claim-submit"), data)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert Claim.objects.count() == 1, "nothing submitted until the citizen chooses"
    assert "附近已有类似问题正在办理" in page and 'data-testid="similar-case"' in page
    assert "拖欠工资" in page and "明东村" in page
    for private in ("何秀英", "13900139000", "139****9000", nearby.number, nearby.title):
        assert private not in page.split('id="similar-nearby"')[1].split("</section>")[0]
    for typed in (data["description"], "明东村工业区 8 号 3 栋", "夏志明", data["submission_token"]):
        assert typed in page
    assert f'name="join_case" value="{nearby.pk}"' in page
    section = page.split('id="similar-nearby"')[1].split("</section>")[0]
    assert not [term for term in STAFF_TERMS if term in section], "plain words for citizens"


def test_joining_follows_that_case_with_the_own_tracking_code(client, citizen, nearby, claim_data):
    client.force_login(citizen)
    response = client.post(reverse("intake:claim-submit"), claim_data(join_case=str(nearby.pk)))
    assert response.status_code == 302
    claim = Claim.objects.get(submitter=citizen)
    assert claim.case.status == Status.MERGED and claim.case.merged_into_id == nearby.pk
    assert nearby.parties.filter(user=citizen).exists(), "the citizen follows the case they joined"
    event = claim.case.events.get(transition="merge")
    assert event.actor == citizen
    page = client.get(response["Location"], follow=True).content.decode()
    assert "已加入附近正在办理的同一问题" in page and claim.tracking_code in page
    detail = client.get(reverse("intake:claim-detail", args=[claim.tracking_code]))
    assert detail.status_code == 200


def test_a_joined_strangers_case_shows_no_rating_and_masks_numbers_in_the_result(
    client, citizen, other_citizen, nearby, claim_data
):
    client.force_login(citizen)
    client.post(reverse("intake:claim-submit"), claim_data(join_case=str(nearby.pk)))
    claim = Claim.objects.get(submitter=citizen)
    Case.objects.filter(pk=nearby.pk).update(
        status=Status.CLOSED,
        result="已责令老板结清工资，何秀英（13900139000，身份证440608199001011234）已签收。",
        rating="unsatisfied",
        rating_comment="何秀英说：钱只到了一半",
    )
    page = client.get(reverse("intake:claim-detail", args=[claim.tracking_code])).content.decode()
    followed = page.split('data-testid="followed"')[1]
    assert "已责令老板结清工资" in followed and "139****9000" in followed and "440608********1234" in followed
    for private in ("13900139000", "440608199001011234", "钱只到了一半", "不满意"):
        assert private not in page, private
    client.logout()  # the public tracking page, by code and the last four digits, the same
    last4 = claim.contact_phone[-4:]
    tracked = client.post(reverse("intake:track"), {"code": claim.tracking_code, "phone_last4": last4})
    tracked = tracked.content.decode()
    assert "已责令老板结清工资" in tracked and "139****9000" in tracked
    for private in ("13900139000", "440608199001011234", "钱只到了一半"):
        assert private not in tracked, private
    # the one who filed it sees their own case's result and rating in full
    other_claim = Claim.objects.get(case=nearby)
    client.force_login(other_citizen)
    own = client.get(reverse("intake:claim-detail", args=[other_claim.tracking_code])).content.decode()
    assert "13900139000" in own and "钱只到了一半" in own


def test_submitting_separately_opens_a_new_case(client, citizen, nearby, claim_data):
    client.force_login(citizen)
    response = client.post(reverse("intake:claim-submit"), claim_data(similar_choice="separate"))
    assert response.status_code == 302
    case = Claim.objects.get(submitter=citizen).case
    assert case.pk != nearby.pk and case.status == Status.SUBMITTED
    # the pair goes to the dispatcher 待研判, with the citizen's choice noted
    from cases.models import DuplicatePair

    pair = DuplicatePair.objects.get()
    assert {pair.case_a_id, pair.case_b_id} == {nearby.pk, case.pk}
    assert pair.status == "open" and pair.decided_by is None and pair.note == "群众选择单独提交"


@pytest.mark.parametrize("choice", ["999999", "closed", "not-similar", "abc"])
def test_joining_a_case_that_is_not_offered_is_refused(
    client, citizen, other_citizen, nearby, claim_data, submit_case, choice
):
    if choice == "closed":
        Case.objects.filter(pk=nearby.pk).update(status=Status.CLOSED)
        choice = str(nearby.pk)
    elif choice == "not-similar":  # open, but another place and another matter
        choice = str(
            submit_case(
                region="440604010001", matter="labor.contract", text="公司不签劳动合同", submitter=other_citizen
            ).pk
        )
    client.force_login(citizen)
    response = client.post(reverse("intake:claim-submit"), claim_data(join_case=choice))
    assert response.status_code == 400
    assert "您选择加入的问题已经办完或不在附近正在办理的问题之列" in response.content.decode()
    assert not Claim.objects.filter(submitter=citizen).exists()


def test_no_similar_case_submits_straight_away(client, citizen, demo, engine, claim_data):
    client.force_login(citizen)
    assert client.post(reverse("intake:claim-submit"), claim_data()).status_code == 302


def test_a_retry_of_a_submitted_form_is_not_asked_again(client, citizen, nearby, claim_data):
    client.force_login(citizen)
    data = claim_data(similar_choice="separate")
    first = client.post(reverse("intake:claim-submit"), data)
    second = client.post(reverse("intake:claim-submit"), {k: v for k, v in data.items() if k != "similar_choice"})
    assert first["Location"] == second["Location"] and Claim.objects.filter(submitter=citizen).count() == 1


def test_a_logged_out_citizen_is_asked_after_signing_in_and_keeps_the_text(client, nearby, claim_data):
    import re

    from notifications.models import OutboxMessage
    from notifications.services import outbox_text

    phone = "13712345678"
    data = claim_data(contact_phone=phone, contact_name="何秀英", address="明东村西街 2 号")
    client.post(reverse("intake:claim-submit"), {**data, "action": "send_code"})
    message = OutboxMessage.objects.filter(recipient_phone=phone).latest("id")
    code = re.search(r"\d{6}", outbox_text(message)).group(0)
    response = client.post(reverse("intake:claim-submit"), {**data, "sms_code": code, "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "附近已有类似问题正在办理" in page and "明东村西街 2 号" in page and data["description"] in page
    assert not Claim.objects.filter(contact_phone=phone).exists()
    response = client.post(reverse("intake:claim-submit"), {**data, "join_case": str(nearby.pk)})
    assert response.status_code == 302
    assert Claim.objects.get(contact_phone=phone).case.merged_into_id == nearby.pk
