"""What the staff screens show: search and its filters, the inbox, the queues, the case page and
its personal data (masked unless the handling unit opens it, and then recorded)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as s
from cases import views
from cases.models import PersonalDataAccess, Rating

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
MASKED_PHONE = "138****8000"


def rows(response):
    return response.content.decode().count('data-testid="case-row"')


# Case search ------------------------------------------------------------------------------------


def test_case_list_shows_the_columns_and_never_a_phone(case_in, login):
    case = case_in("dispatched")
    body = login("gm_window").get(reverse("cases:case-list")).content.decode()
    assert case.number in body and case.title in body
    for text in ("拖欠工资", "明东村", "高明区人力资源和社会保障局", "已派单（待签收）"):
        assert text in body
    assert f"{timezone.localtime(case.created_at).year}年" in body
    assert PHONE not in body and MASKED_PHONE not in body


def test_case_list_filters(case_in, submit_case, login):
    wages = case_in("dispatched")
    livestock = case_in(
        "submitted", matter="neighbour.livestock", text="邻居养猪臭味很大，蚊蝇成群。", channel="hotline"
    )
    old = submit_case(text="去年的欠薪投诉。", at=timezone.now() - timedelta(days=40))
    clerk = login("gm_window")
    url = reverse("cases:case-list")

    def found(query):
        body = clerk.get(url + query).content.decode()
        return {c.number for c in (wages, livestock, old) if c.number in body}

    assert found("") == {wages.number, livestock.number, old.number}
    assert found(f"?q={wages.number}") == {wages.number}
    assert found("?q=蚊蝇") == {livestock.number}  # description contains
    assert found("?status=submitted") == {livestock.number, old.number}
    assert found("?matter=neighbour") == {livestock.number}  # top-level matter and below
    assert found("?matter=labor") == {wages.number, old.number}
    assert found("?channel=hotline") == {livestock.number}
    today = timezone.localdate()
    assert found(f"?created_from={today - timedelta(days=7)}") == {wages.number, livestock.number}
    assert found(f"?created_to={today - timedelta(days=30)}") == {old.number}


def test_case_list_bad_filters_are_400_in_chinese_and_keep_the_input(login, demo):
    response = login("gm_window").get(
        reverse("cases:case-list") + "?q=欠薪&created_from=2026-05-01&created_to=2026-04-01"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "结束日期不能早于开始日期" in body and 'value="欠薪"' in body
    response = login("gm_window").get(reverse("cases:case-list") + "?created_from=明天")
    assert response.status_code == 400 and "日期格式应为" in response.content.decode()


def test_case_list_pages_and_counts_no_further_than_the_cap(case_in, login, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    cases = [case_in("submitted") for _ in range(5)]
    clerk = login("gm_window")
    url = reverse("cases:case-list")
    first = clerk.get(url + "?status=submitted")
    assert rows(first) == 2
    assert "下一页" in first.content.decode() and "上一页" not in first.content.decode()
    assert "page=2" in first.content.decode() and "status=submitted" in first.content.decode()
    last = clerk.get(url + "?status=submitted&page=3")
    assert rows(last) == 1 and "下一页" not in last.content.decode() and "上一页" in last.content.decode()
    assert cases[0].number in last.content.decode()  # oldest last
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        clerk.get(url)
    counts = [
        q["sql"].upper()
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "OUTBOXMESSAGE" not in q["sql"].upper()  # the header's bell
    ]
    # The total is counted over a LIMITed subquery, never over the whole table (1,000,000 cases).
    assert len(counts) == 1 and f"LIMIT {views.COUNT_CAP + 1}" in counts[0], counts
    assert clerk.get(url + "?page=abc").status_code == 200


def test_case_list_shows_the_total_after_the_filters(case_in, login, monkeypatch):
    """Issue #17: 查询 stood before the date fields and the pages had no total."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(5):
        case_in("submitted")
    clerk = login("gm_window")
    url = reverse("cases:case-list")
    body = clerk.get(url + "?status=submitted").content.decode()
    assert "共 5 件，本页 2 件" in body
    form = body[body.index('data-testid="search-form"') :]
    assert form.index('name="created_to"') < form.index('data-testid="search-submit"')
    assert "共 5 件，本页 1 件" in clerk.get(url + "?status=submitted&page=3").content.decode()
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    assert "共 3+ 件，本页 2 件" in clerk.get(url + "?status=submitted").content.decode()
    # One page only: the rows are the total, no count query.
    monkeypatch.setattr(views, "PAGE_SIZE", 25)
    assert "共 5 件" in clerk.get(url + "?status=submitted").content.decode()
    # at 1,000,000 cases: the cap, grouped
    monkeypatch.setattr(views, "capped_total", lambda *args, **kw: (10_000, True))
    assert "共 10,000+ 件" in clerk.get(url + "?status=submitted").content.decode()


