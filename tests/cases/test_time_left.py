"""Warnings in sight: the warning badge with words and the working days left on the staff lists and
the case page, sorting by time left, and the citizen's plain-words countdown."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as cs
from cases.citizen_words import STAFF_TERMS, countdown_words
from cases.models import Case, Status, WorkCalendarDay
from cases.time_left import TimeLeft, time_left
from cases.workdays import add_working_days, working_days_span
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db


def at(y, m, d, h=12, minute=0, second=0):
    return timezone.make_aware(dt.datetime(y, m, d, h, minute, second))


def end(y, m, d):
    """The end of a day, as ``add_working_days`` sets a due time."""
    return at(y, m, d, 23, 59, 59)


# --- the arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (at(2026, 12, 7), end(2026, 12, 8), 1.5),  # Mon noon → end of Tue
        (at(2026, 12, 11), end(2026, 12, 14), 1.5),  # Fri noon → end of Mon
        (at(2026, 12, 12), end(2026, 12, 14), 1.0),  # a Saturday counts nothing
        (at(2026, 2, 13), at(2026, 2, 24, 0), 1.5),  # Fri noon + Saturday 14th (make-up day); the holiday
        (at(2026, 12, 7), at(2026, 12, 7, 6), 0.0),  # backwards
    ],
)
def test_working_days_span(start, end, days):
    assert round(working_days_span(start, end), 2) == days


def test_an_administrators_day_off_counts_nothing():
    WorkCalendarDay.objects.create(date=dt.date(2026, 12, 8), is_workday=False)
    assert round(working_days_span(at(2026, 12, 7), at(2026, 12, 9, 23, 59)), 1) == 1.5


def _case(due, *, paused_at=None, status=Status.HANDLING):
    return SimpleNamespace(is_open=True, stage_due_at=due, paused_at=paused_at, status=status)


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (at(2026, 12, 7), "剩余 1.5 个工作日"),
        (at(2026, 12, 8, 23, 58), "剩余 0.1 个工作日"),  # never "0"
        (at(2026, 12, 11, 0, 0), "超期 2 个工作日"),  # Wed and Thu
        (at(2026, 12, 14, 12), "超期 3.5 个工作日"),  # the weekend counts nothing
    ],
)
def test_the_words(now, text):
    due = add_working_days(at(2026, 12, 7), 1)  # the end of Tuesday 8 December
    assert time_left(_case(due), now=now).text == text


def test_a_stopped_clock_keeps_the_days_it_had():
    due = add_working_days(at(2026, 12, 7), 1)
    left = time_left(_case(due, paused_at=at(2026, 12, 7)), now=at(2026, 12, 30))
    assert left == TimeLeft(left.days, True) and left.text == "已中止计时，剩余 1.5 个工作日"


def test_no_clock_no_time_left():
    assert time_left(_case(None)) is None
    assert time_left(SimpleNamespace(is_open=False, stage_due_at=at(2026, 12, 8), paused_at=None)) is None


# --- the staff screens --------------------------------------------------------------------------


def _signed(submit_case, user, fresh, *, started_days_ago=4, due_in=dt.timedelta(days=1)):
    """A handled case whose clock started days ago and is due soon: the sweep turns it yellow now."""
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))
    cs.case_sign(case=fresh(case), actor=user("gm_labor"))
    now = timezone.now()
    start, due = now - dt.timedelta(days=started_days_ago), now + due_in
    window = due - start
    Case.objects.filter(pk=case.pk).update(
        stage_started_at=start, stage_due_at=due, blue_at=start + window * 0.5, yellow_at=start + window * 0.8
    )
    warnings_sweep(now=now)
    return fresh(case)


def _badges(page):
    return re.findall(r'data-testid="warning" data-level="(\w+)">([^<]+)<', page)


def test_the_inbox_shows_the_badge_with_words_and_the_days_left(submit_case, user, fresh, login):
    case = _signed(submit_case, user, fresh)
    assert case.warning_level == "yellow"
    page = login("gm_labor").get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert ("yellow", "黄色预警") in _badges(page)
    assert re.search(r"剩余 [\d.]+ 个工作日", page)


def test_overdue_cases_say_red_and_how_late(submit_case, user, fresh, login):
    _signed(submit_case, user, fresh, started_days_ago=10, due_in=-dt.timedelta(days=5))
    page = login("gm_labor").get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert ("red", "红色预警") in _badges(page)
    assert re.search(r"超期 [\d.]+ 个工作日", page)


def test_the_case_page_the_case_list_and_the_queue(submit_case, user, fresh, login, citizen):
    case = _signed(submit_case, user, fresh)
    labor = login("gm_labor")
    detail = labor.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert ("yellow", "黄色预警") in _badges(detail) and "个工作日" in detail
    listed = login("gm_window").get(reverse("cases:case-list")).content.decode()
    assert ("yellow", "黄色预警") in _badges(listed)
    # the centre's review queue
    cs.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="已支付", outcome="resolved")
    queued = login("gm_dispatch").get(reverse("cases:queue") + "?tab=reviewing").content.decode()
    assert 'data-testid="time-left"' in queued and "剩余" in queued


def test_sorting_by_time_left(submit_case, user, fresh, login):
    soon = _signed(submit_case, user, fresh, due_in=dt.timedelta(hours=2))
    later = _signed(submit_case, user, fresh, due_in=dt.timedelta(days=6))
    client = login("gm_labor")

    def order(url):
        page = client.get(url).content.decode()
        first = {c.number: page.index(f'href="{reverse("cases:case-detail", args=[c.number])}"') for c in (soon, later)}
        return sorted(first, key=first.get)

    inbox = reverse("cases:inbox") + "?tab=handling"
    assert order(inbox)[:2] == [soon.number, later.number]  # least time left first by default
    assert order(inbox + "&sort=-left")[:2] == [later.number, soon.number]
    listing = reverse("cases:case-list")
    assert order(listing + "?sort=left")[:2] == [soon.number, later.number]
    assert order(listing + "?sort=-left")[:2] == [later.number, soon.number]


def test_a_paused_case_sorts_after_running_clocks_and_first_by_most_time_left(submit_case, user, fresh, login):
    """A paused case keeps its old due time while the clock stands still: it is not "least time
    left" (its time cannot run out) — last for ``left``, first for ``-left``."""
    from cases.pauses import case_pause

    paused = _signed(submit_case, user, fresh, due_in=dt.timedelta(hours=1))
    case_pause(case=paused, actor=user("gm_labor"), reason="等待鉴定结论")
    soon = _signed(submit_case, user, fresh, due_in=dt.timedelta(hours=2))
    later = _signed(submit_case, user, fresh, due_in=dt.timedelta(days=6))
    client = login("gm_labor")

    def order(url):
        page = client.get(url).content.decode()
        cases = (paused, soon, later)
        first = {c.number: page.index(f'href="{reverse("cases:case-detail", args=[c.number])}"') for c in cases}
        return sorted(first, key=first.get)

    for url in (reverse("cases:inbox") + "?tab=handling&", reverse("cases:case-list") + "?"):
        assert order(url + "sort=left") == [soon.number, later.number, paused.number]
        assert order(url + "sort=-left") == [paused.number, later.number, soon.number]


