"""Demo mediators (the pool the matching ranks). Idempotent; ``load_demo`` runs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import staff_user_ensure
from cases.models import Case
from cases.services import PartyData
from demo.people import DEMO_PASSWORD
from demo.texts import pool_for
from mediation import services as ms
from mediation.agreements import services as ag
from mediation.litigation import services as litigation
from mediation.models import Mediation, OrganisationKind, Source
from mediation.services import mediator_profile_save
from notifications.services import notifications_suppressed
from routing.models import MatterType, Region, Unit


@dataclass(frozen=True)
class DemoMediator:
    username: str
    full_name: str
    unit: str
    organisation: str
    kind: str
    specialties: tuple[str, ...]
    regions: tuple[str, ...]
    max_concurrent: int
    introduction: str


DEMO_MEDIATORS: tuple[DemoMediator, ...] = (
    DemoMediator(
        "gm_mediator",
        "刘建国（高明区人民调解委员会）",
        "GM-TWH",
        "高明区人民调解委员会",
        OrganisationKind.COMMITTEE,
        ("labor", "neighbour", "family", "property"),
        ("440608",),
        6,
        "从事人民调解工作十二年，擅长劳动报酬、邻里和婚姻家庭纠纷。",
    ),
    DemoMediator(
        "gm_veteran",
        "陈卫东（老兵调解工作室）",
        "GM-TWH",
        "明城镇“老兵调解工作室”",
        OrganisationKind.STUDIO,
        ("neighbour", "land", "family"),
        ("440608102",),
        4,
        "退役军人，扎根明城镇，以“老兵”身份化解邻里、土地纠纷。",
    ),
    DemoMediator(
        "gm_lawyer",
        "苏晓琳（律师调解工作室）",
        "GM-TWH",
        "高明区律师调解工作室",
        OrganisationKind.LAWYER,
        ("consumer", "property", "enterprise", "finance", "labor.contract"),
        ("440608",),
        5,
        "执业律师，擅长消费、物业、合同和金融借贷纠纷的调解与法律释明。",
    ),
    DemoMediator(
        "fs_medical_mediator",
        "梁慧敏（市医调委）",
        "FS-YTW",
        "佛山市医疗纠纷人民调解委员会",
        OrganisationKind.INDUSTRY,
        ("medical",),
        ("4406",),
        8,
        "医疗纠纷专职调解员，具有临床医学背景。",
    ),
    DemoMediator(
        "gm_court_mediator",
        "何志远（法院特邀调解员）",
        "GM-TWH",
        "高明区人民法院特邀调解组织",
        OrganisationKind.COURT_INVITED,
        ("labor", "traffic", "enterprise"),
        ("440608",),
        5,
        "退休法官，受法院委派开展诉前调解。",
    ),
)


@transaction.atomic
def load_demo_mediators() -> int:
    """Create or refresh the demo mediators and their profiles; returns how many."""
    for m in DEMO_MEDIATORS:
        if m.username == "gm_mediator" and User.objects.filter(username=m.username).exists():
            user = User.objects.get(username=m.username)
        else:
            user = staff_user_ensure(
                username=m.username,
                full_name=m.full_name,
                password=DEMO_PASSWORD,
                memberships=[(m.unit, str(Role.MEDIATOR))],
            )
        mediator_profile_save(
            user=user,
            organisation=m.organisation,
            organisation_kind=m.kind,
            unit=Unit.objects.get(code=m.unit),
            specialties=list(MatterType.objects.filter(code__in=m.specialties)),
            regions=list(Region.objects.filter(code__in=m.regions)),
            max_concurrent=m.max_concurrent,
            introduction=m.introduction,
        )
    return len(DEMO_MEDIATORS)


# Demo mediations -----------------------------------------------------------------------------

#: History: (months ago, mediator, outcome, performance) — ended mediations feeding the figures.
HISTORY = (
    (5, "gm_mediator", "settled", "carried_out"),
    (5, "gm_veteran", "settled", "carried_out"),
    (4, "gm_mediator", "failed", None),
    (4, "gm_lawyer", "settled", "not_carried_out"),
    (3, "gm_mediator", "settled", "carried_out"),
    (3, "gm_court_mediator", "failed", None),
    (2, "gm_veteran", "settled", "carried_out"),
    (2, "gm_lawyer", "withdrawn", None),
    (1, "gm_mediator", "settled", None),
    (1, "gm_lawyer", "failed", "litigation"),
    (1, "gm_veteran", "settled", "carried_out"),
)

MEDIABLE_ROOTS = ("labor", "neighbour", "family", "property", "consumer", "land")
RESPONDENTS = {
    "labor": "佛山市高明区明东五金制品厂",
    "neighbour": "邻居李某",
    "family": "当事人亲属陈某",
    "property": "高明区某物业服务有限公司",
    "consumer": "某健身服务有限公司",
    "land": "村民小组",
}


def _code_from_outbox(phone: str) -> str:
    """The code just sent to ``phone`` (the demo reads the SMS outbox, as a party reads the SMS)."""
    import re

    from notifications.models import OutboxMessage
    from notifications.services import outbox_text

    body = outbox_text(OutboxMessage.objects.filter(kind="agreement_code", recipient_phone=phone).latest("id"))
    return re.search(r"确认码为 (\d{6})", body).group(1)


def _seal_demo_agreement(mediation, mediator, at, terms: str):
    from datetime import timedelta

    from mediation.agreements import services as ag
    from mediation.models import Agreement

    agreement = ag.agreement_draft(
        mediation=mediation,
        actor=mediator,
        facts=mediation.case.description,
        terms=terms,
        performance_deadline=(at + timedelta(days=20)).date(),
        at=at,
    )
    ag.agreement_signing_start(agreement=agreement, actor=mediator)
    for confirmation in agreement.confirmations.order_by("id"):
        ag.confirmation_code_send(confirmation=confirmation, actor=mediator, at=at)
        ag.confirmation_confirm(
            confirmation=confirmation, actor=mediator, code=_code_from_outbox(confirmation.phone), at=at
        )
    return Agreement.objects.get(pk=agreement.pk)


def _demo_cases(limit: int):
    """Open demo cases in 高明区 a unit is handling, of mediable matters, oldest first."""
    from django.db.models import Q

    from cases.models import Case, Status

    roots = Q()
    for root in MEDIABLE_ROOTS:
        roots |= Q(matter__code=root) | Q(matter__code__startswith=f"{root}.")
    return list(
        Case.objects.filter(
            roots, status=Status.HANDLING, matter__mediable=True, region__path__startswith="/44/4406/440608/"
        )
        .exclude(mediations__isnull=False)
        .select_related("region", "matter", "lead_unit", "centre")
        .order_by("created_at", "id")[:limit]
    )


def _ensure_respondent(case):
    from cases.models import Party, PartyRole

    if not case.parties.filter(role=PartyRole.RESPONDENT).exists():
        root = case.matter.code.split(".")[0]
        Party.objects.create(
            case=case, role=PartyRole.RESPONDENT, name=RESPONDENTS.get(root, "被申请人"), phone="13700137000"
        )
    for party in case.parties.filter(phone=""):
        Party.objects.filter(pk=party.pk).update(phone="13900139000")


def load_demo_mediations() -> int:
    """Mediations in every state on demo cases, driven through the services with back-dated times:
    history over the last months (settled with sealed agreements, failed, one litigation package,
    withdrawn), two waiting for a mediator, one assigned to ``gm_mediator`` waiting to be accepted
    (the demo journey starts there), one in progress, and a court referral. Idempotent."""
    if Mediation.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__startswith="gm_")}
    now = timezone.now()
    cases = _demo_cases(len(HISTORY) + 4)
    if len(cases) < len(HISTORY) + 4:
        return 0
    with notifications_suppressed():
        for (months, name, outcome, extra), case in zip(HISTORY, cases, strict=False):
            _past_mediation(
                case, months=months, mediator=users[name], outcome=outcome, extra=extra, users=users, now=now
            )
        current = _current_mediations(cases[len(HISTORY) :], users=users, now=now)
    return len(HISTORY) + current


def _pick(texts: tuple[str, ...], key: int) -> str:
    return texts[key % len(texts)]


def _focus(case) -> str:
    """The dispute focus a referral of ``case`` names (from its matter's pool)."""
    return _pick(pool_for(case.matter.code).focus, case.pk)


def _fresh(m):
    return Mediation.objects.select_related("case__region", "case__matter", "case__lead_unit", "mediator__user").get(
        pk=m.pk
    )


def _past_mediation(case, *, months, mediator, outcome, extra, users, now) -> None:
    """One mediation of the history, ended ``months`` ago as ``outcome``."""
    dispatcher = users["gm_dispatch"]
    at = now - timedelta(days=30 * months + 3)
    if case.created_at > at:
        at = case.created_at + timedelta(hours=2)
    _ensure_respondent(case)
    case = Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=case.pk)
    with transaction.atomic():
        pool = pool_for(case.matter.code)
        m = ms.mediation_request(case=case, actor=dispatcher, note=_pick(pool.focus, case.pk), at=at)
        ms.mediation_assign(
            mediation=_fresh(m), actor=dispatcher, mediator=mediator.mediator_profile, at=at + timedelta(hours=1)
        )
        if outcome == "withdrawn":
            ms.mediation_withdraw(
                mediation=_fresh(m), actor=dispatcher, reason="当事人已自行和解", at=at + timedelta(days=2)
            )
            return
        ms.mediation_accept(mediation=_fresh(m), actor=mediator, no_conflict=True, at=at + timedelta(hours=3))
        session = ms.session_schedule(
            mediation=_fresh(m),
            actor=mediator,
            scheduled_at=at + timedelta(days=3),
            mode="onsite",
            place="高明区矛盾纠纷调处化解中心调解室",
            participants="申请人、被申请人",
            notify_parties=False,
            at=at + timedelta(hours=4),
        )
        ms.session_record(
            session=session,
            actor=mediator,
            attendance="双方均到场",
            record="调解员释明相关法律规定，双方陈述意见并围绕争议焦点协商。",
            at=at + timedelta(days=3, hours=2),
        )
        ended = at + timedelta(days=3 + months, hours=3)
        if outcome == "settled":
            agreement = _seal_demo_agreement(
                _fresh(m),
                mediator,
                ended,
                _pick(pool.terms, case.pk),
            )
            ms.mediation_settle(mediation=_fresh(m), actor=mediator, note="双方达成调解协议", at=ended)
            if extra:
                ag.agreement_performance_record(
                    agreement=agreement,
                    actor=mediator,
                    carried_out=extra == "carried_out",
                    note="" if extra == "carried_out" else _pick(pool.shortfall, case.pk),
                    at=ended + timedelta(days=21),
                )
        else:
            ms.mediation_fail(
                mediation=_fresh(m),
                actor=mediator,
                reason=_pick(pool.failed, case.pk),
                next_step="litigation",
                at=ended,
            )
            if extra == "litigation":
                litigation.litigation_submit(mediation=_fresh(m), actor=mediator, at=ended + timedelta(hours=1))


