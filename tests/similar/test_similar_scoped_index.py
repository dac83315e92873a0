"""The duplicate look-up's filters carried on the index row (issue #13, docs/search.md "The index"):
each row copies its case's town (乡镇街道), matter branch (事项大类) and registration time; the copies
follow a change of the case's place or matter, and a change of the directory's tree; and the
filters give the same answers on SQLite and PostgreSQL (a stale copy costs a miss, never a wrong
candidate)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case, Status
from routing.models import MatterType, Region
from similar import retrieval
from similar.engine import similar_open_cases
from similar.index import scope_repair
from similar.models import CaseTerms

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠我们十几个工人三个月工资，共计八万多元，一直不给结算。"
WAGES_AGAIN = "工地包工头欠我们工人三个月的工资八万多元没结算，讨了好几次都不给。"

MINGCHENG, YANGHE = "440608102", "440608101"  # 明城镇, 杨和镇 (高明区 440608)
MINGDONG, MINGXI, YANGMEI = "440608102201", "440608102202", "440608101201"


def pk(model, code):
    return model.objects.get(code=code).pk


def row(case):
    return CaseTerms.objects.get(case=case)


def search(text=WAGES_AGAIN, *, region=MINGDONG, matter="labor.wages", **kw):
    return [
        m.case_id
        for m in similar_open_cases(
            text,
            region_id=pk(Region, region) if region else None,
            matter_id=pk(MatterType, matter) if matter else None,
            **kw,
        )
    ]


def test_the_row_carries_the_town_the_branch_and_the_registration_time(submit_case):
    case = submit_case(text=WAGES)
    r = row(case)
    assert r.town_id == pk(Region, MINGCHENG)
    assert r.branch_id == pk(MatterType, "labor")
    assert r.created_at == case.created_at
    assert scope_repair() == 0, "the write and the repair agree"


def test_writing_a_row_inside_a_service_costs_one_statement(submit_case, django_assert_num_queries):
    """The town and branch come from the directory snapshot the intake services pin: the write
    stays one statement, as before the copies."""
    from routing.dispatch import directory_pinned
    from similar.index import cases_index

    case = submit_case(text=WAGES)
    with directory_pinned():
        cases_index([case])  # the snapshot's maps are built once per directory version
        with django_assert_num_queries(1):
            cases_index([case])


def test_the_row_follows_a_change_of_the_cases_place(submit_case):
    case = submit_case(text=WAGES)
    assert search(region=MINGDONG) == [case.pk]
    case.region = Region.objects.get(code=YANGMEI)
    case.save(update_fields=["region"])
    assert row(case).town_id == pk(Region, YANGHE)
    assert search(region=MINGDONG) == []
    assert search(region=YANGMEI) == [case.pk]


def test_the_row_follows_a_change_of_the_cases_matter(submit_case):
    case = submit_case(text=WAGES)
    case.matter = MatterType.objects.get(code="neighbour.noise")
    case.save(update_fields=["matter"])
    assert row(case).branch_id == pk(MatterType, "neighbour")
    assert search(matter="labor.wages") == []
    assert search(matter="neighbour.noise") == [case.pk]


def test_the_repair_follows_a_village_moved_to_another_town(submit_case):
    """A directory change (a village put under another town) changes no case, only the town its
    region belongs to: the repair re-derives it set-based, once."""
    from routing.services import tree_node_save

    case, elsewhere = submit_case(text=WAGES), submit_case(text=WAGES, region=YANGMEI)
    village = Region.objects.get(code=MINGDONG)
    village.parent = Region.objects.get(code=YANGHE)
    tree_node_save(node=village)
    assert row(case).town_id == pk(Region, MINGCHENG), "stale until repaired"
    # until then PostgreSQL (which looks the town up in the copies) misses it, SQLite does not
    assert elsewhere.pk in search(region=YANGMEI) and set(search(region=YANGMEI)) <= {case.pk, elsewhere.pk}
    assert scope_repair() == 1
    assert row(case).town_id == pk(Region, YANGHE)
    assert set(search(region=YANGMEI)) == {case.pk, elsewhere.pk}
    assert scope_repair() == 0, "nothing left to repair"


def test_a_directory_change_repairs_the_rows_once_committed(submit_case, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from routing.models import Unit
    from routing.services import directory_object_save, tree_node_save
    from similar.index import SCOPE_STAMP, scope_repair_if_moved

    cache.delete(SCOPE_STAMP)
    case = submit_case(text=WAGES)
    village = Region.objects.get(code=MINGDONG)
    village.parent = Region.objects.get(code=YANGHE)
    with django_capture_on_commit_callbacks(execute=True):
        tree_node_save(node=village)
    assert row(case).town_id == pk(Region, YANGHE)
    # a write that moves no town or branch (a unit renamed) does not read the cases again
    unit = Unit.objects.first()
    unit.name += "（新）"
    with django_capture_on_commit_callbacks(execute=True):
        directory_object_save(obj=unit)
    assert scope_repair_if_moved() is None
    cache.delete(SCOPE_STAMP)


def test_the_repair_fills_rows_written_without_their_copies(submit_case):
    """A row written by an older path (no town, branch or time): the repair, and so the nightly
    maintenance, fills it in one statement."""
    case = submit_case(text=WAGES)
    CaseTerms.objects.filter(case=case).update(town=None, branch=None, created_at=None)
    if connection.vendor == "postgresql":  # SQLite reads the case's own columns
        assert search() == []
    assert scope_repair() == 1
    assert search() == [case.pk]


def test_a_stale_copy_never_makes_a_wrong_candidate(submit_case):
    """The case is the authority: a row claiming the wrong town, branch or time is not believed."""
    other_town = submit_case(text=WAGES, region=YANGMEI)
    other_branch = submit_case(text=WAGES, matter="neighbour.noise")
    old = submit_case(text=WAGES)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    CaseTerms.objects.filter(case=other_town).update(town=pk(Region, MINGCHENG))
    CaseTerms.objects.filter(case=other_branch).update(branch=pk(MatterType, "labor"))
    CaseTerms.objects.filter(case__in=[other_town, other_branch, old]).update(is_open=True)
    assert search() == []


def test_the_filters_hold_town_branch_time_and_status(submit_case):
    same_village = submit_case(text=WAGES)
    other_village = submit_case(text=WAGES, region=MINGXI)
    other_town = submit_case(text=WAGES, region=YANGMEI)
    same_branch = submit_case(text=WAGES, matter="labor.contract")
    other_branch = submit_case(text=WAGES, matter="neighbour.noise")
    old = submit_case(text=WAGES)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    CaseTerms.objects.filter(case=old).update(created_at=timezone.now() - timedelta(days=31))
    closed = submit_case(text=WAGES)
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert set(search()) == {same_village.pk, other_village.pk, same_branch.pk}
    # no matter: every branch in the town; a district: every town in it; neither: the whole city
    assert set(search(matter=None, limit=10)) == {same_village.pk, other_village.pk, same_branch.pk, other_branch.pk}
    assert set(search(region="440608", limit=10)) == {same_village.pk, other_village.pk, other_town.pk, same_branch.pk}
    assert set(search(region=None, matter=None, limit=10)) == {
        same_village.pk,
        other_village.pk,
        other_town.pk,
        same_branch.pk,
        other_branch.pk,
    }
    assert old.pk in search(days=60, limit=10)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the scoped GIN index is PostgreSQL's")
def test_postgresql_looks_up_the_town_in_the_scoped_index(submit_case):
    from django.test.utils import CaptureQueriesContext

    submit_case(text=WAGES)
    with CaptureQueriesContext(connection) as queries:
        assert search()
    sql = next(q["sql"] for q in queries.captured_queries if "WITH hits" in q["sql"])
    lexeme = f"|{pk(Region, MINGCHENG)}|{pk(MatterType, 'labor')}'"
    assert lexeme in sql, "the terms are asked with the town and the branch"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "similar_caseterms_open_scoped" in plan


def test_the_scoped_query_names_the_town_and_the_branch():
    groups = [("拖欠",), ("工资", "工地")]
    assert retrieval._match_scoped(groups, 12, 3) == "('拖欠|12|3') | ('工资|12|3' & '工地|12|3')"
    assert retrieval._match_scoped(groups, 12, None) == "('拖欠|12|':*) | ('工资|12|':* & '工地|12|':*)"
    assert retrieval._match_scoped(groups, None, 3) == "('拖欠|':*) | ('工资|':* & '工地|':*)"


def test_the_repairs_sql_and_the_writes_snapshot_agree_on_every_region_and_matter(demo):
    """The write takes the town and branch from the directory snapshot, the repair works them out in
    SQL: the two must give the same answer for every place and matter type of the directory."""
    from similar.index import BRANCH_OF, TOWN_OF, _scope_maps

    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    town_of, branch_of = _scope_maps()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r0.id, {TOWN_OF[vendor].format(region='r0.id')} FROM routing_region r0")
        assert dict(cursor.fetchall()) == town_of
        cursor.execute(f"SELECT m0.id, {BRANCH_OF[vendor].format(matter='m0.id')} FROM routing_mattertype m0")
        assert dict(cursor.fetchall()) == branch_of
    assert town_of[pk(Region, MINGDONG)] == pk(Region, MINGCHENG) and town_of[pk(Region, "440608")] is None
    assert branch_of[pk(MatterType, "labor.wages")] == branch_of[pk(MatterType, "labor")] == pk(MatterType, "labor")