def test_an_unknown_sort_is_refused(login):
    assert login("gm_labor").get(reverse("cases:inbox") + "?sort=warp").status_code == 404
    response = login("gm_window").get(reverse("cases:case-list") + "?sort=warp")
    assert response.status_code == 400 and "所选项不存在" in response.content.decode()


# --- the citizen --------------------------------------------------------------------------------


def test_the_citizen_countdown_in_plain_words():
    due = add_working_days(at(2026, 12, 7), 2)  # the end of Wednesday 9 December
    case = _case(due)
    assert countdown_words(case, now=at(2026, 12, 7)) == "预计 12月9日 前完成这一步，还有 3 个工作日（含今天）。"
    assert countdown_words(case, now=at(2026, 12, 9)) == "预计今天完成这一步。"
    assert countdown_words(case, now=at(2026, 12, 14)) == "这一步已超过预计时间 3 个工作日，我们正在尽快办理。"
    weekend = _case(add_working_days(at(2026, 12, 12), 1))  # Saturday → the end of Monday
    assert countdown_words(weekend, now=at(2026, 12, 12)) == "预计 12月14日 前完成这一步，还有 1 个工作日。"
    assert countdown_words(_case(due, paused_at=at(2026, 12, 7)), now=at(2026, 12, 7)) == ""
    rating = _case(at(2026, 12, 14, 23), status=Status.FEEDBACK)
    assert countdown_words(rating, now=at(2026, 12, 7)) == "请在 12月14日 前评价，还有 7 天。"


def test_the_citizen_and_the_tracking_page_show_the_countdown(submit_claim, user, fresh, login, citizen, client):
    claim = submit_claim()
    case = _signed(lambda: claim.case, user, fresh)
    page = login(citizen).get(reverse("intake:claim-detail", args=[claim.tracking_code])).content.decode()
    countdown = re.search(r'data-testid="countdown">([^<]+)<', page).group(1)
    assert "还有" in countdown and "个工作日" in countdown
    assert not any(term in page for term in STAFF_TERMS)
    tracked = client.post(reverse("intake:track"), {"code": claim.tracking_code, "phone_last4": "8000"})
    assert countdown in tracked.content.decode()
    assert case.warning_level == "yellow"
