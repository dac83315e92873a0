"""Every django-q2 schedule the platform runs, declared in code.

``manage.py setup_schedules`` (run by ``make run`` and at deploy) creates or updates them by name,
and removes schedules of ours that are no longer declared. Each task is idempotent and safe to
run concurrently (see the task's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str  # django_q.models.Schedule.MINUTES / HOURLY / DAILY …
    minutes: int | None = None
    #: Local hour of the first run (a nightly task): later runs keep it (DAILY adds whole days).
    hour: int | None = None


SCHEDULE_PREFIX = "yikouban:"

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}warnings-sweep",
        func="supervision.tasks.warnings_sweep",
        schedule_type="I",  # Schedule.MINUTES
        minutes=1,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}retry-failed-notifications",
        func="notifications.tasks.notifications_retry_failed",
        schedule_type="I",  # Schedule.MINUTES
        minutes=5,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}requeue-undelivered-notifications",
        func="notifications.tasks.notifications_requeue_undelivered",
        schedule_type="I",  # Schedule.MINUTES: tasks a killed worker took from Redis
        minutes=1,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}resume-stalled-agreement-batches",
        func="mediation.tasks.agreement_batches_resume",
        schedule_type="I",  # Schedule.MINUTES: batches whose task a killed worker took with it
        minutes=1,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}auto-close-unrated-cases",
        func="cases.tasks.cases_auto_close",
        schedule_type="I",  # Schedule.MINUTES
        minutes=10,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}purge-verification-codes",
        func="accounts.tasks.verification_codes_purge",
        schedule_type="H",  # Schedule.HOURLY
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}purge-one-time-messages",
        func="notifications.tasks.notifications_one_time_purge",
        schedule_type="H",  # Schedule.HOURLY: codes in the outbox are deleted after a day
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}kpi-daily-snapshot",
        func="supervision.tasks.kpi_snapshot",
        schedule_type="H",  # Schedule.HOURLY: yesterday once it is over, and any day missed
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}agreement-followup",
        func="mediation.tasks.agreements_followup_remind",
        schedule_type="D",  # Schedule.DAILY: agreements whose performance deadline has come
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}purge-held-uploads",
        func="intake.tasks.held_uploads_purge",
        schedule_type="H",  # Schedule.HOURLY: files left on forms that never went through, after a day
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}mediation-session-reminders",
        func="mediation.tasks.session_reminders_send",
        schedule_type="I",  # Schedule.MINUTES
        minutes=15,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}mediation-invitations-expire",
        func="mediation.tasks.mediation_invitations_expire",
        schedule_type="H",  # Schedule.HOURLY: citizens' mediation invitations past their date
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}purge-api-calls",
        func="interfaces.tasks.api_calls_purge",
        schedule_type="D",  # Schedule.DAILY: partner call-log rows older than API_CALL_LOG_DAYS
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}purge-idempotency-records",
        func="partner_api.tasks.idempotency_records_purge",
        schedule_type="D",  # Schedule.DAILY: records older than PARTNER_API_IDEMPOTENCY_DAYS
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}risk-scan",
        func="supervision.tasks.risk_scan",
        schedule_type="D",  # Schedule.DAILY: 研判预警 over the complete days before the run
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}duplicates-nightly",
        func="cases.tasks.duplicates_nightly",
        schedule_type="D",  # Schedule.DAILY at 02:00: 疑似重复 among open cases (issue #13)
        hour=2,
    ),
    ScheduleSpec(
        name=f"{SCHEDULE_PREFIX}similar-index-maintain",
        func="similar.tasks.similar_index_maintain",
        schedule_type="D",  # Schedule.DAILY: missing index rows, then the term statistics (issue #13)
    ),
)
