"""疑似重复 (issue #13): ``record_pairs``, the nightly scan and the dispatcher's decisions (合并 /
标记为非重复) — idempotence, "never flagged again", permissions, double clicks and bad input.

The similarity engine (``similar``, another helper's app) is replaced here by a stand-in that
pairs cases whose descriptions are equal, so these tests do not depend on its tuning; the engine's
own tests and ``test_repeats_engine.py`` cover the real thing."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import duplicates as d
from cases import services as s
from cases.models import Case, CaseEvent, DuplicatePair, DuplicateScanRun, DuplicateSource, DuplicateStatus, Status

pytestmark = pytest.mark.django_db

WAGES = "明东村工地包工头拖欠二十名工人三个月工资，约十二万元，多次讨要无果。"
NOISE = "小区楼下烧烤店每晚营业到凌晨两点，油烟和噪音严重扰民。"
QUEUE = reverse("cases:queue") + "?tab=duplicates"


@dataclass(frozen=True)
class FakeMatch:
    case_id: int
    score: float
    why: str


@pytest.fixture
def engine(monkeypatch):
    """A stand-in for ``similar.engine.similar_open_cases``: open cases with the same description
    (score 0.9); records which cases it was asked about. (No overlap between runs here: the
    cases of a test are all registered within seconds; ``test_runs_overlap_a_little`` has it.)"""
    asked = []
    monkeypatch.setattr(d, "OVERLAP", d.timedelta(0))

    def similar(case):
        asked.append(case.pk)
        others = Case.objects.filter(description=case.description, status__in=d.OPEN_STATUSES).exclude(pk=case.pk)
        return [FakeMatch(pk, 0.9, "描述相似 0.90，同一村，同类事项") for pk in others.values_list("pk", flat=True)]

    monkeypatch.setattr(d, "_similar_open_cases", similar)
    return asked


def pairs():
    return list(DuplicatePair.objects.order_by("id").values_list("case_a_id", "case_b_id", "status", "source"))


# record_pairs ------------------------------------------------------------------------------------


def test_record_pairs_orders_dedupes_and_never_reflags(submit_case, user):
    first, second, third = submit_case(), submit_case(), submit_case()
    match = FakeMatch(first.pk, 0.82, "描述相似 0.82，同一村")
    assert d.record_pairs(second, [match, match], DuplicateSource.INTAKE) == 1
    assert pairs() == [(first.pk, second.pk, "open", "intake")]
    pair = DuplicatePair.objects.get()
    assert (pair.score, pair.reason) == (0.82, "描述相似 0.82，同一村")
    # from the other side, or again: nothing new
    assert d.record_pairs(first, [FakeMatch(second.pk, 0.9, "x")], DuplicateSource.NIGHTLY) == 0
    assert d.record_pairs(second, [match], DuplicateSource.INTAKE) == 0
    # decided 非重复: remembered, never flagged again
    DuplicatePair.objects.update(status=DuplicateStatus.NOT_DUPLICATE)
    assert d.record_pairs(second, [match], DuplicateSource.NIGHTLY) == 0
    assert pairs() == [(first.pk, second.pk, "not_duplicate", "intake")]
    # itself, or a case no longer open, is never paired
    s.case_reject(case=Case.objects.get(pk=third.pk), actor=user("gm_window"), reason="重复")
    assert d.record_pairs(second, [FakeMatch(second.pk, 1, "x"), FakeMatch(third.pk, 1, "x")], "nightly") == 0


def test_record_pairs_takes_intake_candidates(submit_case):
    """An intake candidate (helper ``dupes``) carries a case and reasons rather than a ``Match``."""

    @dataclass
    class Candidate:
        case: Case
        reasons: list
        score: float = 0.0

    first, second = submit_case(), submit_case()
    assert d.record_pairs(second, [Candidate(first, ["同一来电号码", "描述相似 0.82"])], DuplicateSource.INTAKE) == 1
    assert DuplicatePair.objects.get().reason == "同一来电号码；描述相似 0.82"


# The nightly scan --------------------------------------------------------------------------------


def test_the_scan_flags_is_idempotent_and_looks_only_at_changes(submit_case, engine):
    a = submit_case(text=WAGES)
    b = submit_case(text=WAGES, phone="13600000001")
    submit_case(text=NOISE, matter="neighbour.noise", phone="13600000002")
    run = d.duplicates_scan()
    assert run.pairs_added == 1 and pairs() == [(a.pk, b.pk, "open", "nightly")]
    assert DuplicatePair.objects.get().reason == "描述相似 0.90，同一村，同类事项"
    # again, nothing changed: no case is compared, nothing added
    engine.clear()
    again = d.duplicates_scan()
    assert (again.pairs_added, again.cases_checked, engine) == (0, 0, [])
    # a new case is compared (it alone), and paired with both
    c = submit_case(text=WAGES, phone="13600000003")
    engine.clear()
    third = d.duplicates_scan()
    assert engine == [c.pk] and third.pairs_added == 2
    assert DuplicateScanRun.objects.count() == 3


def test_the_scan_never_reflags_a_pair_marked_not_duplicate(submit_case, engine, user, fresh):
    a, b = submit_case(text=WAGES), submit_case(text=WAGES, phone="13600000001")
    d.duplicates_scan()
    pair = DuplicatePair.objects.get()
    assert d.duplicate_pair_dismiss(pair=pair, actor=user("gm_dispatch"), note="两处不同工地")
    s.case_accept(case=fresh(a), actor=user("gm_window"))
    DuplicateScanRun.objects.all().delete()  # as if never scanned: both are looked at again
    again = d.duplicates_scan()
    assert (again.cases_checked, again.pairs_added) == (2, 0)
    assert pairs() == [(a.pk, b.pk, "not_duplicate", "nightly")]


def test_the_scan_pairs_the_same_phone_with_the_same_matter(submit_case, engine):
    a = submit_case(text=WAGES, phone="13700001234")
    b = submit_case(text="老板又拖欠了这个月的工资，电话也不接。", phone="13700001234")
    submit_case(text="公司未签劳动合同，要求补签。", matter="labor.contract", phone="13700001234")  # another matter
    submit_case(text=NOISE, matter="neighbour.noise", phone="13700001234")  # another branch
    submit_case(text="工地老板欠薪两个月。", phone="13700009999")  # another phone
    d.duplicates_scan()
    assert pairs() == [(a.pk, b.pk, "open", "nightly")]
    assert DuplicatePair.objects.get().reason == "同一联系电话 137****1234，同一事项"  # masked


def test_status_changes_add_no_work(submit_case, engine, user, fresh):
    """Only cases registered since the last run are looked at: what matching reads never changes
    after registration, and a transition adds no pair."""
    a = submit_case(text=WAGES)
    d.duplicates_scan()
    s.case_accept(case=fresh(a), actor=user("gm_window"))
    engine.clear()
    assert d.duplicates_scan().cases_checked == 0 and engine == []


def test_runs_overlap_a_little(submit_case, engine, monkeypatch):
    """After a finished run, the next looks ``OVERLAP`` further back (a claim committed just after
    the run read): the recent cases again, nothing added twice."""
    monkeypatch.setattr(d, "OVERLAP", d.timedelta(minutes=10))
    submit_case(text=WAGES), submit_case(text=WAGES, phone="13600000001")
    assert d.duplicates_scan().pairs_added == 1
    again = d.duplicates_scan()
    assert (again.cases_checked, again.pairs_added) == (2, 0)


def test_the_scan_is_bounded_and_goes_on_where_it_stopped(submit_case, engine):
    for _n in range(5):
        submit_case(text=WAGES, phone=f"1360000000{_n}")
    first = d.duplicates_scan(batch=2)
    assert first.cases_checked == 2
    second = d.duplicates_scan(batch=2)
    third = d.duplicates_scan(batch=2)
    assert second.cases_checked == 2 and third.cases_checked >= 1
    assert DuplicatePair.objects.count() == 10  # every pair of the five, found across the runs
    assert d.duplicates_scan().pairs_added == 0


def test_the_nightly_task(submit_case, engine):
    from cases.tasks import duplicates_nightly

    submit_case(text=WAGES), submit_case(text=WAGES, phone="13600000001")
    assert duplicates_nightly() == 1
    assert duplicates_nightly() == 0


def test_a_nightly_run_stopped_at_its_budget_goes_on_at_once(submit_case, engine, monkeypatch):
    """More new cases than one run takes: follow-up runs (q2 runs them at once in the tests)
    look at the rest the same night, a bounded number of times."""
    from cases import tasks

    for _n in range(5):
        submit_case(text=WAGES, phone=f"1360000000{_n}")
    scan = d.duplicates_scan
    monkeypatch.setattr(d, "duplicates_scan", lambda **kw: scan(batch=2, **kw))
    assert tasks.duplicates_nightly() >= 1
    assert DuplicatePair.objects.count() == 10  # every pair of the five, in one night
    runs = d.DuplicateScanRun.objects.count()
    assert runs >= 3
    monkeypatch.setattr(tasks, "SCAN_FOLLOW_UPS", 0)
    tasks.duplicates_nightly()
    assert d.DuplicateScanRun.objects.count() == runs + 1  # no follow-up past the limit


# The dispatcher's list and decisions -------------------------------------------------------------


@pytest.fixture
def pair(submit_case, engine):
    """Two open cases in 明东村 flagged by the scan; the earlier registered first."""
    first = submit_case(text=WAGES)
    second = submit_case(text=WAGES, phone="13600000001")
    d.duplicates_scan()
    return DuplicatePair.objects.get(), Case.objects.get(pk=first.pk), Case.objects.get(pk=second.pk)


def test_the_dispatcher_sees_the_pair_side_by_side(pair, login):
    found, first, second = pair
    response = login("gm_dispatch").get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="count-duplicates">1<' in page
    card = page.split('data-testid="duplicate-pair"')[1]
    assert first.number in card and second.number in card and "描述相似 0.90，同一村，同类事项" in card
    assert card.index(first.number) < card.index(second.number)  # earlier on the left
    assert "13800138000" not in page and "13600000001" not in page  # no parties, no phones
    assert f'for="id_pair{found.pk}_note"' in card and f'id="id_pair{found.pk}_note"' in card  # labelled


def test_merging_merges_the_later_into_the_earlier_once(pair, login):
    found, first, second = pair
    client = login("gm_dispatch")
    response = client.post(reverse("cases:duplicate-merge", args=[found.pk]), follow=True)
    assert "已合并" in response.content.decode()
    second, first = Case.objects.get(pk=second.pk), Case.objects.get(pk=first.pk)
    assert second.status == Status.MERGED and second.merged_into_id == first.pk
    assert first.repeat_count == 2
    found.refresh_from_db()
    assert found.status == DuplicateStatus.MERGED and found.decided_by.username == "gm_dispatch"
    merge_event = CaseEvent.objects.get(case=second, transition="merge")
    assert "疑似重复研判" in merge_event.note and CaseEvent.objects.filter(case=first, transition="merge_in").exists()
    # a double click: nothing more happens
    again = client.post(reverse("cases:duplicate-merge", args=[found.pk]), follow=True)
    assert "已处理（已合并）" in again.content.decode()
    assert CaseEvent.objects.filter(transition__in=["merge", "merge_in"]).count() == 2
    assert Case.objects.get(pk=first.pk).repeat_count == 2
    assert 'data-testid="duplicate-pair"' not in client.get(QUEUE).content.decode()


def test_marking_not_duplicate_records_it_on_both_cases(pair, login):
    found, first, second = pair
    client = login("gm_dispatch")
    response = client.post(reverse("cases:duplicate-dismiss", args=[found.pk]), {"note": "两个不同的工地"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.status, found.note) == (DuplicateStatus.NOT_DUPLICATE, "两个不同的工地")
    for case, other in ((first, second), (second, first)):
        event = CaseEvent.objects.get(case=case, transition="not_duplicate")
        assert other.number in event.note and "两个不同的工地" in event.note and not event.public
    page = client.get(reverse("cases:case-detail", args=[first.number])).content.decode()
    assert "排除疑似重复" in page
    # twice: one event each still; the note may be left empty
    client.post(reverse("cases:duplicate-dismiss", args=[found.pk]), {"note": ""})
    assert CaseEvent.objects.filter(transition="not_duplicate").count() == 2
    assert Case.objects.get(pk=second.pk).status == Status.SUBMITTED


def test_a_note_too_long_is_refused_and_kept(pair, login):
    found, _first, _second = pair
    note = "说明" * 300
    response = login("gm_dispatch").post(reverse("cases:duplicate-dismiss", args=[found.pk]), {"note": note})
    assert response.status_code == 400
    page = response.content.decode()
    assert "说明最多 500 个字" in page and note in page
    found.refresh_from_db()
    assert found.status == DuplicatePair.status.field.default
    assert not CaseEvent.objects.filter(transition="not_duplicate").exists()


def test_a_case_that_may_no_longer_be_merged_is_explained(pair, login, user, fresh):
    found, first, second = pair
    s.case_reject(case=fresh(second), actor=user("gm_window"), reason="不属于受理范围")
    client = login("gm_dispatch")
    response = client.post(reverse("cases:duplicate-merge", args=[found.pk]), follow=True)
    assert "已结束" in response.content.decode()
    found.refresh_from_db()
    assert found.status == DuplicateStatus.OPEN  # nothing written
    assert Case.objects.get(pk=first.pk).repeat_count == 1


@pytest.fixture
def foreign_dispatcher(demo):
    """A dispatcher of the 禅城区 centre (another district)."""
    from accounts.services import staff_user_ensure

    return staff_user_ensure(
        username="cc_dispatch_test", full_name="禅城调度", password="x-Pass-2026", memberships=[("CC-ZX", "dispatcher")]
    )


@pytest.mark.parametrize("who", ["gm_labor", "foreign", "citizen"])
def test_others_get_404(pair, login, who, citizen, foreign_dispatcher):
    """A handler, a dispatcher of another district, a citizen: the pair does not exist for them."""
    found, first, second = pair
    client = login({"foreign": foreign_dispatcher, "citizen": citizen}.get(who, who))
    for name in ("duplicate-detail", "duplicate-merge", "duplicate-dismiss"):
        method = client.get if name == "duplicate-detail" else client.post
        response = method(reverse(f"cases:{name}", args=[found.pk]))
        missing = method(reverse(f"cases:{name}", args=[found.pk + 1000]))
        assert response.status_code == missing.status_code == 404, (who, name)
    found.refresh_from_db()
    assert found.status == DuplicateStatus.OPEN
    assert Case.objects.get(pk=second.pk).status == Status.SUBMITTED


def test_the_tab_is_the_dispatchers(pair, login, client, citizen, foreign_dispatcher):
    assert login("gm_window").get(QUEUE).status_code == 403  # a clerk: not their tab
    assert login("gm_labor").get(QUEUE).status_code == 403
    assert login(citizen).get(QUEUE).status_code == 403
    foreign = login(foreign_dispatcher).get(QUEUE)
    assert foreign.status_code == 200 and 'data-testid="duplicate-pair"' not in foreign.content.decode()
    anonymous = client.post(reverse("cases:duplicate-merge", args=[pair[0].pk]))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert login("gm_dispatch").get(reverse("cases:duplicate-merge", args=[pair[0].pk])).status_code == 405


def test_the_pair_page(pair, login):
    found, first, second = pair
    page = login("gm_dispatch").get(reverse("cases:duplicate-detail", args=[found.pk]))
    assert page.status_code == 200 and first.number in page.content.decode()


def test_the_tab_reads_in_a_fixed_number_of_queries(submit_case, engine, login, django_assert_max_num_queries):
    """Session, user, memberships, the bell; the queue counts, the pair count, one page of pairs
    (both cases, their matter, place and unit joined) — the same for 2 and for 8 pairs."""
    client, counts = login("gm_dispatch"), []
    texts = iter(f"{WAGES}（第{n}组）" for n in range(20))
    phones = iter(f"1360000{n:04d}" for n in range(40))
    for n in (2, 8):
        while DuplicatePair.objects.count() < n:
            text = next(texts)
            submit_case(text=text, phone=next(phones)), submit_case(text=text, phone=next(phones))
            d.duplicates_scan()
        with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
            response = client.get(QUEUE)
        assert response.status_code == 200 and len(response.context["pairs"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_without_an_engine_the_scan_still_pairs_phones(submit_case, settings):
    settings.CASES_SIMILAR_OPEN_CASES = ""
    a = submit_case(text=WAGES, phone="13700001234")
    b = submit_case(text="另一处工地也拖欠工资。", phone="13700001234")
    assert d.duplicates_scan().pairs_added == 1
    assert pairs() == [(a.pk, b.pk, "open", "nightly")]


def test_the_intake_hook_records_pairs_for_the_dispatcher(submit_case, login):
    """The API paths hand their candidates to ``intake.duplicates.record_intake_candidates``
    (helper ``dupes``): they become 受理时发现 pairs on the dispatcher's tab, once."""
    from intake.duplicates import Candidate, record_intake_candidates

    earlier, new = submit_case(), submit_case()
    found = [Candidate(case=earlier, reasons=["同一来电号码"], same_phone=True)]
    assert record_intake_candidates(new, found) == 1
    assert record_intake_candidates(new, found) == 0
    assert pairs() == [(earlier.pk, new.pk, "open", "intake")]
    page = login("gm_dispatch").get(QUEUE).content.decode()
    assert "同一来电号码" in page and "受理时发现" in page


@pytest.mark.parametrize("tab", ["submitted", "accepted"])
def test_every_queue_tab_counts_the_pairs_in_one_query(tab, submit_case, engine, login):
    """The 疑似重复 tab's figure is on every tab of the queue: one COUNT, however many pairs."""
    client = login("gm_dispatch")
    for n in range(3):
        text = f"{WAGES}（第{n}组）"
        submit_case(text=text, phone=f"1360000{n:04d}"), submit_case(text=text, phone=f"1370000{n:04d}")
    d.duplicates_scan()
    assert DuplicatePair.objects.count() == 3
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:queue") + f"?tab={tab}")
    assert response.status_code == 200
    tabs = {t["status"]: t["count"] for t in response.context["tabs"]}
    assert tabs["duplicates"] == 3
    on_pairs = [q["sql"] for q in ctx.captured_queries if "cases_duplicatepair" in q["sql"]]
    assert len(on_pairs) == 1 and "COUNT(" in on_pairs[0].upper(), on_pairs
