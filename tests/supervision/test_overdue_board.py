"""The overdue board (超期看板) and its Excel export: who may see it, its figures on a hand-made set
of cases, sorting, filters, the red list, the export, and a query count that does not grow."""

from datetime import datetime, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import services as cs
from cases.models import Case
from routing.models import Unit
from supervision import selectors
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db

BOARD = reverse("supervision:overdue")
EXPORT = reverse("supervision:overdue-export")

#: A Monday in a stretch of 2026 with no holidays or make-up days (22 June – 19 September): every
#: handling window of 10 working days started on a weekday at 09:00 is then exactly as long.
S = timezone.make_aware(datetime(2026, 7, 20, 9, 0))
DAY = timedelta(days=1)
PAUSED = timezone.make_aware(datetime(2026, 8, 1, 12, 0))


@pytest.fixture
def world(open_case, user, staff):
    """Seven cases, levels set by one sweep at T = 85 % of a handling window started at S:

    | case        | where          | matter          | unit      | started | level at T |
    |-------------|----------------|-----------------|-----------|---------|------------|
    | yellow      | 明东村 (明城镇) | 拖欠工资 labor  | GM-RSJ    | S       | yellow     |
    | red_hotline | 明东村          | 拖欠工资, 热线  | GM-RSJ    | S − 7 d | red        |
    | red_yanghe  | 杨梅村 (杨和镇) | 拖欠工资        | GM-RSJ    | S − 6 d | red        |
    | blue        | 明东村          | 商品质量 consumer | GM-SCJG | S + 3 d | blue       |
    | calm        | 沧江社区 (荷城) | 道路 urban      | GM-CGJ    | S + 7 d | none       |
    | centre      | 明东村, 待受理  | 拖欠工资        | (GM-ZX)   | S       | red        |
    | chancheng   | 大富村 (禅城区) | 拖欠工资        | CC-RSJ    | S − 7 d | red        |

    plus a rejected case (closed: never counted). Built through intake and cases services."""
    cases = {
        "yellow": open_case(at=S),
        "red_hotline": open_case(at=S - 7 * DAY, channel="hotline"),
        "red_yanghe": open_case(region="440608101201", at=S - 6 * DAY),
        "blue": open_case("consumer.quality", at=S + 3 * DAY),
        "calm": open_case("urban.roads", "440608001001", at=S + 7 * DAY),
        "centre": open_case(status="submitted", channel="window", at=S),
        "chancheng": open_case(region="440604012201", at=S - 7 * DAY),
    }
    rejected = open_case(status="submitted", at=S - 7 * DAY)
    cs.case_reject(case=rejected, actor=user("gm_window"), reason="不属于受理范围", at=S - 7 * DAY)
    window = cases["yellow"].stage_due_at - cases["yellow"].stage_started_at
    warnings_sweep(now=S + window * 0.85)
    levels = dict(Case.objects.filter(pk__in=[c.pk for c in cases.values()]).values_list("number", "warning_level"))
    assert [levels[c.number] for c in cases.values()] == ["yellow", "red", "red", "blue", "none", "red", "red"]
    staff("cc_supervisor", "CC-ZX", "supervisor")
    return {name: Case.objects.get(pk=c.pk) for name, c in cases.items()}


def table(response):
    """The unit table as {unit code: (blue, yellow, red, total)} in screen order (a dict keeps it)."""
    return {r.unit.code: (r.blue, r.yellow, r.red, r.total) for r in response.context["board"].units}


def totals(response):
    t = response.context["board"].totals
    return (t.blue, t.yellow, t.red, t.total)


def red_numbers(response):
    return [r.case.number for r in response.context["board"].red]


