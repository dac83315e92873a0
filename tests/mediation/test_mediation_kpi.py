"""Mediation KPIs (mediation.kpi): the formulas on a small hand-computed set of mediations, the
local-time month and day boundaries, and the scopes (region subtree, a mediator's own).

The set (all in 高明区 明东村, built through mediation.services with back-dated times; the sealed
agreements are written with the ORM, as the agreement services are not part of this module):

| | mediator | matter | accepted | ended (local) | outcome | sealed agreements (performance) |
|---|---|---|---|---|---|---|
| A | gm_mediator | 拖欠工资 | 09-01 10:00 | 09-11 16:00 | settled | carried out |
| B | gm_mediator | 拖欠工资 | 09-20 23:30 | 10-01 00:30 | settled | not carried out; pending, deadline passed (待回访) |
| C | gm_mediator | 工伤 | 09-25 | 10-10 | failed | |
| D | gm_court_mediator | 拖欠工资 | 10-15 | 10-20 | settled | pending, deadline ahead (待履行) |
| E | gm_court_mediator | 拖欠工资 | 10-16 | 10-25 | failed | |
| F | gm_court_mediator | 拖欠工资 | 10-17 | 10-26 | withdrawn | |
| G | — (never assigned) | 拖欠工资 | — | 10-27 | withdrawn | |
| H | gm_mediator | 拖欠工资 | 08-01 | 08-05 | settled | carried out (outside Sep–Oct) |
| I | gm_veteran | 拖欠工资 | 10-02 | — | in progress | |

B ends at 00:30 on 1 October in Beijing, which is still 30 September in UTC: it is an October
mediation, and its days to settle are counted between local dates (20 Sep → 1 Oct = 11 days).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mediation import kpi
from mediation import services as ms
from mediation.models import Agreement, Mediation

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEP_OCT = kpi.MonthRange(dt.date(2026, 9, 1), dt.date(2026, 10, 1))
TODAY = dt.date(2026, 11, 22)
PAST_DEADLINE, FUTURE_DEADLINE = dt.date(2026, 10, 15), dt.date(2030, 12, 31)


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _fresh(m):
    return Mediation.objects.select_related("case__region", "case__matter", "case__lead_unit", "case__centre").get(
        pk=m.pk
    )


_codes = iter(range(10_000))


def _sealed(mediation, actor, performance, deadline):
    n = next(_codes)
    return Agreement.objects.create(
        mediation=mediation,
        code=f"KPI{n:06d}",
        status="sealed",
        sha256=f"{n:064x}",
        parties=[],
        facts="拖欠工资三个月。",
        terms="被申请人于履行期限内一次性支付工资。",
        performance_deadline=deadline,
        performance_status=performance,
        case_number=mediation.case.number,
        created_by=actor,
        sealed_at=mediation.accepted_at,
    )


@pytest.fixture
def mediate(handling_case, user):
    """``mediate(outcome, mediator, accepted, ended, matter=…, agreements=[(performance, deadline)])``:
    one mediation of a fresh handling case, taken through the services to ``outcome``."""

    def make(outcome, mediator, accepted, ended, *, matter="labor.wages", agreements=()):
        case = handling_case(matter=matter)
        requested = (accepted or ended) - dt.timedelta(hours=5)
        m = ms.mediation_request(case=case, actor=user("gm_labor"), note="双方同意调解。", at=requested)
        if mediator is None:
            ms.mediation_withdraw(mediation=_fresh(m), actor=user("gm_dispatch"), reason="当事人撤回申请", at=ended)
            return m
        person = user(mediator)
        ms.mediation_assign(
            mediation=_fresh(m), actor=user("gm_dispatch"), mediator=person.mediator_profile, at=requested
        )
        ms.mediation_accept(mediation=_fresh(m), actor=person, no_conflict=True, at=accepted)
        if outcome == "in_progress":
            return m
        if outcome == "settled":
            m = _fresh(m)
            for performance, deadline in agreements:
                _sealed(m, person, performance, deadline)
            Agreement.objects.create(  # a draft never counts
                mediation=m,
                code=f"DRAFT{next(_codes):05d}",
                parties=[],
                facts="草稿",
                terms="草稿",
                performance_deadline=PAST_DEADLINE,
                case_number=case.number,
                created_by=person,
            )
            ms.mediation_settle(mediation=_fresh(m), actor=person, at=ended)
        elif outcome == "failed":
            ms.mediation_fail(
                mediation=_fresh(m), actor=person, reason="双方分歧过大", next_step="litigation", at=ended
            )
        else:
            ms.mediation_withdraw(mediation=_fresh(m), actor=user("gm_dispatch"), reason="当事人和解", at=ended)
        return m

    return make


@pytest.fixture
def kpi_data(mediate, mediators):
    """The hand-computed set described in the module docstring."""
    mediate("settled", "gm_mediator", at(9, 1), at(9, 11, 16), agreements=[("carried_out", PAST_DEADLINE)])
    mediate(
        "settled",
        "gm_mediator",
        at(9, 20, 23, 30),
        at(10, 1, 0, 30),
        agreements=[("not_carried_out", PAST_DEADLINE), ("pending", PAST_DEADLINE)],
    )
    mediate("failed", "gm_mediator", at(9, 25), at(10, 10), matter="labor.injury")
    mediate("settled", "gm_court_mediator", at(10, 15), at(10, 20), agreements=[("pending", FUTURE_DEADLINE)])
    mediate("failed", "gm_court_mediator", at(10, 16), at(10, 25))
    mediate("withdrawn", "gm_court_mediator", at(10, 17), at(10, 26))
    mediate("withdrawn", None, None, at(10, 27))
    mediate("settled", "gm_mediator", at(8, 1), at(8, 5), agreements=[("carried_out", PAST_DEADLINE)])
    mediate("in_progress", "gm_veteran", at(10, 2), None)


@pytest.fixture
def staff_user(demo):
    """``staff_user("nh_supervisor", "NH-ZX", "supervisor")``: an extra staff account."""
    from accounts.services import staff_user_ensure

    def make(username, unit, role):
        return staff_user_ensure(username=username, full_name=username, password="x", memberships=[(unit, role)])

    return make


def figures(m: kpi.Measures) -> tuple:
    return (
        m.settled,
        m.failed,
        m.withdrawn,
        m.success_rate,
        m.avg_days_to_settle,
        m.carried_out,
        m.not_carried_out,
        m.pending,
        m.awaiting_check,
    )


def board_of(username, user, period=SEP_OCT, region=""):
    return kpi.mediation_board(kpi.board_scope(user(username), region), period, today=TODAY)


def test_the_formulas_on_a_hand_computed_set(kpi_data, user):
    board = board_of("gm_supervisor", user)
    t = board.totals
    # settled A B D, failed C E, withdrawn F G: 3 ÷ 5; days (10 + 11 + 5) ÷ 3 = 8.67
    assert figures(t) == (3, 2, 2, 0.6, 8.7, 1, 1, 1, 1)
    assert t.agreements == 4 and t.performance_rate == 0.5 and t.ended == 5

    assert [row.label for row in board.trend] == ["2026-09", "2026-10"]
    september, october = (row.measures for row in board.trend)
    assert figures(september) == (1, 0, 0, 1.0, 10.0, 1, 0, 0, 0)  # A
    assert figures(october) == (2, 2, 2, 0.5, 8.0, 0, 1, 1, 1)  # B D / C E / F G; (11 + 5) ÷ 2

    ranking = [(row.rank, row.label, row.detail, figures(row.measures)) for row in board.by_mediator]
    assert ranking == [
        (1, "刘建国（高明区人民调解委员会）", "高明区人民调解委员会", (2, 1, 0, 0.6667, 10.5, 1, 1, 0, 1)),
        (2, "何志远（法院特邀调解员）", "高明区人民法院特邀调解组织", (1, 1, 1, 0.5, 5.0, 0, 0, 1, 0)),
        (3, "（未指派调解员）", "", (0, 0, 1, None, None, 0, 0, 0, 0)),
    ]
    organisations = [(row.rank, row.label, row.detail, row.measures.success_rate) for row in board.by_organisation]
    assert organisations == [
        (1, "高明区人民调解委员会", "人民调解委员会", 0.6667),
        (2, "高明区人民法院特邀调解组织", "法院特邀调解员", 0.5),
    ]

    matters = [(row.is_group, row.parent, row.label, figures(row.measures)) for row in board.by_matter]
    assert matters == [
        (True, "", "劳动保障", (3, 2, 2, 0.6, 8.7, 1, 1, 1, 1)),
        (False, "劳动保障", "拖欠工资", (3, 1, 2, 0.75, 8.7, 1, 1, 1, 1)),
        (False, "劳动保障", "工伤", (0, 1, 0, 0.0, None, 0, 0, 0, 0)),
    ]


def test_months_and_days_are_local_dates(kpi_data, user):
    september = board_of("gm_supervisor", user, kpi.MonthRange(dt.date(2026, 9, 1), dt.date(2026, 9, 1)))
    assert figures(september.totals) == (1, 0, 0, 1.0, 10.0, 1, 0, 0, 0)  # B (30 Sep UTC) is October's
    october = board_of("gm_supervisor", user, kpi.MonthRange(dt.date(2026, 10, 1), dt.date(2026, 10, 1)))
    assert october.totals.settled == 2 and october.totals.avg_days_to_settle == 8.0


def test_this_year_includes_august_and_the_agreement_status_depends_on_today(kpi_data, user):
    year = kpi.MonthRange.this_year(dt.date(2026, 11, 22))
    assert (year.first, year.last, year.label) == (dt.date(2026, 1, 1), dt.date(2026, 11, 1), "2026年1月至11月")
    board = board_of("gm_supervisor", user, year)
    assert len(board.trend) == 11 and board.trend[7].measures.settled == 1  # H in August
    assert figures(board.totals)[:5] == (4, 2, 2, 0.6667, 7.5)  # + H: 4 days
    # Before B's deadline passed, its unchecked agreement was still 待履行, not 待回访.
    early = kpi.mediation_board(kpi.board_scope(user("gm_supervisor")), SEP_OCT, today=dt.date(2026, 10, 10))
    assert (early.totals.pending, early.totals.awaiting_check) == (2, 0)


def test_scopes(kpi_data, user, staff_user):
    for username in ("gm_supervisor", "gm_dispatch", "fs_supervisor", "admin"):
        assert board_of(username, user).totals.settled == 3, username
    # the city supervisor may narrow to another district: nothing there
    assert board_of("fs_supervisor", user, region="440605").totals.ended == 0
    # a supervisor and a dispatcher of 南海区 see none of 高明区's mediations
    for role in ("supervisor", "dispatcher"):
        other = staff_user(f"nh_{role}", "NH-ZX", role)
        board = kpi.mediation_board(kpi.board_scope(other), SEP_OCT, today=TODAY)
        assert board.scope.name == "南海区"
        assert figures(board.totals) == (0, 0, 0, None, None, 0, 0, 0, 0)
        assert board.by_mediator == [] and board.by_matter == []
    # a mediator sees only their own
    own = kpi.mediation_board(kpi.mediator_scope(user("gm_court_mediator").mediator_profile), SEP_OCT, today=TODAY)
    assert figures(own.totals) == (1, 1, 1, 0.5, 5.0, 0, 0, 1, 0)
    assert [row.label for row in own.by_mediator] == ["何志远（法院特邀调解员）"]
    # a board viewer looking at one mediator: that mediator within the viewer's subtree
    gm = kpi.board_scope(user("gm_supervisor"))
    assert (
        kpi.mediation_board(kpi.mediator_scope(user("gm_mediator").mediator_profile, gm), SEP_OCT).totals.settled == 2
    )


def test_who_may_see_the_board(kpi_data, user, citizen):
    for username in ("gm_labor", "gm_mediator", "gm_window"):
        assert not kpi.can_view_board(user(username))
        with pytest.raises(PermissionDenied):
            kpi.board_scope(user(username))
    with pytest.raises(PermissionDenied):
        kpi.board_scope(citizen)
    with pytest.raises(PermissionDenied):
        kpi.board_scope(user("gm_supervisor"), "440605")  # 南海区: outside 高明区
    with pytest.raises(Http404):
        kpi.board_scope(user("gm_supervisor"), "000000")
    assert kpi.board_scope(user("gm_supervisor"), "440608102").region.name == "明城镇"


def test_a_fixed_number_of_queries(kpi_data, user, django_assert_num_queries):
    scope = kpi.board_scope(user("fs_supervisor"))
    # by month, by mediator, by matter (mediations and agreements each) and the top matter names
    with django_assert_num_queries(7):
        board = kpi.mediation_board(scope, SEP_OCT, today=TODAY)
    assert board.totals.settled == 3


def test_month_range_parsing():
    assert kpi.MonthRange.parse("2026-01", "2026-3") == kpi.MonthRange(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert kpi.MonthRange.parse("2026-13", "2026-12") is None
    period = kpi.MonthRange(dt.date(2025, 11, 1), dt.date(2026, 2, 1))
    assert period.end == dt.date(2026, 2, 28) and period.label == "2025年11月至2026年2月"
    assert [kpi.month_key(m) for m in period.months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period.end_at == dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)


def test_a_rate_on_too_few_mediations_ranks_after_the_others():
    """1 of 1 settled (100 %) ranks below 9 of 10 (90 %): too few to compare."""
    rows = [
        kpi.Row(key=1, label="甲", measures=kpi.Measures(settled=1, failed=0)),
        kpi.Row(key=2, label="乙", measures=kpi.Measures(settled=9, failed=1)),
        kpi.Row(key=3, label="丙", measures=kpi.Measures()),
    ]
    assert [r.label for r in kpi._ranked(rows)] == ["乙", "甲", "丙"]
