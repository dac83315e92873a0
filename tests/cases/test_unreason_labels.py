"""不合理诉求 / 恶意诉求 (issue #15): the lead unit proposes with grounds and reasons, the centre's
dispatchers approve or refuse (审核认定) and may revoke; internal events only; the citizen never
sees it. The 满意率 side is in tests/supervision/test_unreason_kpi.py."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, Rating, UnreasonLabel
from cases.transitions import CaseError
from cases.unreason import (
    PROPOSE_DAYS_AFTER_CLOSE,
    unreason_approve,
    unreason_propose,
    unreason_refuse,
    unreason_revoke,
)
from core.errors import StaleError
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

GROUNDS = ["beyond_policy", "answered_repeat"]
REASON = "诉求人要求按其自报工时补发加班费，经核实已依法足额支付，三次答复后仍反复提出。"


def propose(case, actor, **kw):
    kw.setdefault("kind", "unreasonable")
    kw.setdefault("grounds", GROUNDS)
    kw.setdefault("reason", REASON)
    return unreason_propose(case=case, actor=actor, **kw)


def events(case, transition):
    return list(CaseEvent.objects.filter(case=case, transition=transition))


# --- propose ------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["handling", "reviewing", "feedback"])
def test_the_lead_unit_proposes_while_it_works_the_case(case_in, user, status):
    case = case_in(status)
    label = propose(case, user("gm_labor"))
    assert (label.status, label.kind, label.unit.code, label.grounds) == ("pending", "unreasonable", "GM-RSJ", GROUNDS)
    [event] = events(case, "unreason_propose")
    assert event.public is False
    assert "申请认定为不合理诉求（诉求超出政策法规范围、已依法依规答复，仍反复提出同一诉求）" in event.note
    assert REASON in event.note


def test_a_closed_case_may_be_proposed_within_the_window(case_in, user, citizen, fresh):
    from cases import services as s

    case = case_in("feedback")
    s.case_rate(case=case, actor=citizen, rating=Rating.SATISFIED)
    case = fresh(case)
    assert case.status == "closed"
    later = case.closed_at + timezone.timedelta(days=PROPOSE_DAYS_AFTER_CLOSE - 1)
    assert propose(case, user("gm_labor"), at=later).status == "pending"
    UnreasonLabel.objects.all().delete()
    too_late = case.closed_at + timezone.timedelta(days=PROPOSE_DAYS_AFTER_CLOSE + 1)
    with pytest.raises(CaseError, match="办结已超过 30 天"):
        propose(case, user("gm_labor"), at=too_late)


@pytest.mark.parametrize("status, words", [("dispatched", "请先签收"), ("submitted", "待受理"), ("accepted", "已受理")])
def test_not_before_the_unit_has_signed(case_in, user, status, words):
    case = case_in(status)
    actor = user("gm_labor")
    if status != "dispatched":  # no lead unit of gm_labor's any more: the permission check comes first
        with pytest.raises((CaseError, PermissionDenied)):
            propose(case, actor)
    else:
        with pytest.raises(CaseError, match=words):
            propose(case, actor)
    assert not UnreasonLabel.objects.exists()


@pytest.mark.parametrize(
    "kw, field, words",
    [
        ({"grounds": []}, "grounds", "请至少勾选一项认定情形"),
        ({"grounds": ["nonsense"]}, "grounds", "请至少勾选一项认定情形"),
        ({"reason": "   "}, None, "请填写申请理由"),
        ({"kind": "rude"}, "kind", "请选择类别"),
        ({"kind": "malicious", "grounds": ["beyond_policy"]}, "grounds", "须至少勾选一项恶意情形"),
    ],
)
def test_bad_input_changes_nothing(case_in, user, kw, field, words):
    case = case_in("handling")
    with pytest.raises(CaseError, match=words) as caught:
        propose(case, user("gm_labor"), **kw)
    if field:
        assert caught.value.field == field
    assert not UnreasonLabel.objects.exists() and not events(case, "unreason_propose")


def test_a_malicious_label_with_a_malicious_ground(case_in, user):
    label = propose(case_in("handling"), user("gm_labor"), kind="malicious", grounds=["fabricated", "nuisance"])
    assert label.ground_labels == ["虚构、歪曲事实", "无正当理由大量重复投诉、缠访闹访"]


def test_one_live_label_per_case(case_in, user):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    with pytest.raises(CaseError, match="已有待审核的认定申请"):
        propose(case, user("gm_labor"))
    unreason_approve(label=label, actor=user("gm_dispatch"))
    with pytest.raises(CaseError, match="已被认定为不合理诉求"):
        propose(case, user("gm_labor"))
    # and the database says so too, whatever the service checks
    with pytest.raises(IntegrityError), transaction.atomic():
        UnreasonLabel.objects.create(
            case=case, unit=label.unit, kind="malicious", grounds=["abuse"], reason="x",
            proposed_by=user("gm_labor"), proposed_at=timezone.now(),
        )  # fmt: skip


def test_after_a_refusal_the_unit_may_propose_again(case_in, user):
    case = case_in("handling")
    unreason_refuse(label=propose(case, user("gm_labor")), actor=user("gm_dispatch"), reason="答复不充分")
    assert propose(case, user("gm_labor"), grounds=["excessive"]).status == "pending"


@pytest.mark.parametrize("who", ["mc_centre", "gm_dispatch", "gm_window", "gm_supervisor", "admin"])
def test_only_the_lead_unit_proposes(case_in, user, who):
    with pytest.raises(PermissionDenied):
        propose(case_in("handling"), user(who))


# --- decide and revoke ----------------------------------------------------------------------------
def test_approve_labels_the_case_and_tells_the_unit(case_in, user, fresh):
    case = case_in("reviewing")
    label = unreason_approve(label=propose(case, user("gm_labor")), actor=user("gm_dispatch"), reason="经核实属实")
    case = fresh(case)
    assert (case.unreason, case.unreason_unit.code) == ("unreasonable", "GM-RSJ")
    assert (label.status, label.decided_by.username, label.decision_reason) == ("approved", "gm_dispatch", "经核实属实")
    [event] = events(case, "unreason_approve")
    assert event.public is False
    assert event.note == "认定为不合理诉求，不纳入高明区人力资源和社会保障局满意率考核：经核实属实"
    told = OutboxMessage.objects.filter(kind="unreason", recipient_user__username="gm_labor")
    assert told.count() == 1 and "已认定为不合理诉求" in told.get().body


def test_refuse_needs_a_reason_and_leaves_the_case_unlabelled(case_in, user, fresh):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    with pytest.raises(CaseError, match="不予认定须填写理由"):
        unreason_refuse(label=label, actor=user("gm_dispatch"), reason=" ")
    assert fresh(label).status == "pending"
    unreason_refuse(label=label, actor=user("gm_dispatch"), reason="诉求有政策依据，应继续办理")
    assert fresh(label).status == "refused" and fresh(case).unreason == ""
    assert events(case, "unreason_refuse")[0].note == "不予认定为不合理诉求：诉求有政策依据，应继续办理"


def test_revoke_takes_the_label_back(case_in, user, fresh):
    case = case_in("handling")
    label = unreason_approve(label=propose(case, user("gm_labor")), actor=user("gm_dispatch"))
    with pytest.raises(CaseError, match="撤销认定须填写理由"):
        unreason_revoke(label=label, actor=user("gm_dispatch"), reason="")
    unreason_revoke(label=label, actor=user("gm_dispatch"), reason="群众补充了新的证据")
    case = fresh(case)
    assert (case.unreason, case.unreason_unit_id, fresh(label).status) == ("", None, "revoked")
    assert "撤销不合理诉求认定，恢复计入" in events(case, "unreason_revoke")[0].note
    # revoked: no longer live, the unit may propose again
    assert propose(case, user("gm_labor")).status == "pending"


def test_a_second_decision_is_stale(case_in, user):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    copy = UnreasonLabel.objects.select_related("case", "unit").get(pk=label.pk)
    unreason_approve(label=label, actor=user("gm_dispatch"))
    with pytest.raises(StaleError):
        unreason_refuse(label=copy, actor=user("gm_dispatch"), reason="迟到的结论")
    assert len(events(case, "unreason_approve")) == 1 and not events(case, "unreason_refuse")
    unreason_revoke(label=label, actor=user("gm_dispatch"), reason="撤销")
    with pytest.raises(StaleError):
        unreason_revoke(label=copy, actor=user("gm_dispatch"), reason="再撤销")


@pytest.mark.parametrize("who", ["gm_labor", "mc_centre", "gm_window", "gm_supervisor", "fs_supervisor", "admin"])
def test_only_the_centre_decides(case_in, user, who):
    label = propose(case_in("handling"), user("gm_labor"))
    with pytest.raises(PermissionDenied):
        unreason_approve(label=label, actor=user(who))
    with pytest.raises(PermissionDenied):
        unreason_refuse(label=label, actor=user(who), reason="x")


# --- screens and the permission cells -------------------------------------------------------------
def _other(who):
    from accounts.services import staff_user_ensure

    memberships = {
        "dispatcher_out": [("CC-ZX", "dispatcher")],  # a 禅城 dispatcher
        "handler_other": [("GM-CGJ", "handler")],  # 高明区城管局
    }[who]
    return staff_user_ensure(username=who, full_name=who, password="x-Pass-2026", memberships=memberships)


def _client(login, citizen, who):
    if who in ("dispatcher_out", "handler_other"):
        return login(_other(who))
    return login(citizen if who == "citizen" else who)


PROPOSE_CELLS = [
    ("gm_labor", 302),  # handler, lead
    ("mc_centre", 403),  # handler, cooperating: sees the case, not its unit's 满意率
    ("handler_other", 404),
    ("gm_dispatch", 403),
    ("dispatcher_out", 404),
    ("gm_window", 403),
    ("gm_supervisor", 403),
    ("gm_mediator", 404),
    ("citizen", 403),
    ("admin", 403),
]


@pytest.mark.parametrize("who, status", PROPOSE_CELLS)
def test_who_may_propose(case_in, login, citizen, who, status):
    case = case_in("handling")
    client = _client(login, citizen, who)
    url = reverse("cases:unreason-propose", args=[case.number])
    response = client.post(url, {"kind": "unreasonable", "grounds": GROUNDS, "reason": REASON})
    assert response.status_code == status
    assert UnreasonLabel.objects.filter(case=case).exists() == (status == 302)


DECIDE_CELLS = [
    ("gm_dispatch", 302),  # dispatcher, in
    ("dispatcher_out", 404),
    ("gm_window", 403),
    ("gm_supervisor", 403),
    ("fs_supervisor", 403),
    ("gm_labor", 403),
    ("mc_centre", 403),
    ("handler_other", 404),
    ("gm_mediator", 404),
    ("citizen", 403),
    ("admin", 403),
]


@pytest.mark.parametrize("who, status", DECIDE_CELLS)
def test_who_may_decide(case_in, user, login, citizen, fresh, who, status):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    client = _client(login, citizen, who)
    response = client.post(reverse("cases:unreason-decide", args=[label.pk]), {"decision": "approve"})
    assert response.status_code == status
    assert fresh(label).status == ("approved" if status == 302 else "pending")


@pytest.mark.parametrize("who, status", DECIDE_CELLS)
def test_who_may_revoke(case_in, user, login, citizen, fresh, who, status):
    case = case_in("handling")
    label = unreason_approve(label=propose(case, user("gm_labor")), actor=user("gm_dispatch"))
    client = _client(login, citizen, who)
    response = client.post(reverse("cases:unreason-revoke", args=[label.pk]), {"reason": "群众补充新证据"})
    assert response.status_code == status
    assert fresh(label).status == ("revoked" if status == 302 else "approved")


@pytest.mark.parametrize(
    "who, status",
    [
        ("gm_dispatch", 200),
        ("gm_window", 403),
        ("gm_supervisor", 403),
        ("gm_labor", 403),
        ("citizen", 403),
        ("admin", 403),
    ],
)
def test_who_may_open_the_pending_list(demo, login, citizen, who, status):
    assert _client(login, citizen, who).get(reverse("cases:unreason-list")).status_code == status


def test_unknown_label_is_404(demo, login):
    assert login("gm_dispatch").get(reverse("cases:unreason-decide", args=[999999])).status_code == 404


def test_the_propose_form_round_trip(case_in, login):
    case = case_in("handling")
    client = login("gm_labor")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="unreason-propose"' in page and "诉求超出政策法规范围" in page
    url = reverse("cases:unreason-propose", args=[case.number])
    bad = client.post(url, {"kind": "malicious", "grounds": ["beyond_policy"], "reason": "想要的太多了"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "须至少勾选一项恶意情形" in text and "想要的太多了" in text  # nothing typed is lost
    assert client.post(url, {"kind": "unreasonable", "grounds": [], "reason": ""}).status_code == 400
    assert not UnreasonLabel.objects.exists()
    done = client.post(url, {"kind": "unreasonable", "grounds": GROUNDS, "reason": REASON}, follow=True)
    text = done.content.decode()
    assert "认定申请已提交，等待诉求服务中心审核" in text
    assert 'data-testid="unreason-status"' in text and "待审核" in text
    assert 'data-testid="unreason-propose"' not in text  # one live proposal


def test_the_centre_decides_from_its_list(case_in, user, login):
    case = case_in("reviewing")
    propose(case, user("gm_labor"))
    client = login("gm_dispatch")
    home = client.get(reverse("home")).content.decode()
    assert "不合理诉求待审核" in home
    listing = client.get(reverse("cases:unreason-list")).content.decode()
    assert case.number in listing and "高明区人力资源和社会保障局" in listing
    label = UnreasonLabel.objects.get()
    url = reverse("cases:unreason-decide", args=[label.pk])
    assert "申请理由" in client.get(url + "?next=list").content.decode()
    bad = client.post(url, {"decision": "refuse", "reason": "", "next": "list"})
    assert bad.status_code == 400 and "不予认定须填写理由" in bad.content.decode()
    done = client.post(url, {"decision": "approve", "reason": "", "next": "list"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("cases:unreason-list")
    assert "已认定为不合理诉求" in done.content.decode()
    assert "暂时没有待审核的认定申请" in done.content.decode()
    assert "不合理诉求待审核" not in client.get(reverse("home")).content.decode()
    # the case carries the label, in words, on the staff page and in the lists
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="unreason-badge"' in page and "已认定不合理诉求" in page
    assert 'data-testid="unreason-revoke"' in page
    found = client.get(reverse("cases:case-list"), {"q": case.number}).content.decode()
    assert "已认定不合理诉求" in found
    inbox = login("gm_labor").get(reverse("cases:inbox"), {"tab": "reviewing"}).content.decode()
    assert "已认定不合理诉求" in inbox


def test_a_decision_already_made_says_so(case_in, user, login):
    case = case_in("handling")
    label = propose(case, user("gm_labor"))
    client = login("gm_dispatch")
    unreason_refuse(label=label, actor=user("gm_dispatch"), reason="有政策依据")
    response = client.post(reverse("cases:unreason-decide", args=[label.pk]), {"decision": "approve"}, follow=True)
    assert "该认定申请已审核：不予认定" in response.content.decode()
    assert len(events(case, "unreason_refuse")) == 1 and not events(case, "unreason_approve")


def test_the_pending_list_costs_the_same_for_more_rows(case_in, user, login, django_assert_max_num_queries):
    client = login("gm_dispatch")
    propose(case_in("handling"), user("gm_labor"))
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("cases:unreason-list"))
    for _ in range(4):
        propose(case_in("handling"), user("gm_labor"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("cases:unreason-list"))
    assert page.content.decode().count('data-testid="unreason-row"') == 5


# --- the citizen never sees it --------------------------------------------------------------------
def test_the_citizen_never_sees_the_label(case_in, user, login, citizen, fresh):
    from cases import services as s

    case = case_in("feedback")
    code = case.claims.first().tracking_code
    label = propose(case, user("gm_labor"), kind="malicious", grounds=["fabricated", "abuse"])
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.UNSATISFIED, comment="没解决")
    unreason_approve(label=label, actor=user("gm_dispatch"), reason="录音证实辱骂")
    me = login(citizen)
    pages = [
        me.get(reverse("intake:claim-detail", args=[code])).content.decode(),
        me.get(reverse("intake:my-claims")).content.decode(),
    ]
    for words in ("不合理", "恶意", "认定", "辱骂", "虚构", "满意率", "unreason"):
        assert all(words not in page for page in pages), words
    sms = OutboxMessage.objects.filter(recipient_phone="13800138000")
    assert sms.exists()
    assert not any("不合理" in m.body or "恶意" in m.body or "认定" in m.body for m in sms)
    assert not OutboxMessage.objects.filter(kind="unreason", recipient_user=citizen).exists()
    # and the staff page's timeline keeps the internal events out of the citizen's timeline
    assert CaseEvent.objects.filter(case=case, transition__startswith="unreason", public=True).count() == 0
