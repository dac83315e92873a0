"""建议征集 (issue #14 review): an edited reply keeps its earlier versions for staff, staff restore
a hidden suggestion with a recorded reason, and topics show as 即将开始 before they open."""

# ruff: noqa: F811  (the ``topic`` fixture is imported from the neighbouring module)
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from suggestions import services
from suggestions.models import EventKind, Suggestion, SuggestionEvent
from tests.suggestions.test_suggestions import LIST, _outside_clerk, _suggest, topic  # noqa: F401

pytestmark = pytest.mark.django_db


def _manage(t):
    return reverse("suggestions:manage-topic", args=[t.pk])


def test_an_edited_reply_keeps_its_earlier_versions_for_staff(login, citizen, topic, client):
    t = topic(closed=True)
    s = _suggest(t, citizen)
    staff = login("gm_dispatch")
    url = reverse("suggestions:manage-reply", args=[s.pk])
    assert staff.post(url, {"verdict": "noted", "reply": "已收到，研究后答复。"}).status_code == 302
    assert login("gm_window").post(url, {"verdict": "adopted", "reply": "采纳，下月起周六开放。"}).status_code == 302
    staff.post(url, {"verdict": "adopted", "reply": "采纳，下月起周六开放。"})  # saved again unchanged
    history = list(SuggestionEvent.objects.filter(suggestion=s).values_list("kind", "verdict", "text"))
    assert history == [
        (EventKind.REPLY, "noted", "已收到，研究后答复。"),
        (EventKind.REPLY, "adopted", "采纳，下月起周六开放。"),
    ]
    page = staff.get(_manage(t)).content.decode()
    assert "处理记录（2 条）" in page and "已收到，研究后答复。" in page and "张敏" in page
    public = client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    assert "采纳，下月起周六开放。" in public and "已收到，研究后答复。" not in public  # the public sees the latest


def test_staff_restore_a_hidden_suggestion_with_a_reason(login, citizen, topic, client):
    t = topic(closed=True)
    s = _suggest(t, citizen, text="建议增加周末窗口")
    staff = login("gm_dispatch")
    staff.post(reverse("suggestions:manage-hide", args=[s.pk]), {"reason": "疑似广告"})
    assert "建议增加周末窗口" not in client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    manage = staff.get(_manage(t)).content.decode()
    assert 'data-testid="unhide-form"' in manage and "取消屏蔽的原因" in manage
    url = reverse("suggestions:manage-unhide", args=[s.pk])
    refused = staff.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "请填写取消屏蔽的原因" in refused.content.decode()
    assert Suggestion.objects.get(pk=s.pk).hidden
    assert staff.post(url, {"reason": "误屏蔽，内容并无不当"}).status_code == 302
    s.refresh_from_db()
    assert not s.hidden and s.hidden_reason == "" and s.hidden_by is None
    assert "建议增加周末窗口" in client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    kinds = list(SuggestionEvent.objects.filter(suggestion=s).values_list("kind", "text", "actor__username"))
    assert kinds == [
        (EventKind.HIDE, "疑似广告", "gm_dispatch"),
        (EventKind.UNHIDE, "误屏蔽，内容并无不当", "gm_dispatch"),
    ]
    page = staff.get(_manage(t)).content.decode()
    assert "疑似广告" in page and "误屏蔽，内容并无不当" in page and "取消屏蔽" in page
    # restoring what is not hidden is refused
    again = staff.post(url, {"reason": "再次取消"})
    assert again.status_code == 400 and "没有被屏蔽" in again.content.decode()


def test_unhide_permissions(login, citizen, topic, user):
    t = topic()
    s = _suggest(t, citizen)
    services.suggestion_hide(suggestion=s, actor=user("gm_dispatch"), reason="含辱骂")
    url = reverse("suggestions:manage-unhide", args=[s.pk])
    assert login(_outside_clerk()).post(url, {"reason": "误屏蔽"}).status_code == 404
    assert login("gm_labor").post(url, {"reason": "误屏蔽"}).status_code == 403
    assert login(citizen).post(url, {"reason": "误屏蔽"}).status_code == 403
    assert login("gm_dispatch").get(url).status_code == 405
    assert Suggestion.objects.get(pk=s.pk).hidden


def test_upcoming_topics_are_listed_as_coming(client, topic):
    t = topic(future=True, title="关于增设夜间窗口的意见征集")
    html = client.get(LIST).content.decode()
    opens = t.opens_on
    assert "关于增设夜间窗口的意见征集" in html and "即将开始" in html
    from cases.templatetags.case_tags import yk_date

    assert f"即将开始（{yk_date(opens)} 起征集）" in html
    page = client.get(reverse("suggestions:topic-detail", args=[t.pk])).content.decode()
    assert "即将开始" in page and 'data-testid="suggest-form"' not in page


def test_the_history_does_not_grow_queries(login, citizen, topic, user, django_assert_max_num_queries):
    t = topic(closed=True)
    for i in range(4):
        s = _suggest(t, citizen, text=f"建议内容第{i}条")
        services.suggestion_reply(suggestion=s, actor=user("gm_dispatch"), verdict="noted", reply="收到")
        services.suggestion_reply(suggestion=s, actor=user("gm_window"), verdict="adopted", reply="采纳")
    staff = login("gm_dispatch")
    with django_assert_max_num_queries(14):
        assert staff.get(_manage(t)).status_code == 200


def test_backfill_makes_one_row_per_reply_and_hiding(citizen, topic, user):
    from django.apps import apps

    migration = __import__("importlib").import_module("suggestions.migrations.0002_history_unhide")
    t = topic(closed=True)
    s = _suggest(t, citizen)
    now = timezone.now() - timedelta(days=1)
    Suggestion.objects.filter(pk=s.pk).update(
        verdict="noted",
        reply="旧答复",
        replied_by=user("gm_dispatch"),
        replied_at=now,
        hidden=True,
        hidden_reason="旧原因",
        hidden_by=user("gm_window"),
        hidden_at=now,
    )
    migration.backfill(apps, None)
    assert sorted(SuggestionEvent.objects.filter(suggestion=s).values_list("kind", "text")) == [
        ("hide", "旧原因"),
        ("reply", "旧答复"),
    ]
