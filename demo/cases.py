"""Demo cases: ≥ 200 claims in every status and from every channel, driven through the real
services with back-dated times so that deadlines vary (some are late). Some cases that reach a
result were signed for or reported late: for them the warning sweep is replayed at the moments a
running scheduler would have turned them blue, yellow and red, so they carry those warnings and
the KPI board's 按期办结率 is below 100 %. Idempotent: each demo claim has a fixed submission key,
and a run that finds the first one does nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.services import citizen_ensure, staff_user_ensure
from cases import services as cs
from cases.handover import handover_approve, handover_request
from cases.models import OPEN_STATUSES, Case, HandoverKind, Outcome, Rating, Status
from demo.citizen_voice import demo_callback, demo_citizen_voice
from demo.people import DEMO_PASSWORD
from demo.service_rates import demo_callback_answers, demo_contact, demo_unsatisfied
from demo.texts import STORIES, pool_for
from intake.services import claim_submit
from notifications.services import notifications_suppressed
from routing.dispatch import current_index
from routing.models import Channel, MatterType, Region, Unit

DEMO_KEY = "demo-case-"
DEMO_CASES = 220
#: Of the cases that get as far as a result, the share (%) whose unit signed for them late, and
#: the share that reported the result after the handling deadline (both then show a red warning).
LATE_SIGN = 7
LATE_HANDLE = 6
#: After the demo cases, how many second reports of an open case (一案多投) are merged into it, so
#: the demo always shows a merged case whatever the day it is loaded on.
DUPLICATES = 3

SURNAMES = "陈李黄张梁何罗吴周冯邓郑谢麦伍林区杨"
GIVEN = ["志明", "秀英", "国强", "美玲", "建华", "丽娟", "伟东", "少芬", "锦荣", "惠珍", "嘉豪", "雪梅", "伯勤", "玉兰"]
RESULTS = {
    Outcome.RESOLVED: "经协调，{x}，当事人表示认可。",  # x: the pool's fixes
    Outcome.MEDIATED: "组织双方调解，达成调解协议：{x}。",  # x: the pool's agreements
    Outcome.EXPLAINED: "已向当事人解释相关政策和办理途径，当事人表示理解。",
    Outcome.REFERRED: "该事项需通过诉讼途径解决，已引导当事人向人民法院起诉并提供法律援助指引。",
}

# (final status, share of the demo) — every status appears.
PLAN = [
    (Status.SUBMITTED, 14),
    (Status.ACCEPTED, 12),
    (Status.DISPATCHED, 24),
    (Status.HANDLING, 48),
    (Status.REVIEWING, 18),
    (Status.FEEDBACK, 20),
    (Status.CLOSED, 66),
    (Status.REJECTED, 8),
    (Status.WITHDRAWN, 5),
    (Status.MERGED, 5),
]
CHANNELS = [
    (Channel.WEB, 34),
    (Channel.WINDOW, 20),
    (Channel.HOTLINE, 25),
    (Channel.GRID, 14),
    (Channel.API, 3),
    (Channel.LETTER, 2),
    (Channel.REFERRAL, 2),
]


def _pick(texts: tuple[str, ...], key: int) -> str:
    """One of ``texts`` chosen by the case (not by the generator, whose sequence stays as it was)."""
    return texts[key % len(texts)]


def _weighted(rng: random.Random, table):
    return rng.choices([item for item, _w in table], weights=[w for _item, w in table])[0]


class _Actors:
    """Finds (and for demo units without one, creates) a person for each role on a case."""

    def __init__(self):
        self.cache: dict[tuple[str, str], User] = {}

    def get(self, unit: Unit, role: str) -> User:
        key = (unit.code, role)
        if key not in self.cache:
            membership = (
                Membership.objects.filter(unit=unit, role=role, active=True)
                .select_related("user")
                .order_by("id")
                .first()
            )
            if membership is None:
                user = staff_user_ensure(
                    username=f"demo-{unit.code.lower()}-{role}",
                    full_name=f"{unit.name}{Role(role).label}",
                    password=DEMO_PASSWORD,
                    memberships=[(unit.code, role)],
                )
            else:
                user = membership.user
            self.cache[key] = user
        return self.cache[key]


def _story(rng: random.Random, matter: MatterType, region: Region, people: int) -> str:
    options = STORIES.get(matter.code) or [f"反映{matter.name}问题，希望有关部门尽快处理。"]
    text = rng.choice(options).format(place=region.name, n=max(people, 2))
    return text


def load_demo_cases(*, count: int = DEMO_CASES, seed: int = 20261121, now: datetime | None = None) -> int:
    """Create the demo cases (``count``, then ``DUPLICATES`` merged second reports) unless they
    exist. Returns how many were created."""
    from intake.models import Claim

    if Claim.objects.filter(submission_key__startswith=DEMO_KEY).exists():
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    matters = list(MatterType.objects.exclude(parent=None).filter(active=True).order_by("code"))
    places = list(Region.objects.filter(level__in=["village", "grid"]).order_by("code"))
    gaoming = [r for r in places if r.code.startswith("440608")]
    citizens = [User.objects.filter(phone=p).first() for p in ("13800138000", "13900139000")]
    actors = _Actors()
    created = 0
    open_cases: list[Case] = []
    with notifications_suppressed():
        for index in range(count):
            target = _weighted(rng, PLAN)
            channel = _weighted(rng, CHANNELS)
            region = rng.choice(gaoming if rng.random() < 0.6 else places)
            matter = rng.choice(matters)
            people = (
                rng.choice([1, 1, 1, 1, 2, 3, 5, 12, 30])
                if matter.code != "consumer.prepaid"
                else rng.choice([1, 40, 403])
            )
            age_days = rng.choice([0, 1, 2, 3, 5, 8, 12, 18, 25, 35, 50, 70])
            start = now - timedelta(days=age_days, hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
            with transaction.atomic():
                case = _one(
                    index=index, rng=rng, target=target, channel=channel, region=region, matter=matter,
                    people=people, start=start, now=now, actors=actors, citizens=citizens, open_cases=open_cases,
                )  # fmt: skip
            if case is not None:
                created += 1
                if case.is_open and case.status != Status.FEEDBACK:
                    open_cases.append(case)
        created += _duplicates(first_index=count, count=DUPLICATES, now=now)
        demo_citizen_voice(key_prefix=DEMO_KEY, now=now)  # 催办, 留言 (demo/citizen_voice.py)
        demo_callback_answers(key_prefix=DEMO_KEY)  # 解决率 on web ratings (demo/service_rates.py)
    return created


def _duplicates(*, first_index: int, count: int, now: datetime) -> int:
    """一案多投: the same person reports an open case again through the hotline; the centre's clerk
    merges the new case into the first one. Chosen from the cases being handled, so there is always
    one to merge into. Returns how many were made."""
    originals = list(
        Case.objects.filter(
            status__in=[Status.DISPATCHED, Status.HANDLING], claims__submission_key__startswith=DEMO_KEY
        )
        .select_related("centre", "region", "matter")
        .order_by("created_at", "id")[:count]
    )
    actors = _Actors()
    for offset, original in enumerate(originals):
        applicant = original.parties.order_by("id").first()
        at = min(original.created_at + timedelta(days=1, hours=offset), now - timedelta(minutes=30))
        with transaction.atomic():
            claim, _created = claim_submit(
                channel=Channel.HOTLINE,
                matter=original.matter,
                region=original.region,
                description=original.description,
                contact_name=applicant.name,
                contact_phone=applicant.phone,
                address="",
                people_count=original.people_count,
                submitter=None,
                registered_by=None,
                submission_key=f"{DEMO_KEY}{first_index + offset:04d}",
                at=at,
            )
            duplicate = Case.objects.select_related("centre", "region", "matter").get(pk=claim.case_id)
            into = Case.objects.select_related("centre", "region", "matter").get(pk=original.pk)
            cs.case_merge(
                case=duplicate, actor=actors.get(duplicate.centre, Role.CLERK), into=into, at=at + timedelta(minutes=20)
            )
    return len(originals)


def _submit(*, index, rng, channel, region, matter, people, start, citizens) -> Case:
    """The demo claim as a citizen (or a clerk on their behalf) sent it; its case."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}"
    submitter = None
    if channel == Channel.WEB:
        submitter = (
            rng.choice(citizens)
            if rng.random() < 0.3
            else citizen_ensure(phone=phone, full_name=name, password=DEMO_PASSWORD)
        )
        if submitter is not None:
            name, phone = submitter.full_name, submitter.phone
    claim, _created = claim_submit(
        channel=channel,
        matter=matter,
        region=region,
        description=_story(rng, matter, region, people),
        contact_name=name,
        contact_phone=phone,
        address="",
        people_count=people,
        submitter=submitter,
        registered_by=None,
        submission_key=f"{DEMO_KEY}{index:04d}",
        at=start,
    )
    case = Case.objects.select_related("centre", "region", "matter").get(pk=claim.case_id)
    return case


