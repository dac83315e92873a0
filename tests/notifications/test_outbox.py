import pytest
from django.db import transaction

from accounts.services import verification_codes_purge
from core.masking import mask_id_number, mask_phone
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import notification_deliver, notification_send

pytestmark = pytest.mark.django_db


def test_message_is_delivered_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(kind="test", body="您好", phone="13800138000")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notification_send(kind="test", body="您好", phone="13800138000")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_delivery_is_idempotent():
    message = notification_send(kind="test", body="您好", phone="13800138000")
    notification_deliver(message_id=message.pk)
    first = OutboxMessage.objects.get(pk=message.pk).sent_at
    notification_deliver(message_id=message.pk)
    assert OutboxMessage.objects.get(pk=message.pk).sent_at == first


def test_failed_gateway_is_recorded(settings):
    settings.NOTIFICATION_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    message = notification_send(kind="test", body="您好", phone="13800138000")
    notification_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and "网关" in message.error


class BrokenBackend:
    def deliver(self, message):
        raise ConnectionError("短信网关无响应")


def test_echo_masks_the_phone(settings, capsys):
    settings.NOTIFICATION_ECHO = True
    message = notification_send(kind="test", body="验证码 123456", phone="13800138000")
    notification_deliver(message_id=message.pk)
    out = capsys.readouterr().out
    assert "138****8000" in out and "13800138000" not in out


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""
    assert mask_id_number("440608199001011234") == "440608********1234"


def test_purging_codes_runs_twice_safely():
    assert verification_codes_purge() == 0
    assert verification_codes_purge() == 0


def test_failed_message_is_retried_until_it_goes_through(settings):
    settings.NOTIFICATION_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    message = notification_send(kind="test", body="您好", phone="13800138000")
    notification_deliver(message_id=message.pk)
    settings.NOTIFICATION_BACKEND = "notifications.backends.OutboxBackend"
    from notifications.services import notifications_retry_failed

    assert notifications_retry_failed() == 1  # q2 runs synchronously in tests
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert notifications_retry_failed() == 0


def test_retries_stop_after_the_limit(settings):
    settings.NOTIFICATION_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    from notifications.services import notifications_retry_failed

    message = notification_send(kind="test", body="您好", phone="13800138000")
    notification_deliver(message_id=message.pk)
    assert notifications_retry_failed() == 1
    assert notifications_retry_failed() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2


# --- one-time codes at rest (issue #19 item 11) ---------------------------------------------------


def test_a_one_time_code_is_masked_at_rest_and_delivered_in_full(settings, capsys, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_ECHO = True  # local development: the console shows the code
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            kind="verification_code", body="您的验证码为 482913。", phone="13800138000", secret="482913"
        )
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.body == "您的验证码为 ******。" and message.secret == "" and message.one_time
    assert not OutboxMessage.objects.filter(body__contains="482913").exists()
    printed = capsys.readouterr().out
    assert "您的验证码为 482913。" in printed and "138****8000" in printed


def test_a_failed_code_keeps_its_secret_for_the_retry_only(settings):
    settings.NOTIFICATION_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    message = notification_send(kind="verification_code", body="验证码 135790", phone="13800138000", secret="135790")
    notification_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.secret == "135790"
    settings.NOTIFICATION_BACKEND = "notifications.backends.OutboxBackend"
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)
    notification_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.secret == "" and "135790" not in message.body


