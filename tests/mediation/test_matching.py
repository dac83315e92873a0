"""Matching on a hand-built pool: specialty, distance in the region tree, current load."""

import pytest

from accounts.services import staff_user_ensure
from mediation.matching import candidates, recommend, tree_distance
from mediation.models import Mediation, MediationStatus, MediatorProfile
from routing.models import MatterType, Region


def test_tree_distance():
    assert tree_distance("/44/4406/440608/", "/44/4406/") == 0  # served ancestor covers it
    assert tree_distance("/44/4406/440608/", "/44/4406/440608/") == 0
    assert tree_distance("/44/4406/440608/440608102/", "/44/4406/440604/") == 3
    assert tree_distance("/44/4406/", "/44/4406/440608/") == 1


@pytest.fixture
def pool(mediators):
    """Four mediators for a 拖欠工资 case in 明东村 (440608102201):
    - exact: labor.wages specialist serving 明城镇, idle
    - parent: labor (parent type) serving 高明区, idle
    - far: labor.wages specialist serving 禅城区 only (distance), idle
    - busy: labor.wages specialist serving 明城镇, 3 of 4 slots taken
    The demo mediators are set inactive so that only this pool competes.
    """
    MediatorProfile.objects.update(active=False)

    def make(name, specialties, regions, max_concurrent=4):
        user = staff_user_ensure(username=name, full_name=name, password="x", memberships=[("GM-TWH", "mediator")])
        profile = MediatorProfile.objects.create(user=user, organisation="调委会", max_concurrent=max_concurrent)
        profile.specialties.set(MatterType.objects.filter(code__in=specialties))
        profile.regions.set(Region.objects.filter(code__in=regions))
        return profile

    return {
        "exact": make("exact", ["labor.wages"], ["440608102"]),
        "parent": make("parent", ["labor"], ["440608"]),
        "far": make("far", ["labor.wages"], ["440604"]),
        "busy": make("busy", ["labor.wages"], ["440608102"]),
        "none": make("none", ["medical"], ["440608"]),
    }


def load(profile, n, case):
    for i in range(n):
        Mediation.objects.create(
            number=f"X-{case.pk}-{i}",
            case=case,
            status=MediationStatus.IN_PROGRESS if i % 2 else MediationStatus.ASSIGNED,
            mediator=profile,
            requested_at=case.created_at,
        )


def test_ranking_on_a_hand_built_pool(pool, handling_case):
    case = handling_case()
    # loads live on other cases (an open mediation per case is unique)
    for _ in range(3):
        load(pool["busy"], 1, handling_case(respondent=False))
    ranked = candidates(case)
    names = [c.profile.user.username for c in ranked]
    # exact 100 · parent 30+35+25 = 90 · busy 40+35+6 = 81 · far 40+7+25 = 72 · none 0+35+25 = 60
    assert names == ["exact", "parent", "busy", "far", "none"]
    by = {c.profile.user.username: c for c in ranked}
    assert (by["exact"].specialty, by["exact"].place, by["exact"].free) == (40, 35, 25)
    assert (by["busy"].specialty, by["busy"].place, by["busy"].free) == (40, 35, 6)  # 25 × 1/4
    assert (by["parent"].specialty, by["parent"].place) == (30, 35)  # one level up
    assert (by["far"].specialty, by["far"].place) == (40, 7)  # village → 禅城区: 4 steps, 35 − 28
    assert by["none"].specialty == 0
    assert any("擅长“拖欠工资”" in r for r in by["exact"].reasons)
    assert any("相差 1 级" in r for r in by["parent"].reasons)
    assert any("当前在办 3 件 / 上限 4 件" in r for r in by["busy"].reasons)
    assert [c.profile.user.username for c in recommend(case)] == ["exact", "parent", "busy"]


def test_a_full_mediator_is_not_recommended_but_listed_last(pool, handling_case):
    case = handling_case()
    for _ in range(4):
        load(pool["exact"], 1, handling_case(respondent=False))
    ranked = candidates(case)
    assert ranked[-1].profile == pool["exact"] and not ranked[-1].eligible
    assert pool["exact"] not in [c.profile for c in recommend(case)]


def test_inactive_mediators_are_not_candidates(pool, handling_case):
    MediatorProfile.objects.filter(pk=pool["exact"].pk).update(active=False)
    assert pool["exact"].pk not in [c.profile.pk for c in candidates(handling_case())]


def test_candidates_query_count(pool, handling_case, django_assert_max_num_queries):
    case = handling_case()
    with django_assert_max_num_queries(4):
        candidates(case)
