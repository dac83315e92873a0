"""The demo city's people. ``manage.py load_demo`` loads them after the directory (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Role
from accounts.services import citizen_ensure, staff_user_ensure
from routing import yaml_io
from routing.services import directory_import

from .places import load_demo_service_points

DEMO_DIRECTORY = settings.BASE_DIR / "demo" / "city.yaml"
DEMO_PASSWORD = "Yikouban@2026"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    memberships: tuple[tuple[str, str], ...]
    superuser: bool = False


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("admin", "系统管理员", (("FS-ZX", Role.ADMIN),), superuser=True),
    DemoStaff("gm_window", "张敏（高明区窗口）", (("GM-ZX", Role.CLERK),)),
    DemoStaff("gm_hotline", "黄晓燕（12345热线）", (("GM-ZX", Role.CLERK),)),
    DemoStaff("gm_dispatch", "李强（高明区调度）", (("GM-ZX", Role.DISPATCHER),)),
    DemoStaff("gm_labor", "王芳（高明区人社局）", (("GM-RSJ", Role.HANDLER),)),
    DemoStaff("mc_centre", "陈伟（明城镇综治中心）", (("GM-MC-ZZ", Role.HANDLER),)),
    DemoStaff("md_grid", "梁志强（明东村网格员）", (("GM-MC-MD-W1", Role.HANDLER),)),
    DemoStaff("gm_mediator", "刘建国（高明区人民调解委员会）", (("GM-TWH", Role.MEDIATOR),)),
    DemoStaff("gm_supervisor", "赵丽（高明区督办）", (("GM-ZX", Role.SUPERVISOR),)),
    DemoStaff("fs_supervisor", "周海（佛山市督办）", (("FS-ZX", Role.SUPERVISOR),)),
)

DEMO_CITIZENS: tuple[tuple[str, str], ...] = (
    ("13800138000", "夏志明"),
    ("13900139000", "何秀英"),
)


@transaction.atomic
def load_demo(*, directory_path=DEMO_DIRECTORY) -> list[str]:
    """Import the demo directory and create or refresh the demo accounts. Safe to run again."""
    summary = directory_import(data=yaml_io.load(directory_path.read_text(encoding="utf-8")))
    for person in DEMO_STAFF:
        staff_user_ensure(
            username=person.username,
            full_name=person.full_name,
            password=DEMO_PASSWORD,
            memberships=[(unit, str(role)) for unit, role in person.memberships],
            is_superuser=person.superuser,
        )
    for phone, name in DEMO_CITIZENS:
        citizen_ensure(phone=phone, full_name=name, password=DEMO_PASSWORD)
    load_demo_service_points()  # 一码解纷 posters (selfservice)
    return summary.lines()


def demo_logins() -> list[tuple[str, str, str]]:
    """(login, password, who) for the README and the start-up banner."""
    rows = [
        (p.username, DEMO_PASSWORD, p.full_name + " · " + "、".join(str(Role(r).label) for _u, r in p.memberships))
        for p in DEMO_STAFF
    ]
    rows += [(phone, DEMO_PASSWORD, f"{name} · 群众") for phone, name in DEMO_CITIZENS]
    return rows
