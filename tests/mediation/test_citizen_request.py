"""申请调解 (issue #14): the citizen's request, the centre's confirmation, the other party's
single-use invitation link, with every permission cell and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from cases.models import Case, PartyRole, Status
from mediation.citizen import services as rs
from mediation.models import Mediation, MediationRequest, MediationStatus, RequestStatus
from notifications.models import OutboxMessage
from routing.models import Unit
from tests.consult.conftest import issue, questionnaires  # noqa: F401 (fixtures)

REGION = "440608102201"  # 明东村
NEW = reverse("mediation:request-new")


def _form(**over):
    data = {
        "matter": "labor.wages",
        "region": REGION,
        "description": "明东村五金厂拖欠我三个月工资，希望调解员帮忙协商。",
        "other_name": "明东五金制品厂",
        "other_phone": "13700137000",
        "preferred": "",
        "consent": "on",
    }
    data.update(over)
    return data


@pytest.fixture
def made(mediators, citizen):
    """``made()`` → a pending request by the demo citizen, preferring the top recommendation."""
    from routing.models import MatterType, Region

    def make(**over):
        matter = MatterType.objects.get(code="labor.wages")
        region = Region.objects.get(code=REGION)
        top = rs.recommended_for(matter, region)[0].profile
        kw = {
            "applicant": citizen,
            "matter": matter,
            "region": region,
            "description": "明东村五金厂拖欠我三个月工资，希望调解员帮忙协商。",
            "other_name": "明东五金制品厂",
            "other_phone": "13700137000",
            "preferred": top,
        }
        kw.update(over)
        return rs.request_submit(**kw)

    return make


def _invite(made_request, user) -> str:
    """Confirm as gm_dispatch and return the raw token read from the SMS."""
    rs.request_confirm(request=made_request, actor=user("gm_dispatch"), mediator=made_request.preferred_mediator)
    sms = OutboxMessage.objects.filter(kind="mediation_invite", recipient_phone="13700137000").latest("pk")
    assert sms.secret not in sms.body  # the stored body never holds the token
    return sms.secret


# The citizen's page ---------------------------------------------------------------------------


def test_request_page_needs_login_and_refuses_staff(client, login, demo):
    assert client.get(NEW).status_code == 302
    assert login("gm_dispatch").get(NEW).status_code == 403


def test_region_preset_and_unknown_letter_are_accepted(login, citizen, mediators):
    page = login(citizen).get(NEW + f"?region={REGION}&letter=NO-SUCH-LETTER")
    assert page.status_code == 200
    assert "明东村" in page.content.decode() or REGION in page.content.decode()
    assert login(citizen).get(NEW + "?region=<script>&letter=" + "x" * 500).status_code == 200


def test_preview_shows_three_recommended_mediators_without_personal_data(login, citizen, mediators):
    page = login(citizen).post(NEW, {"matter": "labor.wages", "region": REGION, "preview": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    radios = re.findall(r'name="preferred" value="(\d+)"', html)
    assert len(radios) == 3
    assert "当前在办" not in html and "综合得分" not in html  # the staff's scoring stays with staff
    assert not MediationRequest.objects.exists()


def test_preview_keeps_what_was_typed_and_the_cascade_place(login, citizen, mediators):
    from routing.models import Region

    chain = Region.objects.get(code=REGION).ancestor_codes
    data = {f"region_{i}": code for i, code in enumerate(chain)}
    data.update({"matter": "labor.wages", "description": "对方拖欠工资三个月不给", "preview": "1"})
    html = login(citizen).post(NEW, data).content.decode()
    assert "对方拖欠工资三个月不给" in html
    assert f'value="{REGION}" selected' in html
    assert len(re.findall(r'name="preferred" value="(\d+)"', html)) == 3
    assert not MediationRequest.objects.exists()


def test_citizen_submits_a_request(login, citizen, mediators):
    client = login(citizen)
    preview = client.post(NEW, {"matter": "labor.wages", "region": REGION, "preview": "1"}).content.decode()
    first = re.findall(r'name="preferred" value="(\d+)"', preview)[0]
    response = client.post(NEW, _form(preferred=first))
    made = MediationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mediation:request-detail", args=[made.pk])
    assert made.status == RequestStatus.PENDING and made.preferred_mediator_id == int(first)
    case = made.case
    assert case.status == Status.SUBMITTED and case.channel == "web"
    roles = {p.role: p for p in case.parties.all()}
    assert roles[PartyRole.RESPONDENT].phone == "13700137000" and roles[PartyRole.APPLICANT].user_id == citizen.pk
    page = client.get(response["Location"]).content.decode()
    assert "等待中心确认" in page
    assert "等待中心确认" in client.get(reverse("mediation:request-mine")).content.decode()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"matter": "urban.noise"}, "不能申请调解"),
        ({"other_phone": "12345"}, "11 位手机号"),
        ({"other_phone": "13800138000"}, "不能是您本人"),
        ({"other_name": " "}, "对方的姓名"),
        ({"description": "太短"}, "至少"),
        ({"region": "440608"}, "乡镇"),
        ({"preferred": "999999"}, "重新选择"),
        ({"consent": ""}, "个人信息保护说明"),
    ],
)
def test_bad_input_stores_nothing(login, citizen, mediators, over, message):
    response = login(citizen).post(NEW, _form(**over))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MediationRequest.objects.exists() and not Case.objects.exists()


def test_another_citizens_request_is_404(login, made, user):
    request = made()
    other = User.objects.get(phone="13900139000")
    assert login(other).get(reverse("mediation:request-detail", args=[request.pk])).status_code == 404


# The centre ------------------------------------------------------------------------------------


def test_centre_list_masks_the_phone_and_is_scoped(login, made, user, django_assert_max_num_queries):
    made()
    made(other_phone="13700137001")
    client = login("gm_dispatch")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("mediation:centre-request-list"))
    html = page.content.decode()
    assert page.status_code == 200 and "137****7000" in html and "13700137000" not in html
    assert login("gm_labor").get(reverse("mediation:centre-request-list")).status_code == 403
    assert login("gm_window").get(reverse("mediation:centre-request-list")).status_code == 403


def _outside_dispatcher():
    other = User.objects.create_user(username="cc_dispatch", password="x", full_name="禅城调度")
    Membership.objects.create(user=other, unit=Unit.objects.get(code="CC-ZX"), role=Role.DISPATCHER)
    return other


def test_confirm_page_permissions(login, made, citizen):
    request = made()
    url = reverse("mediation:centre-request-confirm", args=[request.pk])
    page = login("gm_dispatch").get(url)
    assert page.status_code == 200 and "推荐的调解员" in page.content.decode()
    outside = login(_outside_dispatcher())
    assert outside.get(url).status_code == 404
    assert outside.post(url, {"mediator": ""}).status_code == 404
    assert login("gm_labor").get(url).status_code == 403
    assert login(citizen).get(url).status_code == 403
    assert MediationRequest.objects.get().status == RequestStatus.PENDING


def test_confirm_accepts_the_case_and_texts_the_other_party(login, made, fresh):
    request = made()
    url = reverse("mediation:centre-request-confirm", args=[request.pk])
    response = login("gm_dispatch").post(url, {"mediator": str(request.preferred_mediator_id)})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.INVITING and request.token_hash
    assert fresh(request.case).status != Status.SUBMITTED
    sms = OutboxMessage.objects.get(kind="mediation_invite", recipient_phone="13700137000")
    assert sms.secret and sms.secret not in sms.body and len(request.token_hash) == 64
    assert rs.invite_url(sms.secret).endswith(f"/mediation/invite/{sms.secret}/")
    again = login("gm_dispatch").post(url, {"mediator": ""})
    assert again.status_code == 409 and "该调解申请已处理" in again.content.decode()


def test_confirm_refuses_an_unknown_mediator(login, made):
    request = made()
    url = reverse("mediation:centre-request-confirm", args=[request.pk])
    response = login("gm_dispatch").post(url, {"mediator": "999999"})
    assert response.status_code == 400
    assert MediationRequest.objects.get().status == RequestStatus.PENDING


# The invitation link ---------------------------------------------------------------------------


def _link(raw: str) -> str:
    return reverse("mediation:invitation", args=[raw])


def test_accepting_by_link_starts_the_mediation(client, made, user):
    request = made()
    raw = _invite(request, user)
    page = client.get(_link(raw))
    assert page.status_code == 200 and "同意调解" in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin"
    assert "夏志明" not in page.content.decode()
    done = client.post(_link(raw), {"answer": "accept"})
    assert done.status_code == 200 and "您已同意调解" in done.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    mediation = Mediation.objects.get(case=request.case)
    assert request.mediation_id == mediation.pk
    assert mediation.status == MediationStatus.ASSIGNED and mediation.mediator_id == request.mediator_id
    # reused: nothing changes, the page says it was answered
    again = client.post(_link(raw), {"answer": "decline"})
    assert again.status_code == 200 and "已答复过" in again.content.decode()
    assert MediationRequest.objects.get().status == RequestStatus.ACCEPTED
    assert Mediation.objects.count() == 1


def test_declining_by_link_opens_no_mediation(client, made, user, citizen):
    request = made()
    raw = _invite(request, user)
    client.post(_link(raw), {"answer": "decline"})
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED and not Mediation.objects.exists()
    assert OutboxMessage.objects.filter(recipient_user=citizen, body__contains="不同意调解").exists()


def test_forged_link_is_404_and_changes_nothing(client, made, user):
    request = made()
    raw = _invite(request, user)
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    for url in (_link(forged), _link("short"), _link("x" * 200)):
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "accept"}).status_code == 404
    assert MediationRequest.objects.get().status == RequestStatus.INVITING and not Mediation.objects.exists()


def test_expired_link_is_refused(client, made, user):
    request = made()
    raw = _invite(request, user)
    MediationRequest.objects.filter(pk=request.pk).update(invite_expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(_link(raw), {"answer": "accept"})
    assert response.status_code == 410 and "已过期" in response.content.decode()
    assert MediationRequest.objects.get().status == RequestStatus.EXPIRED and not Mediation.objects.exists()
    assert client.get(_link(raw)).status_code == 410


def test_bad_answer_changes_nothing(client, made, user):
    request = made()
    raw = _invite(request, user)
    assert client.post(_link(raw), {"answer": "maybe"}).status_code == 400
    assert MediationRequest.objects.get().status == RequestStatus.INVITING


def test_unavailable_mediator_leaves_the_mediation_to_assign(client, made, user):
    request = made()
    raw = _invite(request, user)
    profile = request.preferred_mediator
    type(profile).objects.filter(pk=profile.pk).update(active=False)
    client.post(_link(raw), {"answer": "accept"})
    assert Mediation.objects.get().status == MediationStatus.REQUESTED


def test_citizen_pages_are_plain(login, made, user, client):
    from tests.intake.test_citizen_glossary import assert_plain

    request = made()
    citizen_client = login(request.applicant)
    assert_plain("request form", citizen_client.get(NEW + f"?region={REGION}").content.decode())
    assert_plain(
        "request detail", citizen_client.get(reverse("mediation:request-detail", args=[request.pk])).content.decode()
    )
    raw = _invite(request, user)
    assert_plain("invitation", client.get(_link(raw)).content.decode())
    sms = OutboxMessage.objects.get(kind="mediation_invite", recipient_phone="13700137000")
    assert_plain("invitation SMS", sms.body)
    assert_plain("answered", client.post(_link(raw), {"answer": "accept"}).content.decode())
    assert_plain("my requests", citizen_client.get(reverse("mediation:request-mine")).content.decode())


def test_the_pages_are_reachable_from_home_and_the_workbench(login, citizen, mediators):
    home = login(citizen).get(reverse("home")).content.decode()
    assert reverse("mediation:request-new") in home and reverse("suggestions:topic-list") in home
    workbench = login("gm_dispatch").get(reverse("mediation:mediation-list")).content.decode()
    assert reverse("mediation:centre-request-list") in workbench
    assert (
        reverse("mediation:centre-request-list")
        not in login("gm_mediator").get(reverse("mediation:mediation-list")).content.decode()
    )


def test_own_list_does_not_grow_queries_with_rows(login, made, citizen, django_assert_max_num_queries):
    for i in range(3):
        made(other_phone=f"1370013700{i}")
    client = login(citizen)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("mediation:request-mine"))
    assert page.content.decode().count("等待中心确认") == 3


def test_masked_name_in_the_invitation():
    assert rs.mask_name("夏志明") == "夏**"
    assert rs.mask_name("") == "一位群众"


def test_the_hourly_sweep_expires_invitations_once(made, user, citizen):
    from mediation.tasks import mediation_invitations_expire

    request = made()
    _invite(request, user)
    assert mediation_invitations_expire() == 0
    MediationRequest.objects.filter(pk=request.pk).update(invite_expires_at=timezone.now() - timedelta(minutes=1))
    assert mediation_invitations_expire() == 1
    assert mediation_invitations_expire() == 0
    assert MediationRequest.objects.get().status == RequestStatus.EXPIRED
    assert OutboxMessage.objects.filter(recipient_user=citizen, body__contains="未在期限内答复").count() == 1


def test_a_guidance_letter_prefills_the_request(login, citizen, mediators, issue):  # noqa: F811
    """智能咨询's 申请调解 link (``?letter=<code>``) starts the request from the letter's draft."""
    from consult.models import GuidanceLetter

    issue()
    letter = GuidanceLetter.objects.get()
    page = login(citizen).get(NEW + f"?letter={letter.code}")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["description"].startswith("我想反映的是拖欠工资方面的问题。")
    assert initial["matter"] == "labor.wages"
    assert "我想反映的是拖欠工资方面的问题。" in page.content.decode()
