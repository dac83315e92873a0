"""similar.engine: the contract other apps code against (docs/search.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Status
from routing.models import MatterType, Region
from similar.engine import DUPLICATE_THRESHOLD, Match, similar_closed_cases, similar_open_cases, similar_to_case

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠我们十几个工人三个月工资，共计八万多元，一直不给结算。"
WAGES_AGAIN = "工地包工头欠我们工人三个月的工资八万多元没结算，讨了好几次都不给。"
NOISE = "楼下烧烤店每天营业到凌晨两点，油烟和噪音很大，严重影响休息。"


def ids(matches):
    return [m.case_id for m in matches]


def region(code):
    return Region.objects.get(code=code).pk


def matter(code):
    return MatterType.objects.get(code=code).pk


def close(case):
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now())


def test_open_case_in_same_village_and_matter_is_found_with_reasons(submit_case):
    first = submit_case(text=WAGES)
    submit_case(text=NOISE, matter="neighbour.noise")
    got = similar_open_cases(WAGES_AGAIN, region_id=region("440608102201"), matter_id=matter("labor.wages"))
    assert ids(got) == [first.pk]
    m = got[0]
    assert isinstance(m, Match) and DUPLICATE_THRESHOLD <= m.score <= 1
    assert m.same_place == "同一村" and m.same_matter is True
    assert m.why.startswith(f"描述相似 {m.score:.2f}，同一村，同类事项；共同词：")
    assert 1 <= len(m.shared_terms) <= 5
    assert any("工资" in t for t in m.shared_terms)


def test_open_cases_are_limited_to_the_town_and_the_matter_branch(submit_case):
    other_village = submit_case(text=WAGES, region="440608102202")  # 明西村, same town 明城镇
    other_town = submit_case(text=WAGES, region="440608101201")  # 杨梅村, 杨和镇
    same_branch = submit_case(text=WAGES, matter="labor.contract")
    other_branch = submit_case(text=WAGES, matter="neighbour.noise")
    got = similar_open_cases(WAGES_AGAIN, region_id=region("440608102201"), matter_id=matter("labor.wages"))
    assert set(ids(got)) == {other_village.pk, same_branch.pk}
    assert other_town.pk not in ids(got) and other_branch.pk not in ids(got)
    by_id = {m.case_id: m for m in got}
    assert by_id[other_village.pk].same_place == "同一镇街"
    assert by_id[same_branch.pk].same_matter is False


def test_closed_merged_old_and_excluded_cases_are_not_open_candidates(submit_case):
    closed = submit_case(text=WAGES)
    close(closed)
    merged = submit_case(text=WAGES)
    Case.objects.filter(pk=merged.pk).update(status=Status.MERGED)
    old = submit_case(text=WAGES)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    excluded = submit_case(text=WAGES)
    kept = submit_case(text=WAGES)
    got = similar_open_cases(
        WAGES_AGAIN,
        region_id=region("440608102201"),
        matter_id=matter("labor.wages"),
        exclude_case_ids=[excluded.pk],
    )
    assert ids(got) == [kept.pk]
    assert similar_open_cases(
        WAGES_AGAIN,
        region_id=region("440608102201"),
        matter_id=matter("labor.wages"),
        days=60,
        exclude_case_ids=[excluded.pk],
    )[-1].case_id in {old.pk, kept.pk}


def test_an_unrelated_text_scores_below_the_duplicate_threshold(submit_case):
    submit_case(text=NOISE, matter="labor.wages")
    assert similar_open_cases(WAGES_AGAIN, region_id=region("440608102201"), matter_id=matter("labor.wages")) == []
    low = similar_open_cases(WAGES_AGAIN, region_id=None, matter_id=None, min_score=0.0)
    assert all(m.score < DUPLICATE_THRESHOLD for m in low)


def test_limit_and_best_first(submit_case):
    for _ in range(7):
        submit_case(text=WAGES)
    best = submit_case(text=WAGES_AGAIN)
    got = similar_open_cases(WAGES_AGAIN, region_id=region("440608102201"), matter_id=matter("labor.wages"), limit=5)
    assert len(got) == 5 and got[0].case_id == best.pk and got[0].score > 0.9
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)


def test_closed_cases_only_in_the_given_scope_boosted_by_matter_and_place(submit_case):
    near = submit_case(text=WAGES)
    far = submit_case(text=WAGES, region="440604012201", matter="labor.contract")  # 禅城区 大富村
    still_open = submit_case(text=WAGES)
    close(near)
    close(far)
    got = similar_closed_cases(WAGES_AGAIN, matter_id=matter("labor.wages"), region_id=region("440608102201"))
    assert ids(got) == [near.pk, far.pk]  # the same text: the same matter and village come first
    assert got[0].same_place == "同一村" and got[0].same_matter and got[0].score > got[1].score
    assert got[1].same_place == "" and not got[1].same_matter
    assert still_open.pk not in ids(got)
    scoped = similar_closed_cases(WAGES_AGAIN, cases=Case.objects.filter(region__code="440604012201"))
    assert ids(scoped) == [far.pk]
    assert "同一村" not in scoped[0].why and "同类事项" not in scoped[0].why


def test_closed_cases_ignore_unrelated_texts_and_empty_queries(submit_case):
    close(submit_case(text=NOISE, matter="neighbour.noise"))
    assert similar_closed_cases("拖欠工资") == []
    assert similar_closed_cases("") == []
    assert similar_closed_cases("，。！") == []


def test_similar_to_case_never_returns_the_case_itself(submit_case):
    case = submit_case(text=WAGES)
    twin = submit_case(text=WAGES_AGAIN)
    assert ids(similar_to_case(case, open_=True)) == [twin.pk]
    close(twin)
    close(case)
    assert ids(similar_to_case(case, open_=False)) == [twin.pk]


def test_a_grid_counts_as_its_village_and_queries_stay_bounded(submit_case, django_assert_max_num_queries):
    made = [submit_case(text=WAGES, region="440608102201001") for _ in range(6)]  # 明东村第一网格
    with django_assert_max_num_queries(16):  # fixed: the number of candidates never adds one
        got = similar_open_cases(WAGES_AGAIN, region_id=region("440608102201"), matter_id=matter("labor.wages"))
    assert len(got) == 5 and {m.case_id for m in got} <= {c.pk for c in made}
    assert all(m.same_place == "同一村" for m in got)
    with django_assert_max_num_queries(16):  # fixed: the number of candidates never adds one
        similar_closed_cases(WAGES_AGAIN, matter_id=matter("labor.wages"), region_id=region("440608102201"))
