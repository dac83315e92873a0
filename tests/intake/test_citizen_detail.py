"""The citizen's case page: who sees it, the public timeline, rating and withdrawing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as s
from cases.models import Case, CaseEvent, Outcome, Status
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

STAFF_NAMES = ["张敏", "王芳", "陈伟", "李强", "梁志强"]


def detail(claim):
    return reverse("intake:claim-detail", args=[claim.tracking_code])


def to_feedback(claim, user, fresh, result="企业已足额支付拖欠工资一万二千元。"):
    """Drive a claim's case through the real services to 待评价."""
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result=result, outcome=Outcome.RESOLVED)
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
    return Case.objects.get(pk=case.pk)


# Who sees it ---------------------------------------------------------------------------------


def test_owner_sees_the_case_page(login, submit_claim, citizen):
    claim = submit_claim()
    response = login(citizen).get(detail(claim))
    html = response.content.decode()
    assert response.status_code == 200
    assert claim.case.number in html and "等待受理" in html
    assert "劳动保障" in html or "拖欠工资" in html
    assert "广东省 › 佛山市 › 高明区 › 明城镇 › 明东村" in html
    assert "老板拖欠三个月工资" in html
    assert "138****8000" in html and "13800138000" not in html
    assert "受理期限" in html
    assert reverse("intake:claim-withdraw", args=[claim.tracking_code]) in html


def test_foreign_and_unknown_codes_answer_the_same_404(login, submit_claim, other_citizen, client, same_page):
    claim = submit_claim()
    client = login(other_citizen)
    foreign = client.get(detail(claim))
    unknown = client.get(reverse("intake:claim-detail", args=["ZZZZZZZZZZ"]))
    assert foreign.status_code == unknown.status_code == 404
    assert same_page(foreign, unknown)
    for name in ("claim-rate", "claim-withdraw"):
        assert (
            client.post(reverse(f"intake:{name}", args=[claim.tracking_code]), {"rating": "satisfied"}).status_code
            == 404
        )


def test_staff_do_not_get_the_citizen_page(login, submit_claim):
    claim = submit_claim()
    assert login("gm_window").get(detail(claim)).status_code == 404


def test_anonymous_is_sent_to_login(client, submit_claim):
    claim = submit_claim()
    response = client.get(detail(claim))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# The public timeline -------------------------------------------------------------------------


def test_timeline_names_units_never_staff_and_hides_internal_notes(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_add_note(case=fresh(case), actor=user("gm_labor"), note="已约谈企业负责人，要求本周内支付。", public=True)
    s.case_add_note(case=fresh(case), actor=user("mc_centre"), note="内部：企业法人有逃避迹象。", public=False)
    html = login(citizen).get(detail(claim)).content.decode()
    assert "高明区人力资源和社会保障局" in html  # the unit that signed and wrote the note
    assert "已约谈企业负责人，要求本周内支付。" in html
    assert "企业法人有逃避迹象" not in html
    assert ">内部<" not in html
    for name in STAFF_NAMES:
        assert name not in html, name
    assert "办理中" in html and "处置" not in html  # the status in plain words (#17)


def test_overdue_due_date_is_red(login, submit_claim, citizen):
    claim = submit_claim()
    Case.objects.filter(pk=claim.case.pk).update(stage_due_at=claim.case.created_at.replace(year=2020))
    html = login(citizen).get(detail(claim)).content.decode()
    assert "yk-due-late" in html and "已超期" in html


def test_rejected_case_shows_reason_and_where_to_go(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    s.case_reject(
        case=fresh(claim.case),
        actor=user("gm_window"),
        reason="属于劳动仲裁受理范围",
        redirect_to="向区劳动人事争议仲裁委员会申请仲裁",
    )
    html = login(citizen).get(detail(claim)).content.decode()
    assert "不予受理" in html and "属于劳动仲裁受理范围" in html and "向区劳动人事争议仲裁委员会申请仲裁" in html
    assert reverse("intake:claim-withdraw", args=[claim.tracking_code]) not in html


def test_merged_case_links_to_the_case_it_follows(login, submit_claim, citizen, user, fresh):
    kept = submit_claim()
    duplicate = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate.case), actor=user("gm_window"), into=fresh(kept.case))
    s.case_accept(case=fresh(kept.case), actor=user("gm_window"))
    html = login(citizen).get(detail(duplicate)).content.decode()
    assert "已合并" in html
    assert f"<strong>{kept.case.number}</strong> 合并办理" in html
    assert 'href="#followed"' in html and 'id="followed"' in html
    assert "高明区人力资源和社会保障局" in html  # the followed case's progress
    assert reverse("intake:claim-withdraw", args=[duplicate.tracking_code]) not in html


def test_merged_claimant_rates_the_case_it_follows(login, submit_claim, citizen, user, fresh):
    kept = submit_claim()
    duplicate = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate.case), actor=user("gm_window"), into=fresh(kept.case))
    to_feedback(kept, user, fresh)
    client = login(citizen)
    assert "请评价办理结果" in client.get(detail(duplicate)).content.decode()
    response = client.post(reverse("intake:claim-rate", args=[duplicate.tracking_code]), {"rating": "satisfied"})
    assert response.status_code == 302
    assert Case.objects.get(pk=kept.case.pk).status == Status.CLOSED


