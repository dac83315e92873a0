"""The message centre (站内消息): the bell on every page, the list, reading, the case links, and
every in-app message the platform writes arriving there with its case."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as cs
from feedback import services as feedback_services
from notifications.models import OutboxMessage
from notifications.selectors import UNREAD_CAP, inbox_unread_count
from notifications.services import inbox_all_read, notification_send
from supervision.services import order_issue, order_press, warnings_sweep

pytestmark = pytest.mark.django_db

INBOX = "/messages/"


def unread_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r'data-testid="bell" data-unread-count="(\d+)"', response.content.decode())
    assert found, f"no bell on {url}"
    return int(found.group(1))


def signed_case(submit_case, user, fresh, *, contacted=True):
    case = submit_case()
    cs.case_accept(case=fresh(case), actor=user("gm_window"))  # auto-dispatched to 高明区人社局
    cs.case_sign(case=fresh(case), actor=user("gm_labor"))
    if contacted:  # the contact clock (首次联系) stopped, so only the stage clock warns
        cs.case_contact(case=fresh(case), actor=user("gm_labor"), method="phone", note="已电话联系申请人")
    return fresh(case)


def mine(username, **filters):
    return OutboxMessage.objects.filter(recipient_user__username=username, **filters)


# --- what arrives, with its case ----------------------------------------------------------------


def test_every_in_app_message_of_a_case_carries_its_number(submit_case, user, fresh):
    case = signed_case(submit_case, user, fresh, contacted=False)
    cs.case_submit_result(case=fresh(case), actor=user("gm_labor"), result="已支付", outcome="resolved")
    cs.case_send_back(case=fresh(case), actor=user("gm_dispatch"), reason="请附支付凭证")
    order = order_issue(case=fresh(case), unit=case.lead_unit, actor=user("gm_supervisor"), instruction="请核实")
    order_press(order=fresh(order), actor=user("gm_supervisor"), instruction="尽快回复")
    warnings_sweep(now=fresh(case).yellow_at)
    feedback_services.case_press(case=fresh(case), at=fresh(case).yellow_at)
    kinds = list(mine("gm_labor").order_by("id").values_list("kind", "case_number"))
    assert kinds == [
        ("case_assignment", case.number),
        ("case_sent_back", case.number),
        ("supervision_order", case.number),
        ("supervision_press", case.number),
        ("warning_yellow", case.number),
        ("contact_warning_red", case.number),  # never recorded contacting the citizen
        ("citizen_press", case.number),
    ]
    citizen_updates = OutboxMessage.objects.filter(kind="case_update", recipient_user__isnull=False)
    assert citizen_updates.exists() and set(citizen_updates.values_list("case_number", flat=True)) == {case.number}


def test_the_citizen_tracking_code_message_is_linked_too(submit_claim, citizen):
    claim = submit_claim()
    message = OutboxMessage.objects.get(kind="tracking_code")
    assert message.recipient_user == citizen and message.case_number == claim.case.number


# --- the bell -----------------------------------------------------------------------------------


def test_the_bell_counts_unread_messages_on_staff_and_citizen_pages(submit_case, user, fresh, login, citizen):
    case = signed_case(submit_case, user, fresh)
    labor = login("gm_labor")
    assert unread_on(labor, reverse("cases:inbox")) == 1
    assert unread_on(labor, reverse("cases:case-detail", args=[case.number])) == 1
    assert unread_on(labor, "/") == 1
    warnings_sweep(now=case.yellow_at)  # the sweep's yellow warning raises it
    assert unread_on(labor, reverse("cases:inbox")) == 2
    # the citizen: registration and updates about their own claim
    own = mine(citizen.username).count()
    assert own >= 2
    assert unread_on(login(citizen), reverse("intake:my-claims")) == own
    # nobody signed in: no bell
    from django.test import Client

    assert 'data-testid="bell"' not in Client().get("/").content.decode()


def test_the_bell_count_is_capped(user):
    labor = user("gm_labor")
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="inapp", kind="case_assignment", body=f"第{i}条", recipient_user=labor, status="sent")
        for i in range(UNREAD_CAP + 5)
    )
    assert inbox_unread_count(labor) == UNREAD_CAP


def test_the_bell_shows_99_plus(user, login):
    labor = user("gm_labor")
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="inapp", kind="case_assignment", body="新派案件", recipient_user=labor, status="sent")
        for _i in range(UNREAD_CAP)
    )
    page = login(labor).get("/").content.decode()
    assert 'data-testid="bell-count">99+<' in page


def test_the_bell_costs_one_query(user, login):
    labor = login("gm_labor")
    labor.get("/")  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        labor.get(reverse("cases:inbox"))
    bell = [q["sql"] for q in ctx.captured_queries if "notifications_outboxmessage" in q["sql"]]
    assert len(bell) == 1
    # exactly the partial index's condition, so the count reads the index alone
    assert "read_at" in bell[0] and "IS NULL" in bell[0] and "LIMIT" in bell[0]


def test_one_time_codes_are_never_counted_nor_listed(citizen, login):
    notification_send(
        kind="verification_code", body="验证码 123456", phone="13800138000", user=citizen, secret="123456"
    )
    assert not mine(citizen.username, one_time=False, kind="verification_code").exists()
    page = login(citizen).get(INBOX).content.decode()
    assert "验证码" not in page


# --- the list -----------------------------------------------------------------------------------


def test_the_list_newest_first_with_kind_case_and_time(submit_case, user, fresh, login):
    case = signed_case(submit_case, user, fresh)
    warnings_sweep(now=case.yellow_at)
    response = login("gm_labor").get(INBOX)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-kind="(\w+)"', page) == ["warning_yellow", "case_assignment"]  # newest first
    assert page.count('data-testid="unread"') == 2
    assert f"查看 {case.number}" in page and "年" in page  # the case and the time
    assert 'data-testid="bell" data-unread-count="2"' in page


def test_filter_by_kind_and_unread(submit_case, user, fresh, login):
    case = signed_case(submit_case, user, fresh)
    warnings_sweep(now=case.yellow_at)
    labor = login("gm_labor")
    page = labor.get(INBOX + "?kind=warning_yellow").content.decode()
    assert page.count('data-testid="message"') == 1 and 'data-kind="warning_yellow"' in page
    mine("gm_labor", kind="warning_yellow").update(read_at=fresh(case).created_at)
    page = labor.get(INBOX + "?unread=1").content.decode()
    assert page.count('data-testid="message"') == 1 and 'data-kind="case_assignment"' in page


def test_an_unknown_kind_is_refused_in_chinese(login):
    response = login("gm_labor").get(INBOX + "?kind=nonsense")
    assert response.status_code == 400
    assert "没有这个消息类别，请从列表中选择。" in response.content.decode()


def test_a_citizen_filter_offers_no_staff_words(submit_claim, login, citizen):
    submit_claim()
    page = login(citizen).get(INBOX).content.decode()
    assert "办理进展" in page and "诉求登记" in page
    for word in ("预警", "督办", "派案", "驳回"):
        assert word not in page


def test_bounded_pages(user, login):
    labor = user("gm_labor")
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="inapp", kind="case_assignment", body=f"消息{i:02d}", recipient_user=labor, status="sent")
        for i in range(25)
    )
    client = login(labor)
    first = client.get(INBOX).content.decode()
    assert first.count('data-testid="message"') == 20 and 'data-testid="next-page"' in first
    second = client.get(INBOX + "?page=2").content.decode()
    assert second.count('data-testid="message"') == 5 and 'data-testid="next-page"' not in second


def test_the_list_query_count_does_not_grow(submit_case, user, fresh, login, django_assert_max_num_queries):
    labor = login("gm_labor")
    counts = []
    for n in (3, 10):
        while mine("gm_labor").count() < n:
            signed_case(submit_case, user, fresh)
        # session, user, memberships (+ their units), the bell, one page, the page's case links
        with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as ctx:
            assert labor.get(INBOX).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- reading ------------------------------------------------------------------------------------


def test_opening_a_message_marks_it_read_and_opens_the_case(submit_case, user, fresh, login):
    case = signed_case(submit_case, user, fresh)
    message = mine("gm_labor").get()
    labor = login("gm_labor")
    response = labor.post(reverse("notifications:message-open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:case-detail", args=[case.number])
    message.refresh_from_db()
    first = message.read_at
    assert first is not None
    assert unread_on(labor, INBOX) == 0
    labor.post(reverse("notifications:message-open", args=[message.pk]))  # again: the first time stays
    message.refresh_from_db()
    assert message.read_at == first


def test_a_citizen_opens_their_own_claim_page(submit_claim, login, citizen):
    claim = submit_claim()
    message = mine(citizen.username, kind="tracking_code").get()
    response = login(citizen).post(reverse("notifications:message-open", args=[message.pk]))
    assert response["Location"] == reverse("intake:claim-detail", args=[claim.tracking_code])


def test_a_message_without_a_case_goes_back_to_the_list(user, login):
    message = notification_send(kind="case_assignment", body="系统通知", user=user("gm_labor"), channel="inapp")
    response = login("gm_labor").post(reverse("notifications:message-open", args=[message.pk]))
    assert response["Location"] == INBOX
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_one_read_and_back_to_the_filtered_list(submit_case, user, fresh, login):
    signed_case(submit_case, user, fresh)
    message = mine("gm_labor").get()
    response = login("gm_labor").post(
        reverse("notifications:message-read", args=[message.pk]), {"next": INBOX + "?kind=case_assignment"}
    )
    assert response["Location"] == INBOX + "?kind=case_assignment"
    message.refresh_from_db()
    assert message.read_at is not None


def test_next_never_leaves_the_message_centre(submit_case, user, fresh, login):
    signed_case(submit_case, user, fresh)
    message = mine("gm_labor").get()
    client = login("gm_labor")
    for target in ("https://evil.example/", "//evil.example/messages/", "/cases/", "/messages/../admin/"):
        response = client.post(reverse("notifications:message-read", args=[message.pk]), {"next": target})
        assert response["Location"] == INBOX


def test_mark_all_read_and_all_of_one_kind(submit_case, user, fresh, login):
    case = signed_case(submit_case, user, fresh)
    signed_case(submit_case, user, fresh)
    warnings_sweep(now=case.yellow_at)
    client = login("gm_labor")
    response = client.post(reverse("notifications:inbox-read-all"), {"kind": "warning_yellow"})
    assert response.status_code == 302
    assert not mine("gm_labor", read_at__isnull=True, kind="warning_yellow").exists()
    assert mine("gm_labor", read_at__isnull=True, kind="case_assignment").count() == 2
    assert "已将 1 条消息标为已读" in client.get(INBOX).content.decode()
    response = client.post(reverse("notifications:inbox-read-all"), {"kind": "nonsense"}, follow=True)
    assert "没有这个消息类别" in response.content.decode()  # and nothing was marked
    assert mine("gm_labor", read_at__isnull=True, kind="case_assignment").count() == 2
    client.post(reverse("notifications:inbox-read-all"))
    assert not mine("gm_labor", read_at__isnull=True).exists()
    assert inbox_all_read(user=user("gm_labor")) == 0


def test_nobody_reads_another_users_message(submit_case, user, fresh, login):
    signed_case(submit_case, user, fresh)
    message = mine("gm_labor").get()
    other = login("gm_dispatch")
    assert other.post(reverse("notifications:message-open", args=[message.pk])).status_code == 404
    assert other.post(reverse("notifications:message-read", args=[message.pk])).status_code == 404
    other.post(reverse("notifications:inbox-read-all"))
    message.refresh_from_db()
    assert message.read_at is None
    assert str(message.body) not in other.get(INBOX).content.decode()


def test_reading_needs_a_post_and_a_login(submit_case, user, fresh, login):
    from django.test import Client

    signed_case(submit_case, user, fresh)
    message = mine("gm_labor").get()
    assert login("gm_labor").get(reverse("notifications:message-open", args=[message.pk])).status_code == 405
    anonymous = Client()
    assert anonymous.get(INBOX).status_code == 302
    assert anonymous.post(reverse("notifications:message-read", args=[message.pk])).status_code == 302
    message.refresh_from_db()
    assert message.read_at is None
