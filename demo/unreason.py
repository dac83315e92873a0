"""Demo 不合理诉求 / 恶意诉求 (issue #15): two hotline claims handled by 高明区人社局 (``gm_labor``):

- one closed after a 不满意 phone rating, proposed as 不合理诉求 by the unit and approved by the
  centre (``gm_dispatch``) — so the KPI board's unit ranking shows 高明区人社局's 满意率 without it
  and "已剔除不合理诉求 1 件";
- one being handled, proposed as 恶意诉求 and waiting for the centre (the dispatcher's home shows
  "不合理诉求待审核 1").

Idempotent (each claim has its own submission key: a second load changes nothing); times are
relative to the day of the first load; messages are recorded, not delivered.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases import services as cs
from cases.models import Case, Rating, Status
from cases.unreason import unreason_approve, unreason_propose
from core.periods import day_start
from notifications.services import notifications_suppressed
from routing.models import MatterType, Region

MINGDONG = "440608102201"  # 明城镇 明东村


def _claim(key: str, *, at, name: str, phone: str, text: str) -> Case | None:
    from intake.services import claim_submit

    claim, created = claim_submit(
        channel="hotline",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code=MINGDONG),
        description=text,
        contact_name=name,
        contact_phone=phone,
        people_count=1,
        registered_by=User.objects.get(username="gm_hotline"),
        submission_key=key,
        at=at,
    )
    if not created:
        return None
    case = Case.objects.get(pk=claim.case_id)
    cs.case_accept(case=case, actor=User.objects.get(username="gm_hotline"), at=at + dt.timedelta(minutes=20))
    case = Case.objects.get(pk=case.pk)
    if case.status != Status.DISPATCHED or case.lead_unit is None or case.lead_unit.code != "GM-RSJ":
        return None  # the directory routes wage claims elsewhere: nothing to show
    cs.case_sign(case=case, actor=User.objects.get(username="gm_labor"), at=at + dt.timedelta(hours=2))
    return Case.objects.get(pk=case.pk)


def load_demo_unreason(*, now: dt.datetime | None = None) -> int:
    """The two cases (new ones only; returns how many were made)."""
    from feedback.services import callback_record

    now = now or timezone.now()
    today = day_start(timezone.localdate(now))
    labor, dispatcher, window = (User.objects.get(username=u) for u in ("gm_labor", "gm_dispatch", "gm_window"))
    made = 0
    with notifications_suppressed():
        start = today - dt.timedelta(days=12) + dt.timedelta(hours=9)
        case = _claim(
            "demo-unreason-approved",
            at=start,
            name="钱先生",
            phone="13712340201",
            text="要求原单位按我自己记录的工时补发三年加班费共十二万元，单位考勤记录不算数。",
        )
        if case is not None:
            made += 1
            cs.case_submit_result(
                case=case,
                actor=labor,
                result="经调取考勤和工资台账，加班费已按考勤足额发放；对自报工时无证据支持的部分已书面告知可申请劳动仲裁。",
                outcome="explained",
                at=start + dt.timedelta(days=2),
            )
            cs.case_approve(
                case=Case.objects.get(pk=case.pk), actor=dispatcher, at=start + dt.timedelta(days=2, hours=2)
            )
            callback_record(
                case=Case.objects.get(pk=case.pk),
                actor=window,
                outcome="rated",
                rating=Rating.UNSATISFIED,
                comment="必须按我的记录补发",
                at=start + dt.timedelta(days=3),
            )
            cs.case_approve(
                case=Case.objects.get(pk=case.pk), actor=dispatcher, at=start + dt.timedelta(days=3, hours=3)
            )
            cs.case_auto_close(case=Case.objects.get(pk=case.pk), at=start + dt.timedelta(days=5))
            label = unreason_propose(
                case=Case.objects.get(pk=case.pk),
                actor=labor,
                kind="unreasonable",
                grounds=["beyond_policy", "answered_repeat"],
                reason="诉求人要求按自报工时补发加班费，无考勤证据；已三次书面答复并告知仲裁途径，仍坚持原诉求。",
                at=start + dt.timedelta(days=6),
            )
            unreason_approve(
                label=label,
                actor=dispatcher,
                reason="经核查考勤与工资台账，诉求超出法定范围",
                at=start + dt.timedelta(days=7),
            )
        start = today - dt.timedelta(days=4) + dt.timedelta(hours=10)
        case = _claim(
            "demo-unreason-pending",
            at=start,
            name="孙先生",
            phone="13712340202",
            text="第二十次反映：明城镇某厂欠我工资，不给就天天打电话。",
        )
        if case is not None:
            made += 1
            unreason_propose(
                case=case,
                actor=labor,
                kind="malicious",
                grounds=["fabricated", "nuisance"],
                reason="经核实诉求人未在该厂工作过，工资台账无其记录；近一个月同一内容来电二十次，并辱骂接线员。",
                at=start + dt.timedelta(days=1),
            )
    return made
