"""``intake.duplicates.candidates``: what counts as a repeat at intake (issue #13) — open cases of the
same phone in 90 days (a party's phone or a claim's), then similar texts nearby in 30 days; phone
first, at most five, a bounded number of queries, the user's scope marked."""

from __future__ import annotations

from datetime import timedelta

import dupes_engine
import pytest
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Status
from cases.services import case_merge
from intake.duplicates import REASON_PHONE, candidate_attach, candidates, candidates_for_claim
from routing.models import MatterType, Region

pytestmark = pytest.mark.django_db
engine = dupes_engine.engine

CALLER = "13700137000"
WAGES = "明东村五金厂老板拖欠我们两个月工资八千元，多次讨要没有结果。"


@pytest.fixture
def place(demo):
    return Region.objects.get(code="440608102201"), MatterType.objects.get(code="labor.wages")


def find(place, *, phone=CALLER, text="", user=None, **kw):
    region, matter = place
    return candidates(phone, text, region.pk, matter.pk, for_user=user, **kw)


def test_same_phone_open_cases_of_the_last_90_days(place, submit_case, engine):
    recent = submit_case(phone=CALLER, text="路灯坏了")
    old = submit_case(phone=CALLER, text="路灯又坏了", at=timezone.now() - timedelta(days=91))
    closed = submit_case(phone=CALLER, text="垃圾没人清理")
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    other = submit_case(phone="13600136000", text="噪音扰民")
    found = find(place)
    assert [c.case for c in found] == [recent]
    assert found[0].reasons == [REASON_PHONE] and found[0].same_phone
    assert old not in [c.case for c in found] and other not in [c.case for c in found]


def test_a_merged_duplicates_phone_finds_the_case_it_follows(place, submit_case, engine, user):
    target = submit_case(phone="13600136000", text="路灯坏了")
    duplicate = submit_case(phone=CALLER, text="路灯坏了两周")
    case_merge(case=duplicate, actor=user("gm_window"), into=target)
    assert [c.case for c in find(place)] == [target], "through the party copied to the case it follows"


def test_the_phone_of_a_respondent_is_not_a_repeat(place, submit_case, engine):
    # the boss the caller complains about calls in: he is not offered to join the case against him
    from cases.models import Party, PartyRole

    against = submit_case(phone="13600136000", text="路灯坏了")
    Party.objects.create(case=against, role=PartyRole.RESPONDENT, name="某老板", phone=CALLER)
    witness = submit_case(phone="13500135000", text="垃圾没人清理")
    Party.objects.create(case=witness, role=PartyRole.THIRD, name="某邻居", phone=CALLER)
    assert find(place) == []


def test_similar_text_in_the_same_town_and_matter_branch(place, submit_case, engine):
    nearby = submit_case(phone="13600136000", text=WAGES, region="440608102202")  # 明西村, same town
    elsewhere = submit_case(phone="13600136000", text=WAGES, region="440608101201")  # 杨和镇
    other_matter = submit_case(phone="13600136000", text=WAGES, matter="neighbour.noise")
    found = find(place, phone="", text="明东村五金厂老板拖欠两个月工资共八千元，多次讨要都没有结果。")
    cases = [c.case for c in found]
    assert nearby in cases and elsewhere not in cases and other_matter not in cases
    assert "描述相似" in found[0].reason and found[0].score > 0


def test_phone_first_then_similar_and_at_most_five(place, submit_case, engine):
    similar = [submit_case(phone="13600136000", text=f"{WAGES}（{n}）") for n in range(4)]
    by_phone = [submit_case(phone=CALLER, text=f"路灯坏了第{n}处") for n in range(3)]
    found = find(place, text=WAGES)
    assert len(found) == 5
    assert [c.case for c in found[:3]] == list(reversed(by_phone)), "the phone's cases first, newest first"
    assert {c.case for c in found[3:]} <= set(similar)


def test_both_reasons_when_phone_and_text_match(place, submit_case, engine):
    both = submit_case(phone=CALLER, text=WAGES)
    (found,) = find(place, text=WAGES)
    assert found.case == both and found.reasons[0] == REASON_PHONE and "描述相似" in found.reasons[1]


def test_scope_is_marked_and_foreign_reasons_carry_no_shared_words(place, submit_case, engine):
    foreign = submit_case(phone=CALLER, text="禅城的事", region="440604010001")
    mine = submit_case(phone=CALLER, text=WAGES)
    found = {c.case: c for c in find(place, text=WAGES, user=User.objects.get(username="gm_hotline"))}
    assert found[mine].in_scope and foreign not in found, "the phone rule keeps to the clerk's scope"
    assert foreign in {c.case for c in find(place, text=WAGES)}, "the system (API paths) sees every area"
    # a grid worker may open no case: the similar one is outside, its reason without shared words
    (outside,) = find(place, text=WAGES, user=User.objects.get(username="md_grid"))
    assert outside.case == mine and not outside.in_scope and not outside.same_phone
    assert "共同词" not in outside.reason and outside.town


def test_nothing_to_compare(place, submit_case, engine):
    submit_case(phone="13600136000", text=WAGES)
    assert find(place, phone="", text="欠薪") == []  # too short to compare
    assert find(place, phone="12345", text="") == []  # not a phone number
    assert candidates("", WAGES, None, None) == []  # no place, no matter: nothing "nearby"


def test_the_claims_own_case_is_never_its_candidate(submit_claim, engine):
    claim = submit_claim(phone=CALLER, text=WAGES)
    assert candidates_for_claim(claim) == []


def engine_queries(place, text) -> int:
    """How many queries the engine's own call takes (9 on SQLite, 11 on PostgreSQL today)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    region, matter = place
    with CaptureQueriesContext(connection) as queries:
        engine_module().similar_open_cases(text, region_id=region.pk, matter_id=matter.pk, days=30)
    return len(queries)


def engine_module():
    import sys

    return sys.modules["similar.engine"]


def test_query_count_is_bounded(place, submit_case, engine, django_assert_max_num_queries):
    """Ours: the phone, the cases, the scope (3) on top of the engine's own; the same for 2
    candidates as for 8."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = User.objects.get(username="gm_hotline")
    counts = []
    for total in (2, 8):
        while Case.objects.count() < total:
            submit_case(phone=CALLER, text=f"{WAGES}（{Case.objects.count()}）")
        find(place, text=WAGES, user=user)  # memberships cached on the user
        own = engine_queries(place, WAGES)
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(3 + own):
            assert len(find(place, text=WAGES, user=user)) == min(total, 5)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_attach_refuses_a_closed_case_and_the_claims_own(submit_claim, submit_case, engine, user):
    target = submit_case(phone="13600136000", text="路灯坏了")
    claim = submit_claim(phone=CALLER, text="路灯坏了两周")
    Case.objects.filter(pk=target.pk).update(status=Status.CLOSED)
    target.refresh_from_db()
    from cases.services import CaseError

    with pytest.raises(CaseError, match="已结束"):
        candidate_attach(claim=claim, into=target, actor=user("gm_window"))
    with pytest.raises(CaseError, match="自己的案件"):
        candidate_attach(claim=claim, into=claim.case, actor=user("gm_window"))
    claim.case.refresh_from_db()
    assert claim.case.status == Status.SUBMITTED
