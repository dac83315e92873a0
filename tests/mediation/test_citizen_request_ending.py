# ruff: noqa: F811  (the ``made`` fixture is imported from the neighbouring module)
"""申请调解 ending early (issue #14 review): the centre refuses with a reason, the citizen cancels,
the claim is withdrawn or closed; the other party's link then says so and changes nothing. And the
accept path when the confirming dispatcher is gone (``accept_actor``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Membership, Role, User
from cases import services as cs
from cases.models import Status
from mediation.citizen import services as rs
from mediation.models import Mediation, MediationRequest, MediationStatus, RequestStatus
from notifications.models import OutboxMessage
from tests.consult.conftest import issue, questionnaires  # noqa: F401 (fixtures of the imported module)
from tests.mediation.test_citizen_request import _invite, _link, made  # noqa: F401 (fixture)


def _confirm_url(request) -> str:
    return reverse("mediation:centre-request-confirm", args=[request.pk])


def _detail(request) -> str:
    return reverse("mediation:request-detail", args=[request.pk])


def _assert_link_dead(client, raw, words: str):
    """GET and both answers: a 410 page in plain words, and nothing changes."""
    page = client.get(_link(raw))
    before = MediationRequest.objects.values_list("status", flat=True).get()  # after the page's sync
    assert page.status_code == 410 and "这次调解邀请已取消" in page.content.decode()
    assert words in page.content.decode()
    for answer in ("accept", "decline"):
        response = client.post(_link(raw), {"answer": answer})
        assert response.status_code == 410 and words in response.content.decode()
    assert MediationRequest.objects.values_list("status", flat=True).get() == before
    assert not Mediation.objects.exists()


# The centre refuses ----------------------------------------------------------------------------


def test_centre_refuses_a_pending_request_with_a_reason(login, made, citizen):
    request = made()
    client = login("gm_dispatch")
    page = client.get(_confirm_url(request)).content.decode()
    assert "不予调解" in page
    response = client.post(_confirm_url(request), {"refuse": "1", "reason": "对方已向法院起诉，请等待法院处理。"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED and request.ended_by.username == "gm_dispatch"
    assert request.end_reason == "对方已向法院起诉，请等待法院处理。"
    # the citizen reads the reason in plain words, on the page and in a message
    mine = login(citizen).get(_detail(request)).content.decode()
    assert "对方已向法院起诉，请等待法院处理。" in mine and "暂不适合调解" in mine
    assert "撤销调解申请" not in mine  # nothing left to cancel
    assert OutboxMessage.objects.filter(recipient_user=citizen, body__contains="对方已向法院起诉").exists()
    # the claim stays with the centre for ordinary handling
    assert request.case.status == Status.SUBMITTED
    # a second refusal or a confirmation now is refused
    again = client.post(_confirm_url(request), {"refuse": "1", "reason": "再次不予调解的理由"})
    assert again.status_code == 409 and "该调解申请已处理" in again.content.decode()
    assert client.post(_confirm_url(request), {"mediator": ""}).status_code == 409


@pytest.mark.parametrize(
    ("reason", "words"), [("", "请写明不予调解的理由"), ("不行", "至少 5 个字"), ("长" * 501, "不能超过")]
)
def test_refusal_needs_a_reason(login, made, reason, words):
    request = made()
    response = login("gm_dispatch").post(_confirm_url(request), {"refuse": "1", "reason": reason})
    assert response.status_code == 400 and words in response.content.decode()
    assert MediationRequest.objects.get().status == RequestStatus.PENDING


def test_refusal_permissions(login, made, citizen):
    request = made()
    outside = User.objects.create_user(username="cc_dispatch2", password="x", full_name="禅城调度")
    from routing.models import Unit

    Membership.objects.create(user=outside, unit=Unit.objects.get(code="CC-ZX"), role=Role.DISPATCHER)
    data = {"refuse": "1", "reason": "不适合调解的理由写在这里"}
    assert login(outside).post(_confirm_url(request), data).status_code == 404
    assert login("gm_labor").post(_confirm_url(request), data).status_code == 403
    assert login(citizen).post(_confirm_url(request), data).status_code == 403
    with pytest.raises(PermissionDenied):  # the service checks again
        rs.request_refuse(request=request, actor=User.objects.get(username="gm_labor"), reason="不适合调解的理由")
    assert MediationRequest.objects.get().status == RequestStatus.PENDING


def test_other_party_accepting_after_refusal_changes_nothing(client, login, made, user):
    request = made()
    raw = _invite(request, user)
    response = login("gm_dispatch").post(_confirm_url(request), {"refuse": "1", "reason": "双方已自行和解，无需调解。"})
    assert response.status_code == 302
    _assert_link_dead(client, raw, "中心已决定不安排这次调解")
    assert MediationRequest.objects.get().status == RequestStatus.REFUSED


# The citizen cancels ---------------------------------------------------------------------------


def test_citizen_cancels_a_pending_request(login, made, citizen, fresh):
    request = made()
    client = login(citizen)
    page = client.get(_detail(request)).content.decode()
    assert "撤销调解申请" in page
    response = client.post(reverse("mediation:request-cancel", args=[request.pk]))
    assert response.status_code == 302 and response["Location"] == _detail(request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert fresh(request.case).status == Status.WITHDRAWN  # the claim it opened goes with it
    after = client.get(_detail(request)).content.decode()
    assert "您已撤销这份申请" in after and "撤销调解申请" not in after
    # again: a plain message, nothing changes
    again = client.post(reverse("mediation:request-cancel", args=[request.pk]), follow=True)
    assert "不能再撤销" in again.content.decode()
    assert MediationRequest.objects.get().status == RequestStatus.CANCELLED
    # the centre's confirm page now offers nothing
    centre = login("gm_dispatch").get(_confirm_url(request)).content.decode()
    assert "确认并短信邀请对方" not in centre and 'name="refuse"' not in centre


def test_cancel_permissions(client, login, made, user):
    request = made()
    url = reverse("mediation:request-cancel", args=[request.pk])
    assert client.post(url).status_code == 302 and "login" in client.post(url)["Location"]
    other = User.objects.get(phone="13900139000")
    assert login(other).post(url).status_code == 404
    assert login("gm_dispatch").post(url).status_code == 403
    assert login(request.applicant).get(url).status_code == 200  # the confirmation page
    assert login(other).get(url).status_code == 404
    assert MediationRequest.objects.get().status == RequestStatus.PENDING


def test_other_party_accepting_after_cancel_changes_nothing(client, login, made, user):
    request = made()
    raw = _invite(request, user)
    login(request.applicant).post(reverse("mediation:request-cancel", args=[request.pk]))
    _assert_link_dead(client, raw, "申请人已撤销调解申请")
    assert MediationRequest.objects.get().status == RequestStatus.CANCELLED


# The claim is withdrawn or closed --------------------------------------------------------------


def test_other_party_accepting_after_the_claim_was_withdrawn_changes_nothing(client, made, user, fresh):
    request = made()
    raw = _invite(request, user)
    cs.case_withdraw(case=fresh(request.case), actor=request.applicant, reason="已和对方私下谈妥")
    _assert_link_dead(client, raw, "已经撤回或办结")
    assert MediationRequest.objects.get().status == RequestStatus.CLOSED  # synced by the page
    with pytest.raises(rs.InvitationGone):
        rs.invitation_answer(raw=raw, accept=True)


def test_a_withdrawn_claim_is_no_longer_pending(login, made, fresh, citizen):
    request = made()
    cs.case_withdraw(case=fresh(request.case), actor=citizen, reason="不需要了")
    centre = login("gm_dispatch")
    url = reverse("mediation:centre-request-list")
    assert not centre.get(url).context["rows"]  # no longer among the pending ones, before any sweep
    assert [r.pk for r in centre.get(url + "?status=closed").context["rows"]] == [request.pk]
    mine = login(citizen).get(reverse("mediation:request-mine")).content.decode()
    assert "您的诉求已撤回或办结" in mine and "等待中心确认" not in mine
    page = login(citizen).get(_detail(request)).content.decode()
    assert "您的诉求已撤回或办结" in page
    assert MediationRequest.objects.get().status == RequestStatus.CLOSED


def test_the_hourly_sweep_ends_requests_of_ended_claims_in_one_update(made, fresh, citizen, django_assert_num_queries):
    from mediation.tasks import mediation_invitations_expire

    first, second = made(), made(other_phone="13700137009")
    cs.case_withdraw(case=fresh(first.case), actor=citizen, reason="不需要了")
    with django_assert_num_queries(2):  # the set-based UPDATE, then the (empty) expiry scan
        mediation_invitations_expire()
    assert MediationRequest.objects.get(pk=first.pk).status == RequestStatus.CLOSED
    assert MediationRequest.objects.get(pk=second.pk).status == RequestStatus.PENDING


# Accepting when the confirming dispatcher is gone ----------------------------------------------


def _second_dispatcher():
    from routing.models import Unit

    other = User.objects.create_user(username="gm_dispatch2", password="x", full_name="高明调度二")
    Membership.objects.create(user=other, unit=Unit.objects.get(code="GM-ZX"), role=Role.DISPATCHER)
    return other


@pytest.mark.parametrize("gone", ["inactive_user", "membership_ended"])
def test_accept_falls_back_to_another_dispatcher_of_the_centre(client, made, user, gone):
    request = made()
    raw = _invite(request, user)
    backup = _second_dispatcher()
    confirmer = User.objects.get(username="gm_dispatch")
    if gone == "inactive_user":
        User.objects.filter(pk=confirmer.pk).update(is_active=False)
    else:
        Membership.objects.filter(user=confirmer, role=Role.DISPATCHER).update(active=False)
    done = client.post(_link(raw), {"answer": "accept"})
    assert done.status_code == 200 and "您已同意调解" in done.content.decode()
    mediation = Mediation.objects.get()
    assert mediation.requested_by_id == backup.pk
    assert mediation.status == MediationStatus.ASSIGNED


def test_accept_with_no_dispatcher_left_keeps_the_agreement(client, made, user, citizen):
    request = made()
    raw = _invite(request, user)
    Membership.objects.filter(unit__code="GM-ZX", role=Role.DISPATCHER).update(active=False)
    done = client.post(_link(raw), {"answer": "accept"})
    assert done.status_code == 200 and "您已同意调解" in done.content.decode()
    assert MediationRequest.objects.get().status == RequestStatus.ACCEPTED
    assert not Mediation.objects.exists()
    assert OutboxMessage.objects.filter(recipient_user=citizen, body__contains="中心会尽快安排").exists()
    event = request.case.events.filter(transition="mediation_invite_answer").latest("pk")
    assert "请中心人工安排" in event.note


def test_accept_when_the_case_already_has_a_mediation_keeps_the_agreement(client, made, user, fresh):
    from mediation import services as ms

    request = made()
    raw = _invite(request, user)
    ms.mediation_request(case=fresh(request.case), actor=user("gm_dispatch"), note="中心已另行安排调解。")
    done = client.post(_link(raw), {"answer": "accept"})
    assert done.status_code == 200
    assert MediationRequest.objects.get().status == RequestStatus.ACCEPTED
    assert Mediation.objects.count() == 1
    assert OutboxMessage.objects.filter(body__contains="未能自动开始").exists()


def test_the_ending_pages_are_plain(client, login, made, user, citizen):
    from tests.intake.test_citizen_glossary import assert_plain

    refused = made()
    raw = _invite(refused, user)
    rs.request_refuse(request=refused, actor=user("gm_dispatch"), reason="对方已向法院起诉，请等待法院处理。")
    assert_plain("refused request", login(citizen).get(_detail(refused)).content.decode())
    assert_plain("link after refusal", client.get(_link(raw)).content.decode())
    cancelled = made(other_phone="13700137008")
    page = login(citizen).get(_detail(cancelled)).content.decode()
    assert_plain("request with the cancel form", page)
    login(citizen).post(reverse("mediation:request-cancel", args=[cancelled.pk]))
    assert_plain("cancelled request", login(citizen).get(_detail(cancelled)).content.decode())