# Inbox ------------------------------------------------------------------------------------------


def test_inbox_tabs_counts_order_and_cooperating_mark(case_in, submit_case, login, user, fresh):
    now = timezone.now()
    late = submit_case(at=now - timedelta(days=10))
    s.case_accept(case=fresh(late), actor=user("gm_window"), at=now - timedelta(days=10))  # sign due long past
    soon = case_in("dispatched")
    handling = case_in("handling")
    reviewing = case_in("reviewing")
    labor = login("gm_labor")
    body = labor.get(reverse("cases:inbox")).content.decode()
    assert 'data-testid="count-dispatched">2<' in body
    assert 'data-testid="count-handling">1<' in body
    assert 'data-testid="count-reviewing">1<' in body
    assert body.index(late.number) < body.index(soon.number)  # soonest due first
    assert 'data-testid="due-late"' in body and "已超期" in body
    assert handling.number not in body and reviewing.number not in body
    assert handling.number in labor.get(reverse("cases:inbox") + "?tab=handling").content.decode()
    review_tab = labor.get(reverse("cases:inbox") + "?tab=reviewing").content.decode()
    assert reviewing.number in review_tab and "仅供查看" in review_tab
    assert 'data-testid="coop"' not in body  # gm_labor leads all of them

    coop = login("mc_centre").get(reverse("cases:inbox")).content.decode()
    assert soon.number in coop and 'data-testid="coop"' in coop and "协办" in coop
    assert 'data-testid="count-dispatched">2<' in coop


# Queues -----------------------------------------------------------------------------------------


def test_queue_tabs_show_what_each_needs(case_in, login, user, citizen, fresh):
    submitted = case_in("submitted")
    returned = case_in("accepted")
    reviewing = case_in("reviewing")
    unhappy = case_in("feedback")
    s.case_rate(case=fresh(unhappy), actor=citizen, rating=Rating.UNSATISFIED, comment="只付了一半")
    dispatcher = login("gm_dispatch")
    url = reverse("cases:queue")
    first = dispatcher.get(url).content.decode()
    assert submitted.number in first and returned.number not in first
    assert 'data-testid="count-submitted">1<' in first and 'data-testid="count-accepted">1<' in first
    assert 'data-testid="count-reviewing">2<' in first
    accepted = dispatcher.get(url + "?tab=accepted").content.decode()
    assert returned.number in accepted and 'data-testid="routing-summary"' in accepted
    assert "系商业合同纠纷，非劳动关系" in accepted and "高明区人力资源和社会保障局退回" in accepted
    review = dispatcher.get(url + "?tab=reviewing").content.decode()
    assert reviewing.number in review and unhappy.number in review
    assert review.count('data-testid="flagged"') == 1 and "只付了一半" in review
    assert PHONE not in review and MASKED_PHONE not in review


# Case page --------------------------------------------------------------------------------------


def test_case_page_shows_facts_claims_timeline_and_actions(case_in, login, user, fresh):
    case = case_in("handling")
    s.case_add_note(case=fresh(case), actor=user("mc_centre"), note="镇综治中心已核实工时", public=False)
    body = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert case.number in body and case.title in body and "处置中" in body
    assert "劳动保障 › 拖欠工资" in body
    assert "广东省 › 佛山市 › 高明区 › 明城镇 › 明东村" in body
    assert "高明区群众诉求服务中心" in body and "明城镇综治中心" in body
    assert "规则“拖欠工资 · 全域”" in body and 'data-testid="routing-explanation"' in body
    assert "labor-wages" not in body and "labor.wages" not in body  # staff read names, not slugs (#17)
    assert case.routing_explanation[-1] in body
    assert "网上提交" in body and 'data-testid="claim"' in body
    assert "镇综治中心已核实工时" in body and "内部" in body
    assert "陈伟（明城镇综治中心）" in body  # staff names on the staff timeline
    for action in ("submit_result", "add_note", "request_extension", "escalate", "request_return", "request_transfer"):
        assert f'data-testid="action-{action}"' in body
    assert 'data-testid="action-sign"' not in body