def test_the_admin_never_shows_a_code(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            kind="verification_code", body="验证码 246810", phone="13800138000", secret="246810"
        )
    from django.urls import reverse

    for url in (
        reverse("admin:notifications_outboxmessage_changelist"),
        reverse("admin:notifications_outboxmessage_change", args=[message.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert "246810" not in page


def test_one_time_messages_are_purged_after_a_day():
    from datetime import timedelta

    from django.utils import timezone

    from notifications.services import notifications_one_time_purge

    old = notification_send(kind="verification_code", body="验证码 111111", phone="13800138000", secret="111111")
    fresh = notification_send(kind="verification_code", body="验证码 222222", phone="13800138000", secret="222222")
    update = notification_send(kind="case_update", body="您的诉求已办结", phone="13800138000")
    OutboxMessage.objects.filter(pk__in=[old.pk, update.pk]).update(created_at=timezone.now() - timedelta(hours=25))
    assert notifications_one_time_purge() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {fresh.pk, update.pk}
    assert notifications_one_time_purge() == 0


# --- deliveries lost with a killed worker (issue #16, cluster) ------------------------------------


def lost(minutes_ago: float, **kwargs) -> OutboxMessage:
    """A message whose delivery task never ran: its worker was killed after taking it from Redis
    (the on-commit enqueue is not executed here), written ``minutes_ago``."""
    from datetime import timedelta

    from django.utils import timezone

    message = notification_send(kind="case_update", body="您的诉求已受理", phone="13800138000", **kwargs)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return message


def test_a_delivery_lost_with_a_killed_worker_is_sent_once_by_the_requeue():
    from notifications.services import notifications_requeue_undelivered

    message = lost(3)
    assert notifications_requeue_undelivered() == 1  # q2 runs synchronously in tests
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert notifications_requeue_undelivered() == 0
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_message_just_written_is_left_to_its_own_task(monkeypatch):
    from notifications import services

    queued = []
    monkeypatch.setattr(services, "async_task", lambda func, *args: queued.append(args))
    lost(0.5)
    assert services.notifications_requeue_undelivered() == 0 and queued == []


def test_a_requeued_message_is_queued_again_only_after_the_window(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from notifications import services

    queued = []
    monkeypatch.setattr(services, "async_task", lambda func, *args: queued.append(args))
    message = lost(3)
    now = timezone.now()
    assert services.notifications_requeue_undelivered(now=now) == 1
    # The worker that took it dies too; a second sweep within the window does not pile it up.
    assert services.notifications_requeue_undelivered(now=now + timedelta(seconds=60)) == 0
    assert services.notifications_requeue_undelivered(now=now + timedelta(seconds=150)) == 1
    assert queued == [(message.pk,), (message.pk,)]


def test_the_original_task_and_the_requeued_one_send_the_message_once(settings, capsys):
    from notifications.services import notifications_requeue_undelivered

    settings.NOTIFICATION_ECHO = True
    message = lost(3)
    notifications_requeue_undelivered()
    notification_deliver(message_id=message.pk)  # the original task, found late in the queue
    assert capsys.readouterr().out.count("您的诉求已受理") == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1


def test_sent_and_failed_messages_are_not_requeued(settings):
    from notifications.services import notifications_requeue_undelivered

    sent = lost(3)
    notification_deliver(message_id=sent.pk)
    settings.NOTIFICATION_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    failed = lost(3)
    notification_deliver(message_id=failed.pk)
    assert notifications_requeue_undelivered() == 0  # failures are the retry schedule's


def test_the_file_gateway_records_each_sms_once_without_the_text(settings, tmp_path):
    import json

    settings.NOTIFICATION_BACKEND = "notifications.backends.FileGatewayBackend"
    settings.NOTIFICATION_GATEWAY_FILE = str(tmp_path / "gateway" / "sms.jsonl")
    code = notification_send(kind="verification_code", body="验证码 482913", phone="13800138000", secret="482913")
    update = notification_send(kind="case_update", body="您的诉求已受理", phone="13900139000")
    inapp = notification_send(kind="case_assignment", body="新派案件", user=None, channel="inapp")
    for message in (code, update, code, inapp):
        notification_deliver(message_id=message.pk)
    text = (tmp_path / "gateway" / "sms.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["id"] for line in lines] == [code.pk, update.pk]
    assert lines[0]["to"] == "138****8000" and lines[0]["kind"] == "verification_code"
    assert lines[0]["key"] == f"yikouban-{code.pk}" and not lines[0]["duplicate"]
    assert "482913" not in text and "13800138000" not in text and "受理" not in text


def test_the_file_gateway_sends_nothing_for_a_key_it_has_seen(settings, tmp_path):
    """A worker killed after the gateway call but before its commit: the re-queued delivery calls
    the gateway again with the same key, and the gateway does not send a second SMS."""
    import json

    from notifications.backends import FileGatewayBackend

    settings.NOTIFICATION_GATEWAY_FILE = str(tmp_path / "sms.jsonl")
    message = notification_send(kind="case_update", body="您的诉求已受理", phone="13900139000")
    FileGatewayBackend().deliver(message)  # the call that went through before the worker died
    FileGatewayBackend().deliver(message)  # the re-queued delivery
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], line["duplicate"]) for line in lines] == [(message.pk, False), (message.pk, True)]


def test_a_long_list_past_its_time_budget_hands_the_rest_to_a_new_task(monkeypatch):
    """A task sending many SMS stops before q2's timeout could kill it mid-call (a sent SMS left
    pending would be sent again): the ones not yet sent go to a new task, each still sent once."""
    from notifications import services

    messages = [lost(0, user=None) for _ in range(3)]
    queued = []
    monkeypatch.setattr(services, "async_task", lambda func, *args: queued.append((func, args)))
    services.notifications_deliver_many(message_ids=[m.pk for m in messages], budget_s=0)
    statuses = [OutboxMessage.objects.get(pk=m.pk).status for m in messages]
    assert statuses == [OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.PENDING]
    assert queued == [("notifications.tasks.notifications_deliver_many", ([messages[1].pk, messages[2].pk],))]
    services.notifications_deliver_many(message_ids=[messages[1].pk, messages[2].pk])
    assert {OutboxMessage.objects.get(pk=m.pk).status for m in messages} == {OutboxStatus.SENT}
