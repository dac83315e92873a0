"""The SMS rating link /r/<token>/ (issue #11): single use, stored hashed, valid while the case
awaits its rating; unknown, replaced or expired → 404 with nothing changed; reuse → 已评价."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from django.urls import reverse

from cases import services as s
from cases.models import Case, CaseEvent, RatedVia, Rating, Status
from feedback.models import RatingToken
from notifications.models import OutboxMessage
from tests.intake.test_citizen_glossary import assert_plain

pytestmark = pytest.mark.django_db


def _url(token):
    return reverse("feedback:rating-link", args=[token])


def _rate_events(case):
    return CaseEvent.objects.filter(case=case, transition__in=["rate_closed", "rate_unsatisfied"]).count()


def test_the_result_sms_carries_a_link_kept_only_in_the_sms(submit_case, to_feedback, link_token):
    case = to_feedback(submit_case())
    token = link_token()
    stored = RatingToken.objects.get(case=case)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    message = OutboxMessage.objects.get(recipient_phone="13800138000", body__contains="/r/")
    assert token not in message.body and "/r/******/" in message.body  # the row keeps it masked
    assert "请点击链接评价" in message.body and case.number in message.body
    # not a verification code: an ordinary message of the case, listed in the message centre
    assert not message.one_time and message.case_number == case.number
    # nothing else in the database holds the raw token
    assert not RatingToken.objects.filter(token_hash=token).exists()
    assert _url(token) == f"/r/{token}/"


def test_rating_from_the_link_without_login_closes_the_case(submit_case, to_feedback, link_token, client):
    case = to_feedback(submit_case())
    token = link_token()
    page = client.get(_url(token))
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    for label in ("满意", "基本满意", "不满意"):
        assert f"{label}</button>" in html
    assert_plain("the rating link page", html)
    done = client.post(_url(token), {"rating": "satisfied", "solved": "yes", "comment": "工资已经拿到了"})
    assert done.status_code == 200 and "已评价" in done.content.decode()
    assert_plain("the rated page", done.content.decode())
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED and case.rating == Rating.SATISFIED
    assert case.rated_via == RatedVia.LINK and case.solved is True and case.closed_at
    event = CaseEvent.objects.get(case=case, transition="rate_closed")
    assert event.note == "短信链接评价：工资已经拿到了" and event.actor.phone == "13800138000"
    assert RatingToken.objects.get(case=case).used_at is not None


def test_reuse_shows_already_rated_and_changes_nothing(submit_case, to_feedback, link_token, client):
    case = to_feedback(submit_case())
    token = link_token()
    client.post(_url(token), {"rating": "basic"})
    again = client.get(_url(token))
    assert again.status_code == 200 and 'data-testid="link-again"' in again.content.decode()
    posted = client.post(_url(token), {"rating": "unsatisfied", "comment": "改主意了"})
    assert posted.status_code == 200 and 'data-testid="link-again"' in posted.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED and case.rating == Rating.BASIC and _rate_events(case) == 1


def test_unsatisfied_goes_back_to_review_flagged_and_a_new_result_sends_a_new_link(
    submit_case, to_feedback, link_token, client, user, fresh
):
    case = to_feedback(submit_case())
    first = link_token()
    response = client.post(_url(first), {"rating": "unsatisfied", "solved": "no"})  # the comment is optional
    assert response.status_code == 200 and "重新核实" in response.content.decode()
    case = fresh(case)
    assert case.status == Status.REVIEWING and case.flagged and case.solved is False
    assert case.rated_via == RatedVia.LINK
    assert CaseEvent.objects.get(case=case, transition="rate_unsatisfied").note == "短信链接评价"
    s.case_approve(case=case, actor=user("gm_dispatch"))
    second = link_token()
    assert second != first
    assert client.get(_url(first)).status_code == 200  # the used one still says 已评价
    assert client.post(_url(second), {"rating": "satisfied"}).status_code == 200
    assert fresh(case).status == Status.CLOSED


@pytest.mark.parametrize(
    "token",
    ["A" * 32, "Ab-_" * 8, "短", "x" * 31, "a" * 33],
)
def test_a_forged_token_is_404_and_changes_nothing(submit_case, to_feedback, client, token):
    case = to_feedback(submit_case())
    for response in (client.get(f"/r/{token}/"), client.post(f"/r/{token}/", {"rating": "satisfied"})):
        assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.FEEDBACK and _rate_events(case) == 0


def test_expired_when_the_case_closed_otherwise(submit_case, to_feedback, link_token, client, fresh):
    case = to_feedback(submit_case())
    token = link_token()
    s.case_auto_close(case=fresh(case))
    for response in (client.get(_url(token)), client.post(_url(token), {"rating": "unsatisfied"})):
        assert response.status_code == 404 and "已失效" in response.content.decode()
    case = fresh(case)
    assert case.status == Status.CLOSED and case.rating == "" and _rate_events(case) == 0
    assert RatingToken.objects.get(case=case).used_at is None


def test_a_replaced_token_is_404(submit_case, to_feedback, link_token, client, fresh, user, citizen):
    """A result sent again (the centre sent it back for rework and approved again) replaces the
    unused link: the old one is dead, the new one works."""
    case = to_feedback(submit_case())
    old = link_token()
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.UNSATISFIED, comment="还差一个月")
    s.case_approve(case=fresh(case), actor=user("gm_dispatch"))
    assert client.post(_url(old), {"rating": "satisfied"}).status_code == 404
    assert fresh(case).status == Status.FEEDBACK
    assert client.post(_url(link_token()), {"rating": "satisfied"}).status_code == 200
    assert fresh(case).status == Status.CLOSED


def test_a_token_of_another_case_touches_only_its_own_case(submit_case, to_feedback, link_token, client, fresh):
    first = to_feedback(submit_case())
    token_first = link_token()
    second = to_feedback(submit_case(text="公司拖欠两个月加班费，人事说要等年底。"))
    token_second = link_token()
    assert client.post(_url(token_first), {"rating": "satisfied"}).status_code == 200
    assert fresh(first).status == Status.CLOSED and fresh(second).status == Status.FEEDBACK
    # the first case's token, used or not, can never rate the second
    assert client.post(_url(token_first), {"rating": "unsatisfied"}).status_code == 200
    assert fresh(second).status == Status.FEEDBACK and _rate_events(second) == 0
    assert client.post(_url(token_second), {"rating": "basic"}).status_code == 200
    assert fresh(second).rating == Rating.BASIC


def test_a_double_click_rates_once(submit_case, to_feedback, link_token, client):
    case = to_feedback(submit_case())
    token = link_token()
    responses = [client.post(_url(token), {"rating": "satisfied"}) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]
    assert _rate_events(case) == 1


def test_a_bad_choice_is_refused_and_the_link_stays_usable(submit_case, to_feedback, link_token, client):
    case = to_feedback(submit_case())
    token = link_token()
    response = client.post(_url(token), {"rating": "great", "comment": "x" * 1001})
    assert response.status_code == 400 and 'data-testid="link-error"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.FEEDBACK
    assert client.post(_url(token), {"rating": "satisfied"}).status_code == 200


def test_a_window_claimant_without_an_account_rates_by_link(walk_in, user, fresh, link_token, client):
    claim = walk_in()
    case = claim.case
    s.case_resolve_on_spot(case=fresh(case), actor=user("gm_window"), result="当场联系企业，承诺本周支付")
    token = link_token("13700137000")
    assert client.post(_url(token), {"rating": "satisfied", "solved": "yes"}).status_code == 200
    case = fresh(case)
    assert case.status == Status.CLOSED and case.rated_via == RatedVia.LINK
    assert CaseEvent.objects.get(case=case, transition="rate_closed").actor is None


def test_the_request_log_never_holds_the_token(submit_case, to_feedback, link_token, client, caplog):
    to_feedback(submit_case())
    token = link_token()
    with caplog.at_level(logging.INFO, logger="yikouban.requests"):
        client.get(_url(token))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "yikouban.requests"]
    assert lines and all(token not in line["path"] for line in lines)
    assert lines[-1]["path"] == "/r/…/"


def test_django_s_own_warnings_never_hold_the_token(submit_case, to_feedback, link_token, client, caplog, fresh):
    case = to_feedback(submit_case())
    token = link_token()
    with caplog.at_level(logging.WARNING):
        client.post(_url(token), {"rating": "great"})  # 400: "Bad Request: /r/<token>/"
        s.case_auto_close(case=fresh(case))
        client.get(_url(token))  # 404: "Not Found: /r/<token>/"
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("django.")]
    assert any("Bad Request: /r/…/" in m for m in messages) and any("Not Found: /r/…/" in m for m in messages)
    assert not any(token in m for m in messages)


def test_the_link_is_rate_limited_per_address(client, settings):
    settings.FEEDBACK_LINK_RATE_LIMIT = (2, 60)
    assert [client.get(_url("A" * 32)).status_code for _ in range(3)] == [404, 404, 429]


def test_the_logged_in_rating_records_web_and_solved(submit_claim, to_feedback, login, citizen, fresh):
    claim = submit_claim()
    to_feedback(claim.case)
    response = login(citizen).post(
        reverse("intake:claim-rate", args=[claim.tracking_code]), {"rating": "satisfied", "solved": "no"}
    )
    assert response.status_code == 302
    case = fresh(claim.case)
    assert case.rated_via == RatedVia.WEB and case.solved is False and case.status == Status.CLOSED


def test_the_result_message_is_in_the_citizens_message_centre_with_the_token_masked(
    submit_claim, to_feedback, link_token, login, citizen
):
    claim = submit_claim()
    to_feedback(claim.case)
    token = link_token()
    client = login(citizen)
    page = client.get("/messages/").content.decode()
    assert "请点击链接评价" in page and "/r/******/" in page and token not in page
    message = OutboxMessage.objects.get(recipient_user=citizen, body__contains="/r/")
    response = client.post(reverse("notifications:message-open", args=[message.pk]))
    assert response["Location"] == reverse("intake:claim-detail", args=[claim.tracking_code])


def test_the_purge_keeps_the_result_message_and_clears_its_secret(submit_case, to_feedback, link_token):
    import datetime as dt

    from django.utils import timezone

    from notifications.services import notification_send, notifications_one_time_purge

    to_feedback(submit_case())
    link_token()
    message = OutboxMessage.objects.get(recipient_phone="13800138000", body__contains="/r/")
    OutboxMessage.objects.filter(pk=message.pk).update(secret="x" * 20)  # as if never delivered
    code = notification_send(kind="verification_code", body="验证码 111111", phone="13800138000", secret="111111")
    old = timezone.now() - dt.timedelta(hours=25)
    OutboxMessage.objects.filter(pk__in=[message.pk, code.pk]).update(created_at=old)
    assert notifications_one_time_purge() == 1
    message.refresh_from_db()
    assert message.secret == "" and "/r/******/" in message.body  # the record stays, no usable token
    assert not OutboxMessage.objects.filter(pk=code.pk).exists()
