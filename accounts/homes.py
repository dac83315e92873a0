"""The work waiting on a staff member's home page (issue #17: "counts by stage, late cases").

``accounts`` does not import the apps above it, so each of them registers a *home section* at
start-up (cases: the centre's queues and the unit's inbox; supervision: warnings and 督办;
mediation: the workbench), as ``cases.panels`` does for the case page. The home renders the
sections whose roles the user holds, in ``order``.

A section's ``context(*, user, roles, now) -> Work | None`` returns what waits, as counts with
words and a link each, and the late cases (oldest deadline first). Its queries count in the home's
query-count test (tests/accounts/test_staff_home.py), so each must be a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

#: How many late cases a section lists (the link after them opens the full list).
LATE_SHOWN = 5


@dataclass(frozen=True)
class Count:
    """One stage: "待受理 12 件（其中超期 3 件）", linking to the list filtered to it."""

    key: str
    label: str
    count: int
    url: str
    late: int | None = None  # of which past their deadline (None: not measured for this stage)


@dataclass(frozen=True)
class Late:
    """A case (or mediation) past its deadline."""

    number: str
    title: str
    stage: str
    due_at: datetime
    url: str
    plate: bool = False  # 挂牌督办 (issue #15): marked on every list of cases


@dataclass
class Work:
    title: str
    counts: list[Count]
    late: list[Late] = field(default_factory=list)
    late_more: bool = False  # more late items than listed
    late_url: str = ""  # the full list of late items
    late_title: str = ""


@dataclass(frozen=True)
class HomeSection:
    name: str
    roles: frozenset[str]
    context: Callable[..., Work | None]
    order: int = 100


_sections: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    _sections[section.name] = section


def home_sections(roles: set[str]) -> list[HomeSection]:
    """The sections for someone holding ``roles``, in order."""
    wanted = {str(role) for role in roles}
    chosen = [s for s in _sections.values() if wanted & {str(r) for r in s.roles}]
    return sorted(chosen, key=lambda s: (s.order, s.name))


def home_work(user, roles: set[str], *, now: datetime) -> list[Work]:
    """What waits for ``user``: one ``Work`` per section that has something to say."""
    found = (section.context(user=user, roles={str(r) for r in roles}, now=now) for section in home_sections(roles))
    return [work for work in found if work is not None]
