import pytest


@pytest.fixture
def case_in(submit_case, user, fresh):
    """A 拖欠工资 case in 明东村 (lead 高明区人社局, cooperating 明城镇综治中心) driven through the
    services to ``status``: submitted, accepted (returned to the centre's dispatch queue),
    dispatched, handling, extension (handling with an extension pending), reviewing, feedback."""
    from cases import services as s
    from cases.models import Outcome

    def make(status="dispatched", **kw):
        case = submit_case(**kw)
        if status == "submitted":
            return fresh(case)
        s.case_accept(case=fresh(case), actor=user("gm_window"))
        if status == "accepted":  # the unit's 退回申请, approved by the centre (issue #15)
            from cases.handover import handover_approve, handover_request

            request = handover_request(
                case=fresh(case), actor=user("gm_labor"), kind="return", reason="系商业合同纠纷，非劳动关系"
            )
            request.case = fresh(case)
            handover_approve(request=request, actor=user("gm_dispatch"))
        if status in ("handling", "extension", "reviewing", "feedback"):
            s.case_sign(case=fresh(case), actor=user("gm_labor"))
        if status == "extension":
            s.case_request_extension(case=fresh(case), actor=user("gm_labor"), days=5, reason="需调取考勤记录")
        if status in ("reviewing", "feedback"):
            s.case_submit_result(
                case=fresh(case), actor=user("gm_labor"), result="企业已足额支付工资", outcome=Outcome.RESOLVED
            )
        if status == "feedback":
            s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
        return fresh(case)

    return make


@pytest.fixture
def act():
    """``act(client, case, "sign", {...})`` POSTs an action with the version the case page shows now."""
    from django.urls import reverse

    from cases.models import Case
    from cases.views import case_version

    def post(client, case, action, data=None):
        payload = dict(data or {})
        payload.setdefault("seen", case_version(Case.objects.get(pk=case.pk)))
        return client.post(reverse("cases:case-act", args=[case.number, action]), payload)

    return post
