"""Mediation fixtures: a handling case in 明东村 (高明区人社局 leads) referred to mediation."""

import pytest


@pytest.fixture
def handling_case(mediators, submit_case, user, fresh):
    """``handling_case()`` → a 拖欠工资 case signed for by 高明区人社局 (status handling).
    ``respondent=True`` adds the employer as 被申请人 with a phone; ``people`` applicants."""
    from cases import services as cs
    from cases.models import Party, PartyRole

    def make(*, matter="labor.wages", region="440608102201", people=1, respondent=True, text=None):
        case = submit_case(
            matter=matter,
            region=region,
            people=people,
            text=text or "明东村某五金厂拖欠夏志明等工人三个月工资共计一万二千元，多次讨要无果。",
        )
        cs.case_accept(case=fresh(case), actor=user("gm_window"))
        case = fresh(case)
        cs.case_sign(case=case, actor=user("gm_labor"))
        if respondent:
            Party.objects.create(
                case=case, role=PartyRole.RESPONDENT, name="佛山市高明区明东五金制品厂", phone="13700137000"
            )
        return fresh(case)

    return make


@pytest.fixture
def mediation_in(handling_case, user, fresh):
    """``mediation_in("in_progress")`` → a mediation of a fresh handling case, referred by
    gm_labor, assigned by gm_dispatch to ``mediator`` (default gm_mediator) and driven to
    ``status``: requested, assigned, in_progress. Extra kwargs go to ``handling_case``."""
    from mediation import services as ms

    def make(status="in_progress", mediator="gm_mediator", **kw):
        case = handling_case(**kw)
        m = ms.mediation_request(case=case, actor=user("gm_labor"), note="双方对欠薪数额有争议，同意调解。")
        if status == "requested":
            return fresh(m)
        ms.mediation_assign(mediation=fresh(m), actor=user("gm_dispatch"), mediator=user(mediator).mediator_profile)
        if status == "assigned":
            return fresh(m)
        ms.mediation_accept(mediation=fresh(m), actor=user(mediator), no_conflict=True)
        return fresh(m)

    return make
