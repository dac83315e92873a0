"""KPI formulas on a small hand-computed data set (the ``october`` fixture), scope, period
boundaries, and the daily snapshot (same numbers as live, idempotent)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cases.workdays import working_days_between
from core.periods import Period
from supervision.kpi.measures import KpiScope, Measures, WorkdayCounter, _cohort, kpi_board, kpi_scope
from supervision.kpi.report_extras import worst_units
from supervision.kpi.snapshot import kpi_snapshot_days, kpi_snapshot_missing
from supervision.models import KpiDaily, KpiDailyRun
from supervision.tasks import kpi_snapshot

pytestmark = pytest.mark.django_db

OCTOBER = Period.month(2026, 10)


@pytest.fixture
def now(at):
    return at(11, 2, 12)


def board_for(user, username, period=OCTOBER, region="", **kw):
    return kpi_board(kpi_scope(user(username), region), period, **kw)


def test_the_formulas_by_hand(october, user, now):
    board = board_for(user, "gm_supervisor", now=now)
    # registered in October in 高明区: A B C D E H (F in September, G in 南海区, I in November)
    # closed in October: F A B C; on time: all but B (red while handling)
    # mediable with a mediation outcome: F A (调解成功) B (暂无法解决); C is not a mediable matter
    # local: B (明城镇综治中心); rated: F A B C, satisfied or basic: F A B (C stayed 不满意)
    # working days: F 09-28→10-05 = 2 (National Day), A 10-12→10-15 = 3, B 10-13→10-30 = 13,
    # C 10-20→10-30 = 8; returns: B once by 高明区人社局
    # 承办: signed in October by 高明区人社局 (A, C) and 明城镇综治中心 (B)
    # same month: A B C closed, E rejected in the month they were registered
    assert board.totals == Measures(
        registered=6,
        taken=3,
        closed=4,
        on_time=3,
        mediated=2,
        mediation_closed=3,
        local=1,
        rated=4,
        satisfied=3,
        working_days=26,
        returns=1,
        closed_same_month=3,
        ended_same_month=1,
        # contact deadlines in October: A (10-13), B (10-14), C (10-21), none contacted; results
        # submitted in October: A, C, B
        contact_due=3,
        results=3,
    )
    t = board.totals
    assert (t.on_time_rate, t.mediation_rate, t.local_rate, t.satisfaction_rate) == (0.75, 0.6667, 0.25, 0.75)
    assert t.avg_working_days == 6.5
    # 办结率: of A B C D E H, closed by 10-31: A B C; still open: D H; E (rejected) counts in neither
    assert (board.cohort_closed, board.cohort_open, board.completion_rate) == (3, 2, 0.6)
    assert _cohort(board.scope, OCTOBER) == (3, 2)  # the month's additive counts = the direct count
    assert board.trend[-1].measures.month_completion_rate == 0.6
    # the board's working-day count is the case calendar's (one calendar read, then subtraction)
    counter = WorkdayCounter()
    for key in "FABC":
        case = october[key]
        first, last = timezone.localdate(case.created_at), timezone.localdate(case.closed_at)
        assert counter.between(first, last) == working_days_between(case.created_at, case.closed_at)
    assert [working_days_between(october[k].created_at, october[k].closed_at) for k in "FABC"] == [2, 3, 13, 8]


def test_breakdowns_and_ranking(october, user, now):
    board = board_for(user, "gm_supervisor", now=now)
    regions = {row.label: (row.measures.registered, row.measures.closed) for row in board.by_region}
    assert regions == {"荷城街道": (0, 0), "杨和镇": (0, 0), "明城镇": (6, 4), "更合镇": (0, 0)}
    matters = [(row.key, row.measures.registered, row.measures.closed) for row in board.by_matter]
    assert matters == [("labor", 5, 4), ("neighbour", 1, 0)]
    channels = {row.key: (row.measures.registered, row.measures.closed) for row in board.by_channel}
    assert channels == {"web": (3, 2), "hotline": (1, 1), "window": (1, 1), "grid": (1, 0)}
    trend = {row.label: (row.measures.registered, row.measures.closed) for row in board.trend}
    assert len(trend) == 12 and list(trend)[0] == "2025-11" and list(trend)[-1] == "2026-10"
    assert trend["2026-09"] == (1, 0) and trend["2026-10"] == (6, 4) and trend["2026-08"] == (0, 0)
    ranking = [
        (
            r.rank,
            r.key,
            r.cases,
            r.measures.closed,
            r.measures.on_time_rate,
            r.measures.satisfaction_rate,
            r.measures.returns,
        )
        for r in board.ranking
    ]
    assert ranking == [
        (1, "GM-RSJ", 2, 3, 1.0, 0.6667, 1),  # signed A C; closed F A C; returned B
        (2, "GM-MC-ZZ", 1, 1, 0.0, 1.0, 0),  # signed and closed B
    ]
    by_returns = board_for(user, "gm_supervisor", now=now, sort="satisfaction").ranking
    assert [r.key for r in by_returns] == ["GM-MC-ZZ", "GM-RSJ"]
    assert worst_units(board, min_closed=1)[0].key == "GM-MC-ZZ"
    assert worst_units(board) == []  # nobody closed five
    # every registered case of the scope is in exactly one row of each breakdown
    city = board_for(user, "fs_supervisor", now=now)
    for rows in (city.by_region, city.by_matter, city.by_channel):
        assert sum(row.measures.registered for row in rows) == city.totals.registered == 7


def test_a_district_supervisor_sees_only_their_district(october, user, now):
    gaoming = board_for(user, "gm_supervisor", now=now)
    city = board_for(user, "fs_supervisor", now=now)
    assert gaoming.scope.code == "440608" and city.scope.code == "4406"
    assert city.totals.registered == gaoming.totals.registered + 1  # G, in 南海区
    assert {row.label: row.measures.registered for row in city.by_region} == {"禅城区": 0, "南海区": 1, "高明区": 6}
    narrowed = board_for(user, "fs_supervisor", region="440608", now=now)
    assert narrowed.totals == gaoming.totals
    with pytest.raises(PermissionDenied):
        kpi_scope(user("gm_supervisor"), "440605")  # 南海区
    with pytest.raises(PermissionDenied):
        kpi_scope(user("gm_supervisor"), "4406")  # above their district
    with pytest.raises(PermissionDenied):
        kpi_scope(user("gm_labor"))
    with pytest.raises(Http404):
        kpi_scope(user("gm_supervisor"), "999999")
    admin = kpi_scope(user("admin"))
    assert admin.region.code == "44"
    assert kpi_board(admin, OCTOBER, now=now).totals.registered == 7


def test_period_boundaries_are_local_days(october, user, now):
    # H at 10-31 23:30 belongs to October, I at 11-01 00:00 to November (both are 10-31 in UTC)
    assert board_for(user, "gm_supervisor", now=now).totals.registered == 6
    november = board_for(user, "gm_supervisor", Period.month(2026, 11), now=now)
    assert november.totals.registered == 1
    # a custom range: 10-13 … 10-15 holds B's registration and A's closing
    days = board_for(user, "gm_supervisor", Period(dt.date(2026, 10, 13), dt.date(2026, 10, 15)), now=now)
    assert (days.totals.registered, days.totals.closed, days.totals.returns) == (1, 1, 1)
    assert days.cohort_open == 1 and days.cohort_closed == 0  # B was still open on 10-15
    september = board_for(user, "gm_supervisor", Period.month(2026, 9), now=now)
    assert (september.totals.registered, september.totals.closed) == (1, 0)
    assert september.cohort_open == 1  # F closed only in October


def _signature(board):
    rows = lambda items: [(r.key, r.label, r.measures, r.cases, r.rank) for r in items]  # noqa: E731
    return (
        board.totals,
        board.completion_rate,
        rows(board.trend),
        rows(board.by_matter),
        rows(board.by_region),
        rows(board.by_channel),
        rows(board.ranking),
    )


def test_the_snapshot_gives_the_live_numbers(october, user, now):
    written = kpi_snapshot_days(first=dt.date(2025, 11, 1), last=dt.date(2026, 11, 30), now=now)
    assert written == (dt.date(2026, 11, 1) - dt.date(2025, 11, 1)).days + 1  # up to yesterday only
    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        for period in (OCTOBER, Period(dt.date(2026, 10, 13), dt.date(2026, 10, 15)), Period.month(2026, 11)):
            live = board_for(user, username, period, now=now, use_snapshot=False)
            snap = board_for(user, username, period, now=now)
            assert snap.snapshot_days > 0
            assert _signature(snap) == _signature(live), (username, period)
        assert board_for(user, username, now=now).live_days == 0  # October is wholly in the snapshot
    # a town's breakdown is by village, finer than the snapshot's places: counted live
    town = board_for(user, "gm_supervisor", region="440608102", now=now)
    assert town.snapshot_days == 0
    assert {row.label: row.measures.registered for row in town.by_region}["明东村"] == 6


def _rows():
    return sorted(
        KpiDaily.objects.values_list(
            "date", "region_id", "dimension", "key", "registered", "closed", "on_time", "working_days", "returns"
        )
    )


def test_the_snapshot_is_idempotent_and_the_schedule_fills_yesterday(october, user, now, at):
    first, last = dt.date(2026, 9, 1), dt.date(2026, 11, 1)
    kpi_snapshot_days(first=first, last=last, now=now)
    once = _rows()
    runs = KpiDailyRun.objects.count()
    kpi_snapshot_days(first=first, last=last, now=now)
    assert _rows() == once and KpiDailyRun.objects.count() == runs == 62
    assert once  # something was written
    totals = KpiDaily.objects.filter(dimension="total", date__month=10)
    assert sum(totals.values_list("registered", flat=True)) == 7  # every district

    # the schedule: its first run fills every day of the board's trend window …
    KpiDailyRun.objects.all().delete()
    KpiDaily.objects.all().delete()
    assert kpi_snapshot_missing(now=at(11, 1, 0, 5)) == 400
    # … but at 00:05 on 11-01, 10-31 is not over by the grace period yet: a later run writes it
    assert not KpiDailyRun.objects.filter(date=dt.date(2026, 10, 31)).exists()
    assert kpi_snapshot_missing(now=at(11, 1, 1, 0)) == 1  # only the missing day
    assert kpi_snapshot_missing(now=at(11, 1, 2, 0)) == 0
    assert _rows() == [r for r in once if r[0] <= dt.date(2026, 10, 31)]  # as the explicit run
    board = kpi_board(kpi_scope(user("fs_supervisor")), Period.month(2026, 11), now=at(11, 1, 2, 0))
    assert board.live_days == 1  # only today is counted live
    before = _rows()
    assert kpi_snapshot() >= 0  # the q2 task (real clock) runs without error
    assert [r for r in _rows() if r[0] <= dt.date(2026, 10, 31)] == before


def test_an_empty_scope_shows_zeros(demo, user, now):
    board = kpi_board(KpiScope(region=None), OCTOBER, now=now)
    assert board.totals == Measures() and board.completion_rate is None
    assert board.totals.on_time_rate is None and board.ranking == []
    assert len(board.trend) == 12


def test_the_schedule_stops_within_its_time_budget(october, at):
    # a spent budget still writes one chunk, the newest days (yesterday first) …
    assert kpi_snapshot_missing(now=at(11, 2, 12), budget_seconds=0) == 31
    days = sorted(KpiDailyRun.objects.values_list("date", flat=True))
    assert (days[0], days[-1]) == (dt.date(2026, 10, 2), dt.date(2026, 11, 1))
    # … and the next run goes on with the older ones
    assert kpi_snapshot_missing(now=at(11, 2, 12)) == 400 - 31


def test_the_day_in_progress_is_snapshotted_up_to_its_last_full_hour(october, kpi_claim, user, at):
    """Today's hours before the cut come from the snapshot, the rest live: same figures as all-live."""
    from supervision.kpi.snapshot import kpi_snapshot_today

    now = at(11, 2, 12, 5)  # 10 minutes' grace → the last full hour is 11:00
    kpi_claim(at=at(11, 2, 9))
    kpi_claim(at=at(11, 2, 10, 59), channel="hotline", region="440605011001")  # 南海区 叠滘社区
    kpi_claim(at=at(11, 2, 11, 30))  # after the cut: counted live
    assert kpi_snapshot_missing(now=now) == 400  # the complete days, up to 11-01
    assert kpi_snapshot_today(now=now)
    today = dt.date(2026, 11, 2)
    assert KpiDailyRun.objects.get(date=today).through == at(11, 2, 11)
    in_snapshot = KpiDaily.objects.filter(date=today, dimension="total")
    assert sum(in_snapshot.values_list("registered", flat=True)) == 2

    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        for period in (Period.month(2026, 11), Period(today, today), OCTOBER):
            live = board_for(user, username, period, now=now, use_snapshot=False)
            snap = board_for(user, username, period, now=now)
            assert _signature(snap) == _signature(live), (username, period)
    november = board_for(user, "fs_supervisor", Period.month(2026, 11), now=now)
    assert november.totals.registered == 4  # I (11-01) and today's three
    # the page says: every complete day of the trend window from the snapshot, today live
    assert (november.snapshot_days, november.live_days) == ((today - dt.date(2025, 12, 1)).days, 1)

    # again: the same rows; once the day is over its complete snapshot replaces the partial one
    rows = _rows()
    assert kpi_snapshot_today(now=now) and _rows() == rows
    assert kpi_snapshot_missing(now=at(11, 3, 1)) == 1  # a partial day is not "done"
    assert KpiDailyRun.objects.get(date=today).through is None
    assert sum(in_snapshot.values_list("registered", flat=True)) == 3
    assert not kpi_snapshot_today(now=at(11, 3, 0, 5))  # 11-02 is complete: nothing to add
