"""挂牌督办 on every board staff see, and 我的包案 (issue #15, docs/baoan.md): the badge in words on
each list while the plate hangs, gone once removed; the boards filter to hung cases; query counts
do not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases.models import Case, WarningLevel
from cases.workdays import is_workday
from supervision.services import order_issue
from tests.cases import conftest as cases_conftest

pytestmark = pytest.mark.django_db

case_in = cases_conftest.case_in  # the cases app's builder of a case in a given state

BADGE = 'data-testid="plate-badge"'


def workday(after=3) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def take(case, user, fresh, *, plate=True, who="gm_supervisor", due=None):
    s.case_baoan_take(case=fresh(case), actor=user(who), due_date=due or workday())
    if plate:
        s.case_plate_hang(case=fresh(case), actor=user(who), reason="群众多次反映")
    return fresh(case)


def make_late(case):
    """Past its stage deadline and red, as the sweep would leave it."""
    past = timezone.now() - dt.timedelta(days=5)
    Case.objects.filter(pk=case.pk).update(
        stage_due_at=past, blue_at=past, yellow_at=past, warning_level=WarningLevel.RED
    )


def row_of(body: str, number: str) -> str:
    """The row, card or list item where the case number first appears."""
    at = body.index(number)
    start = max(body.rfind(tag, 0, at) for tag in ("<tr", "<li", '<a class="list-group-item'))
    ends = [i for i in (body.find("</tr>", at), body.find("</li>", at), body.find("</a>\n", at)) if i > 0]
    return body[start : min(ends)]


def pages(login, case):
    """(name, client, url) of every staff list that shows this 高明 case in 待审核."""
    return [
        ("overdue board", login("gm_supervisor"), reverse("supervision:overdue")),
        ("supervisor home", login("gm_supervisor"), reverse("home")),
        ("city supervisor board", login("fs_supervisor"), reverse("supervision:overdue")),
        ("dispatcher queue", login("gm_dispatch"), reverse("cases:queue") + "?tab=reviewing"),
        ("dispatcher home", login("gm_dispatch"), reverse("home")),
        ("handler inbox", login("gm_labor"), reverse("cases:inbox") + "?tab=reviewing"),
        ("handler home", login("gm_labor"), reverse("home")),
        ("case search", login("gm_window"), reverse("cases:case-list") + "?status=reviewing"),
        ("orders list", login("gm_supervisor"), reverse("supervision:orders") + "?status=open"),
        ("my baoan", login("gm_supervisor"), reverse("supervision:baoan")),
        ("case page", login("gm_dispatch"), reverse("cases:case-detail", args=[case.number])),
    ]


def test_the_plate_shows_on_every_board_and_goes_when_removed(case_in, user, fresh, login):
    case = take(case_in("reviewing"), user, fresh)
    make_late(case)
    order = order_issue(case=fresh(case), unit=case.lead_unit, actor=user("gm_supervisor"), instruction="请尽快办结")
    order_page = reverse("supervision:order-detail", args=[order.pk])
    assert BADGE in login("gm_labor").get(order_page).content.decode()
    for name, client, url in pages(login, case):
        body = client.get(url).content.decode()
        assert case.number in body, name
        assert BADGE in row_of(body, case.number) or (name == "case page" and BADGE in body), name
        assert "挂牌督办" in body, name
    s.case_plate_remove(case=fresh(case), actor=user("gm_supervisor"), reason="问题已解决")
    for name, client, url in pages(login, case):
        body = client.get(url).content.decode()
        assert case.number in body, name
        assert BADGE not in body, name


def test_the_overdue_board_lists_hung_cases_whatever_their_level(case_in, user, fresh, login):
    hung = take(case_in("handling"), user, fresh)  # not late: not on the red list
    other = case_in("handling")
    body = login("gm_supervisor").get(reverse("supervision:overdue")).content.decode()
    section = body[body.index('data-testid="plate-section"') : body.index('aria-labelledby="red-title"')]
    assert hung.number in section and other.number not in section
    assert "赵丽（高明区督办）包案" in section and "群众多次反映" in section


def test_the_boards_filter_to_hung_cases(case_in, user, fresh, login):
    hung, plain = take(case_in("reviewing"), user, fresh), case_in("reviewing")
    make_late(hung)
    make_late(plain)
    checks = [
        (login("gm_supervisor"), reverse("supervision:overdue"), "?plate=on"),
        (login("gm_dispatch"), reverse("cases:queue") + "?tab=reviewing", "&plate=1"),
        (login("gm_labor"), reverse("cases:inbox") + "?tab=reviewing", "&plate=1"),
        (login("gm_window"), reverse("cases:case-list") + "?q=", "&plate=on"),
    ]
    for client, url, flag in checks:
        everything = client.get(url).content.decode()
        assert hung.number in everything and plain.number in everything, url
        only = client.get(url + flag)
        assert only.status_code == 200
        body = only.content.decode()
        assert hung.number in body and plain.number not in body, url + flag
    board = login("gm_supervisor").get(reverse("supervision:overdue") + "?plate=on").context["board"]
    assert board.totals.red == 1 and board.totals.total == 1  # the counts follow the filter


def test_the_export_marks_hung_cases(case_in, user, fresh, login):
    import io

    from openpyxl import load_workbook

    hung = take(case_in("reviewing"), user, fresh)
    make_late(hung)
    content = login("gm_supervisor").get(reverse("supervision:overdue-export")).content
    sheet = load_workbook(io.BytesIO(content))["超期清单"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == hung.number)
    assert row[header.index("挂牌督办")] == "挂牌督办"


def test_supervisor_home_counts_my_baoan_and_the_plates(case_in, user, fresh, login):
    from tests.cases.test_views_home import count_of

    take(case_in("handling"), user, fresh)
    take(case_in("handling"), user, fresh, plate=False)
    overdue = case_in("handling")
    take(overdue, user, fresh, plate=False)
    Case.objects.filter(pk=overdue.pk).update(baoan_due_date=timezone.localdate() - dt.timedelta(days=2))
    body = login("gm_supervisor").get(reverse("home")).content.decode()
    assert count_of(body, "baoan-mine") == 3 and count_of(body, "plated") == 1
    assert 'data-testid="baoan-mine-late"' in body and "其中超期 1 件" in body
    assert reverse("supervision:baoan") in body


def test_my_baoan_lists_target_dates_in_words(case_in, user, fresh, login):
    soon = take(case_in("handling"), user, fresh, plate=False)
    late = take(case_in("reviewing"), user, fresh)
    Case.objects.filter(pk=late.pk).update(baoan_due_date=timezone.localdate() - dt.timedelta(days=2))
    theirs = take(case_in("handling"), user, fresh, who="fs_supervisor")
    body = login("gm_supervisor").get(reverse("supervision:baoan")).content.decode()
    assert theirs.number not in body
    late_row = row_of(body, late.number)
    assert "超期 2 天" in late_row and 'data-testid="target-late"' in late_row and "待您审核" in late_row
    assert BADGE in late_row
    soon_row = row_of(body, soon.number)
    assert "还剩" in soon_row and BADGE not in soon_row
    assert body.index(late.number) < body.index(soon.number)  # the earliest target first
    assert "高明区人力资源和社会保障局" in soon_row  # the lead unit


def test_my_baoan_ended_tab(case_in, user, fresh, login):
    case = take(case_in("reviewing"), user, fresh, plate=False)
    s.case_approve(case=fresh(case), actor=user("gm_supervisor"))
    s.case_rate(case=fresh(case), actor=case.parties.first().user, rating="satisfied")
    client = login("gm_supervisor")
    assert case.number not in client.get(reverse("supervision:baoan")).content.decode()
    assert case.number in client.get(reverse("supervision:baoan") + "?tab=ended").content.decode()
    assert client.get(reverse("supervision:baoan") + "?tab=nonsense").status_code == 404


def measure(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound), CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who, url, bound",
    [
        # session, user, memberships, bell; one page of owned cases (leader, unit, centre joined); calendar
        ("gm_supervisor", "supervision:baoan", 7),
        ("gm_supervisor", "supervision:overdue", 16),
        ("gm_dispatch", "cases:queue", 9),
        ("gm_labor", "cases:inbox", 8),
    ],
)
def test_query_counts_do_not_grow_with_hung_cases(
    case_in, user, fresh, login, who, url, bound, django_assert_max_num_queries
):
    client, counts, made = login(who), [], 0
    tab = "?tab=reviewing"
    for n in (2, 6):
        while made < n:
            case = take(case_in("reviewing"), user, fresh)
            make_late(case)
            made += 1
        address = reverse(url) + (tab if url.startswith("cases") else "")
        counts.append(measure(client, address, django_assert_max_num_queries, bound))
    assert counts[0] == counts[1], counts


# The issue #15 lists added beside the boards (review of issue #15, finding 3) -----------------------


def buck_passed(case_in, user, fresh):
    """A case 高明区人社局 and then 明城镇综治中心 returned (approved): 首接负责 of 高明区人社局, 已受理."""
    from cases.handover import handover_approve, handover_request
    from routing.models import Unit

    case = case_in("handling")
    for who in ("gm_labor", "mc_centre"):
        request = handover_request(case=fresh(case), actor=user(who), kind="return", reason="不属本单位")
        request.case = fresh(case)
        handover_approve(request=request, actor=user("gm_dispatch"))
        if who == "gm_labor":
            s.case_dispatch(
                case=fresh(case),
                actor=user("gm_dispatch"),
                lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
                cooperating_units=[],
            )
    return fresh(case)


def with_request(case, user, fresh):
    from cases.handover import handover_request

    handover_request(case=fresh(case), actor=user("gm_labor"), kind="return", reason="不属本单位")
    return case


def with_label(case, user, fresh):
    from cases.unreason import unreason_propose

    unreason_propose(
        case=fresh(case), actor=user("gm_labor"), kind="unreasonable", grounds=["beyond_policy"], reason="反复提出"
    )
    return case


def new_lists(case_in, user, fresh):
    """(name, login, url, make) of the lists of issue #15: ``make()`` gives a case listed there."""
    return [
        ("handover tab", "gm_dispatch", reverse("cases:queue") + "?tab=handover",
         lambda: with_request(case_in("handling"), user, fresh)),
        ("first duty tab", "gm_labor", reverse("cases:inbox") + "?tab=first",
         lambda: buck_passed(case_in, user, fresh)),
        ("unreason list", "gm_dispatch", reverse("cases:unreason-list"),
         lambda: with_label(case_in("handling"), user, fresh)),
    ]  # fmt: skip


