"""建议征集 (issue #14): publish a topic, suggest while open, reply, hide with a reason; the public
page shows replies only after closing and never a hidden item. Every permission cell, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from routing.models import Unit
from suggestions import services
from suggestions.models import Suggestion, Topic, Verdict

LIST = reverse("suggestions:topic-list")


def _today():
    return timezone.localdate()


@pytest.fixture
def topic(demo, user):
    """``topic(open=True)`` → a topic of 高明区群众诉求服务中心; ``closed=True`` one that ended yesterday."""

    def make(*, closed=False, future=False, title="关于优化窗口办事时间的意见征集"):
        today = _today()
        if closed:
            opens, closes = today - timedelta(days=10), today - timedelta(days=1)
        elif future:
            opens, closes = today + timedelta(days=2), today + timedelta(days=20)
        else:
            opens, closes = today - timedelta(days=1), today + timedelta(days=10)
        return services.topic_publish(
            actor=user("gm_dispatch"),
            centre=Unit.objects.get(code="GM-ZX"),
            title=title,
            body="请大家就周末是否开放窗口提出建议。",
            opens_on=opens,
            closes_on=closes,
        )

    return make


def _suggest(t, who, text="建议周六上午开放窗口。"):
    return Suggestion.objects.create(topic=t, author=who, text=text, created_at=timezone.now())


def _outside_clerk():
    other = User.objects.create_user(username="cc_window", password="x", full_name="禅城窗口")
    Membership.objects.create(user=other, unit=Unit.objects.get(code="CC-ZX"), role=Role.CLERK)
    return other


# Publishing --------------------------------------------------------------------------------------


def test_centre_staff_publish_a_topic(login):
    client = login("gm_window")
    assert client.get(reverse("suggestions:manage-new")).status_code == 200
    today = _today()
    response = client.post(
        reverse("suggestions:manage-new"),
        {
            "centre": str(Unit.objects.get(code="GM-ZX").pk),
            "title": "窗口服务意见征集",
            "body": "欢迎提出建议。",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=7)).isoformat(),
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and topic.centre.code == "GM-ZX"
    assert "窗口服务意见征集" in login(User.objects.get(phone="13800138000")).get(LIST).content.decode()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"title": ""}, "请填写征集主题"),
        ({"closes_on": "2020-01-01"}, "截止日期不能早于开始日期"),
        ({"opens_on": "not-a-date"}, "开始日期格式不对"),
        ({"centre": "999999"}, "选择"),
    ],
)
def test_bad_topic_stores_nothing(login, demo, over, message):
    today = _today()
    data = {
        "centre": str(Unit.objects.get(code="GM-ZX").pk),
        "title": "主题",
        "body": "说明",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=7)).isoformat(),
    }
    data.update(over)
    response = login("gm_window").post(reverse("suggestions:manage-new"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Topic.objects.exists()


def test_publish_permissions(login, citizen):
    for who in ("gm_labor", "gm_mediator", "gm_supervisor"):
        assert login(who).get(reverse("suggestions:manage-new")).status_code == 403, who
        assert login(who).get(reverse("suggestions:manage-list")).status_code == 403, who
    assert login(citizen).get(reverse("suggestions:manage-new")).status_code == 403
    # another centre's clerk cannot publish for 高明
    response = login(_outside_clerk()).post(
        reverse("suggestions:manage-new"),
        {
            "centre": str(Unit.objects.get(code="GM-ZX").pk),
            "title": "主题",
            "body": "说明",
            "opens_on": _today().isoformat(),
            "closes_on": _today().isoformat(),
        },
    )
    assert response.status_code == 400 and not Topic.objects.exists()


# Suggesting --------------------------------------------------------------------------------------


def test_logged_in_people_suggest_while_open(login, citizen, topic, client):
    t = topic()
    url = reverse("suggestions:topic-detail", args=[t.pk])
    anonymous = client.post(url, {"text": "建议周六上午开放窗口。"})
    assert anonymous.status_code == 302 and not Suggestion.objects.exists()
    response = login(citizen).post(url, {"text": "建议周六上午开放窗口。"})
    assert response.status_code == 302
    assert Suggestion.objects.get().author == citizen
    # while open, the public page shows no one's suggestion
    assert "建议周六上午开放窗口" not in client.get(url).content.decode()


def test_a_closed_topic_refuses_suggestions(login, citizen, topic):
    t = topic(closed=True)
    response = login(citizen).post(reverse("suggestions:topic-detail", args=[t.pk]), {"text": "晚到的建议内容。"})
    assert response.status_code == 400 and not Suggestion.objects.exists()
    with pytest.raises(services.SuggestionError, match="截止"):
        services.suggestion_submit(topic=t, actor=citizen, text="晚到的建议内容。")


def test_a_future_topic_refuses_suggestions(citizen, topic):
    with pytest.raises(services.SuggestionError, match="开始"):
        services.suggestion_submit(topic=topic(future=True), actor=citizen, text="太早的建议内容。")


@pytest.mark.parametrize("text", ["", "短", "x" * 2001, "\x00\x01 "])
def test_bad_suggestion_stores_nothing(login, citizen, topic, text):
    t = topic()
    response = login(citizen).post(reverse("suggestions:topic-detail", args=[t.pk]), {"text": text})
    assert response.status_code == 400 and not Suggestion.objects.exists()


def test_unknown_topic_is_404(client, demo):
    assert client.get(reverse("suggestions:topic-detail", args=[999999])).status_code == 404


# Replying and hiding -----------------------------------------------------------------------------


def test_staff_reply_and_the_public_reads_it_after_closing(login, citizen, topic, client):
    t = topic(closed=True)
    s = _suggest(t, citizen)
    staff = login("gm_dispatch")
    assert staff.get(reverse("suggestions:manage-topic", args=[t.pk])).status_code == 200
    response = staff.post(
        reverse("suggestions:manage-reply", args=[s.pk]), {"verdict": "adopted", "reply": "采纳，自下月起周六开放。"}
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.verdict == Verdict.ADOPTED and s.replied_by.username == "gm_dispatch"
    page = client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    assert "建议周六上午开放窗口" in page and "采纳，自下月起周六开放" in page and "已采纳" in page
    assert "夏志明" not in page


@pytest.mark.parametrize(
    ("data", "message"), [({"verdict": "new", "reply": "x"}, "已采纳"), ({"verdict": "noted"}, "公开答复")]
)
def test_bad_reply_changes_nothing(login, citizen, topic, data, message):
    s = _suggest(topic(), citizen)
    response = login("gm_dispatch").post(reverse("suggestions:manage-reply", args=[s.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    s.refresh_from_db()
    assert s.verdict == Verdict.NEW and s.reply == ""


def test_hidden_items_are_not_shown_publicly_and_the_reason_is_recorded(login, citizen, topic, client):
    t = topic(closed=True)
    bad = _suggest(t, citizen, text="辱骂内容某某某")
    _suggest(t, citizen, text="正常的建议内容")
    staff = login("gm_window")
    assert staff.post(reverse("suggestions:manage-hide", args=[bad.pk]), {"reason": " "}).status_code == 400
    assert not Suggestion.objects.get(pk=bad.pk).hidden
    assert staff.post(reverse("suggestions:manage-hide", args=[bad.pk]), {"reason": "含辱骂"}).status_code == 302
    bad.refresh_from_db()
    assert bad.hidden and bad.hidden_reason == "含辱骂" and bad.hidden_by.username == "gm_window" and bad.hidden_at
    page = client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    assert "辱骂内容" not in page and "正常的建议内容" in page
    assert "1 条建议" in client.get(LIST).content.decode()
    # staff still see it, marked, with the reason
    manage = staff.get(reverse("suggestions:manage-topic", args=[t.pk])).content.decode()
    assert "辱骂内容" in manage and "含辱骂" in manage
    # hiding twice is refused
    assert staff.post(reverse("suggestions:manage-hide", args=[bad.pk]), {"reason": "再次"}).status_code == 400


def test_manage_permissions(login, citizen, topic):
    t = topic()
    s = _suggest(t, citizen)
    outside = login(_outside_clerk())
    assert outside.get(reverse("suggestions:manage-topic", args=[t.pk])).status_code == 404
    assert outside.post(reverse("suggestions:manage-hide", args=[s.pk]), {"reason": "x"}).status_code == 404
    assert (
        outside.post(reverse("suggestions:manage-reply", args=[s.pk]), {"verdict": "noted", "reply": "x"}).status_code
        == 404
    )
    for who in ("gm_labor", "gm_supervisor"):
        assert login(who).post(reverse("suggestions:manage-hide", args=[s.pk]), {"reason": "x"}).status_code == 403
    assert login(citizen).post(reverse("suggestions:manage-hide", args=[s.pk]), {"reason": "x"}).status_code == 403
    assert login("admin").get(reverse("suggestions:manage-topic", args=[t.pk])).status_code == 200
    s.refresh_from_db()
    assert not s.hidden and s.verdict == Verdict.NEW


def test_lists_do_not_grow_queries_with_rows(client, login, citizen, topic, django_assert_max_num_queries):
    for i in range(4):
        t = topic(closed=True, title=f"主题{i}")
        _suggest(t, citizen)
        _suggest(t, citizen)
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200
    staff = login("gm_dispatch")
    with django_assert_max_num_queries(14):
        assert staff.get(reverse("suggestions:manage-list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert staff.get(reverse("suggestions:manage-topic", args=[t.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("suggestions:topic-detail", args=[t.pk])).status_code == 200


def test_public_pages_are_plain(client, login, citizen, topic):
    from tests.intake.test_citizen_glossary import assert_plain

    t = topic(closed=True)
    s = _suggest(t, citizen)
    services.suggestion_reply(
        suggestion=s, actor=User.objects.get(username="gm_dispatch"), verdict="noted", reply="已收悉，谢谢。"
    )
    assert_plain("suggestions list", client.get(LIST).content.decode())
    assert_plain("closed topic", client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode())
    assert_plain(
        "open topic", login(citizen).get(reverse("suggestions:topic-detail", args=[topic().pk])).content.decode()
    )


def test_numbers_typed_into_a_suggestion_are_masked_when_published(citizen, topic, client):
    """Text typed by the public and shown to the public: a phone or ID number in it is masked."""
    t = topic(closed=True)
    _suggest(t, citizen, text="建议设夜间窗口，有事请联系我 13812345678，身份证 44060819850101234X。")
    page = client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    assert "13812345678" not in page and "44060819850101234X" not in page
    assert "138****5678" in page and "建议设夜间窗口" in page


def test_the_public_list_shows_open_topics_first(citizen, topic, client):
    closed = topic(closed=True, title="已经结束的征集")
    future = topic(future=True, title="即将开始的征集")
    open_ = topic(title="正在进行的征集")
    page = client.get(reverse("suggestions:topic-list")).content.decode()
    assert page.index(open_.title) < page.index(future.title) < page.index(closed.title)
