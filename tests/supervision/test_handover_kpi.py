"""推诿次数 (issue #15, docs/handover.md) in the unit ranking: by hand, the snapshot (the same
numbers as live), the ranking's sort and the Excel export."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases import services as cs
from cases.handover import handover_approve, handover_refuse, handover_request
from core.periods import Period
from routing.models import Unit
from supervision.kpi.measures import kpi_board, kpi_scope
from supervision.kpi.snapshot import kpi_snapshot_days

pytestmark = pytest.mark.django_db

MAY = Period.month(2026, 5)


@pytest.fixture
def may(kpi_claim, user, at, fresh):
    """A: 高明区人社局's return approved 05-04 (one handoff: not 推诿); dispatched to 明城镇综治中心,
    whose return is approved 05-06 (two handoffs: both requests charged on 05-06).
    B: 高明区人社局's transfer request refused 05-08 (charged on 05-08).
    May: 高明区人社局 2, 明城镇综治中心 1, total 3."""
    labor, centre, dispatcher, window = user("gm_labor"), user("mc_centre"), user("gm_dispatch"), user("gm_window")

    def decide(request, case, how, at_, **kw):
        request.case = fresh(case)
        how(request=request, actor=dispatcher, at=at_, **kw)

    a = kpi_claim(at=at(5, 4, 9))
    cs.case_accept(case=fresh(a), actor=window, at=at(5, 4, 9, 30))
    first = handover_request(case=fresh(a), actor=labor, kind="return", reason="不属人社", at=at(5, 4, 11))
    decide(first, a, handover_approve, at(5, 4, 12))
    cs.case_dispatch(
        case=fresh(a),
        actor=dispatcher,
        lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
        cooperating_units=[],
        at=at(5, 5, 9),
    )
    second = handover_request(case=fresh(a), actor=centre, kind="return", reason="不属镇街", at=at(5, 5, 10))
    decide(second, a, handover_approve, at(5, 6, 10))

    b = kpi_claim(at=at(5, 7, 9))
    cs.case_accept(case=fresh(b), actor=window, at=at(5, 7, 9, 30))
    third = handover_request(case=fresh(b), actor=labor, kind="transfer", reason="属镇街", at=at(5, 7, 11))
    decide(third, b, handover_refuse, at(5, 8, 10), reason="欠薪属人社职责")
    return {"A": a, "B": b}


def board(user, username="gm_supervisor", period=MAY, **kw):
    return kpi_board(kpi_scope(user(username)), period, now=kw.pop("now"), **kw)


def test_by_hand(may, user, at):
    b = board(user, now=at(6, 10, 12), sort="buck_passes")
    assert b.totals.buck_passes == 3
    ranking = {r.key: r.measures.buck_passes for r in b.ranking}
    assert ranking["GM-RSJ"] == 2 and ranking["GM-MC-ZZ"] == 1
    assert b.ranking[0].key == "GM-RSJ"  # sorted by 推诿次数, most first
    days = board(user, period=Period(dt.date(2026, 5, 4), dt.date(2026, 5, 5)), now=at(6, 10, 12))
    assert days.totals.buck_passes == 0  # the first handoff alone is not 推诿
    assert days.totals.returns == 1  # … but it is a return (退回次数), counted for the unit


def test_the_snapshot_gives_the_live_numbers(may, user, at):
    now = at(6, 10, 12)
    kpi_snapshot_days(first=dt.date(2026, 5, 1), last=dt.date(2026, 6, 9), now=now)
    for username in ("gm_supervisor", "fs_supervisor"):
        for period in (MAY, Period(dt.date(2026, 5, 6), dt.date(2026, 5, 8))):
            live = board(user, username, period, now=now, use_snapshot=False)
            snap = board(user, username, period, now=now)
            assert snap.snapshot_days > 0 and snap.totals == live.totals
            assert [(r.key, r.measures) for r in snap.ranking] == [(r.key, r.measures) for r in live.ranking]
            assert snap.totals.buck_passes == 3


def test_page_and_excel_show_it(may, login, monkeypatch, at):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(6, 10, 12))
    client = login("gm_supervisor")
    page = client.get("/supervision/kpi/?month=2026-05&sort=buck_passes")
    assert page.status_code == 200 and "推诿次数" in page.content.decode()
    # the screens say 不同意 for a refused request; 驳回 is 驳回重办 (review of issue #15, finding 7)
    assert "退回/转办申请中心不同意" in page.content.decode() and "申请被中心驳回" not in page.content.decode()
    book = load_workbook(BytesIO(client.get("/supervision/kpi/export/?month=2026-05").content))
    sheet = next(name for name in book.sheetnames if "排名" in name)
    rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
    column = rows[0].index("推诿次数")
    counts = {row[1]: row[column] for row in rows[1:]}
    assert counts["高明区人力资源和社会保障局"] == 2 and counts["明城镇综治中心"] == 1
