"""Every write of 建议征集: publish a topic, submit a suggestion, reply, hide."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from routing.models import Unit

from . import permissions
from .models import EventKind, Suggestion, SuggestionEvent, Topic, Verdict


class SuggestionError(ServiceError):
    """A request of 建议征集 that cannot be carried out; ``message`` is for the user."""


def _text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise SuggestionError(message, field=field)
    return value


@transaction.atomic
def topic_publish(
    *, actor, centre: Unit, title: str, body: str, opens_on: date, closes_on: date, at: datetime | None = None
) -> Topic:
    """Publish a topic of ``centre`` (its clerks and dispatchers, or an admin)."""
    if not (permissions.is_admin(actor) or centre.pk in permissions.managed_centre_ids(actor)):
        raise PermissionDenied
    title = _text(title, _("请填写征集主题。"), "title")
    body = _text(body, _("请填写征集说明。"), "body")
    if closes_on < opens_on:
        raise SuggestionError(_("截止日期不能早于开始日期。"), field="closes_on")
    return Topic.objects.create(
        centre=centre,
        title=title,
        body=body,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def suggestion_submit(*, topic: Topic, actor, text: str, at: datetime | None = None) -> Suggestion:
    """Anyone logged in, while the topic is open (from its opening day to its closing day)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    at = at or timezone.now()
    today = timezone.localdate(at)
    if topic.is_closed(today):
        raise SuggestionError(_("该主题的征集已于 %(d)s 截止，不再接收建议。") % {"d": topic.closes_on}, field="text")
    if not topic.is_open(today):
        raise SuggestionError(_("该主题的征集将于 %(d)s 开始，请届时再提交。") % {"d": topic.opens_on}, field="text")
    text = _text(text, _("请填写建议内容。"), "text")
    return Suggestion.objects.create(topic=topic, author=actor, text=text, created_at=at)


def _lock(suggestion: Suggestion, actor) -> Suggestion:
    if not permissions.may_manage(actor, suggestion.topic):
        raise PermissionDenied
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


@transaction.atomic
def suggestion_reply(
    *, suggestion: Suggestion, actor, verdict: str, reply: str, at: datetime | None = None
) -> Suggestion:
    """Mark adopted (已采纳) or noted (已收悉) with a public reply. A later reply replaces it on the
    public page; every version is kept as a ``SuggestionEvent`` the staff see (saving the same
    verdict and text again adds nothing)."""
    row = _lock(suggestion, actor)
    if verdict not in (Verdict.ADOPTED, Verdict.NOTED):
        raise SuggestionError(_("请选择“已采纳”或“已收悉”。"), field="verdict")
    text = _text(reply, _("请填写公开答复。"), "reply")
    if row.replied_at is not None and (row.verdict, row.reply) == (verdict, text):
        return row  # saved again unchanged: no new version
    row.reply = text
    row.verdict = verdict
    row.replied_by = actor
    row.replied_at = at or timezone.now()
    row.save(update_fields=["reply", "verdict", "replied_by", "replied_at"])
    SuggestionEvent.objects.create(
        suggestion=row, kind=EventKind.REPLY, verdict=verdict, text=text, actor=actor, at=row.replied_at
    )
    return row


@transaction.atomic
def suggestion_hide(*, suggestion: Suggestion, actor, reason: str, at: datetime | None = None) -> Suggestion:
    """Hide an abusive suggestion from the public page; who, when and why are recorded."""
    row = _lock(suggestion, actor)
    reason = _text(reason, _("请填写屏蔽原因，如含有辱骂、广告或他人隐私。"), "reason")
    if row.hidden:
        raise SuggestionError(_("该建议已被屏蔽。"), field="reason")
    row.hidden, row.hidden_reason, row.hidden_by, row.hidden_at = True, reason[:200], actor, at or timezone.now()
    row.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    SuggestionEvent.objects.create(
        suggestion=row, kind=EventKind.HIDE, text=row.hidden_reason, actor=actor, at=row.hidden_at
    )
    return row


@transaction.atomic
def suggestion_unhide(*, suggestion: Suggestion, actor, reason: str, at: datetime | None = None) -> Suggestion:
    """Restore a hidden suggestion (hidden by mistake) with a required reason. The hiding and the
    restoring both stay in the history; the current ``hidden_*`` fields are cleared."""
    row = _lock(suggestion, actor)
    reason = _text(reason, _("请填写取消屏蔽的原因，如“误屏蔽，内容并无不当”。"), "reason")
    if not row.hidden:
        raise SuggestionError(_("该建议没有被屏蔽。"), field="reason")
    row.hidden, row.hidden_reason, row.hidden_by, row.hidden_at = False, "", None, None
    row.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    SuggestionEvent.objects.create(
        suggestion=row, kind=EventKind.UNHIDE, text=reason[:200], actor=actor, at=at or timezone.now()
    )
    return row
