"""类案检索 ``/cases/similar/``: free text and filters, ``?case=`` prefill, bad input, scope, queries."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from cases.models import Case, Outcome

SEARCH = reverse("precedents:search")
TEXT = "工地老板拖欠工资三个月"


def numbers(response) -> list[str]:
    return [row.case.number for row in response.context["rows"] or []]


def test_the_blank_page_shows_the_form_and_runs_nothing(login, engine):
    response = login("gm_labor").get(SEARCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert "类案检索" in body and 'name="text"' in body and 'method="post"' in body
    assert response.context["rows"] is None and engine.calls == []
    for label in ("诉求描述", "事项类型", "发生地", "办结日期从", "办结方式"):
        assert label in body  # every control has its label


def test_free_text_finds_closed_cases_in_scope(closed_case, new_case, login, engine):
    done = closed_case()
    new_case()  # open: never listed
    response = login("gm_labor").post(SEARCH, {"text": TEXT})
    assert response.status_code == 200
    assert numbers(response) == [done.number]
    body = response.content.decode()
    assert "找到 1 件相似的已办结案件" in body and done.title in body
    assert TEXT in body  # what was typed is shown again
    assert engine.calls[-1]["text"] == TEXT and engine.calls[-1]["limit"] == 20


def test_the_case_link_prefills_its_text_and_leaves_the_case_out(closed_case, new_case, login, engine):
    done = closed_case()
    case = new_case(text="五金厂拖欠工人工资，老板失联")
    response = login("gm_dispatch").get(f"{SEARCH}?case={quote(case.number)}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "五金厂拖欠工人工资，老板失联" in body  # in the text box, to refine
    assert 'data-testid="similar-source"' in body and case.number in body
    assert numbers(response) == [done.number]
    assert engine.calls[-1]["matter_id"] == case.matter_id and engine.calls[-1]["region_id"] == case.region_id
    assert engine.calls[-1]["text"] == case.description  # its title only repeats the description's start
    # the refined search keeps the reference case (hidden field)
    again = login("gm_dispatch").post(SEARCH, {"text": "老板失联 拖欠工资", "case": case.number})
    assert again.status_code == 200 and case.number not in numbers(again)


def test_a_case_outside_the_scope_is_a_404(closed_case, submit_case, login, engine):
    foreign = submit_case(region="440604010001")
    assert login("gm_dispatch").get(f"{SEARCH}?case={quote(foreign.number)}").status_code == 404
    assert login("gm_dispatch").post(SEARCH, {"text": TEXT, "case": foreign.number}).status_code == 404
    assert login("gm_dispatch").get(f"{SEARCH}?case=NOPE").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"text": ""}, "text", "请输入要查找的诉求描述"),
        ({"text": "   拖 "}, "text", "请输入要查找的诉求描述"),
        ({"text": TEXT, "closed_from": "2026-13-45"}, "closed_from", "日期格式应为 2026-01-31。"),
        (
            {"text": TEXT, "closed_from": "2026-11-30", "closed_to": "2026-11-01"},
            "closed_to",
            "结束日期不能早于开始日期",
        ),
        ({"text": TEXT, "closed_from": "0001-01-01"}, "closed_from", "日期应在 2000-01-01 至 2100-12-31 之间"),
        ({"text": TEXT, "closed_to": "9999-12-31"}, "closed_to", "日期应在 2000-01-01 至 2100-12-31 之间"),
        ({"text": TEXT, "matter": "no.such"}, "matter", "所选项不存在"),
        ({"text": TEXT, "region": "999"}, "region", "所选项不存在"),
        ({"text": TEXT, "ending": "won"}, "ending", "所选项不存在"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_kept(data, field, message, login, engine):
    response = login("gm_labor").post(SEARCH, data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    body = response.content.decode()
    assert message in body and "查找条件有误" in body
    for name in ("closed_from", "closed_to"):
        if data.get(name):
            assert data[name] in body  # nothing typed is lost
    assert engine.calls == []


def test_overlong_text_is_trimmed_with_a_message(closed_case, login, engine):
    closed_case()
    text = TEXT + "，" + "情况说明" * 400  # 1,612 characters
    response = login("gm_labor").post(SEARCH, {"text": text})
    assert response.status_code == 200
    assert len(engine.calls[-1]["text"]) == 1000
    assert "描述超过 1000 字，已按前 1000 字查找。" in response.content.decode()


def test_control_characters_are_refused_at_the_edge(login, engine):
    response = login("gm_labor").post(SEARCH, {"text": "拖欠\x00工资\x1b"})
    assert response.status_code == 400  # core.request_checks, before the view
    assert engine.calls == []


def test_nothing_found_says_what_to_try(login, engine):
    response = login("gm_labor").post(SEARCH, {"text": TEXT})
    assert response.status_code == 200
    assert "没有找到相似的已办结案件" in response.content.decode()
    assert "放宽" in response.content.decode()


def test_filters_narrow_the_candidates(closed_case, login, engine):
    import datetime as dt

    resolved = closed_case()
    explained = closed_case(outcome=Outcome.EXPLAINED, result="已向当事人解释劳动仲裁程序。")
    mediated = closed_case(mediation="failed")
    Case.objects.filter(pk=resolved.pk).update(closed_at=dt.datetime(2026, 10, 15, 4, tzinfo=dt.UTC))
    client = login("gm_dispatch")

    def found(**filters):
        return set(numbers(client.post(SEARCH, {"text": TEXT, **filters})))

    assert found() == {resolved.number, explained.number, mediated.number}
    assert found(ending="explained") == {explained.number}
    assert found(ending="mediation_failed") == found(ending="litigation") == {mediated.number}
    assert found(ending="mediated") == set()
    assert found(closed_from="2026-10-01", closed_to="2026-10-31") == {resolved.number}
    assert found(matter="labor") == found()
    assert found(matter="property") == set()
    assert found(region="440608102") == found()  # 明城镇


def test_staff_only(citizen, login, client, engine):
    assert login(citizen).post(SEARCH, {"text": TEXT}).status_code == 403
    assert client.post(SEARCH, {"text": TEXT}).status_code == 302
    assert engine.calls == []


def test_the_search_page_costs_the_same_queries_for_one_row_or_many(
    closed_case, login, engine, django_assert_max_num_queries
):
    client = login("gm_dispatch")
    closed_case()
    client.post(SEARCH, {"text": TEXT})
    with django_assert_max_num_queries(14) as one:
        assert len(client.post(SEARCH, {"text": TEXT, "ending": "resolved"}).context["rows"]) == 1
    for _ in range(4):
        closed_case()
    with django_assert_max_num_queries(14) as five:
        assert len(client.post(SEARCH, {"text": TEXT, "ending": "resolved"}).context["rows"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_case_search_page_links_to_the_similar_case_search(login):
    body = login("gm_labor").get(reverse("cases:case-list")).content.decode()
    assert f'href="{SEARCH}"' in body and "类案检索" in body


def test_the_region_filter_offers_the_users_own_area(login, engine):
    def offered(who):
        return {code for code, _label in login(who).get(SEARCH).context["form"].fields["region"].choices}

    assert "440608102" in offered("gm_dispatch") and "440604" not in offered("gm_dispatch")  # 高明区 only
    assert {"440608102", "440604"} <= offered("fs_supervisor")  # the whole city
    response = login("gm_dispatch").post(SEARCH, {"text": TEXT, "region": "440604"})
    assert response.status_code == 400 and "所选项不存在" in response.content.decode()
