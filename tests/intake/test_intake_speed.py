"""Intake speed (issue #16): a window claim registered and accepted (routed, assigned) in a pinned
number of queries, with exactly the events and messages it always wrote, and one delivery task."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from intake.models import Claim
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

WALK_IN = {
    "contact_name": "何秀英",
    "contact_phone": "13900139000",
    "id_number": "44060819850101234X",
    "matter": "labor.wages",
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
    "address": "明东村工业区 3 号",
    "description": "在明东村五金厂打工，老板拖欠两个月工资八千元。",
    "people_count": "1",
    "next_step": "accept",
}


def _events(case):
    return [
        (
            e.transition,
            e.from_status,
            e.to_status,
            e.actor and e.actor.username,
            e.actor_unit and e.actor_unit.code,
            e.note,
            e.public,
        )
        for e in CaseEvent.objects.filter(case=case).select_related("actor", "actor_unit").order_by("id")
    ]


def _messages(since):
    return [
        (m.channel, m.kind, m.recipient_phone, m.recipient_user and m.recipient_user.username, m.body, m.status)
        for m in OutboxMessage.objects.filter(id__gt=since).select_related("recipient_user").order_by("id")
    ]


def test_a_window_claim_writes_exactly_these_events_and_messages(login, django_capture_on_commit_callbacks):
    clerk = login("gm_window")
    since = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(reverse("intake:window-register"), {**WALK_IN, "submission_key": "speed-1"})
    claim = Claim.objects.select_related("case").get()
    case = claim.case
    assert response.status_code == 302
    assert _events(case) == [
        ("submit", "", "submitted", "gm_window", "GM-ZX", "通过“窗口登记”登记", True),
        ("accept", "submitted", "accepted", "gm_window", "GM-ZX", "", True),
        (
            "dispatch",
            "accepted",
            "dispatched",
            None,
            None,
            "按分派规则 labor-wages 自动派单；主办：高明区人力资源和社会保障局；协办：明城镇综治中心",
            True,
        ),
    ]
    number, code = case.number, claim.tracking_code
    title = "拖欠工资：在明东村五金厂打工，老板拖欠两个月工资八千元。"
    assert _messages(since) == [
        (
            "sms",
            "tracking_code",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您的诉求已登记，编号 {number}，查询码 {code}。可凭查询码和手机号后四位查询办理进度。",
            "sent",
        ),
        (
            "sms",
            "case_update",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您反映的诉求（编号 {number}）已受理，我们将尽快交由责任单位办理。",
            "sent",
        ),
        (
            "sms",
            "case_update",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您的诉求（编号 {number}）已交由高明区人力资源和社会保障局办理。",
            "sent",
        ),
        ("inapp", "case_assignment", "", "gm_labor", f"新派案件 {number}：{title}，请及时签收。", "sent"),
        (
            "inapp",
            "case_assignment",
            "",
            "mc_centre",
            f"案件 {number}：{title} 由高明区人力资源和社会保障局主办，请贵单位协助办理。",
            "sent",
        ),
    ]
