"""Staff homes show the work waiting (issue #17): counts by stage in words, each a link to the
list filtered to it, the late ones counted and listed — in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as s

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def late_case(submit_case, user, fresh, days=10):
    """Accepted ten days ago: its 签收 deadline is long past."""
    at = timezone.now() - timedelta(days=days)
    case = submit_case(at=at)
    s.case_accept(case=fresh(case), actor=user("gm_window"), at=at)
    return fresh(case)


def count_of(body: str, key: str) -> int:
    marker = f'data-testid="{key}-count">'
    start = body.index(marker) + len(marker)
    return int(body[start : body.index("<", start)].replace(",", ""))


def test_handler_home_counts_each_stage_and_lists_the_late(case_in, submit_case, user, fresh, login):
    late = late_case(submit_case, user, fresh)
    case_in("dispatched")
    case_in("handling")
    body = login("gm_labor").get(HOME).content.decode()
    assert count_of(body, "inbox-dispatched") == 2
    assert count_of(body, "inbox-handling") == 1
    assert count_of(body, "inbox-reviewing") == 0
    assert 'data-testid="inbox-dispatched-late">其中超期 1 件<' in body
    assert f'href="{reverse("cases:inbox")}?tab=dispatched"' in body
    assert "待签收" in body and "处置中" in body
    assert late.number in body and reverse("cases:case-detail", args=[late.number]) in body
    assert "已超期" in body
    # who they are still shows, after the work
    assert body.index('data-testid="home-work"') < body.index('data-testid="membership"')


def test_clerk_and_dispatcher_homes_show_the_centre_queues(case_in, submit_case, user, fresh, login):
    case_in("submitted")
    case_in("submitted")
    case_in("accepted")
    clerk = login("gm_window").get(HOME).content.decode()
    assert count_of(clerk, "queue-submitted") == 2
    assert "queue-accepted" not in clerk  # a clerk works 待受理 only
    assert f'href="{reverse("cases:queue")}?tab=submitted"' in clerk
    dispatcher = login("gm_dispatch").get(HOME).content.decode()
    assert count_of(dispatcher, "queue-submitted") == 2
    assert count_of(dispatcher, "queue-accepted") == 1
    assert count_of(dispatcher, "queue-reviewing") == 0
    assert f'href="{reverse("cases:queue")}?tab=accepted"' in dispatcher


def test_supervisor_home_shows_warnings_and_orders(submit_case, user, fresh, login):
    from supervision.services import warnings_sweep

    late = late_case(submit_case, user, fresh)
    warnings_sweep()
    body = login("gm_supervisor").get(HOME).content.decode()
    assert count_of(body, "warn-red") == 1
    assert count_of(body, "orders-open") == 0
    assert late.number in body and "红色预警案件" in body
    assert f'href="{reverse("supervision:orders")}?status=open"' in body
    assert reverse("supervision:overdue") in body


#: session, user, memberships and the profile cards (ancestors + one count per unit region): 5; then
#: per section a fixed number: centre queues 3 (region ids, counts, late list); inbox 2 + 督办 replies 1; warnings 3 (region ids,
#: grouped count, red list) + orders 1; mediation workbench 3 (mediator profile, counts, late list).
# + 1 each for the header's bell (unread messages: notifications.context_processors); + 1 for the
#: clerk's call-backs waiting (回访工作台, feedback.homes)
# gm_supervisor: 11 with the count of risk warnings awaiting assessment (研判预警, issue #15)
# gm_dispatch: + 1 for the 不合理诉求待审核 count (issue #15, cases.homes.unreason_home), + 1 for the
# pending 退回/转办申请 (issue #15)
# the supervisor's: + 挂牌督办 in scope and 我的包案 (issue #15, one statement each)
HOME_BOUND = {"gm_window": 10, "gm_dispatch": 14, "gm_labor": 9, "gm_supervisor": 13}


@pytest.mark.parametrize("username", sorted(HOME_BOUND))
def test_home_query_count_does_not_grow_with_the_cases(
    username, submit_case, case_in, user, fresh, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.services import warnings_sweep

    client, made, seen = login(username), 0, []
    for n in (2, 7):
        while made < n:
            late_case(submit_case, user, fresh)
            submit_case(at=timezone.now() - timedelta(days=10))  # late for 受理
            case_in("handling")
            made += 1
        warnings_sweep()
        with django_assert_max_num_queries(HOME_BOUND[username]), CaptureQueriesContext(connection) as ctx:
            body = client.get(HOME).content.decode()
        assert "已超期" in body
        seen.append(len(ctx.captured_queries))
    assert seen[0] == seen[1], seen
