"""The stage clock: each stage's due time in working days and its warning points (blue/yellow).

Pure computations on a ``Case`` in memory; the services save what they set. Stopping and restarting
the clock (中止/恢复计时) and extensions (延期) are services in ``cases.pauses``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

from routing.dispatch import reference_cached

from .models import Case, Status, WarningLevel
from .workdays import add_working_days


def capped_due(case: Case, due: datetime | None) -> datetime | None:
    """``due``, or the higher authority's deadline (上级交办, ``referral_due_at``) when that comes
    first: the authority's deadline is the case's overall due date, and no stage clock — a new
    stage, an extension, a resumed pause — runs past it (docs/letters-and-referrals.md)."""
    cap = case.referral_due_at
    if due is None or cap is None:
        return due
    return min(due, cap)


def matter_days(case: Case, stage: str) -> int:
    """The matter's working days for ``stage`` (accept, sign, handle, contact), shortened for the
    case's severity where the directory says so (``MatterType.severity_deadlines``, issue #15)."""
    matter = case.matter
    days = {
        "accept": matter.accept_days,
        "sign": matter.sign_days,
        "handle": matter.handle_days,
        "contact": matter.contact_days,
    }[stage]
    shorter = (matter.severity_deadlines or {}).get(case.severity, {}).get(stage)
    return days if shorter is None else min(days, shorter)


def stage_due(case: Case, stage: str, start: datetime, extra_days: int = 0) -> datetime:
    days = settings.CASE_REVIEW_DAYS if stage == "review" else matter_days(case, stage)
    return capped_due(case, add_working_days(start, days + extra_days))


CLOCK_FIELDS = [
    "stage_started_at",
    "stage_due_at",
    "blue_at",
    "yellow_at",
    "warning_level",
    "paused_at",
    "pause_reason",
]


def _settings_thresholds() -> dict[str, float]:
    return settings.SUPERVISION_WARNING_THRESHOLDS


#: Where ``set_clock`` reads the warning thresholds ({"blue": 0.5, "yellow": 0.8}): the settings,
#: unless an app above us installs another source (supervision: the admin-editable values) with
#: ``set_thresholds_source`` — so cases never imports supervision.
_thresholds_source: Callable[[], dict[str, float]] = _settings_thresholds


def set_thresholds_source(source: Callable[[], dict[str, float]] | None) -> None:
    """Install the callable ``set_clock`` asks for the thresholds (``None``: the settings)."""
    global _thresholds_source
    _thresholds_source = source or _settings_thresholds


def set_clock(case: Case, started: datetime | None, due: datetime | None) -> list[str]:
    """Set the stage window and its warning thresholds; a new window starts with no warning."""
    case.stage_started_at, case.stage_due_at = started, due
    if started is not None and due is not None and due > started:
        # Cached with the pinned directory snapshot (threshold writes replace its stamp).
        thresholds = reference_cached(f"warning_thresholds:{id(_thresholds_source)}", _thresholds_source)
        window = due - started
        case.blue_at = started + window * thresholds["blue"]
        case.yellow_at = started + window * thresholds["yellow"]
    else:
        case.blue_at = case.yellow_at = None
    case.warning_level = WarningLevel.NONE
    case.paused_at = None
    case.pause_reason = ""
    return list(CLOCK_FIELDS)


CONTACT_CLOCK_FIELDS = [
    "contact_started_at",
    "contact_due_at",
    "contact_blue_at",
    "contact_yellow_at",
    "contact_level",
]


def start_contact_clock(case: Case, at: datetime) -> list[str]:
    """Start the contact clock (首次联系) when the lead unit first signs: due by the end of the
    matter's ``contact_days``-th working day (default the next one), with blue/yellow points at
    the same shares of the window as a stage clock. A case keeps its first clock: a later signing
    (after a transfer) or a contact already recorded leaves it as it is. Returns the fields set."""
    if case.contact_due_at is not None or case.contacted_at is not None:
        return []
    due = add_working_days(at, matter_days(case, "contact"))
    thresholds = reference_cached(f"warning_thresholds:{id(_thresholds_source)}", _thresholds_source)
    window = due - at
    case.contact_started_at, case.contact_due_at = at, due
    case.contact_blue_at = at + window * thresholds["blue"]
    case.contact_yellow_at = at + window * thresholds["yellow"]
    case.contact_level = WarningLevel.NONE
    return list(CONTACT_CLOCK_FIELDS)


def enter_stage(case: Case, stage: str | None, at: datetime) -> list[str]:
    """Start the clock of the stage the case has just entered."""
    if stage == "feedback":
        due = at + timedelta(days=settings.CASE_AUTO_CLOSE_DAYS)
    elif stage is None:
        due = None
    else:
        due = stage_due(case, stage, at)
    return set_clock(case, at, due)


def reply_due(case: Case) -> datetime | None:
    """The date the citizen may expect the next answer by, as the case stands now: the current
    stage's due time, and while a unit has yet to take the case, that plus the handling days
    (the latest it may answer if it takes the case on the last day). None while the clock is
    paused (the date will move) and once the case has ended."""
    if case.paused_at is not None or case.stage_due_at is None:
        return None
    if case.status == Status.DISPATCHED:
        return capped_due(case, add_working_days(case.stage_due_at, matter_days(case, "handle")))
    if case.status in (Status.SUBMITTED, Status.ACCEPTED, Status.HANDLING, Status.REVIEWING, Status.FEEDBACK):
        return case.stage_due_at
    return None


def warning_points(started: datetime, due: datetime) -> tuple[datetime, datetime]:
    """The blue and yellow points of a window, at the thresholds in force (a 联办任务's deadline)."""
    thresholds = reference_cached(f"warning_thresholds:{id(_thresholds_source)}", _thresholds_source)
    window = max(due - started, timedelta(0))
    return started + window * thresholds["blue"], started + window * thresholds["yellow"]
