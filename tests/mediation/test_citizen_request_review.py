# ruff: noqa: F811  (the ``made`` fixture is imported from the neighbouring module)
"""Review fixes on 申请调解 (issue #14): the invitation SMS is kept as the record (token masked),
a dispatcher who acts on a request another has just handled is told so plainly, and 撤销调解申请
asks for confirmation first, saying that the claim is withdrawn too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Status
from mediation.models import MediationRequest, RequestStatus
from notifications.models import OutboxMessage
from notifications.services import notifications_one_time_purge
from tests.consult.conftest import issue, questionnaires  # noqa: F401 (fixtures of the imported module)
from tests.mediation.test_citizen_request import _invite, made  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_invitation_sms_outlives_the_one_time_purge(made, user):
    request = made()
    raw = _invite(request, user)
    sms = OutboxMessage.objects.get(kind="mediation_invite", recipient_phone="13700137000")
    assert not sms.one_time and raw not in sms.body
    OutboxMessage.objects.filter(pk=sms.pk).update(created_at=timezone.now() - timedelta(days=2))
    notifications_one_time_purge()
    kept = OutboxMessage.objects.get(pk=sms.pk)  # the record of the invitation stays
    assert kept.secret == "" and raw not in kept.body


def test_a_second_dispatcher_is_told_the_request_was_handled(login, made):
    request = made()
    url = reverse("mediation:centre-request-confirm", args=[request.pk])
    first, second = login("gm_dispatch"), login("gm_dispatch")
    assert second.get(url).status_code == 200  # both have the page open
    assert first.post(url, {"mediator": str(request.preferred_mediator_id)}).status_code == 302
    refuse = {"refuse": "1", "reason": "对方已向法院起诉。"}
    for data in ({"mediator": ""}, "first refuses", refuse):
        if data == "first refuses":
            assert first.post(url, refuse).status_code == 302
            continue
        response = second.post(url, data)
        html = response.content.decode()
        assert response.status_code == 409 and "该调解申请已处理" in html
        assert url in html and reverse("mediation:centre-request-list") in html  # a way back
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED


def test_cancelling_asks_first_and_says_the_claim_goes_too(login, made, citizen, fresh):
    request = made()
    client = login(citizen)
    url = reverse("mediation:request-cancel", args=[request.pk])
    detail = client.get(reverse("mediation:request-detail", args=[request.pk])).content.decode()
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail  # one click does not cancel
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "确定撤销" in html and "也一并撤回" in html
    assert request.case.number in html and 'method="post"' in html
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and fresh(request.case).status != Status.WITHDRAWN
    assert client.post(url).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED and fresh(request.case).status == Status.WITHDRAWN
    # nothing left to cancel: the confirmation page sends back to the request
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("mediation:request-detail", args=[request.pk])
    assert MediationRequest.objects.get().status == RequestStatus.CANCELLED
