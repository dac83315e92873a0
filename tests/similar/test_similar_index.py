"""The index stays fresh on its own: creation, imports, text edits; and similar_reindex rebuilds it."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case
from routing.models import MatterType, Region
from similar.engine import similar_open_cases
from similar.index import case_tokens
from similar.models import CaseTerms

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠工人三个月工资，共计八万多元。"
FLOOD = "明城大道下穿隧道一下雨就积水，车辆熄火，行人无法通过。"


def search(text, matter="labor.wages"):
    return [
        m.case_id
        for m in similar_open_cases(
            text,
            region_id=Region.objects.get(code="440608102201").pk,
            matter_id=MatterType.objects.get(code=matter).pk,
        )
    ]


def test_a_case_created_through_the_services_is_indexed_at_once(submit_case):
    case = submit_case(text=WAGES)
    row = CaseTerms.objects.get(case=case)
    assert row.tokens == case_tokens(case.title, case.description)
    assert "工资" in row.tokens.split() and "拖欠" in row.tokens.split()
    assert search(WAGES) == [case.pk]


def test_a_transition_does_not_rewrite_the_index(submit_case, django_assert_num_queries):
    case = submit_case(text=WAGES)
    CaseTerms.objects.filter(case=case).update(tokens="旧词")
    case.refresh_from_db()
    case.save(update_fields=["updated_at"])
    assert CaseTerms.objects.get(case=case).tokens == "旧词"


def test_a_description_edit_is_reindexed(submit_case):
    case = submit_case(text=WAGES)
    case.description = FLOOD
    case.save(update_fields=["description"])
    assert "积水" in CaseTerms.objects.get(case=case).tokens.split()
    assert search(FLOOD) == [case.pk]


def test_deleting_a_case_removes_its_row(submit_case):
    from intake.models import Claim

    case = submit_case(text=WAGES)
    Claim.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    assert not CaseTerms.objects.exists()
    assert search(WAGES) == []


def test_imported_cases_are_indexed(tmp_path, demo):
    line = {
        "external_id": "GM-OLD-1",
        "channel": "hotline",
        "matter": "labor.wages",
        "region": "440608102201",
        "description": WAGES,
        "contact_name": "何秀英",
        "contact_phone": "13900139000",
        "people": 1,
        "status": "handling",
        "created_at": "2026-12-01T09:30:00+08:00",
    }
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n")
    err = StringIO()
    call_command("import_cases", str(path), stdout=StringIO(), stderr=err)
    assert "0 行有错误" in err.getvalue()
    case = Case.objects.get(external_id="GM-OLD-1")
    assert CaseTerms.objects.filter(case=case).exists()


def test_similar_reindex_builds_rows_for_cases_without_them(submit_case):
    first, second = submit_case(text=WAGES), submit_case(text=FLOOD, matter="labor.contract")
    CaseTerms.objects.all().delete()
    assert search(WAGES) == []
    out = StringIO()
    call_command("similar_reindex", "--missing", stdout=out)
    assert "写入 2 件" in out.getvalue()
    assert set(CaseTerms.objects.values_list("case_id", flat=True)) == {first.pk, second.pk}
    assert search(WAGES) == [first.pk]
    CaseTerms.objects.filter(case=first).update(tokens="旧词")
    call_command("similar_reindex", "--batch", "1", stdout=StringIO())
    assert CaseTerms.objects.get(case=first).tokens == case_tokens(first.title, first.description)
    assert CaseTerms.objects.count() == 2


def test_the_nightly_task_fills_missing_rows_and_refreshes_the_statistics(submit_case):
    from django.db import connection

    from similar.models import TermStat
    from similar.tasks import similar_index_maintain

    case = submit_case(text=WAGES)
    CaseTerms.objects.all().delete()
    assert similar_index_maintain() == 1
    assert similar_index_maintain() == 0  # idempotent
    assert CaseTerms.objects.filter(case=case).exists()
    if connection.vendor == "postgresql":
        assert TermStat.objects.get(term="").df == 1
        assert TermStat.objects.get(term="工资").df == 1


def test_query_groups_take_the_rarest_terms_within_the_budget_then_pairs():
    from similar import retrieval

    df = {"稀有": 3, "少见": 40, "常见": 2500, "很多": 2800, "到处": 2900, "没有": 0}
    groups = retrieval.query_groups(df)
    assert groups[:3] == [("稀有",), ("少见",), ("常见",)]
    assert ("没有",) not in groups and all("没有" not in g for g in groups)
    assert ("很多", "到处") in groups and ("很多",) not in groups


def test_the_open_flag_follows_the_status(submit_case):
    from cases.models import Status
    from similar.index import open_flags_repair

    case = submit_case(text=WAGES)
    assert CaseTerms.objects.get(case=case).is_open
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)  # bypasses save(): stale until repaired
    assert CaseTerms.objects.get(case=case).is_open and search(WAGES) == []
    assert open_flags_repair() == 1
    assert not CaseTerms.objects.get(case=case).is_open
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(status=Status.HANDLING)
    case.refresh_from_db()
    case.save(update_fields=["status"])  # what a transition does
    assert CaseTerms.objects.get(case=case).is_open