def _one(*, index, rng, target, channel, region, matter, people, start, now, actors, citizens, open_cases):
    step = [start]

    def later(hours_min=1, hours_max=30):
        step[0] = min(step[0] + timedelta(hours=rng.randint(hours_min, hours_max)), now - timedelta(minutes=5))
        return step[0]

    case = _submit(
        index=index,
        rng=rng,
        channel=channel,
        region=region,
        matter=matter,
        people=people,
        start=start,
        citizens=citizens,
    )
    centre = case.centre
    clerk = actors.get(centre, Role.CLERK)
    dispatcher = actors.get(centre, Role.DISPATCHER)
    owner = case.parties.filter(user__isnull=False).values_list("user", flat=True).first()
    citizen = User.objects.get(pk=owner) if owner else None

    def fresh():
        return Case.objects.select_related("centre", "region", "matter", "lead_unit").get(pk=case.pk)

    if target == Status.SUBMITTED:
        return case
    if _closed_unaccepted(
        case=case, target=target, fresh=fresh, clerk=clerk, citizen=citizen, open_cases=open_cases, later=later
    ):
        return case
    if target in (Status.FEEDBACK, Status.CLOSED) and rng.random() < 0.15:
        cs.case_resolve_on_spot(
            case=fresh(), actor=clerk, result="窗口当场解答并协调处理完毕，群众表示满意。", at=later()
        )
        return _finish(case, target, rng, citizen, later, clerk=clerk, now=now)
    cs.case_accept(case=fresh(), actor=clerk, at=later(1, 20))
    current = fresh()
    if current.status == Status.ACCEPTED:  # the manual dispatch queue
        if target == Status.ACCEPTED or rng.random() < 0.3:
            return case
        lead_code = current_index().nearest_with_role(current.region.code, "comprehensive_centre")
        if lead_code is None:
            return case
        lead = Unit.objects.get(code=lead_code)
        cs.case_dispatch(
            case=current,
            actor=dispatcher,
            lead_unit=lead,
            cooperating_units=[],
            note="人工分派至属地综治中心",
            at=later(),
        )
        current = fresh()
    if target == Status.DISPATCHED:
        return case
    return _handle(
        case=case,
        current=current,
        target=target,
        rng=rng,
        now=now,
        step=step,
        later=later,
        fresh=fresh,
        actors=actors,
        dispatcher=dispatcher,
        citizen=citizen,
    )


