"""The handler's journey (issue #11): the warning sweep turns a case yellow; the inbox shows the
yellow badge with its words and the working days left, the bell's unread count rises; the message
centre lists the warning, and opening it marks it read and opens the case."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case
from intake.services import claim_submit
from notifications.models import OutboxMessage
from routing.models import MatterType, Region
from supervision.services import warnings_sweep

PHONE = {"width": 390, "height": 844}


def handled_case_near_its_due_time() -> Case:
    """A case the handler signed for, its handling clock moved so that 80 % of it is used now."""
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description="明东村五金厂老板拖欠三个月工资共一万二千元，多次讨要无果。",
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
    )
    cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"))
    cs.case_sign(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_labor"))
    now = timezone.now()
    start, due = now - timedelta(days=8), now + timedelta(days=1)
    Case.objects.filter(pk=claim.case_id).update(
        stage_started_at=start,
        stage_due_at=due,
        blue_at=start + (due - start) * 0.5,
        yellow_at=start + (due - start) * 0.8,
    )
    return Case.objects.get(pk=claim.case_id)


def unread(page) -> int:
    return int(page.get_by_test_id("bell").get_attribute("data-unread-count"))


def test_the_sweep_shows_a_yellow_badge_and_the_bell_rises(live_server, demo, new_page, screenshots):
    case = handled_case_near_its_due_time()
    handler = new_page()
    login(handler, live_server.url, "gm_labor")
    handler.goto(f"{live_server.url}/cases/inbox/?tab=handling")
    row = handler.get_by_test_id("case-row").filter(has_text=case.number)
    assert row.get_by_test_id("warning").count() == 0  # the sweep has not run yet
    before = unread(handler)
    assert before >= 1  # the assignment
    handler.screenshot(path=screenshots / "messages-1-before-sweep.png", full_page=True)

    assert warnings_sweep().changed["yellow"] == 1

    handler.reload()
    badge = row.get_by_test_id("warning")
    assert badge.inner_text() == "黄色预警" and badge.get_attribute("data-level") == "yellow"
    assert "剩余" in row.get_by_test_id("time-left").inner_text()
    assert unread(handler) == before + 1
    assert handler.get_by_test_id("bell-count").inner_text() == str(before + 1)
    handler.screenshot(path=screenshots / "messages-2-yellow-badge.png", full_page=True)

    click_and_wait(handler, handler.get_by_test_id("bell"))
    first = handler.get_by_test_id("message").first
    assert first.get_by_test_id("kind").inner_text() == "黄色预警"
    assert first.get_by_test_id("unread").count() == 1
    handler.screenshot(path=screenshots / "messages-3-centre.png", full_page=True)

    click_and_wait(handler, first.get_by_test_id("open"))
    assert handler.url.endswith(f"/cases/{case.number}/") or case.number in handler.content()
    assert handler.get_by_test_id("case-header").get_by_test_id("warning").inner_text() == "黄色预警"
    assert unread(handler) == before
    warning = OutboxMessage.objects.get(recipient_user__username="gm_labor", kind="warning_yellow")
    assert warning.read_at is not None and warning.case_number == case.number
    handler.screenshot(path=screenshots / "messages-4-case-opened.png", full_page=True)

    # the same header on a phone; in 长辈模式 the bell starts the second line, so the switch and
    # the menu button still share the first (tests/e2e/test_elderly_mode_browser.py)
    phone = new_page(PHONE)
    login(phone, live_server.url, "gm_labor")
    phone.goto(f"{live_server.url}/cases/inbox/?tab=handling")
    assert phone.get_by_test_id("bell").is_visible()
    phone.screenshot(path=screenshots / "messages-5-phone.png")
    phone.get_by_test_id("elderly-switch").click()  # switches in place (static/js/elderly-switch.js)
    # A function, not a bare expression: Playwright polls an expression through eval(), which the
    # CSP forbids. Wait for the large-type stylesheet too: a reload while it loads aborts it.
    phone.wait_for_function(
        "() => document.documentElement.classList.contains('yk-elderly')"
        " && Array.from(document.styleSheets).some(s => (s.href || '').includes('elderly.css'))"
    )
    phone.wait_for_load_state("networkidle")
    phone.reload()  # and as the server renders it from now on
    phone.screenshot(path=screenshots / "messages-6-phone-elderly.png")
    bell = phone.get_by_test_id("bell").bounding_box()
    switch = phone.get_by_test_id("elderly-switch").bounding_box()
    menu = phone.locator(".navbar-toggler").bounding_box()
    assert abs((switch["y"] + switch["height"] / 2) - (menu["y"] + menu["height"] / 2)) < 16, (switch, menu)
    assert bell["height"] >= 48 and bell["y"] >= switch["y"] + switch["height"] - 1
    assert bell["x"] + bell["width"] <= PHONE["width"] and phone.get_by_test_id("bell-count").inner_text() == "1"
    phone.screenshot(path=screenshots / "messages-6-phone-elderly.png")