def item_of(body: str, number: str) -> str:
    """The row of these lists (``data-testid="…-row"``) that holds the case number."""
    chunks = [c for c in body.split('-row"')[1:] if number in c]
    assert chunks, number
    return chunks[0]


def test_the_plate_and_the_owner_show_on_the_new_lists(case_in, user, fresh, login):
    for name, who, url, make in new_lists(case_in, user, fresh):
        hung = take(make(), user, fresh)
        plain = make()
        client = login(who)
        body = client.get(url).content.decode()
        row = item_of(body, hung.number)
        assert BADGE in row and "赵丽（高明区督办）包案" in row, name
        assert BADGE not in item_of(body, plain.number), name
        if name != "unreason list":  # 只看挂牌督办 on the two tabs
            only = client.get(url + "&plate=1")
            assert only.status_code == 200, name
            assert hung.number in only.content.decode() and plain.number not in only.content.decode(), name
        s.case_plate_remove(case=fresh(hung), actor=user("gm_supervisor"), reason="问题已解决")
        assert BADGE not in client.get(url).content.decode(), name


def test_the_new_lists_cost_the_same_for_more_rows(case_in, user, fresh, login):
    for name, who, url, make in new_lists(case_in, user, fresh):
        client, counts = login(who), []
        for _ in range(2):
            take(make(), user, fresh)
            make()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], (name, counts)
