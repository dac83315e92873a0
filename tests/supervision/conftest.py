import pytest
from handover_steps import return_via_centre


# --- supervision screens (test_overdue_board, test_orders_views) --------------------------------
@pytest.fixture
def staff(demo):
    """``staff("cc_supervisor", "CC-ZX", "supervisor")`` → a staff user holding that one role."""
    from accounts.services import staff_user_ensure

    def make(username, unit, role):
        return staff_user_ensure(
            username=username, full_name=username, password="x-Pass-2026", memberships=[(unit, role)]
        )

    return make


@pytest.fixture
def open_case(submit_case, staff, fresh):
    """``open_case(matter, region, status=…, channel=…, at=…)``: a claim submitted at ``at`` and
    brought through the services at that same time to ``submitted``, ``dispatched`` (accepted and
    auto-dispatched by the demo rules) or ``handling`` (signed by a handler of its lead unit). Staff
    the demo lacks (a 禅城 clerk, a 市场监管局 handler) are made on the way."""
    from accounts.models import Membership
    from cases import services as cs

    def member(unit, role):
        found = Membership.objects.filter(unit=unit, role=role, active=True).select_related("user").first()
        return found.user if found else staff(f"{role}-{unit.code}", unit.code, role)

    def make(matter="labor.wages", region="440608102201", *, status="handling", channel="web", at=None):
        case = fresh(submit_case(matter=matter, region=region, channel=channel, at=at))
        if status == "submitted":
            return case
        cs.case_accept(case=case, actor=member(case.centre, "clerk"), at=at)
        case = fresh(case)
        if status == "handling":
            cs.case_sign(case=case, actor=member(case.lead_unit, "handler"), at=at)
        return fresh(case)

    return make


# --- KPI board, exports and monthly report (test_kpi*, test_monthly_report) ---------------------
@pytest.fixture
def at():
    """``at(10, 12, 9)`` → 2026-10-12 09:00 local time (Asia/Shanghai)."""
    from datetime import datetime

    from django.utils import timezone

    def make(month, day, hour=9, minute=0, year=2026):
        return timezone.make_aware(datetime(year, month, day, hour, minute))

    return make


@pytest.fixture
def kpi_claim(submit_case):
    """A claim by the demo citizen (who may then rate it) with a chosen matter, place, channel
    and registration time; returns its case."""

    def make(*, at, matter="labor.wages", region="440608102201", channel="web"):
        return submit_case(matter=matter, region=region, channel=channel, at=at)

    return make


@pytest.fixture
def october(kpi_claim, user, at, fresh, citizen):
    """The hand-computed data set of the KPI tests, built through the services in time order.

    高明区 (all in 明东村 unless said otherwise), period 2026-10:
      F  registered 09-28 (web), 高明区人社局, 调解成功, rated 满意 on 10-05 (National Day) → closed in Oct
      A  registered 10-12 (web), 高明区人社局, 调解成功, 满意 10-15
      B  registered 10-13 (hotline), returned by 高明区人社局, dispatched to 明城镇综治中心 (town),
         overdue in handling (red on 10-28), 暂无法解决, 基本满意 10-30
      G  registered 10-14 in 南海区 赤山村, left 待受理 (another district)
      C  registered 10-20 (window), 社会保险 (not mediable), 已解决, 不满意 then closed by the system 10-30
      E  registered 10-26 (web), 噪音扰民, 不予受理
      D  registered 10-27 (grid), still 已派单 at the end of October
      H  registered 10-31 23:30 (last minutes of October), I registered 11-01 00:00 (November)
    """
    from cases import services as cs
    from cases.models import Outcome, Rating
    from routing.models import Unit
    from supervision.services import warnings_sweep

    window, dispatcher, labor, town = user("gm_window"), user("gm_dispatch"), user("gm_labor"), user("mc_centre")

    def handle(case, *, accept, sign, result, outcome, approve, handler=labor):
        if accept:
            cs.case_accept(case=fresh(case), actor=window, at=accept)
        cs.case_sign(case=fresh(case), actor=handler, at=sign)
        cs.case_submit_result(case=fresh(case), actor=handler, result="已处理", outcome=outcome, at=result)
        cs.case_approve(case=fresh(case), actor=dispatcher, at=approve)

    cases = {}
    cases["F"] = f = kpi_claim(at=at(9, 28, 9))
    handle(
        f,
        accept=at(9, 28, 10),
        sign=at(9, 28, 11),
        result=at(9, 29, 10),
        outcome=Outcome.MEDIATED,
        approve=at(9, 29, 11),
    )
    cs.case_rate(case=fresh(f), actor=citizen, rating=Rating.SATISFIED, at=at(10, 5, 10))

    cases["A"] = a = kpi_claim(at=at(10, 12, 9))
    handle(
        a,
        accept=at(10, 12, 10),
        sign=at(10, 12, 11),
        result=at(10, 14, 15),
        outcome=Outcome.MEDIATED,
        approve=at(10, 14, 16),
    )
    cs.case_rate(case=fresh(a), actor=citizen, rating=Rating.SATISFIED, at=at(10, 15, 10))

    cases["B"] = b = kpi_claim(at=at(10, 13, 9), channel="hotline")
    cs.case_accept(case=fresh(b), actor=window, at=at(10, 13, 10))
    return_via_centre(case=fresh(b), actor=labor, reason="属镇街职责", at=at(10, 13, 11))
    cs.case_dispatch(
        case=fresh(b),
        actor=dispatcher,
        lead_unit=Unit.objects.get(code="GM-MC-ZZ"),
        cooperating_units=[],
        at=at(10, 13, 14),
    )
    cs.case_sign(case=fresh(b), actor=town, at=at(10, 13, 15))

    cases["G"] = kpi_claim(at=at(10, 14, 9), region="440605121201")

    cases["C"] = c = kpi_claim(at=at(10, 20, 9), matter="labor.social_insurance", channel="window")
    handle(
        c,
        accept=at(10, 20, 10),
        sign=at(10, 20, 11),
        result=at(10, 22, 10),
        outcome=Outcome.RESOLVED,
        approve=at(10, 22, 11),
    )
    cs.case_rate(case=fresh(c), actor=citizen, rating=Rating.UNSATISFIED, comment="还是没有补缴", at=at(10, 23, 9))
    cs.case_approve(case=fresh(c), actor=dispatcher, at=at(10, 23, 10))

    cases["E"] = e = kpi_claim(at=at(10, 26, 9), matter="neighbour.noise")
    cs.case_reject(case=fresh(e), actor=window, reason="已进入诉讼程序", at=at(10, 26, 10))

    cases["D"] = d = kpi_claim(at=at(10, 27, 9), channel="grid")
    cs.case_accept(case=fresh(d), actor=window, at=at(10, 27, 10))

    warnings_sweep(now=at(10, 28, 9))  # B is past its handling time: red

    cs.case_submit_result(
        case=fresh(b), actor=town, result="双方分歧较大", outcome=Outcome.UNRESOLVABLE, at=at(10, 29, 10)
    )
    cs.case_approve(case=fresh(b), actor=dispatcher, at=at(10, 29, 11))
    cs.case_rate(case=fresh(b), actor=citizen, rating=Rating.BASIC, at=at(10, 30, 9))
    cs.case_auto_close(case=fresh(c), at=at(10, 30, 11))

    cases["H"] = kpi_claim(at=at(10, 31, 23, 30))
    cases["I"] = kpi_claim(at=at(11, 1, 0, 0))
    return {key: fresh(case) for key, case in cases.items()}