def _closed_unaccepted(*, case, target, fresh, clerk, citizen, open_cases, later) -> bool:
    """不予受理, 撤回 or 合并 before acceptance, when that is the target; whether it was."""
    if target == Status.REJECTED:
        cs.case_reject(
            case=fresh(),
            actor=clerk,
            reason="该事项已进入诉讼程序，依法不属于本平台受理范围",
            redirect_to="请关注人民法院的审理进展",
            at=later(),
        )
        return True
    if target == Status.WITHDRAWN and citizen is not None:
        reason = _pick(pool_for(case.matter.code).withdrawn, case.pk)
        cs.case_withdraw(case=fresh(), actor=citizen, reason=reason, at=later())
        return True
    if target == Status.MERGED:
        into = (
            Case.objects.filter(pk__in=[c.pk for c in open_cases], centre=case.centre, status__in=OPEN_STATUSES)
            .exclude(status=Status.FEEDBACK)
            .first()
        )
        if into is not None:
            cs.case_merge(case=fresh(), actor=clerk, into=into, at=later())
            return True
    return False


def _handle(*, case, current, target, rng, now, step, later, fresh, actors, dispatcher, citizen) -> Case:
    """The dispatched case from 签收 to its target status (the lead unit's handler at work)."""
    handler = actors.get(current.lead_unit, Role.HANDLER)
    if target == Status.ACCEPTED:  # the unit asks to return it, the centre agrees: back in its queue
        at = later()  # one moment for both (the demo's timeline, and so its warnings, stay as they were)
        request = handover_request(
            case=current,
            actor=handler,
            kind=HandoverKind.RETURN,
            reason="经核实不属于本单位职责范围，请中心重新分派",
            at=at,
        )
        request.case = fresh()
        handover_approve(request=request, actor=dispatcher, at=at)
        return case
    # Some cases that end up done went over a deadline on the way (签收 or 办理 late), so the
    # board's 按期办结率 is believable rather than 100 %.
    late = None
    if target in (Status.REVIEWING, Status.FEEDBACK, Status.CLOSED):
        late = _weighted(rng, [("sign", LATE_SIGN), ("handle", LATE_HANDLE), (None, 100 - LATE_SIGN - LATE_HANDLE)])
    signed_late = _overrun(case.pk, rng, now, step) if late == "sign" else None
    cs.case_sign(case=fresh(), actor=handler, at=signed_late or later(1, 24))
    demo_contact(case_id=case.pk, handler=handler, now=now, step=step)  # 首次联系 (demo/service_rates.py)
    cs.case_add_note(
        case=fresh(),
        actor=handler,
        note=rng.choice(["已电话联系当事人了解情况", "已到现场核实", "已约谈对方当事人"]),
        public=True,
        at=later(),
    )
    if rng.random() < 0.15:
        reason = _pick(pool_for(current.matter.code).extension, case.pk)
        cs.case_request_extension(case=fresh(), actor=handler, days=5, reason=reason, at=later())
        if rng.random() < 0.7:
            supervisor = actors.get(current.centre, Role.SUPERVISOR)
            cs.case_approve_extension(case=fresh(), actor=supervisor, note="同意", at=later())
    if target == Status.HANDLING:
        return case
    outcome = _weighted(
        rng, [(Outcome.RESOLVED, 5), (Outcome.MEDIATED, 3), (Outcome.EXPLAINED, 2), (Outcome.REFERRED, 1)]
    )
    pool = pool_for(current.matter.code)
    clauses = pool.mediated if outcome == Outcome.MEDIATED else pool.fixes
    # One draw of four, whatever the pool's size, keeps the generator's sequence (and with it the
    # calibrated share of late cases, tests/intake/test_demo_late_cases.py) as it was.
    result = RESULTS[outcome].format(x=clauses[rng.randrange(4) % len(clauses)])
    reported_late = _overrun(case.pk, rng, now, step) if late == "handle" else None
    cs.case_submit_result(
        case=fresh(), actor=handler, result=result, outcome=outcome, at=reported_late or later(24, 200)
    )
    if target == Status.REVIEWING:
        return case
    if rng.random() < 0.1:
        cs.case_send_back(case=fresh(), actor=dispatcher, reason="办理结果缺少书面材料，请补充", at=later())
        cs.case_submit_result(
            case=fresh(), actor=handler, result=result + "（已补充书面材料）", outcome=outcome, at=later()
        )
    cs.case_approve(case=fresh(), actor=dispatcher, at=later())
    if target == Status.CLOSED and demo_unsatisfied(  # 不满意 (demo/service_rates.py)
        case_id=case.pk, citizen=citizen, dispatcher=dispatcher, now=now, step=step
    ):
        return case
    return _finish(case, target, rng, citizen, later, clerk=actors.get(current.centre, Role.CLERK), now=now)


