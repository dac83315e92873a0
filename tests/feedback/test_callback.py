"""The call-back workbench (回访工作台, issue #11): clerks call citizens whose case awaits a rating,
record a rating given on the phone, an unanswered call or a refusal, and close as 未接通 after
unanswered calls on three different days. Every permission cell of the new actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.services import staff_user_ensure
from cases import services as s
from cases.models import Case, CaseEvent, RatedVia, Rating, Status
from cases.permissions import available_actions
from feedback import services as fs
from feedback.models import CallAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting(submit_case, to_feedback):
    return to_feedback(submit_case())


@pytest.fixture
def out_clerk(demo):
    return staff_user_ensure(
        username="cc_clerk", full_name="禅城窗口", password="x-Pass-2026", memberships=[("CC-ZX", "clerk")]
    )


def _post(client, case, **data):
    return client.post(reverse("feedback:callback", args=[case.number]), data)


# Permission cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, workbench, page",
    [
        ("gm_window", 200, 200),  # clerk, in
        ("gm_hotline", 200, 200),  # clerk (hotline), in
        ("cc_clerk", 200, 404),  # clerk, out: the case is not theirs to see
        ("gm_dispatch", 403, 403),
        ("gm_supervisor", 403, 403),
        ("gm_labor", 403, 403),
        ("gm_mediator", 403, 403),
        ("13800138000", 403, 403),
        ("admin", 403, 403),
    ],
)
def test_who_may_call_back(awaiting, login, user, out_clerk, citizen, who, workbench, page):
    actor = citizen if who == "13800138000" else (out_clerk if who == "cc_clerk" else user(who))
    client = login(actor)
    assert client.get(reverse("feedback:workbench")).status_code == workbench
    assert client.get(reverse("feedback:callback", args=[awaiting.number])).status_code == page
    posted = _post(client, awaiting, outcome="rated", rating="satisfied")
    assert posted.status_code == (302 if page == 200 else page)
    closed = client.post(reverse("feedback:close-unreached", args=[awaiting.number]))
    assert closed.status_code == (302 if page == 200 else page)
    if page != 200:
        assert Case.objects.get(pk=awaiting.pk).status == Status.FEEDBACK
        assert not CallAttempt.objects.exists()


def test_anonymous_is_sent_to_login(awaiting, client):
    for url in (reverse("feedback:workbench"), reverse("feedback:callback", args=[awaiting.number])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("who, allowed", [("gm_window", True), ("gm_dispatch", False), ("gm_labor", False)])
def test_the_services_check_again(awaiting, user, fresh, who, allowed):
    actor = user(who)
    assert ("close_unreached" in available_actions(actor, fresh(awaiting))) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            fs.callback_record(case=fresh(awaiting), actor=actor, outcome="no_answer")
        with pytest.raises(PermissionDenied):
            s.case_rate(case=fresh(awaiting), actor=actor, rating=Rating.SATISFIED, via=RatedVia.PHONE)
        with pytest.raises(PermissionDenied):
            fs.callback_close_unreached(case=fresh(awaiting), actor=actor)


# The workbench ----------------------------------------------------------------------------------


def test_oldest_result_first_with_attempts_and_refusals_left_out(submit_case, to_feedback, login, user, fresh):
    window = user("gm_window")
    cases = [to_feedback(submit_case(text=f"第{i}家企业拖欠工资三个月，多次讨要无果。")) for i in range(3)]
    for i, case in enumerate(cases):  # the first approved is the oldest
        Case.objects.filter(pk=case.pk).update(stage_started_at=timezone.now() - dt.timedelta(hours=10 - i))
    fs.callback_record(case=fresh(cases[1]), actor=window, outcome="no_answer")
    fs.callback_record(case=fresh(cases[2]), actor=window, outcome="refused", comment="不愿评价")
    page = login(window).get(reverse("feedback:workbench"))
    rows = list(page.context["cases"])
    assert [c.pk for c in rows] == [cases[0].pk, cases[1].pk]
    assert [(c.attempts, c.unanswered) for c in rows] == [(0, 0), (1, 1)]
    html = page.content.decode()
    assert "138****8000" in html and "13800138000" not in html  # phones masked in the list


def test_the_workbench_costs_the_same_for_more_rows(submit_case, to_feedback, login, django_assert_max_num_queries):
    client = login("gm_window")
    to_feedback(submit_case())
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("feedback:workbench"))
    for i in range(4):
        to_feedback(submit_case(text=f"又一家企业拖欠工资（{i}），多次讨要无果。"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("feedback:workbench"))
    assert len(response.context["cases"]) == 5


# Recording calls --------------------------------------------------------------------------------


def test_a_rating_by_phone_closes_the_case_with_the_clerk_as_actor(awaiting, login, user, fresh):
    response = _post(login("gm_window"), awaiting, outcome="rated", rating="basic", solved="yes", comment="基本解决")
    assert response.status_code == 302
    case = fresh(awaiting)
    assert case.status == Status.CLOSED and case.rating == Rating.BASIC
    assert case.rated_via == RatedVia.PHONE and case.solved is True
    event = CaseEvent.objects.get(case=case, transition="rate_closed")
    assert event.actor == user("gm_window") and event.note == "电话回访：基本解决"
    assert CallAttempt.objects.get(case=case).outcome == "rated"


def test_unsatisfied_by_phone_goes_back_to_review(awaiting, login, fresh):
    _post(login("gm_hotline"), awaiting, outcome="rated", rating="unsatisfied", solved="no")
    case = fresh(awaiting)
    assert case.status == Status.REVIEWING and case.flagged and case.rated_via == RatedVia.PHONE


def test_rated_without_a_rating_is_refused(awaiting, login, fresh):
    response = _post(login("gm_window"), awaiting, outcome="rated")
    assert response.status_code == 400 and "请选择“满意”" in response.content.decode()
    assert fresh(awaiting).status == Status.FEEDBACK and not CallAttempt.objects.exists()


def test_unanswered_on_three_different_days_may_close_as_unreached(submit_case, user, fresh, login):
    window = user("gm_window")
    case = submit_case()
    start = timezone.now() - dt.timedelta(days=5)
    s.case_resolve_on_spot(case=fresh(case), actor=window, result="当场答复", at=start)
    client = login(window)
    for days_ago in (4, 4, 3):  # two on the same day count once
        fs.callback_record(
            case=fresh(case), actor=window, outcome="no_answer", at=timezone.now() - dt.timedelta(days=days_ago)
        )
    refused = client.post(reverse("feedback:close-unreached", args=[case.number]), follow=True)
    assert "目前 2 天" in refused.content.decode() and fresh(case).status == Status.FEEDBACK
    page = client.get(reverse("feedback:callback", args=[case.number])).content.decode()
    assert 'data-testid="close-unreached"' not in page
    fs.callback_record(case=fresh(case), actor=window, outcome="no_answer")
    page = client.get(reverse("feedback:callback", args=[case.number])).content.decode()
    assert 'data-testid="close-unreached"' in page
    assert client.post(reverse("feedback:close-unreached", args=[case.number])).status_code == 302
    case = fresh(case)
    assert case.status == Status.CLOSED and case.rating == "" and case.rated_via == "" and case.closed_at
    event = CaseEvent.objects.get(case=case, transition="close_unreached")
    assert event.public and "3 天未接通" in event.note and event.actor == window
    assert CaseEvent.objects.filter(case=case, transition="callback_attempt", public=False).count() == 4


def test_attempts_of_an_earlier_round_do_not_count(awaiting, user, fresh, citizen):
    window = user("gm_window")
    for days_ago in (3, 2, 1):
        fs.callback_record(
            case=fresh(awaiting), actor=window, outcome="no_answer", at=timezone.now() - dt.timedelta(days=days_ago)
        )
    Case.objects.filter(pk=awaiting.pk).update(stage_started_at=timezone.now())  # a new result was sent
    with pytest.raises(fs.FeedbackError):
        fs.callback_close_unreached(case=fresh(awaiting), actor=window)


def test_a_case_no_longer_awaiting_is_not_called(awaiting, login, citizen, fresh, user):
    s.case_rate(case=fresh(awaiting), actor=citizen, rating=Rating.SATISFIED)
    response = _post(login("gm_window"), awaiting, outcome="no_answer")
    assert response.status_code == 302 and not CallAttempt.objects.exists()
    with pytest.raises(fs.FeedbackError):
        fs.callback_record(case=fresh(awaiting), actor=user("gm_window"), outcome="no_answer")


def test_the_staff_case_page_shows_the_calls_and_the_link(awaiting, login, user, fresh):
    fs.callback_record(case=fresh(awaiting), actor=user("gm_window"), outcome="refused", comment="说没空")
    html = login("gm_window").get(reverse("cases:case-detail", args=[awaiting.number])).content.decode()
    assert 'data-testid="call-attempts"' in html and "拒绝评价：说没空" in html
    assert 'data-testid="callback-link"' in html
    labor = login("gm_labor").get(reverse("cases:case-detail", args=[awaiting.number])).content.decode()
    assert 'data-testid="callback-link"' not in labor


def test_the_clerk_home_counts_the_call_backs(awaiting, login):
    html = login("gm_window").get(reverse("home")).content.decode()
    assert "待电话回访" in html and reverse("feedback:workbench") in html
    assert "待电话回访" not in login("gm_labor").get(reverse("home")).content.decode()
