"""类案推荐: the panel on the case and mediation pages, and the search page ``/cases/similar/``.

The engine is the stand-in of ``conftest.py`` (the contract's behaviour); who may see which case,
what a row shows, bad input and query counts are this app's."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from cases.models import Case
from routing.models import Region, Unit

PANEL = reverse("precedents:panel")
SEARCH = reverse("precedents:search")


def panel(client, case=None, mediation=None):
    query = f"mediation={quote(mediation.number)}" if mediation else f"case={quote(case.number)}"
    return client.get(f"{PANEL}?{query}")


def numbers(response) -> list[str]:
    return [row.case.number for row in response.context["rows"]]


def move_to_chancheng(case):
    """The case as if 禅城区 had handled it: its place and its lead unit in another district."""
    Case.objects.filter(pk=case.pk).update(
        region=Region.objects.get(code="440604010001"),
        lead_unit=Unit.objects.filter(region__path__startswith=Region.objects.get(code="440604").path).first(),
    )
    case.cooperating_units.clear()


# The case page ----------------------------------------------------------------------------------


def test_the_case_page_has_the_panel_placeholder_and_a_link_that_works_without_javascript(closed_case, new_case, login):
    case = new_case()
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number]))
    body = page.content.decode()
    assert 'data-testid="similar-panel"' in body
    assert f'data-similar-url="{PANEL}?case={quote(case.number)}"' in body
    assert f'href="{SEARCH}?case={quote(case.number)}"' in body and "查看类案" in body
    assert "precedents/similar-cases" in body  # the script that fills it when it comes into view


@pytest.mark.parametrize("who", ["gm_labor", "gm_dispatch", "gm_supervisor", "gm_window", "fs_supervisor"])
def test_staff_who_see_the_case_get_its_closed_similar_cases(who, closed_case, new_case, login, engine):
    done = closed_case(result="经调解，企业已支付全部工资一万二千元。")
    case = new_case(text="工地拖欠工资三个月，老板不接电话。")
    response = panel(login(who), case)
    assert response.status_code == 200
    assert numbers(response) == [done.number]
    row = response.context["rows"][0]
    assert row.url == reverse("cases:case-detail", args=[done.number])
    body = response.content.decode()
    assert done.title in body and "已解决" in body and "经调解，企业已支付全部工资一万二千元。" in body
    assert "劳动" in body or done.matter.name in body
    assert done.region.name in body
    assert "个工作日" in body or "不足 1 个工作日" in body
    assert row.match.why in body


def test_the_panel_never_lists_open_cases_nor_the_case_itself(closed_case, new_case, login, engine):
    done = closed_case()
    other_open = new_case(text="工地老板拖欠三个月工资共计一万二千元")
    case = new_case()
    assert numbers(panel(login("gm_dispatch"), case)) == [done.number]
    assert other_open.number not in numbers(panel(login("gm_dispatch"), done))
    assert done.number not in numbers(panel(login("gm_dispatch"), done))


def test_a_handler_of_another_unit_never_sees_a_foreign_closed_case(closed_case, new_case, login, engine):
    foreign = closed_case(text="工地老板拖欠三个月工资共计一万二千元。禅城")
    move_to_chancheng(foreign)
    ours = closed_case()
    case = new_case()
    engine.leak = True  # even an engine that ignored the scope cannot show it
    for who in ("gm_labor", "gm_dispatch", "gm_supervisor"):
        shown = numbers(panel(login(who), case))
        assert shown == [ours.number], who
        assert foreign.number not in panel(login(who), case).content.decode()
    # the city's supervisor covers 禅城 too
    assert set(numbers(panel(login("fs_supervisor"), case))) == {ours.number, foreign.number}


def test_a_handler_sees_only_its_units_cases_not_the_district(closed_case, new_case, login, engine, user):
    ours = closed_case()
    theirs = closed_case(text="工地老板拖欠三个月工资，讨薪无果。")
    # 明城镇综治中心 led that one instead, without 人社局
    Case.objects.filter(pk=theirs.pk).update(lead_unit=user("mc_centre").memberships.first().unit)
    Case.cooperating_units.through.objects.filter(case_id=theirs.pk).delete()
    case = new_case()
    assert numbers(panel(login("gm_labor"), case)) == [ours.number]
    assert set(numbers(panel(login("gm_dispatch"), case))) == {ours.number, theirs.number}


# Mediators and the mediation page ----------------------------------------------------------------


def test_a_mediator_sees_only_cases_they_mediated_and_opens_them_on_the_mediation_page(
    closed_case, open_mediation, login, engine
):
    mediated = closed_case(mediation="failed")
    not_mediated = closed_case(text="工地老板拖欠三个月工资共计一万二千元，劳动监察已处理。")
    current = open_mediation()
    mediator = login("gm_mediator")
    page = mediator.get(reverse("mediation:mediation-detail", args=[current.number]))
    assert f'data-similar-url="{PANEL}?mediation={quote(current.number)}"' in page.content.decode()

    engine.leak = True
    response = panel(mediator, mediation=current)
    assert response.status_code == 200
    assert numbers(response) == [mediated.number]
    row = response.context["rows"][0]
    assert row.ending == "调解不成，转诉讼"
    assert row.url.startswith("/mediation/m/")  # not the case page: a mediator cannot open it
    assert not_mediated.number not in response.content.decode()
    # the dispatcher on the same mediation page sees both, linked to their case pages
    dispatcher = panel(login("gm_dispatch"), mediation=current)
    assert set(numbers(dispatcher)) == {mediated.number, not_mediated.number}


def test_a_mediator_cannot_ask_about_a_case_or_mediation_outside_their_work(closed_case, new_case, login, engine):
    case = new_case()
    mediator = login("gm_mediator")
    assert panel(mediator, case).status_code == 404
    assert mediator.get(f"{SEARCH}?case={quote(case.number)}").status_code == 404


# Refusals ----------------------------------------------------------------------------------------


def test_citizens_are_refused_and_anonymous_users_sent_to_log_in(closed_case, new_case, citizen, login, client, engine):
    case = new_case()
    for response in (panel(login(citizen), case), login(citizen).get(SEARCH)):
        assert response.status_code == 403
    assert panel(client, case).status_code == 302
    assert client.get(SEARCH).status_code == 302
    assert engine.calls == []


def test_an_unknown_or_foreign_case_is_a_404(closed_case, submit_case, login, engine):
    foreign = submit_case(region="440604010001", matter="labor.wages")
    for query in ("case=NOPE-1", f"case={quote(foreign.number)}", "mediation=NOPE-调1", ""):
        assert login("gm_labor").get(f"{PANEL}?{query}").status_code == 404, query
    assert engine.calls == []


# What a row shows -------------------------------------------------------------------------------


def test_hostile_text_is_escaped_and_numbers_masked(closed_case, new_case, login, engine):
    closed_case(
        text="工地老板拖欠三个月工资共计一万二千元<img src=x onerror=alert(1)>",
        result="<script>alert('x')</script>已联系 13812345678 协调，企业已支付工资。",
    )
    response = panel(login("gm_dispatch"), new_case())
    body = response.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body and "&lt;img src=x" in body
    assert "13812345678" not in body and "138****5678" in body


def test_a_long_result_is_shortened_in_the_row(closed_case, new_case, login, engine):
    closed_case(result="企业已支付工资。" + "补充说明" * 100)
    row = panel(login("gm_dispatch"), new_case()).context["rows"][0]
    assert len(row.summary) <= 120 and row.summary.endswith("…")


def test_the_time_taken_counts_working_days_from_acceptance_to_closing(closed_case, new_case, login, engine):
    import datetime as dt

    from cases.models import CaseEvent

    done = closed_case()
    monday = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)  # Monday 2 November 2026
    CaseEvent.objects.filter(case=done, transition="accept").update(created_at=monday)
    Case.objects.filter(pk=done.pk).update(closed_at=monday + dt.timedelta(days=9))  # Wednesday the 11th
    row = panel(login("gm_dispatch"), new_case()).context["rows"][0]
    assert row.working_days == 7
    assert "7 个工作日" in panel(login("gm_dispatch"), new_case()).content.decode()


def test_no_similar_case_says_so(new_case, login, engine):
    response = panel(login("gm_dispatch"), new_case())
    assert response.status_code == 200
    assert "暂无相似的已办结案件" in response.content.decode()


# Query counts ------------------------------------------------------------------------------------


def test_the_panel_costs_the_same_few_queries_for_one_row_or_five(
    closed_case, new_case, login, engine, django_assert_max_num_queries
):
    client = login("gm_dispatch")
    case = new_case()
    closed_case()
    panel(client, case)  # sessions, caches
    with django_assert_max_num_queries(9) as one:
        assert len(panel(client, case).context["rows"]) == 1
    for _ in range(5):
        closed_case()
    with django_assert_max_num_queries(9) as five:
        assert len(panel(client, case).context["rows"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_mediators_panel_costs_a_few_queries_too(
    closed_case, open_mediation, login, engine, django_assert_max_num_queries
):
    for _ in range(3):
        closed_case(mediation="failed")
    current = open_mediation()
    client = login("gm_mediator")
    panel(client, mediation=current)
    with django_assert_max_num_queries(12):
        assert len(panel(client, mediation=current).context["rows"]) == 3