def _overrun(case_id: int, rng: random.Random, now: datetime, step: list[datetime]) -> datetime | None:
    """Let the case's current stage run past its due time: the warning sweep is replayed, for
    this case only, at the moments a running scheduler would have turned it blue, yellow and red
    (leaving the same events and in-app messages), and the time of the late next step — a few
    hours to a few days after the due time — is returned. None when the case is too recent for
    that (the late step would fall in the future); the case then goes on in time."""
    # The demo loader, not intake itself, replays supervision's sweep (config's load_demo runs it).
    from supervision.services import warnings_sweep

    current = Case.objects.get(pk=case_id)
    if current.stage_due_at is None:
        return None
    late_at = current.stage_due_at + timedelta(hours=rng.randint(3, 72))
    if late_at > now - timedelta(hours=2):
        return None
    for moment in (current.blue_at, current.yellow_at, current.stage_due_at):
        if moment is not None:
            warnings_sweep(now=moment, only=[case_id])
    step[0] = late_at
    return late_at


def _finish(case, target, rng, citizen, later, *, clerk, now):
    if target != Status.CLOSED:
        return case
    current = Case.objects.select_related("centre", "region", "matter").get(pk=case.pk)
    if citizen is None:
        # No account: the call-back rates it (or closes it unreached) when it can, by case id
        # only (demo/citizen_voice.py); otherwise the system closes it when the time is over.
        if demo_callback(case_id=case.pk, clerk=clerk, now=now):
            return case
        if current.stage_due_at <= timezone.now():
            cs.case_auto_close(case=current, at=current.stage_due_at)
        return case
    rating = _weighted(rng, [(Rating.SATISFIED, 8), (Rating.BASIC, 3)])
    cs.case_rate(
        case=current,
        actor=citizen,
        rating=rating,
        comment="处理及时，感谢" if rating == Rating.SATISFIED else "",
        at=later(),
    )
    return case
