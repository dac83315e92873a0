"""Intake speed (issue #16): a window claim registered and accepted (routed, assigned) in a pinned
number of queries, with exactly the events and messages it always wrote, and one delivery task."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_staff_intake import walk_in

from cases.models import CaseEvent
from intake.models import Claim
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

WALK_IN = walk_in()  # the staff tests' walk-in; each post below gives its own submission key


def _events(case):
    return [
        (
            e.transition,
            e.from_status,
            e.to_status,
            e.actor and e.actor.username,
            e.actor_unit and e.actor_unit.code,
            e.note,
            e.public,
        )
        for e in CaseEvent.objects.filter(case=case).select_related("actor", "actor_unit").order_by("id")
    ]


def _messages(since):
    return [
        (m.channel, m.kind, m.recipient_phone, m.recipient_user and m.recipient_user.username, m.body, m.status)
        for m in OutboxMessage.objects.filter(id__gt=since).select_related("recipient_user").order_by("id")
    ]


def test_a_window_claim_writes_exactly_these_events_and_messages(login, django_capture_on_commit_callbacks):
    clerk = login("gm_window")
    since = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(reverse("intake:window-register"), {**WALK_IN, "submission_key": "speed-1"})
    claim = Claim.objects.select_related("case").get()
    case = claim.case
    assert response.status_code == 302
    assert _events(case) == [
        ("submit", "", "submitted", "gm_window", "GM-ZX", "通过“窗口登记”登记", True),
        ("accept", "submitted", "accepted", "gm_window", "GM-ZX", "", True),
        (
            "dispatch",
            "accepted",
            "dispatched",
            None,
            None,
            "按分派规则“拖欠工资 · 全域”自动派单；主办：高明区人力资源和社会保障局；协办：明城镇综治中心",
            True,
        ),
    ]
    from cases.clock import reply_due
    from cases.messages import day_words

    case.refresh_from_db()
    timeline = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert [e.handling_unit_id for e in timeline] == [None, None, case.lead_unit_id]  # the unit then in charge
    assert timeline[1].reply_due_at is not None and timeline[2].reply_due_at == reply_due(case)
    reply_by = day_words(timeline[2].reply_due_at)
    number, code = case.number, claim.tracking_code
    title = "拖欠工资：在明东村五金厂打工，老板拖欠两个月工资八千元。"
    assert _messages(since) == [
        (
            "sms",
            "tracking_code",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您的诉求已登记，编号 {number}，查询码 {code}。可凭查询码和手机号后四位查询办理进度。",
            "sent",
        ),
        (
            "sms",
            "case_update",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您反映的诉求（编号 {number}）已受理，我们将尽快交由责任单位办理。",
            "sent",
        ),
        (
            "sms",
            "case_update",
            "13900139000",
            "citizen-13900139000",
            f"【一口办】您的诉求（编号 {number}）已交给 高明区人力资源和社会保障局 办理，预计 {reply_by} 前答复。",
            "sent",
        ),
        ("inapp", "case_assignment", "", "gm_labor", f"新派案件 {number}：{title}，请及时签收。", "sent"),
        (
            "inapp",
            "case_assignment",
            "",
            "mc_centre",
            f"案件 {number}：{title} 由高明区人力资源和社会保障局主办，请贵单位协助办理。",
            "sent",
        ),
    ]


def _register_and_accept(*, key):
    """What the window form does once the form is valid (``intake.views.staff.window_register``):
    look the person up, register, accept — one directory snapshot, one delivery batch — for a
    clerk read afresh, as each request reads its user."""
    from accounts.models import User
    from cases.services import case_accept
    from intake.selectors_staff import citizen_by_phone
    from intake.services import claim_submit
    from notifications.services import notifications_batched
    from routing.dispatch import directory_pinned
    from routing.models import MatterType, Region

    clerk = User.objects.get(username="gm_window")
    matter, region = MatterType.objects.get(code="labor.wages"), Region.objects.get(code="440608102201")
    with CaptureQueriesContext(connection) as queries, notifications_batched(), directory_pinned():
        claim, created = claim_submit(
            channel="window",
            matter=matter,
            region=region,
            description=WALK_IN["description"],
            contact_name=WALK_IN["contact_name"],
            contact_phone=WALK_IN["contact_phone"],
            address=WALK_IN["address"],
            registered_by=clerk,
            submitter=citizen_by_phone(WALK_IN["contact_phone"]),
            submission_key=key,
        )
        case_accept(case=claim.case, actor=clerk)
    assert created and claim.case.status == "dispatched"
    return _statements(queries)


def _statements(queries) -> list[str]:
    """What was sent, transaction control aside (SQLite's backend logs its BEGIN IMMEDIATE and
    COMMIT; PostgreSQL's does not). No SAVEPOINT is filtered: a transactional test sends none."""
    return [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]


@pytest.fixture
def queued(monkeypatch):
    """The q2 tasks enqueued (name, arguments), instead of running them."""
    from notifications import services

    tasks = []
    monkeypatch.setattr(services, "async_task", lambda name, *args: tasks.append((name, args)))
    return tasks


@pytest.mark.django_db(transaction=True)  # real transactions: the statements production sends
def test_register_accept_and_route_take_fifteen_queries(demo, queued):
    """Issue #16: ≤ 15 (was 46). The person 1, the clerk's memberships 1, the directory stamp 1;
    registration 7 (case number, case, its terms for 类案/重复 matching (issue #13), party, submit
    event, claim, receipt SMS); acceptance 5 (one
    UPDATE for 受理 + 派单, both events, the cooperating unit, the units' handlers, four messages).
    All five messages leave in one task, enqueued inside the acceptance's transaction."""
    _register_and_accept(key="warm-up")  # the process's caches, as after its first claim
    queued.clear()
    statements = _register_and_accept(key="measured")
    assert len(statements) == 15, "\n".join(statements)
    assert sum(s.startswith("INSERT") for s in statements) == 9
    assert sum(s.startswith("UPDATE") for s in statements) == 2  # the case number; the case
    claim = Claim.objects.get(submission_key="measured")
    ids = sorted(OutboxMessage.objects.filter(created_at__gte=claim.created_at).values_list("pk", flat=True))
    assert len(ids) == 5
    assert queued == [("notifications.tasks.notifications_deliver_many", (ids,))]


@pytest.mark.django_db(transaction=True)
def test_the_window_form_post_takes_seventeen_queries_and_one_task(login, queued):
    """The whole request as the server runs it: session, clerk, memberships (the role check),
    directory stamp, the form's held files (none), then the thirteen of registering and accepting
    (person, case number, case, its terms, party, event, claim, SMS; case, events, cooperating unit, handlers,
    messages). The matter picker, the matter, the place and the cascade's place chain come from the
    directory snapshot; no held file was found, so none is let go (was 20: the chain 1, the
    clean-up 2)."""
    login("gm_window").post(reverse("intake:window-register"), {**WALK_IN, "submission_key": "warm-up"})
    clerk = login("gm_window")
    queued.clear()
    with CaptureQueriesContext(connection) as queries:
        response = clerk.post(
            reverse("intake:window-register"), {**WALK_IN, "submission_key": "one-task", "register_new": "True"}
        )
    assert response.status_code == 302
    statements = _statements(queries)
    # The clerk answered the duplicate question (issue #13) with "登记为新案件": nothing is looked up.
    assert len(statements) == 17, "\n".join(statements)
    assert not any('FROM "routing_mattertype"' in s for s in statements)
    claim = Claim.objects.get(submission_key__endswith="one-task")
    messages = OutboxMessage.objects.filter(created_at__gte=claim.created_at)
    assert messages.count() == 5
    assert queued == [("notifications.tasks.notifications_deliver_many", (sorted(m.pk for m in messages),))]