def _current_mediations(rest, *, users, now) -> int:
    """The mediations under way: two waiting for a mediator, the journey's, one in progress and a
    court referral; how many."""
    dispatcher = users["gm_dispatch"]
    for case in rest:
        _ensure_respondent(case)
    rest = [Case.objects.select_related("region", "matter", "lead_unit", "centre").get(pk=c.pk) for c in rest]
    waiting = [ms.mediation_request(case=c, actor=dispatcher, note=_focus(c)) for c in rest[:2]]
    journey = ms.mediation_request(case=rest[2], actor=dispatcher, note=_focus(rest[2]))
    ms.mediation_assign(mediation=_fresh(journey), actor=dispatcher, mediator=users["gm_mediator"].mediator_profile)
    running = ms.mediation_request(case=rest[3], actor=dispatcher, note=_focus(rest[3]))
    ms.mediation_assign(mediation=_fresh(running), actor=dispatcher, mediator=users["gm_mediator"].mediator_profile)
    ms.mediation_accept(mediation=_fresh(running), actor=users["gm_mediator"], no_conflict=True)
    ms.session_schedule(
        mediation=_fresh(running),
        actor=users["gm_mediator"],
        scheduled_at=now + timedelta(days=2),
        mode="video",
        meeting_link="https://meeting.example.cn/gm-tiaojie-0825",
        participants="申请人、被申请人",
        notify_parties=False,
    )
    ms.referral_register(
        actor=users["gm_window"],
        source=Source.COURT,
        referral_document=f"（{now.year}）粤0608民诉前调1208号",
        referring_unit=Unit.objects.get(code="GM-FY"),
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        title="明东村五金厂拖欠工资纠纷（诉前委派）",
        description="原告梁某等三人诉明东村某五金厂拖欠工资共计三万六千元，法院经原告同意委派诉前调解。",
        parties=[
            PartyData(name="梁振华", phone="13600136000", role="applicant"),
            PartyData(name="佛山市高明区明东五金制品厂", phone="13700137000", role="respondent"),
        ],
    )
    return len(waiting) + 3
