"""Demo mediators (the pool the matching ranks). Idempotent; ``load_demo`` runs it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from accounts.services import staff_user_ensure
from routing.models import MatterType, Region, Unit

from .models import OrganisationKind
from .services import mediator_profile_save


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
