"""Time left in the current stage, in working days, as staff lists and case pages show it
("剩余 1.5 个工作日", "超期 3 个工作日"), beside the warning level the sweep set (never colour alone).

Lists compute it for a page of cases with ``with_time_left`` (the work calendar read once); a
single case page may use the ``time_left`` filter directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import WarningLevel
from .workdays import calendar_overrides, working_days_span

#: The badge's words: a warning is never shown by its colour alone.
WARNING_WORDS = {
    WarningLevel.BLUE: gettext_lazy("蓝色预警"),
    WarningLevel.YELLOW: gettext_lazy("黄色预警"),
    WarningLevel.RED: gettext_lazy("红色预警"),
}


def days_text(days: float) -> str:
    """``1.5``, ``3`` (one decimal, no trailing ``.0``); at least 0.1."""
    return f"{max(days, 0.1):.1f}".removesuffix(".0")


@dataclass(frozen=True)
class TimeLeft:
    days: float  # working days left; negative when overdue
    paused: bool  # the clock stands still (中止计时): the days are those left when it stopped

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def text(self) -> str:
        if self.overdue:
            text = _("超期 %(d)s 个工作日") % {"d": days_text(-self.days)}
        else:
            text = _("剩余 %(d)s 个工作日") % {"d": days_text(self.days)}
        return _("已中止计时，%(t)s") % {"t": text} if self.paused else text


def time_left(case, *, now: dt.datetime | None = None, overrides=None) -> TimeLeft | None:
    """None for a case without a running stage clock (ended, or no due time)."""
    if not case.is_open or case.stage_due_at is None:
        return None
    at = case.paused_at or now or timezone.now()
    overrides = calendar_overrides() if overrides is None else overrides
    due = case.stage_due_at
    if at <= due:
        return TimeLeft(working_days_span(at, due, overrides), case.paused_at is not None)
    return TimeLeft(-working_days_span(due, at, overrides), case.paused_at is not None)


def with_time_left(cases, *, now: dt.datetime | None = None):
    """Set ``time_left`` on each case of a page (one query for the calendar, none per case)."""
    cases = list(cases)
    now = now or timezone.now()
    overrides = calendar_overrides() if any(c.is_open and c.stage_due_at for c in cases) else {}
    for case in cases:
        case.time_left = time_left(case, now=now, overrides=overrides)
    return cases
