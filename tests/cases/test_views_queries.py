"""Query counts of the staff screens do not grow with the number of cases, events or parties.

Each test measures the same page over 3 and over 10 rows: the counts must be equal and within
one fixed bound (an N+1 anywhere fails here)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as s
from cases.models import Rating

pytestmark = pytest.mark.django_db

# Every page: session, user, memberships (cached for the request), the header's bell (one count
# of unread messages), then its own reads; a page showing the working days left reads the work
# calendar once (cases.time_left).
LIST_BOUND = 7  # + top-level matters for the filter, one bounded page of cases, the calendar
INBOX_BOUND = 7  # + one grouped count (UNION ALL of lead and cooperating), one page, the calendar
QUEUE_BOUND = 7  # + one grouped count, one page (dispatch queue: return reason as a subquery), the calendar
QUEUE_BOUND += 1  # a dispatcher's tabs also count the open 疑似重复 pairs (issue #13)
QUEUE_BOUND += 1  # … and the pending 退回/转办申请 (issue #15)
# + the case, 6 prefetches (cooperating units, parties, events, claims, attachments, registering
# clerks), region chain, matter chain, the pending extension request if any, at most one
# list of units for the action forms, and the calendar
DETAIL_BOUND = 16
# 联办任务 (issue #15): the case's tasks, read once for the panel and the submit form; and for the
# lead unit's handlers the units of the 交办联办任务 form (a dispatcher's page has them already)
DETAIL_BOUND += 2
# 退回/转办申请 (issue #15): the case's requests, read once for the panel and the action buttons
DETAIL_BOUND += 1


def count(client, url, bound, django_assert_max_num_queries, method="get"):
    with django_assert_max_num_queries(bound), CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def grow(make, rows, n):
    while len(rows) < n:
        rows.append(make())


def test_case_list(case_in, login, django_assert_max_num_queries):
    clerk, rows, counts = login("gm_window"), [], []
    for n in (3, 10):
        grow(lambda: case_in("dispatched"), rows, n)
        counts.append(count(clerk, reverse("cases:case-list") + "?q=拖欠", LIST_BOUND, django_assert_max_num_queries))
    assert counts[0] == counts[1], counts


def test_case_list_with_its_total(case_in, login, monkeypatch, django_assert_max_num_queries):
    """More than one page: the capped total is one more query, whatever the number of cases."""
    from cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    clerk, rows, counts = login("gm_window"), [], []
    for n in (3, 10):
        grow(lambda: case_in("dispatched"), rows, n)
        counts.append(
            count(clerk, reverse("cases:case-list") + "?q=拖欠", LIST_BOUND + 1, django_assert_max_num_queries)
        )
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("username", ["gm_labor", "mc_centre"])  # lead and cooperating unit
def test_inbox(case_in, login, username, django_assert_max_num_queries):
    handler, rows, counts = login(username), [], []
    for n in (3, 10):
        grow(lambda: case_in("dispatched"), rows, n)
        counts.append(count(handler, reverse("cases:inbox"), INBOX_BOUND, django_assert_max_num_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("tab", ["submitted", "accepted", "reviewing"])
def test_queue(case_in, login, user, citizen, tab, django_assert_max_num_queries, fresh):
    def make():
        if tab != "reviewing":
            return case_in(tab)
        case = case_in("feedback")  # some flagged 不满意, some fresh results
        s.case_rate(case=fresh(case), actor=citizen, rating=Rating.UNSATISFIED, comment="只付了一半")
        return case

    dispatcher, rows, counts = login("gm_dispatch"), [], []
    for n in (3, 10):
        grow(make, rows, n)
        counts.append(
            count(dispatcher, reverse("cases:queue") + f"?tab={tab}", QUEUE_BOUND, django_assert_max_num_queries)
        )
    assert counts[0] == counts[1], counts


def _busy_case(case_in, user, status, n, state, fresh):
    """A case with ``n`` notes and ``n`` duplicates merged into it (parties and events grow)."""
    case = state.get("case") or case_in(status, channel="window", registered_by=user("gm_window"))
    state["case"] = case
    while state.get("n", 0) < n:
        if status in ("dispatched", "handling", "extension"):
            s.case_add_note(case=fresh(case), actor=user("gm_labor"), note=f"进展 {state.get('n', 0)}", public=False)
        duplicate = case_in("submitted", text="同一老板拖欠工资。", submitter=None)
        s.case_merge(case=fresh(duplicate), actor=user("gm_window"), into=fresh(case))
        state["n"] = state.get("n", 0) + 1
    return case


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("gm_labor", "handling"),
        ("gm_labor", "extension"),
        ("mc_centre", "handling"),
        ("gm_supervisor", "extension"),
        ("gm_dispatch", "extension"),
        ("gm_dispatch", "accepted"),
        ("gm_window", "submitted"),
    ],
)
def test_case_detail(case_in, login, user, username, status, django_assert_max_num_queries, fresh):
    viewer, state, counts = login(username), {}, []
    for n in (3, 10):
        case = _busy_case(case_in, user, status, n, state, fresh)
        counts.append(
            count(viewer, reverse("cases:case-detail", args=[case.number]), DETAIL_BOUND, django_assert_max_num_queries)
        )
    assert counts[0] == counts[1], counts


def test_case_parties(case_in, login, user, django_assert_max_num_queries, fresh):
    labor, state, counts = login("gm_labor"), {}, []
    for n in (3, 10):
        case = _busy_case(case_in, user, "handling", n, state, fresh)
        url = reverse("cases:case-parties", args=[case.number])
        counts.append(count(labor, url, DETAIL_BOUND + 1, django_assert_max_num_queries, method="post"))
    assert counts[0] == counts[1], counts


def test_action_form_page(case_in, login, django_assert_max_num_queries):
    dispatcher, rows, counts = login("gm_dispatch"), [], []
    for n in (3, 10):
        grow(lambda: case_in("accepted"), rows, n)
        url = reverse("cases:case-act", args=[rows[0].number, "dispatch"])
        counts.append(count(dispatcher, url, DETAIL_BOUND, django_assert_max_num_queries))
    assert counts[0] == counts[1], counts
