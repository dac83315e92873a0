"""Demo data for issue #11's figures: 首次联系 (响应率), 不满意 (重办率) and 问题是否解决 on web
ratings (解决率), so the KPI board shows believable, non-trivial rates on ``make run`` (the
call-back, the SMS link and 催办 are in ``demo/citizen_voice.py``).

Kept apart from ``demo/cases.py``, which calls ``demo_contact`` once after a unit signs,
``demo_unsatisfied`` before a case is rated and ``demo_callback_answers`` once at the end. Every choice here follows from the case id, never from
the generator, so the calibrated sequence of statuses and late cases stays as it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q

from cases import services as cs
from cases.models import Case, ContactMethod, RatedVia, Rating, Status

#: Of every 20 signed cases (by id): contacted in good time, contacted late, never contacted.
ON_TIME, LATE = 14, 3
NOTES = {
    ContactMethod.PHONE: "电话联系申请人，核实诉求详情，告知承办人和办理时限",
    ContactMethod.VISIT: "上门走访申请人，现场了解情况并留下联系方式",
    ContactMethod.SMS: "短信告知申请人案件已签收，附承办人联系电话",
}
METHODS = [ContactMethod.PHONE, ContactMethod.PHONE, ContactMethod.VISIT, ContactMethod.SMS]


def demo_contact(*, case_id: int, handler, now: datetime, step: list[datetime]) -> None:
    """Right after the lead unit signed: record its first contact with the citizen in good time
    (most cases), late (the sweep replayed at the clock's points first, so the timeline carries
    the 首次联系 warnings a running scheduler would have left), or not at all. A time that would
    fall in the future is not recorded (the clock is left running, as on a real recent case).
    ``step`` (the case's running clock in the loader) moves past a late contact."""
    from supervision.services import warnings_sweep  # the loader replays supervision's sweep

    case = Case.objects.select_related("matter", "region", "lead_unit").get(pk=case_id)
    if case.contact_due_at is None or case.contacted_at is not None:
        return
    slot = case_id % 20
    method = METHODS[case_id % len(METHODS)]
    started, due = case.contact_started_at, case.contact_due_at
    latest = now - timedelta(minutes=5)
    if slot < ON_TIME:
        at = started + (due - started) * (0.05 + (case_id % 7) * 0.05)  # before the blue point
        if at <= latest:
            cs.case_contact(case=case, actor=handler, method=method, note=NOTES[method], at=at)
        return
    for moment in (case.contact_blue_at, case.contact_yellow_at, due):
        if moment is not None and moment <= latest:
            warnings_sweep(now=moment, only=[case_id])
    if slot < ON_TIME + LATE:
        at = due + timedelta(hours=2 + case_id % 30)
        if at <= latest:
            cs.case_contact(case=Case.objects.get(pk=case_id), actor=handler, method=method, note=NOTES[method], at=at)
            step[0] = max(step[0], at)


#: Of every 5 cases about to be rated (by id), this one is rated 不满意 first (see below).
UNSATISFIED_SLOT = 2
UNSATISFIED = "办理结果与实际情况不符，问题仍未解决，希望重新核实处理"


def demo_unsatisfied(*, case_id: int, citizen, dispatcher, now: datetime, step: list[datetime]) -> bool:
    """Some citizens are not satisfied: the case returns for review (flagged), the centre
    approves the result again, and the citizen does not rate a second time — the system closes it
    when the feedback time is over, keeping the 不满意 (so 满意率 is below 100 %). Times are fixed
    offsets from the case's clock (no draw from the generator). True when it took the case over
    (closed it, or left it 待评价 while its feedback time runs)."""
    if citizen is None or case_id % 5 != UNSATISFIED_SLOT:
        return False
    rated_at = step[0] + timedelta(hours=3 + case_id % 20)
    approved_at = rated_at + timedelta(hours=5)
    if approved_at > now - timedelta(minutes=5):
        return False
    cs.case_rate(case=_fresh(case_id), actor=citizen, rating=Rating.UNSATISFIED, comment=UNSATISFIED, at=rated_at)
    cs.case_approve(case=_fresh(case_id), actor=dispatcher, note="已复核，维持原办理结果", at=approved_at)
    step[0] = approved_at
    current = _fresh(case_id)
    if current.stage_due_at <= now - timedelta(minutes=5):
        cs.case_auto_close(case=current, at=current.stage_due_at)
    return True


def _fresh(case_id: int) -> Case:
    return Case.objects.select_related("centre", "region", "matter", "lead_unit").get(pk=case_id)


def demo_callback_answers(*, key_prefix: str) -> int:
    """问题是否解决 on the closed, rated demo cases that have no answer yet — the web ratings (the
    call-back and the SMS link, demo/citizen_voice.py, asked it through the real services, and
    those answers are kept): most 满意 yes, some 基本满意 no, every 不满意 no. Set-based; returns the
    cases answered."""
    demo = Case.objects.filter(claims__submission_key__startswith=key_prefix).values("pk")
    rated = Case.objects.filter(pk__in=demo, status=Status.CLOSED).exclude(rating="")
    rated.filter(rated_via="").update(rated_via=RatedVia.WEB)
    unanswered = rated.filter(solved__isnull=True).annotate(slot=F("id") % 7)
    no = Q(rating=Rating.UNSATISFIED) | Q(rating=Rating.BASIC, slot__in=[0, 2, 4]) | Q(rating=Rating.SATISFIED, slot=3)
    answered = unanswered.filter(no).update(solved=False)
    return answered + rated.filter(solved__isnull=True).update(solved=True)
