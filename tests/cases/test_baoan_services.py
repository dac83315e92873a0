"""包案 and 挂牌督办 (issue #15, cases.baoan, docs/baoan.md): the services' rules, events and messages,
and the owner-only review (审核通过 / 驳回重办) at the service and FSM level."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.services import staff_user_ensure
from cases import services as s
from cases.baoan import BAOAN_MAX_DAYS, baoan_due_problem, target_left
from cases.models import Case, CaseEvent, Status
from cases.permissions import available_actions
from cases.transitions import CaseError
from cases.workdays import is_workday
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def next_workday(after: int = 3) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def a_holiday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=1)
    while is_workday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def owned(case_in, user, fresh):
    """A case in ``status`` owned by gm_supervisor (target: a working day ahead)."""

    def make(status="handling", plate=False):
        case = case_in(status)
        s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=next_workday(), note="每周报告进展")
        if plate:
            s.case_plate_hang(case=fresh(case), actor=user("gm_supervisor"), reason="群众多次反映")
        return fresh(case)

    return make


def events(case, kind):
    return list(CaseEvent.objects.filter(case=case, transition=kind))


# --- take ------------------------------------------------------------------------------------------
def test_a_supervisor_of_the_place_takes_a_case(case_in, user, fresh):
    case = case_in("handling")
    due = next_workday()
    s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=due, note="春节前化解")
    case = fresh(case)
    assert case.baoan_leader == user("gm_supervisor")
    assert case.baoan_due_date == due and case.baoan_note == "春节前化解" and case.baoan_at
    (event,) = events(case, "baoan_take")
    assert not event.public and "赵丽（高明区督办）包案" in event.note and "春节前化解" in event.note
    assert event.to_status == event.from_status == Status.HANDLING  # the status does not move


def test_taking_tells_the_lead_unit_and_the_centre(case_in, user):
    case = case_in("handling")
    s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=next_workday())
    sent = OutboxMessage.objects.filter(kind="case_baoan", case_number=case.number)
    recipients = {m.recipient_user.username for m in sent.select_related("recipient_user")}
    assert {"gm_labor", "gm_dispatch"} <= recipients
    assert "mc_centre" not in recipients  # a cooperating unit is not the one to deliver
    body = sent.first().body
    assert "由赵丽（高明区督办）领导包案" in body and "目标办结日期" in body and "由包案领导审核" in body


@pytest.mark.parametrize(
    "day, words",
    [
        (lambda: timezone.localdate() - dt.timedelta(days=1), "不能早于今天"),
        (lambda: timezone.localdate() + dt.timedelta(days=BAOAN_MAX_DAYS + 10), "90 天内"),
        (a_holiday, "不是工作日"),
        (lambda: None, "请填写目标办结日期"),
    ],
)
def test_a_bad_target_date_is_refused_and_nothing_changes(case_in, user, fresh, day, words):
    case = case_in("handling")
    with pytest.raises(CaseError, match=words):
        s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=day())
    assert fresh(case).baoan_leader_id is None
    assert not events(case, "baoan_take")


def test_due_problem_accepts_today_if_a_working_day():
    monday = dt.date(2026, 12, 7)
    assert baoan_due_problem(monday, today=monday) == ""
    assert "不是工作日" in baoan_due_problem(dt.date(2026, 12, 12), today=monday)  # a Saturday
    assert baoan_due_problem(dt.date(2027, 3, 5), today=monday) == ""  # a Friday 88 days on
    assert "90 天内" in baoan_due_problem(dt.date(2027, 3, 8), today=monday)  # 91 days on


def test_target_words():
    today = dt.date(2026, 12, 7)
    assert target_left(dt.date(2026, 12, 10), today=today) == (3, "还剩 3 天")
    assert target_left(today, today=today) == (0, "今天到期")
    assert target_left(dt.date(2026, 12, 5), today=today) == (-2, "超期 2 天")


def test_one_owner_at_a_time(owned, user, fresh):
    case = owned()
    with pytest.raises(CaseError, match="本案已由赵丽（高明区督办）包案：须其撤销包案后"):
        s.case_baoan_take(case=case, actor=user("fs_supervisor"), due_date=next_workday())
    assert fresh(case).baoan_leader == user("gm_supervisor")
    assert len(events(case, "baoan_take")) == 1


def test_a_stale_page_cannot_take_a_case_another_leader_took(case_in, user, fresh):
    """Both leaders loaded the case while it was free: the conditional UPDATE lets one win."""
    case = case_in("handling")
    first, second = fresh(case), fresh(case)
    s.case_baoan_take(case=first, actor=user("gm_supervisor"), due_date=next_workday())
    with pytest.raises(CaseError, match="已由赵丽"):
        s.case_baoan_take(case=second, actor=user("fs_supervisor"), due_date=next_workday())
    assert len(events(case, "baoan_take")) == 1
    assert fresh(case).baoan_leader == user("gm_supervisor")


def test_taking_twice_says_so(owned, user, fresh):
    case = owned()
    with pytest.raises(CaseError, match="您已包案此案件"):
        s.case_baoan_take(case=fresh(case), actor=user("gm_supervisor"), due_date=next_workday())


def test_a_closed_case_cannot_be_taken(case_in, user):
    case = case_in("feedback")
    s.case_rate(case=case, actor=case.parties.first().user, rating="satisfied")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED
    assert "baoan_take" not in available_actions(user("gm_supervisor"), case)
    with pytest.raises(CaseError, match="已结束"):
        s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=next_workday())


@pytest.mark.parametrize("who", ["gm_dispatch", "gm_window", "gm_labor", "mc_centre", "admin"])
def test_only_a_supervisor_takes(case_in, user, who):
    case = case_in("handling")
    with pytest.raises(PermissionDenied):
        s.case_baoan_take(case=case, actor=user(who), due_date=next_workday())


def test_a_supervisor_of_another_region_cannot_take(case_in):
    other = staff_user_ensure(
        username="cc_sup", full_name="禅城督办", password="x-Pass-2026", memberships=[("CC-ZX", "supervisor")]
    )
    with pytest.raises(PermissionDenied):
        s.case_baoan_take(case=case_in("handling"), actor=other, due_date=next_workday())


# --- release ---------------------------------------------------------------------------------------
def test_the_owner_releases_with_a_reason_and_another_may_then_take(owned, user, fresh):
    case = owned(plate=True)
    with pytest.raises(CaseError, match="请填写撤销包案的理由"):
        s.case_baoan_release(case=case, actor=user("gm_supervisor"), reason="  ")
    assert fresh(case).baoan_leader_id is not None
    s.case_baoan_release(case=fresh(case), actor=user("gm_supervisor"), reason="工作调整")
    case = fresh(case)
    assert case.baoan_leader_id is None and case.baoan_due_date is None and case.plate_hung_at is None
    assert "工作调整" in events(case, "baoan_release")[0].note
    assert "随撤销包案摘牌" in events(case, "plate_remove")[0].note  # the plate came down with it
    s.case_baoan_take(case=case, actor=user("fs_supervisor"), due_date=next_workday())
    assert fresh(case).baoan_leader == user("fs_supervisor")


def test_an_admin_releases_and_the_leader_is_told(owned, user, fresh):
    case = owned()
    s.case_baoan_release(case=case, actor=user("admin"), reason="赵丽已调离")
    assert fresh(case).baoan_leader_id is None
    told = OutboxMessage.objects.filter(kind="case_baoan", recipient_user=user("gm_supervisor")).last()
    assert "已由系统管理员撤销包案：赵丽已调离" in told.body


@pytest.mark.parametrize("who", ["fs_supervisor", "gm_dispatch", "gm_labor"])
def test_others_cannot_release(owned, user, who):
    with pytest.raises(PermissionDenied):
        s.case_baoan_release(case=owned(), actor=user(who), reason="想接手")


# --- the plate -------------------------------------------------------------------------------------
def test_the_owner_hangs_and_removes_the_plate(owned, user, fresh):
    case = owned()
    with pytest.raises(CaseError, match="请填写挂牌督办的理由"):
        s.case_plate_hang(case=case, actor=user("gm_supervisor"), reason="")
    s.case_plate_hang(case=fresh(case), actor=user("gm_supervisor"), reason="群众多次反映")
    case = fresh(case)
    assert case.plate_hung_at and case.plate_reason == "群众多次反映"
    assert OutboxMessage.objects.filter(kind="case_baoan", body__contains="挂牌督办：群众多次反映").exists()
    with pytest.raises(CaseError, match="已挂牌督办"):
        s.case_plate_hang(case=fresh(case), actor=user("gm_supervisor"), reason="再挂一次")
    with pytest.raises(CaseError, match="请填写摘牌理由"):
        s.case_plate_remove(case=fresh(case), actor=user("gm_supervisor"), reason="")
    s.case_plate_remove(case=fresh(case), actor=user("gm_supervisor"), reason="问题已解决")
    case = fresh(case)
    assert case.plate_hung_at is None and case.plate_reason == ""
    assert [e.note for e in events(case, "plate_hang")] == ["群众多次反映"]
    assert [e.note for e in events(case, "plate_remove")] == ["问题已解决"]
    assert not any(e.public for e in CaseEvent.objects.filter(case=case, transition__in=["plate_hang", "plate_remove"]))


def test_a_stale_second_hang_writes_one_event(owned, user, fresh):
    case = owned()
    first, second = fresh(case), fresh(case)
    s.case_plate_hang(case=first, actor=user("gm_supervisor"), reason="一")
    with pytest.raises(CaseError, match="已挂牌督办"):
        s.case_plate_hang(case=second, actor=user("gm_supervisor"), reason="二")
    assert len(events(case, "plate_hang")) == 1


@pytest.mark.parametrize("who", ["fs_supervisor", "gm_dispatch", "gm_labor", "admin"])
def test_only_the_owner_hangs_or_removes(owned, user, who):
    with pytest.raises(PermissionDenied):
        s.case_plate_hang(case=owned(), actor=user(who), reason="挂牌")
    with pytest.raises(PermissionDenied):
        s.case_plate_remove(case=owned(plate=True), actor=user(who), reason="摘牌")


def test_no_plate_without_an_owner(case_in, user):
    with pytest.raises(PermissionDenied):
        s.case_plate_hang(case=case_in("handling"), actor=user("gm_supervisor"), reason="挂牌")


# --- the owner-only review -------------------------------------------------------------------------
def test_while_owned_the_dispatcher_cannot_review(owned, user, fresh):
    case = owned("reviewing")
    dispatcher = user("gm_dispatch")
    assert not {"approve", "send_back"} & set(available_actions(dispatcher, case))
    with pytest.raises(PermissionDenied):
        s.case_approve(case=fresh(case), actor=dispatcher)
    with pytest.raises(PermissionDenied):
        s.case_send_back(case=fresh(case), actor=dispatcher, reason="重办")
    assert fresh(case).status == Status.REVIEWING


def test_the_owner_approves(owned, user, fresh):
    case = owned("reviewing")
    assert {"approve", "send_back"} <= set(available_actions(user("gm_supervisor"), case))
    s.case_approve(case=case, actor=user("gm_supervisor"))
    assert fresh(case).status == Status.FEEDBACK
    assert events(case, "approve")[0].actor == user("gm_supervisor")


def test_the_owner_sends_back(owned, user, fresh):
    case = owned("reviewing")
    s.case_send_back(case=case, actor=user("gm_supervisor"), reason="请补充工资发放凭证")
    assert fresh(case).status == Status.HANDLING


def test_an_admin_may_review_an_owned_case(owned, user, fresh):
    case = owned("reviewing")
    s.case_approve(case=case, actor=user("admin"))
    assert fresh(case).status == Status.FEEDBACK


def test_another_supervisor_cannot_review(owned, user, fresh):
    case = owned("reviewing")
    with pytest.raises(PermissionDenied):
        s.case_approve(case=case, actor=user("fs_supervisor"))


def test_a_review_from_before_the_take_is_refused(case_in, user, fresh):
    """The dispatcher loaded the case before the leader took it: the review re-reads the owner."""
    case = case_in("reviewing")
    stale = fresh(case)
    s.case_baoan_take(case=fresh(case), actor=user("gm_supervisor"), due_date=next_workday())
    with pytest.raises(CaseError, match="审核人已变化"):
        s.case_approve(case=stale, actor=user("gm_dispatch"))
    assert fresh(case).status == Status.REVIEWING


def test_after_release_the_centre_reviews_again(owned, user, fresh):
    case = owned("reviewing")
    s.case_baoan_release(case=case, actor=user("gm_supervisor"), reason="交回中心")
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
    assert fresh(case).status == Status.FEEDBACK


def test_unowned_review_is_the_centres_as_before(case_in, user, fresh):
    case = case_in("reviewing")
    with pytest.raises(PermissionDenied):
        s.case_approve(case=fresh(case), actor=user("gm_supervisor"))
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))


def test_the_leader_is_told_when_the_result_comes_in(owned, user, fresh):
    case = owned("handling")
    from cases.models import Outcome

    s.case_submit_result(case=case, actor=user("gm_labor"), result="已足额支付", outcome=Outcome.RESOLVED)
    told = OutboxMessage.objects.filter(kind="case_baoan", recipient_user=user("gm_supervisor")).last()
    assert told is not None and "已提交办理结果，请审核" in told.body