def test_page_query_count_does_not_grow_with_events(
    login, submit_claim, citizen, user, fresh, django_assert_num_queries
):
    claim = submit_claim()
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    client = login(citizen)
    client.get(detail(claim))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(claim))
    for i in range(6):
        s.case_add_note(case=fresh(case), actor=user("gm_labor"), note=f"第{i}次进展", public=i % 2 == 0)
    with django_assert_num_queries(len(few)):
        response = client.get(detail(claim))
    assert "第4次进展" in response.content.decode()
    assert len(few) <= 12


# Rating --------------------------------------------------------------------------------------


def test_result_and_rating_form_when_waiting_for_feedback(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    to_feedback(claim, user, fresh)
    html = login(citizen).get(detail(claim)).content.decode()
    assert "办理结果" in html and "企业已足额支付拖欠工资一万二千元。" in html and "已解决" in html
    assert "请评价办理结果" in html
    for label in ("满意", "基本满意", "不满意"):
        assert label in html
    assert "请在此前评价" in html


def test_result_is_not_shown_before_the_centre_approves_it(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    case = claim.case
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="已处理", outcome=Outcome.RESOLVED)
    html = login(citizen).get(detail(claim)).content.decode()
    assert 'data-testid="result"' not in html and "请评价办理结果" not in html


def test_satisfied_rating_closes_the_case(
    login, submit_claim, citizen, user, fresh, django_capture_on_commit_callbacks
):
    claim = submit_claim()
    to_feedback(claim, user, fresh)
    client = login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:claim-rate", args=[claim.tracking_code]), {"rating": "satisfied"})
    assert response.status_code == 302 and response["Location"] == detail(claim)
    case = Case.objects.get(pk=claim.case.pk)
    assert case.status == Status.CLOSED and case.rating == "satisfied"
    assert OutboxMessage.objects.filter(kind="case_update", body__contains="已办结").exists()
    html = client.get(detail(claim)).content.decode()
    assert "感谢您的评价" in html and "已办结" in html and "请评价办理结果" not in html


def test_unsatisfied_without_comment_is_an_error(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    to_feedback(claim, user, fresh)
    response = login(citizen).post(reverse("intake:claim-rate", args=[claim.tracking_code]), {"rating": "unsatisfied"})
    assert response.status_code == 400
    assert "请说明不满意的原因" in response.content.decode()
    assert Case.objects.get(pk=claim.case.pk).status == Status.FEEDBACK


def test_unsatisfied_with_comment_returns_it_flagged(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    to_feedback(claim, user, fresh)
    response = login(citizen).post(
        reverse("intake:claim-rate", args=[claim.tracking_code]),
        {"rating": "unsatisfied", "comment": "只付了一半工资，还差六千元。"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=claim.case.pk)
    assert case.status == Status.REVIEWING and case.flagged and case.rating_comment == "只付了一半工资，还差六千元。"


def test_rating_when_not_waiting_for_feedback_shows_the_services_message(login, submit_claim, citizen):
    claim = submit_claim()
    response = login(citizen).post(reverse("intake:claim-rate", args=[claim.tracking_code]), {"rating": "satisfied"})
    assert response.status_code == 400
    assert "不能执行此操作" in response.content.decode()
    assert Case.objects.get(pk=claim.case.pk).status == Status.SUBMITTED


def test_concurrent_change_is_reported_and_nothing_changes(login, submit_claim, citizen, user, fresh, monkeypatch):
    claim = submit_claim()
    to_feedback(claim, user, fresh)
    from intake.views import citizen as views

    real_rate = views.case_rate

    def someone_else_first(*, case, **kwargs):
        Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)  # e.g. the auto-close schedule
        return real_rate(case=case, **kwargs)

    monkeypatch.setattr(views, "case_rate", someone_else_first)
    events_before = CaseEvent.objects.filter(case=claim.case).count()
    response = login(citizen).post(
        reverse("intake:claim-rate", args=[claim.tracking_code]),
        {"rating": "unsatisfied", "comment": "还没有收到工资。"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "案件刚刚被他人更新，请刷新后重试" in html
    case = Case.objects.get(pk=claim.case.pk)
    assert case.status == Status.CLOSED and case.rating == "" and not case.flagged
    assert CaseEvent.objects.filter(case=claim.case).count() == events_before


# Withdrawing ---------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_then_withdraws(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    s.case_accept(case=fresh(claim.case), actor=user("gm_window"))
    client = login(citizen)
    url = reverse("intake:claim-withdraw", args=[claim.tracking_code])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认撤回" in confirm.content.decode()
    assert Case.objects.get(pk=claim.case.pk).status == Status.DISPATCHED  # nothing yet
    response = client.post(url, {"reason": "老板已经把工资发了"})
    assert response.status_code == 302
    case = Case.objects.get(pk=claim.case.pk)
    assert case.status == Status.WITHDRAWN and case.closed_at
    assert CaseEvent.objects.filter(case=case, transition="withdraw", note="老板已经把工资发了").exists()
    html = client.get(detail(claim)).content.decode()
    assert "诉求已撤回" in html and "已撤回" in html and url not in html


def test_withdraw_is_refused_after_closing(login, submit_claim, citizen, user, fresh):
    claim = submit_claim()
    case = to_feedback(claim, user, fresh)
    s.case_rate(case=fresh(case), actor=citizen, rating="satisfied")
    client = login(citizen)
    url = reverse("intake:claim-withdraw", args=[claim.tracking_code])
    assert client.get(url).status_code == 302  # no confirmation page for a closed case
    response = client.post(url, {"reason": "不需要了"})
    assert response.status_code == 400
    assert "已办结" in response.content.decode() and "不能执行此操作" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    assert url not in client.get(detail(claim)).content.decode()
