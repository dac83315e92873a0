"""Fixtures for the citizen's voice and the call-back (feedback app, issue #11)."""

from __future__ import annotations

import re

import pytest

from cases import services as s
from cases.models import Outcome
from notifications.models import OutboxMessage
from notifications.services import outbox_text

LINK = re.compile(r"/r/([A-Za-z0-9_-]{32})/")


@pytest.fixture
def to_feedback(user, fresh):
    """``to_feedback(case)``: accepted, signed, result submitted and approved → 待评价 (the result
    SMS with the rating link goes to the applicant)."""

    def run(case):
        s.case_accept(case=fresh(case), actor=user("gm_window"))
        s.case_sign(case=fresh(case), actor=user("gm_labor"))
        s.case_submit_result(
            case=fresh(case), actor=user("gm_labor"), result="企业已足额支付拖欠工资", outcome=Outcome.RESOLVED
        )
        s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
        return fresh(case)

    return run


@pytest.fixture
def link_token():
    """``link_token(phone)``: the token in the latest rating link texted to ``phone`` (read as the
    recipient reads the SMS)."""

    def read(phone="13800138000"):
        message = OutboxMessage.objects.filter(recipient_phone=phone, body__contains="/r/").order_by("-id").first()
        assert message is not None, "no rating link was texted"
        return LINK.search(outbox_text(message)).group(1)

    return read


@pytest.fixture
def walk_in(demo, user):
    """``walk_in(phone=…)``: a window claim for a claimant without an account; returns the Claim."""
    from intake.services import claim_submit
    from routing.models import MatterType, Region

    def make(phone="13700137000", name="李大伯"):
        claim, _created = claim_submit(
            channel="window",
            matter=MatterType.objects.get(code="labor.wages"),
            region=Region.objects.get(code="440608102201"),
            description="工地老板拖欠两个月工资，共八千元。",
            contact_name=name,
            contact_phone=phone,
            registered_by=user("gm_window"),
        )
        return claim

    return make