def test_case_page_links_the_attachments(submit_case, login, user, fresh):
    from intake.uploads import CheckedUpload

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    upload = CheckedUpload("工资条.png", "image/png", "png", len(png), "0" * 64, png)
    case = submit_case(uploads=[upload])
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    body = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    attachment = case.claims.get().attachments.get()
    assert reverse("intake:attachment", args=[attachment.pk]) in body and "工资条.png" in body


def test_overdue_and_extension_are_flagged_in_the_header(case_in, submit_case, login, user, fresh):
    case = case_in("extension")
    body = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="extension-pending"' in body
    now = timezone.now()
    late = submit_case(at=now - timedelta(days=10))
    s.case_accept(case=fresh(late), actor=user("gm_window"), at=now - timedelta(days=10))
    header = login("gm_labor").get(reverse("cases:case-detail", args=[late.number])).content.decode()
    assert "已超期" in header and "流转环节办理时限" in header


def test_terminal_case_shows_no_actions(case_in, login, user, fresh):
    case = case_in("submitted")
    s.case_reject(case=fresh(case), actor=user("gm_window"), reason="属于仲裁范围", redirect_to="劳动仲裁委")
    body = login("gm_window").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="no-actions"' in body and "属于仲裁范围" in body and "劳动仲裁委" in body


# Personal data ----------------------------------------------------------------------------------


def party_case(case_in):
    return case_in("dispatched", id_number="440608199001011234")


def test_parties_are_masked_by_default_for_everyone(case_in, login):
    case = party_case(case_in)
    for who in ("gm_labor", "mc_centre", "gm_window", "gm_dispatch", "gm_supervisor"):
        body = login(who).get(reverse("cases:case-detail", args=[case.number])).content.decode()
        assert MASKED_PHONE in body and "440608********1234" in body, who
        assert PHONE not in body and "440608199001011234" not in body, who
    assert not PersonalDataAccess.objects.exists()


def test_only_the_handling_unit_is_offered_the_full_parties(case_in, login):
    case = party_case(case_in)
    url = reverse("cases:case-detail", args=[case.number])
    assert 'data-testid="open-parties"' in login("gm_labor").get(url).content.decode()
    assert 'data-testid="open-parties"' in login("mc_centre").get(url).content.decode()  # cooperating
    for who in ("gm_window", "gm_dispatch", "gm_supervisor"):
        assert 'data-testid="open-parties"' not in login(who).get(url).content.decode()


def test_opening_the_parties_shows_them_once_and_is_recorded(case_in, login):
    case = party_case(case_in)
    labor = login("gm_labor")
    response = labor.post(reverse("cases:case-parties", args=[case.number]))
    assert response.status_code == 200
    body = response.content.decode()
    assert PHONE in body and "440608199001011234" in body and 'data-testid="parties-unmasked"' in body
    assert "no-store" in response["Cache-Control"]
    access = PersonalDataAccess.objects.get()
    assert access.case_id == case.pk and access.user.username == "gm_labor" and access.unit.code == "GM-RSJ"
    again = labor.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert PHONE not in again and MASKED_PHONE in again  # for that request only


def test_others_cannot_open_the_parties(case_in, login):
    case = party_case(case_in)
    url = reverse("cases:case-parties", args=[case.number])
    for who in ("gm_window", "gm_dispatch", "gm_supervisor"):
        response = login(who).post(url)
        assert response.status_code == 403, who
        assert PHONE not in response.content.decode()
    assert login("md_grid").post(url).status_code == 404
    assert not PersonalDataAccess.objects.exists()
