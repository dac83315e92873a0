"""``similar.index.open_flags_repair`` both ways (issue #13 review): a case that left the open
statuses by a queryset ``update`` drops out of the 疑似重复 candidates, and one that came back
(重新办理 written in bulk) is found again — in one statement each way."""

import pytest

from cases.models import Case, Status
from routing.models import MatterType, Region
from similar.engine import similar_open_cases
from similar.index import open_flags_repair
from similar.models import CaseTerms

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠工人三个月工资，共计八万多元。"


def search(text):
    region = Region.objects.get(code="440608102201")
    matter = MatterType.objects.get(code="labor.wages")
    return [m.case_id for m in similar_open_cases(text, region_id=region.pk, matter_id=matter.pk)]


def test_the_repair_sets_the_flag_of_a_case_open_again(submit_case):
    case = submit_case(text=WAGES)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    assert open_flags_repair() == 1 and not CaseTerms.objects.get(case=case).is_open
    Case.objects.filter(pk=case.pk).update(status=Status.HANDLING)  # reopened without save()
    assert not CaseTerms.objects.get(case=case).is_open, "stale until repaired"
    assert open_flags_repair() == 1
    assert CaseTerms.objects.get(case=case).is_open and search(WAGES) == [case.pk]
    assert open_flags_repair() == 0, "nothing left to repair"


def test_the_repair_leaves_right_flags_alone(submit_case):
    open_case, closed = submit_case(text=WAGES), submit_case(text="路灯坏了两个星期没人修。")
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert open_flags_repair() == 1
    assert open_flags_repair() == 0
    assert CaseTerms.objects.get(case=open_case).is_open and not CaseTerms.objects.get(case=closed).is_open
