"""类案推荐 with the real engine (``similar.engine``, kept fresh by the case services): the right case
comes first with the engine's reason, a foreign unit's case stays out, and the panel and the
search page stay at a few queries however many rows they show."""

from urllib.parse import quote

from django.urls import reverse

from cases.models import Case
from routing.models import Region, Unit

PANEL = reverse("precedents:panel")
SEARCH = reverse("precedents:search")

WAGES = "建筑工地包工头拖欠十二名工人三个月工资共计九万元，多次讨要无果。"
NOISE = "小区楼下烧烤店每晚营业到凌晨两点，油烟和噪音扰民，影响休息。"


def rows(response):
    return response.context["rows"]


def test_the_most_similar_closed_case_comes_first_with_the_engines_reason(closed_case, new_case, login):
    wages = closed_case(text=WAGES, result="总包单位代发全部工资九万元，工人已签收。")
    closed_case(text=NOISE, result="城管责令烧烤店调整营业时间，加装油烟净化器。")
    case = new_case(text="工地包工头拖欠我们三个月工资九万元，一直不给。")
    response = login("gm_dispatch").get(f"{PANEL}?case={quote(case.number)}")
    assert response.status_code == 200
    found = rows(response)
    assert found and found[0].case.pk == wages.pk
    assert found[0].match.why.startswith("描述相似")
    assert found[0].match.why in response.content.decode()
    assert "同一村" in found[0].match.why  # same place: 明东村


def test_the_real_engine_keeps_a_foreign_units_case_out(closed_case, new_case, login):
    foreign = closed_case(text=WAGES)
    Case.objects.filter(pk=foreign.pk).update(
        region=Region.objects.get(code="440604010001"),
        lead_unit=Unit.objects.filter(region__path__startswith=Region.objects.get(code="440604").path).first(),
    )
    foreign.cooperating_units.clear()
    ours = closed_case(text=WAGES)
    case = new_case(text="工地包工头拖欠我们三个月工资九万元，一直不给。")
    for who in ("gm_labor", "gm_dispatch"):
        found = [row.case.pk for row in rows(login(who).get(f"{PANEL}?case={quote(case.number)}"))]
        assert found == [ours.pk], who
    found = {row.case.pk for row in rows(login("fs_supervisor").get(f"{PANEL}?case={quote(case.number)}"))}
    assert found == {ours.pk, foreign.pk}


def test_free_text_search_with_the_real_engine(closed_case, login):
    wages = closed_case(text=WAGES)
    response = login("gm_labor").post(SEARCH, {"text": "包工头拖欠工资"})
    assert response.status_code == 200
    assert [row.case.pk for row in rows(response)][:1] == [wages.pk]


def test_panel_and_search_queries_do_not_grow_with_the_rows(
    closed_case, new_case, login, django_assert_max_num_queries
):
    client = login("gm_dispatch")
    closed_case(text=WAGES)
    case = new_case(text="工地包工头拖欠我们三个月工资九万元，一直不给。")
    url = f"{PANEL}?case={quote(case.number)}"
    client.get(url)
    # PostgreSQL: when fewer than five of the capped hits fall in the user's scope, the engine reads
    # the scope first (one statement more, similar.retrieval.candidates): so one row may cost more
    # than five, never the other way round.
    with django_assert_max_num_queries(21) as one:
        assert len(rows(client.get(url))) == 1
    with django_assert_max_num_queries(21) as search_one:
        assert len(rows(client.post(SEARCH, {"text": WAGES}))) == 1
    for n in range(4):
        closed_case(text=WAGES.replace("十二", f"{n + 2}"))
    with django_assert_max_num_queries(21) as five:
        assert len(rows(client.get(url))) == 5
    with django_assert_max_num_queries(21) as search_five:
        assert len(rows(client.post(SEARCH, {"text": WAGES}))) == 5
    assert len(five.captured_queries) <= len(one.captured_queries)
    assert len(search_five.captured_queries) <= len(search_one.captured_queries)
