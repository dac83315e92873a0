"""类案推荐 fixtures: closed cases made through the services, and a stand-in for the engine."""

from dataclasses import dataclass

import pytest


@pytest.fixture
def closed_case(mediators, submit_case, user, citizen, fresh):
    """``closed_case(text=…, result=…)`` → a 拖欠工资-style case in 明东村 led by 高明区人社局 and
    closed through the services (accept → sign → result → approve → the citizen's 满意).
    ``mediation="failed"`` sends it to gm_mediator first, who ends it 调解不成 (→ litigation)."""
    from cases import services as s
    from cases.models import Outcome, Rating
    from mediation import services as ms

    def make(*, text="工地老板拖欠三个月工资共计一万二千元，多次讨要无果。", result="企业已足额支付工资。",
             outcome=Outcome.RESOLVED, mediation="", **kw):  # fmt: skip
        case = submit_case(text=text, **kw)
        s.case_accept(case=fresh(case), actor=user("gm_window"))
        s.case_sign(case=fresh(case), actor=user("gm_labor"))
        if mediation:
            m = ms.mediation_request(case=fresh(case), actor=user("gm_labor"), note="双方同意调解")
            ms.mediation_assign(
                mediation=fresh(m), actor=user("gm_dispatch"), mediator=user("gm_mediator").mediator_profile
            )
            ms.mediation_accept(mediation=fresh(m), actor=user("gm_mediator"), no_conflict=True)
            ms.mediation_fail(
                mediation=fresh(m), actor=user("gm_mediator"), reason="双方对数额分歧大", next_step="litigation"
            )
        s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result=result, outcome=outcome)
        s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
        s.case_rate(case=fresh(case), actor=citizen, rating=Rating.SATISFIED)
        return fresh(case)

    return make


@pytest.fixture
def open_mediation(mediators, submit_case, user, fresh):
    """An in-progress mediation by gm_mediator of a fresh 拖欠工资 case in 明东村."""
    from cases import services as s
    from mediation import services as ms

    def make(text="明东村某五金厂拖欠工人工资，双方对数额有争议。"):
        case = submit_case(text=text)
        s.case_accept(case=fresh(case), actor=user("gm_window"))
        s.case_sign(case=fresh(case), actor=user("gm_labor"))
        m = ms.mediation_request(case=fresh(case), actor=user("gm_labor"), note="双方同意调解")
        ms.mediation_assign(
            mediation=fresh(m), actor=user("gm_dispatch"), mediator=user("gm_mediator").mediator_profile
        )
        ms.mediation_accept(mediation=fresh(m), actor=user("gm_mediator"), no_conflict=True)
        return fresh(m)

    return make


@dataclass(frozen=True)
class StandInMatch:
    """The contract's ``similar.engine.Match``."""

    case_id: int
    score: float
    shared_terms: tuple[str, ...] = ()
    same_place: str = ""
    same_matter: bool = False
    why: str = ""


class StandInEngine:
    """``closed_case_matches`` as the contract describes it, scored by shared characters (one query).
    ``leak = True`` makes it ignore the ``cases`` scope, as a broken engine might: the views must
    still show only the user's cases. ``calls`` records what it was asked."""

    def __init__(self):
        self.calls = []
        self.leak = False

    def __call__(self, text, *, matter_id, region_id, cases, limit):
        from cases.models import Case, Status

        self.calls.append({"text": text, "matter_id": matter_id, "region_id": region_id, "limit": limit})
        pool = Case.objects.filter(status=Status.CLOSED) if self.leak else cases
        wanted = set(text)
        scored = []
        for pk, title, description, region in pool.values_list("pk", "title", "description", "region_id"):
            shared = wanted & set(title + description)
            score = len(shared) / max(len(wanted), 1)
            if score > 0.2:
                place = "同一村" if region == region_id else ""
                why = f"描述相似 {score:.2f}" + (f"，{place}" if place else "")
                scored.append(StandInMatch(case_id=pk, score=score, same_place=place, why=why))
        scored.sort(key=lambda m: (-m.score, m.case_id))
        return scored[:limit]


@pytest.fixture
def engine(monkeypatch):
    """The stand-in engine in place of ``similar.engine`` (until it is merged; see docs/similar-cases.md)."""
    stand_in = StandInEngine()
    monkeypatch.setattr("precedents.finder.closed_case_matches", stand_in)
    return stand_in


@pytest.fixture
def new_case(submit_case, user, fresh):
    """``new_case(text=…)`` → an open case accepted by the 高明 window and dispatched by the rules
    to 高明区人社局 (so its handlers, the centre and the supervisors all see it)."""
    from cases import services as s

    def make(**kw):
        case = submit_case(**kw)
        s.case_accept(case=fresh(case), actor=user("gm_window"))
        return fresh(case)

    return make
