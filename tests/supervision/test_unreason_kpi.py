"""满意率 without the 不合理诉求 / 恶意诉求 the centre approved (issue #15), on the ``october`` data set:
only the unit the label was approved for loses the case; the place's, matter's and channel's
满意率 keep it; the snapshot of a day already written learns a late label (and its revocation).

October in 高明区 (tests/supervision/conftest.py): 高明区人社局 (GM-RSJ) closed F 满意, A 满意 and
C 不满意 (rated 3, satisfied 2 → 66.67 %); 明城镇综治中心 (GM-MC-ZZ) closed B 基本满意. Totals: rated
4, satisfied 3 → 75 %."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.unreason import unreason_approve, unreason_propose, unreason_refuse, unreason_revoke
from core.periods import Period
from supervision.kpi.measures import kpi_board, kpi_scope
from supervision.kpi.snapshot import kpi_snapshot_days, kpi_snapshot_missing, kpi_snapshot_today
from supervision.models import KpiDaily, KpiDailyRun

pytestmark = pytest.mark.django_db

OCTOBER = Period.month(2026, 10)


@pytest.fixture
def now(at):
    return at(11, 2, 12)


def board(user, username="gm_supervisor", **kw):
    return kpi_board(kpi_scope(user(username)), OCTOBER, **kw)


def units(b):
    return {
        r.key: (r.measures.rated, r.measures.satisfied, r.measures.satisfaction_rate, r.measures.unreason_excluded)
        for r in b.ranking
    }


def label_c(october, user, at, *, approve=True):
    """高明区人社局 proposes C (不满意, closed 10-30) on 11-01; the centre decides on 11-01 too."""
    label = unreason_propose(
        case=october["C"],
        actor=user("gm_labor"),
        kind="unreasonable",
        grounds=["beyond_policy"],
        reason="要求补缴十年前的社保，超出政策规定的补缴期限，已书面答复。",
        at=at(11, 1, 9),
    )
    if approve:
        unreason_approve(label=label, actor=user("gm_dispatch"), at=at(11, 1, 10))
    return label


def test_before_any_label(october, user, now):
    b = board(user, now=now)
    assert units(b) == {"GM-RSJ": (3, 2, 0.6667, 0), "GM-MC-ZZ": (1, 1, 1.0, 0)}
    assert (b.totals.rated, b.totals.satisfied, b.totals.unreason_excluded) == (4, 3, 0)


def test_an_approved_label_leaves_only_that_units_rate(october, user, at, now):
    label_c(october, user, at)
    b = board(user, now=now, use_snapshot=False)
    assert units(b) == {"GM-RSJ": (2, 2, 1.0, 1), "GM-MC-ZZ": (1, 1, 1.0, 0)}
    # the district's, the matter's and the channel's 满意率 keep what the citizen said
    assert (b.totals.rated, b.totals.satisfied, b.totals.satisfaction_rate) == (4, 3, 0.75)
    assert b.totals.unreason_excluded == 1  # how many were left out of units' rates
    matters = {r.key: (r.measures.rated, r.measures.satisfied) for r in b.by_matter}
    assert matters["labor"] == (4, 3)
    channels = {r.key: (r.measures.rated, r.measures.satisfied) for r in b.by_channel}
    assert channels["window"] == (1, 0)  # C came in at the window
    # the city supervisor's board says the same for the unit
    assert units(board(user, "fs_supervisor", now=now))["GM-RSJ"] == (2, 2, 1.0, 1)


def test_pending_refused_and_revoked_labels_change_nothing(october, user, at, now):
    label = label_c(october, user, at, approve=False)
    assert units(board(user, now=now))["GM-RSJ"] == (3, 2, 0.6667, 0)  # pending
    unreason_refuse(label=label, actor=user("gm_dispatch"), reason="政策有补缴渠道", at=at(11, 1, 10))
    assert units(board(user, now=now))["GM-RSJ"] == (3, 2, 0.6667, 0)
    approved = label_c(october, user, at)
    assert units(board(user, now=now))["GM-RSJ"] == (2, 2, 1.0, 1)
    unreason_revoke(label=approved, actor=user("gm_dispatch"), reason="群众补充了证据", at=at(11, 1, 11))
    assert units(board(user, now=now))["GM-RSJ"] == (3, 2, 0.6667, 0)


def test_a_label_for_a_unit_that_no_longer_counts_the_case_changes_nothing(october, user, at, now, fresh):
    """The label names the unit it was approved for; a case counted under another unit keeps
    counting there (here: the label's unit is made another one behind the services' back)."""
    from cases.models import Case
    from routing.models import Unit

    label_c(october, user, at)
    Case.objects.filter(pk=october["C"].pk).update(unreason_unit=Unit.objects.get(code="GM-MC-ZZ"))
    b = board(user, now=now, use_snapshot=False)
    assert units(b) == {"GM-RSJ": (3, 2, 0.6667, 0), "GM-MC-ZZ": (1, 1, 1.0, 0)}


def test_a_late_label_reaches_a_day_already_in_the_snapshot(october, user, at, now):
    kpi_snapshot_missing(now=now)
    base = board(user, now=now).live_days  # the day in progress
    assert KpiDailyRun.objects.filter(date=dt.date(2026, 10, 30)).exists()
    label = label_c(october, user, at)  # C closed on 10-30, labelled on 11-01
    # the day C closed is forgotten by the snapshot and counted live meanwhile …
    assert not KpiDailyRun.objects.filter(date=dt.date(2026, 10, 30)).exists()
    assert not KpiDaily.objects.filter(date=dt.date(2026, 10, 30)).exists()
    assert KpiDailyRun.objects.filter(date=dt.date(2026, 10, 29)).exists()  # other days stay
    snap = board(user, now=now)
    assert snap.live_days == base + 1
    assert units(snap)["GM-RSJ"] == (2, 2, 1.0, 1)
    # … until the schedule writes it again, with the label
    assert kpi_snapshot_missing(now=now, days_back=40) == 1
    again = board(user, now=now)
    assert again.live_days == base
    assert units(again) == units(board(user, now=now, use_snapshot=False)) == units(snap)
    assert KpiDaily.objects.get(date=dt.date(2026, 10, 30), dimension="unit", key="GM-RSJ").unreason_excluded == 1
    # revoked: the same again, the other way
    unreason_revoke(label=label, actor=user("gm_dispatch"), reason="群众补充了证据", at=at(11, 2, 9))
    assert units(board(user, now=now))["GM-RSJ"] == (3, 2, 0.6667, 0)
    kpi_snapshot_missing(now=now, days_back=40)
    assert units(board(user, now=now))["GM-RSJ"] == (3, 2, 0.6667, 0)


def test_the_snapshot_gives_the_live_numbers_with_labels(october, user, at, now):
    label_c(october, user, at)
    kpi_snapshot_days(first=dt.date(2026, 9, 1), last=dt.date(2026, 11, 1), now=now)
    kpi_snapshot_today(now=now)
    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        live = board(user, username, now=now, use_snapshot=False)
        snap = board(user, username, now=now)
        assert snap.snapshot_days > 0
        assert snap.totals == live.totals
        assert [(r.key, r.measures) for r in snap.ranking] == [(r.key, r.measures) for r in live.ranking]
        assert [(r.key, r.measures) for r in snap.by_matter] == [(r.key, r.measures) for r in live.by_matter]


def test_the_board_and_its_export_show_the_count_beside_the_rate(october, user, at, login):
    label_c(october, user, at)
    client = login("gm_supervisor")
    query = "?month=2026-10"
    page = client.get(reverse("supervision:kpi") + query).content.decode()
    assert "已剔除不合理诉求（件）" in page
    assert "满意率不含经诉求服务中心认定为不合理诉求、恶意诉求的案件" in page
    book = load_workbook(BytesIO(client.get(reverse("supervision:kpi-export") + query).content))
    sheet = list(book["承办单位排名"].iter_rows(values_only=True))
    headers = list(sheet[1])
    at_rate = headers.index("满意率")
    assert headers[at_rate + 1] == "已剔除不合理诉求（件）"
    rsj = next(row for row in sheet[2:] if row[1] == "高明区人力资源和社会保障局")
    assert (rsj[at_rate], rsj[at_rate + 1]) == (1.0, 1)
