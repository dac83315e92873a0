"""A hotline clerk attaches a repeat call from the duplicate suggestion (issue #13).

The caller rang last week about unpaid wages. This time the clerk types the call as a new one; the
panel beside the form lists the open case with its reason ("同一来电号码") as the description is
typed, and one click on "并入此案" registers the call and attaches it to that case, whose page then
shows the new claim.
"""

from __future__ import annotations

import dupes_engine
import pytest
from test_accessibility import axe_violations, describe
from test_journeys import PLACE, nav_link, pick_region, shot
from test_role_homes import click_and_wait, login

from cases.models import Status
from intake.models import Claim

pytestmark = pytest.mark.e2e
engine = dupes_engine.engine

CALLER = "13700137000"


def test_hotline_clerk_attaches_a_repeat_call_from_the_suggestion(live_server, demo, engine, page, screenshots):
    from accounts.models import User
    from cases.services import case_accept
    from intake.services import claim_submit
    from routing.models import Channel, MatterType, Region

    clerk = User.objects.get(username="gm_hotline")
    earlier, _created = claim_submit(
        channel=Channel.HOTLINE,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(name="明东村"),
        description="明东村电子厂拖欠两个月工资共八千元，老板一直推说没钱。",
        contact_name="李先生",
        contact_phone=CALLER,
        registered_by=clerk,
    )
    case_accept(case=earlier.case, actor=clerk)
    target = earlier.case

    login(page, live_server.url, "gm_hotline")
    click_and_wait(page, nav_link(page, "热线登记"))
    form = page.locator("main form")
    form.locator("#id_contact_phone").press_sequentially(CALLER)
    form.locator("#id_contact_name").fill("李先生")
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_description").press_sequentially("再次来电：电子厂仍未支付拖欠的工资，催问进度。")

    panel = page.locator("#duplicates")
    candidate = panel.get_by_test_id("duplicate").filter(has_text=target.number)
    candidate.wait_for()
    assert "同一来电号码" in candidate.get_by_test_id("duplicate-reason").inner_text()
    assert "明东村电子厂拖欠" in candidate.inner_text()  # the clerk's own centre: the title is shown
    shot(page, screenshots, "13-repeat-call-suggestion")
    violations = axe_violations(page)
    assert not violations, describe("hotline form with suggestions", page.url, violations)

    click_and_wait(page, candidate.get_by_role("button", name=f"并入此案 {target.number}"))
    assert "/window/receipt/" in page.url, page.locator("main").inner_text()
    assert page.get_by_text(f"已登记并并入案件 {target.number}").is_visible()
    code = page.get_by_test_id("receipt").get_by_test_id("tracking-code").inner_text()
    new_claim = Claim.objects.select_related("case").get(tracking_code=code)
    assert new_claim.case.status == Status.MERGED and new_claim.case.merged_into_id == target.pk

    page.goto(f"{live_server.url}/cases/{target.number}/")
    main = page.locator("main")
    assert f"合并了重复诉求 {new_claim.case.number}" in main.inner_text()
    claims = main.get_by_test_id("claims")
    assert claims.get_by_test_id("claim").count() == 2, "the case shows the new claim beside the first"
    merged = claims.get_by_test_id("claim").filter(has=page.get_by_test_id("merged-claim"))
    assert "再次来电：电子厂仍未支付拖欠的工资" in merged.inner_text()
    assert CALLER not in claims.inner_text(), "phones masked for the clerk"
    shot(page, screenshots, "13-repeat-call-case")
    violations = axe_violations(page)
    assert not violations, describe("case page with a merged claim", page.url, violations)


def test_citizen_joins_a_similar_problem_nearby(live_server, demo, engine, page, screenshots):
    """The citizen's side: "附近已有类似问题正在办理", no one else's data, join it with one click."""
    from accounts.models import User
    from intake.services import claim_submit
    from routing.models import Channel, MatterType, Region

    neighbour = User.objects.get(phone="13900139000")
    nearby, _created = claim_submit(
        channel=Channel.WEB,
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(name="明东村"),
        description="何秀英：明东村电子厂拖欠两个月工资共八千元，老板一直推说没钱。",
        contact_name="何秀英",
        contact_phone="13900139000",
        submitter=neighbour,
    )
    login(page, live_server.url, "13800138000")
    click_and_wait(page, nav_link(page, "我要反映"))
    form = page.get_by_test_id("claim-form")
    form.locator("#id_description").fill("明东村电子厂拖欠我们两个月工资八千元，老板推说没钱。")
    form.locator("#id_matter").select_option("labor.wages")
    pick_region(page, *PLACE)
    form.locator("#id_consent").check()
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))

    offer = page.get_by_test_id("similar-nearby")
    assert page.get_by_test_id("similar-alert").is_visible() and offer.is_visible()
    text = offer.inner_text()
    assert "附近已有类似问题正在办理" in text and "拖欠工资" in text and "明东村" in text
    assert "何秀英" not in text and "13900139000" not in text and nearby.case.number not in text
    assert "明东村电子厂拖欠我们两个月工资八千元" in form.locator("#id_description").input_value()
    shot(page, screenshots, "13-citizen-similar-nearby")
    violations = axe_violations(page)
    assert not violations, describe("claim form with a similar problem nearby", page.url, violations)

    click_and_wait(page, offer.get_by_test_id("join-similar").first)
    assert "/claims/new/done/" in page.url
    assert page.get_by_text("已加入附近正在办理的同一问题").is_visible()
    code = page.get_by_test_id("tracking-code").get_attribute("aria-label")
    claim = Claim.objects.select_related("case").get(tracking_code=code)
    assert claim.case.merged_into_id == nearby.case_id