def test_who_may_see_the_board_and_the_export(client, login, staff):
    staff("cc_supervisor", "CC-ZX", "supervisor")
    for url in (BOARD, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        for username in ("citizen-13800138000", "gm_labor", "gm_window", "gm_dispatch", "gm_mediator"):
            assert login(username).get(url).status_code == 403, username
        for username in ("gm_supervisor", "fs_supervisor", "cc_supervisor", "admin"):
            assert login(username).get(url).status_code == 200, username


def test_figures_scope_and_red_list(world, login, user, monkeypatch):
    gm = login("gm_supervisor").get(BOARD)
    assert gm.status_code == 200
    # default order: most red first; ties in directory order (region, then unit code)
    assert table(gm) == {
        "GM-RSJ": (0, 1, 2, 3),
        "GM-ZX": (0, 0, 1, 1),  # the case not yet dispatched counts for its centre
        "GM-CGJ": (0, 0, 0, 1),
        "GM-SCJG": (1, 0, 0, 1),
    }
    assert list(table(gm)) == ["GM-RSJ", "GM-ZX", "GM-CGJ", "GM-SCJG"]
    assert totals(gm) == (1, 1, 3, 6)
    page = gm.content.decode()
    assert 'data-testid="tile-red">3<' in page and 'data-testid="tile-total">6<' in page
    assert world["chancheng"].number not in page

    for username in ("fs_supervisor", "admin"):  # the whole city
        city = login(username).get(BOARD)
        assert list(table(city)) == ["GM-RSJ", "CC-RSJ", "GM-ZX", "GM-CGJ", "GM-SCJG"]
        assert table(city)["CC-RSJ"] == (0, 0, 1, 1) and totals(city) == (1, 1, 4, 7)
        assert world["chancheng"].number in red_numbers(city)

    other = login("cc_supervisor").get(BOARD)  # 禅城区: nothing of 高明
    assert table(other) == {"CC-RSJ": (0, 0, 1, 1)}
    assert red_numbers(other) == [world["chancheng"].number]
    assert "明城镇" not in other.content.decode()  # not even in the region filter
    assert [code for code, _label in other.context["form"].fields["region"].choices][:2] == ["", "440604"]
    # the red list (red_yanghe's clock stopped 3½ days after its due time: 中止 waits for a court)
    cs.case_pause(case=world["red_yanghe"], actor=user("gm_labor"), reason="等待法院判决", at=PAUSED)
    client = login("gm_supervisor")
    response = client.get(BOARD)
    board = response.context["board"]
    # most overdue first: the centre's case was due on 21 July, the others on 27 and 28 July
    assert red_numbers(response) == [world[k].number for k in ("centre", "red_hotline", "red_yanghe")]
    days = {row.case.number: row.days_overdue for row in board.red}
    for row in board.red[:2]:
        assert row.days_overdue == round((board.now - row.case.stage_due_at).total_seconds() / 86400, 1)
    # due at the end of 21 July and of 27 July: six days apart, and more than 110 days ago
    assert days[world["centre"].number] - days[world["red_hotline"].number] == pytest.approx(6.0, abs=0.11)
    assert days[world["red_hotline"].number] > 110
    assert days[world["red_yanghe"].number] == 3.5  # due 28 July 23:59:59, paused 1 August 12:00
    yanghe_row = response.content.decode().split(f'data-number="{world["red_yanghe"].number}"')[1].split("</tr>")[0]
    assert "3.5 天" in yanghe_row and "已中止计时" in yanghe_row
    first = board.red[0]
    assert first.holder.code == "GM-ZX" and first.place == "高明区 明城镇 明东村"
    page = response.content.decode()
    assert f"{first.days_overdue:.1f} 天" in page
    assert reverse("cases:case-detail", args=[first.case.number]) in page
    assert reverse("supervision:order-issue", args=[first.case.number]) in page
    assert 'data-testid="red-more"' not in page
    # admins see the list but act only through a supervisor's role: no 督办 button
    assert 'data-testid="issue"' not in login("admin").get(BOARD).content.decode()

    monkeypatch.setattr(selectors, "RED_LIST_LIMIT", 2)  # bounded: the first N and a note
    cut = client.get(BOARD)
    assert len(cut.context["board"].red) == 2 and cut.context["board"].red_more
    assert 'data-testid="red-more"' in cut.content.decode()
    assert totals(cut)[2] == 3  # the counts are not cut


def test_sorting_and_filters(world, login):
    client = login("gm_supervisor")

    def order(query):
        return list(table(client.get(BOARD + query)))

    assert order("?sort=red&dir=desc") == ["GM-RSJ", "GM-ZX", "GM-CGJ", "GM-SCJG"]
    assert order("?sort=red&dir=asc") == ["GM-CGJ", "GM-SCJG", "GM-ZX", "GM-RSJ"]
    assert order("?sort=total&dir=asc") == ["GM-CGJ", "GM-SCJG", "GM-ZX", "GM-RSJ"]
    assert order("?sort=blue&dir=desc") == ["GM-SCJG", "GM-CGJ", "GM-RSJ", "GM-ZX"]
    assert order("?sort=yellow") == ["GM-RSJ", "GM-CGJ", "GM-SCJG", "GM-ZX"]  # figures: largest first
    assert order("?sort=unit") == ["GM-CGJ", "GM-RSJ", "GM-SCJG", "GM-ZX"]  # units: A→Z first
    assert order("?sort=unit&dir=desc") == ["GM-ZX", "GM-SCJG", "GM-RSJ", "GM-CGJ"]
    assert order("?sort=nonsense&dir=up") == ["GM-RSJ", "GM-ZX", "GM-CGJ", "GM-SCJG"]  # the default
    # the header links turn the sorted column round and keep the filters
    page = client.get(BOARD + "?matter=labor&sort=red&dir=desc")
    links = {h["key"]: h for h in page.context["headers"]}
    assert links["red"]["dir"] == "asc" and links["total"]["dir"] == "desc" and links["unit"]["dir"] == "asc"
    assert 'href="?matter=labor&amp;sort=red&amp;dir=asc"' in page.content.decode()

    rsj = Unit.objects.get(code="GM-RSJ")
    centre = Unit.objects.get(code="GM-ZX")

    yanghe = client.get(BOARD, {"region": "440608101"})  # 杨和镇 and below
    assert table(yanghe) == {"GM-RSJ": (0, 0, 1, 1)}
    assert red_numbers(yanghe) == [world["red_yanghe"].number]

    by_unit = client.get(BOARD, {"unit": centre.pk})
    assert table(by_unit) == {"GM-ZX": (0, 0, 1, 1)} and red_numbers(by_unit) == [world["centre"].number]
    assert table(client.get(BOARD, {"unit": rsj.pk})) == {"GM-RSJ": (0, 1, 2, 3)}

    labor = client.get(BOARD, {"matter": "labor"})  # a top-level matter takes its subtypes
    assert table(labor) == {"GM-RSJ": (0, 1, 2, 3), "GM-ZX": (0, 0, 1, 1)}

    hotline = client.get(BOARD, {"channel": "hotline"})
    assert table(hotline) == {"GM-RSJ": (0, 0, 1, 1)} and red_numbers(hotline) == [world["red_hotline"].number]

    both = client.get(BOARD, {"region": "440608102", "matter": "labor", "sort": "unit"})
    assert table(both) == {"GM-RSJ": (0, 1, 1, 2), "GM-ZX": (0, 0, 1, 1)}

    nothing = client.get(BOARD, {"matter": "medical"})
    assert (
        nothing.status_code == 200 and table(nothing) == {} and 'data-testid="units-empty"' in nothing.content.decode()
    )

    # a region outside the user's scope, an unknown unit: said, not silently ignored
    for bad in ({"region": "440604"}, {"unit": "abc"}, {"matter": "no-such"}, {"channel": "fax"}):
        response = client.get(BOARD, bad)
        assert response.status_code == 400, bad
        assert "所选项不在可选范围内" in response.content.decode()
        assert client.get(EXPORT, bad).status_code == 400


def test_export_holds_the_screens_figures(world, login, monkeypatch):
    client = login("fs_supervisor")
    query = {"matter": "labor", "sort": "unit", "dir": "asc"}
    screen = client.get(BOARD, query).context["board"]
    response = client.get(EXPORT, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="overdue-board-')
    assert "filename*=UTF-8''" + quote("超期看板") in disposition

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["单位统计", "超期清单"]
    units = list(book["单位统计"].iter_rows(values_only=True))
    assert units[0] == (
        "承办单位",
        "所在区划",
        "蓝色预警",
        "黄色预警",
        "红色预警（超期）",
        "在办合计",
        "首次联系超时",
        "群众催办（次）",
        "联办任务超期",
    )
    body = units[1 : 1 + len(screen.units)]
    assert body == [
        (r.unit.name, r.unit.region.name, r.blue, r.yellow, r.red, r.total, r.contact_late, r.presses, r.joint_late)
        for r in screen.units
    ]
    assert [r[0] for r in body] == [
        "禅城区人力资源和社会保障局",
        "高明区人力资源和社会保障局",
        "高明区群众诉求服务中心",
    ]
    t = screen.totals
    assert units[1 + len(screen.units)] == (
        "合计",
        None,
        *(t.blue, t.yellow, t.red, t.total, t.contact_late, t.presses, t.joint_late),
    )
    assert "筛选条件：事项：劳动保障" in units[-1][0]

    red = list(book["超期清单"].iter_rows(values_only=True))
    assert red[0][:4] == ("案件编号", "标题", "超期天数", "承办单位") and red[0][-2:] == ("群众催办（次）", "上级交办")
    rows = red[1 : 1 + len(screen.red)]
    assert len(screen.red) == 4
    assert [(r[0], r[3], r[5]) for r in rows] == [(x.case.number, x.holder.name, x.place) for x in screen.red]
    # the export is a second request: a few milliseconds later, at most 0.1 day apart
    assert [r[2] for r in rows] == pytest.approx([x.days_overdue for x in screen.red], abs=0.1)

    monkeypatch.setattr(selectors, "RED_LIST_LIMIT", 2)
    cut = list(load_workbook(BytesIO(client.get(EXPORT, query).content))["超期清单"].iter_rows(values_only=True))
    assert len([r for r in cut if r[0] and r[0].startswith(("高明-", "禅城-"))]) == 2
    assert cut[-1][0].startswith("仅列出超期最久的 2 件")


def test_query_count_does_not_grow(submit_case, login, django_assert_max_num_queries):
    """Session, user, memberships; regions, units and matters for the filters; the ids of the
    regions in scope; ONE grouped count; unit names; the red list; place names — 11, the same for 3
    and for 12 cases."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, made, counts = login("fs_supervisor"), [], []
    regions = ["440608102201", "440608101201", "440604012201", "440605121201"]
    for n in (3, 12):
        while len(made) < n:
            made.append(submit_case(region=regions[len(made) % 4], at=S - len(made) * DAY))
        warnings_sweep(now=S + 3 * DAY)
        # + 1: the 联办任务 past their deadline per unit (issue #15); + 1: the 挂牌督办 list (issue #15)
        with django_assert_max_num_queries(13 + 1 + 1), CaptureQueriesContext(connection) as ctx:
            response = client.get(BOARD + "?sort=total")
        assert response.status_code == 200 and len(response.context["board"].red) >= n - 2
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_contact_deadlines_and_presses_per_unit(world, login, user):
    """首次联系超时 and 催办 (issue #11): per unit, in the totals, tiles, the red list and the export."""
    # at the sweep, every signed case was past its contact deadline (the next working day)
    yellow, hotline = world["yellow"], world["red_hotline"]
    cs.case_contact(case=Case.objects.get(pk=yellow.pk), actor=user("gm_labor"), method="visit", note="上门走访")
    Case.objects.filter(pk=hotline.pk).update(press_count=3)  # the citizen's 催办 (the press button's field)
    Case.objects.filter(pk=world["blue"].pk).update(press_count=1)
    client = login("gm_supervisor")
    response = client.get(BOARD)
    rows = {r.unit.code: (r.contact_late, r.presses) for r in response.context["board"].units}
    # GM-RSJ: yellow contacted, red_hotline and red_yanghe not; the centre's case was never signed
    assert rows == {"GM-RSJ": (2, 3), "GM-ZX": (0, 0), "GM-CGJ": (1, 0), "GM-SCJG": (1, 1)}
    board = response.context["board"]
    assert (board.totals.contact_late, board.totals.presses) == (4, 4)
    page = response.content.decode()
    assert 'data-testid="tile-contact-late">4<' in page and 'data-testid="tile-presses">4<' in page
    hotline_row = page.split(f'data-number="{hotline.number}"')[1].split("</tr>")[0]
    assert "群众催办 3 次" in hotline_row
    assert list(table(client.get(BOARD + "?sort=presses")))[0] == "GM-RSJ"
    assert list(table(client.get(BOARD + "?sort=contact_late&dir=asc")))[0] == "GM-ZX"
    book = load_workbook(BytesIO(client.get(EXPORT).content))
    red = {row[0]: row[-2] for row in book["超期清单"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert red[hotline.number] == 3
