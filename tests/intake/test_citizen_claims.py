"""“我的诉求”: only one's own claims, newest first, paginated, constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as s
from cases.models import Case

pytestmark = pytest.mark.django_db
URL = reverse("intake:my-claims")


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_shows_only_own_claims_newest_first(login, submit_claim, citizen, other_citizen):
    first = submit_claim(text="老板拖欠三个月工资共计一万二千元，多次讨要无果。")
    second = submit_claim(matter="neighbour.livestock", text="隔壁养猪场臭味很大，夏天尤其严重，晚上无法开窗。")
    foreign = submit_claim(submitter=other_citizen, phone="13900139000", text="小区电梯经常停运，物业一直不修理。")
    response = login(citizen).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert [c.pk for c in response.context["claims"]] == [second.pk, first.pk]
    assert first.case.number in html and second.case.number in html
    assert foreign.case.number not in html and "电梯" not in html
    assert html.index(second.case.number) < html.index(first.case.number)
    assert "等待受理" in html  # status badge, in the citizen's words
    assert "受理期限" in html  # the due date and what it is for
    assert reverse("intake:claim-detail", args=[first.tracking_code]) in html


def test_empty_list_invites_a_first_claim(login, other_citizen):
    html = login(other_citizen).get(URL).content.decode()
    assert "您还没有通过网上提交过诉求" in html


def test_merged_claim_shows_the_case_it_follows(login, submit_claim, citizen, user, fresh):
    kept = submit_claim()
    duplicate = submit_claim(text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate.case), actor=user("gm_window"), into=fresh(kept.case))
    html = login(citizen).get(URL).content.decode()
    assert "已合并" in html
    assert f"已与诉求 {kept.case.number} 合并办理（等待受理）" in html


def test_query_count_does_not_grow_with_rows(login, submit_claim, citizen, user, fresh, django_assert_num_queries):
    client = login(citizen)
    submit_claim()
    client.get(URL)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one_row:
        client.get(URL)
    for i in range(5):
        claim = submit_claim(text=f"第{i}次反映：老板拖欠工资共计一万元，多次讨要无果。")
        if i == 0:
            s.case_accept(case=fresh(claim.case), actor=user("gm_window"))
        if i == 1:
            s.case_merge(case=fresh(claim.case), actor=user("gm_window"), into=fresh(submit_claim().case))
    with django_assert_num_queries(len(one_row)):
        response = client.get(URL)
    assert len(response.context["claims"]) == 7


def test_paginated_twenty_per_page(login, submit_claim, citizen):
    for i in range(21):
        submit_claim(text=f"第{i}次反映：老板拖欠工资共计一万元，多次讨要无果。")
    client = login(citizen)
    first = client.get(URL)
    assert len(first.context["claims"]) == 20
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert len(second.context["claims"]) == 1
    assert client.get(URL, {"page": 999}).status_code == 200  # out of range: the last page
    assert client.get(URL, {"page": "x"}).status_code == 200


def test_a_walk_in_registered_for_the_citizen_is_listed_and_opens(login, submit_claim, citizen, user):
    claim = submit_claim(
        channel="window", registered_by=user("gm_window"), text="到窗口反映：老板拖欠工资两个月，共八千元。"
    )
    client = login(citizen)
    assert claim.case.number in client.get(URL).content.decode()
    html = client.get(reverse("intake:claim-detail", args=[claim.tracking_code])).content.decode()
    assert "您在服务窗口反映的诉求已登记" in html and "张敏" not in html


def test_overdue_is_said_in_words_not_only_in_red(login, submit_claim, citizen):
    """WCAG 1.4.1: a late due date carries 已超期 as text; one on time does not (issue #17)."""
    late = submit_claim()
    on_time = submit_claim(matter="neighbour.livestock", text="隔壁养猪场臭味很大，夏天尤其严重，晚上无法开窗。")
    Case.objects.filter(pk=late.case.pk).update(stage_due_at=late.case.created_at.replace(year=2020))
    html = login(citizen).get(URL).content.decode()
    assert html.count("已超期") == 1 and html.count('data-testid="due-late"') == 1
    late_row = html[html.index(late.case.number) :]
    assert "已超期" in late_row[: late_row.index("</li>")]
    on_time_row = html[html.index(on_time.case.number) :]
    assert "已超期" not in on_time_row[: on_time_row.index("</li>")]
