"""重复诉求次数 (issue #13): ``Case.repeat_count`` — the claims a case carries, kept by the merge
service, filled for existing rows by migration ``cases.0009``, and shown on the staff screens."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from cases import services as s
from cases.models import Case

pytestmark = pytest.mark.django_db


def count_of(case) -> int:
    return Case.objects.values_list("repeat_count", flat=True).get(pk=case.pk)


def test_a_new_case_carries_one_claim(submit_case):
    assert count_of(submit_case()) == 1


def test_merging_adds_the_merged_cases_claims_including_chains(submit_case, user, fresh):
    clerk = user("gm_window")
    first, second, third, fourth = (submit_case() for _ in range(4))
    s.case_merge(case=fresh(second), actor=clerk, into=fresh(first))
    assert count_of(first) == 2 and count_of(second) == 1
    # a case that already carries a repeat brings both claims along when it is merged in turn
    s.case_merge(case=fresh(fourth), actor=clerk, into=fresh(third))
    s.case_merge(case=fresh(third), actor=clerk, into=fresh(first))
    assert count_of(first) == 4
    assert count_of(third) == 2  # the merged case keeps its own figure (it is closed as 已合并)


def test_the_count_is_read_in_the_database_not_from_a_stale_object(submit_case, user, fresh):
    """The merged case loaded before another claim was merged into it still carries both."""
    clerk = user("gm_window")
    target, middle, late = submit_case(), submit_case(), submit_case()
    stale_middle = fresh(middle)
    s.case_merge(case=fresh(late), actor=clerk, into=fresh(middle))
    s.case_merge(case=stale_middle, actor=clerk, into=fresh(target))
    assert count_of(target) == 3


def test_a_refused_merge_leaves_the_count(submit_case, user, fresh):
    from cases.services import CaseError

    case = submit_case()
    with pytest.raises(CaseError):
        s.case_merge(case=fresh(case), actor=user("gm_window"), into=fresh(case))
    assert count_of(case) == 1


def test_the_migration_fills_existing_rows_set_based(submit_case, user, fresh, django_assert_max_num_queries):
    """Cases as they stood before ``repeat_count`` existed (all at the default 1): the data
    migration counts each case's claims and the merged cases, chains included, in a few UPDATEs."""
    clerk = user("gm_window")
    a, b, c, d, lone = (submit_case() for _ in range(5))
    s.case_merge(case=fresh(d), actor=clerk, into=fresh(c))
    s.case_merge(case=fresh(c), actor=clerk, into=fresh(b))
    s.case_merge(case=fresh(b), actor=clerk, into=fresh(a))
    Case.objects.update(repeat_count=1)
    migration = import_module("cases.migrations.0009_repeats_and_duplicate_pairs")
    with django_assert_max_num_queries(8):
        migration.fill_repeat_counts(apps, None)
    assert [count_of(x) for x in (a, b, c, d, lone)] == [4, 3, 2, 1, 1]


def test_the_migration_counts_several_claims_on_one_case(submit_claim):
    from intake.models import Claim

    claim = submit_claim()
    other = submit_claim()
    Claim.objects.filter(pk=other.pk).update(case=claim.case)  # an old system's two claims on one case
    Case.objects.update(repeat_count=1)
    import_module("cases.migrations.0009_repeats_and_duplicate_pairs").fill_repeat_counts(apps, None)
    assert count_of(claim.case) == 2


# Shown on the screens, in words --------------------------------------------------------------------


@pytest.fixture
def repeated(submit_case, user, fresh):
    """A 待受理 case with two repeats merged into it (3 claims), and a plain one beside it."""
    target = submit_case()
    for _ in range(2):
        s.case_merge(case=fresh(submit_case()), actor=user("gm_window"), into=fresh(target))
    return fresh(target), submit_case()


def badge(page: str, case) -> str:
    return page.split(case.number, 1)[1].split("</tr>")[0].split("</a>")[0]


def test_the_case_page_shows_the_count(repeated, login):
    target, plain = repeated
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[target.number])).content.decode()
    assert 'data-testid="repeat-count" data-count="3"' in page and "重复 3 次" in page
    assert "本案共收到 3 次诉求" in page  # the words behind the badge
    plain_page = login("gm_dispatch").get(reverse("cases:case-detail", args=[plain.number])).content.decode()
    assert 'data-testid="repeat-count"' not in plain_page


def test_the_queue_and_the_case_list_show_the_count(repeated, login):
    target, plain = repeated
    client = login("gm_window")
    for url in (reverse("cases:queue") + "?tab=submitted", reverse("cases:case-list")):
        page = client.get(url).content.decode()
        assert "重复 3 次" in page, url
        assert page.count('data-testid="repeat-count"') in (1, 2), url  # the table and the phone cards


def test_the_inbox_shows_the_count(repeated, login, user, fresh):
    target, _plain = repeated
    s.case_accept(case=fresh(target), actor=user("gm_window"))
    page = login("gm_labor").get(reverse("cases:inbox")).content.decode()
    assert "重复 3 次" in page


def test_the_overdue_board_shows_the_count(repeated, login, user, fresh):
    from datetime import timedelta

    from django.utils import timezone

    from supervision.services import warnings_sweep

    target, plain = repeated
    warnings_sweep(now=timezone.now() + timedelta(days=30))
    page = login("gm_supervisor").get(reverse("supervision:overdue")).content.decode()
    row = page.split(f'data-number="{target.number}"')[1].split("</tr>")[0]
    assert 'data-testid="repeat-count"' in row and "重复 3 次" in row
    from io import BytesIO

    from openpyxl import load_workbook

    export = login("gm_supervisor").get(reverse("supervision:overdue-export"))
    sheet = list(load_workbook(BytesIO(export.content))["超期清单"].iter_rows(values_only=True))
    column = sheet[0].index("诉求次数（含重复）")
    assert {r[0]: r[column] for r in sheet[1:] if r and r[0] in (target.number, plain.number)} == {
        target.number: 3,
        plain.number: 1,
    }
