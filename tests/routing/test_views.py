"""The rule simulator page and the region cascade endpoint."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("routing:simulator")
QUERY = {
    "matter": "neighbour.livestock",
    "region_0": "44",
    "region_1": "4406",
    "region_2": "440608",
    "region_3": "440608102",
    "region_4": "440608102201",
    "parties": "1",
    "channel": "web",
}


@pytest.fixture
def demo_city(demo):
    """The demo city (loaded once per test database, see tests/conftest.py)."""


def as_user(client, username):
    assert client.login(username=username, password="Yikouban@2026")
    return client


def test_anonymous_is_sent_to_login(client, demo_city):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("username", ["gm_labor", "gm_window", "gm_supervisor", "13800138000"])
def test_other_roles_are_refused(client, demo_city, username):
    assert as_user(client, username).get(URL).status_code == 403


@pytest.mark.parametrize("username", ["gm_dispatch", "admin"])
def test_dispatcher_and_admin_see_the_form(client, demo_city, username):
    page = as_user(client, username).get(URL).content.decode()
    assert "分派规则模拟" in page
    assert "养殖异味" in page  # the two-level matter picker
    assert 'name="region_2"' in page  # province and city picked for the user, districts offered


def test_simulation_shows_lead_cooperating_rule_and_why_others_lost(client, demo_city):
    page = as_user(client, "gm_dispatch").get(URL, QUERY).content.decode()
    assert "明城镇农业农村办（GM-MC-NYB）" in page
    assert "明东村村委会（GM-MC-MD）" in page and "明城镇综治中心（GM-MC-ZZ）" in page
    assert "neighbour-livestock-gaoming" in page
    assert "规则区划不如 neighbour-livestock-gaoming 具体" in page


def test_group_claim_goes_higher(client, demo_city):
    query = {**QUERY, "matter": "labor.wages", "parties": "12"}
    page = as_user(client, "gm_dispatch").get(URL, query).content.decode()
    assert "FS-RSJ" in page


def test_queue_fallback_is_explained(client, demo_city):
    from routing.dispatch import dispatch_decide

    # find a demo claim that falls to the queue (学生伤害 outside 高明区, per demo/city.yaml)
    query = {**QUERY, "region_2": "440604", "region_3": "440604010", "region_4": "440604010001"}
    matters = __import__("routing.models", fromlist=["MatterType"]).MatterType.objects.exclude(parent=None)
    queued = next(m.code for m in matters if dispatch_decide(matter=m.code, region="440604010001").queue)
    page = as_user(client, "gm_dispatch").get(URL, {**query, "matter": queued}).content.decode()
    assert "转入人工分派" in page and "CC-ZX" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"matter": ""}, "请选择事项类型"),
        ({"matter": "no.such"}, "选择一个有效的选项"),
        ({"parties": "0"}, "涉及人数至少为 1"),
        ({"parties": "many"}, "涉及人数应为整数"),
        ({"region_4": "999999999999"}, "所选区划不存在"),
        ({"channel": "fax"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_explained_and_kept(client, demo_city, overrides, message):
    response = as_user(client, "gm_dispatch").get(URL, {**QUERY, **overrides})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'data-testid="decision"' not in page


def test_missing_region_is_explained(client, demo_city):
    query = {k: v for k, v in QUERY.items() if not k.startswith("region_")}
    response = as_user(client, "gm_dispatch").get(URL, query)
    assert response.status_code == 400 and "请至少选择到区县一级" in response.content.decode()


def test_next_level_button_expands_without_javascript(client, demo_city):
    query = {
        "matter": "labor.wages",
        "region_0": "44",
        "region_1": "4406",
        "region_2": "440608",
        "next_level": "1",
        "parties": "1",
        "channel": "web",
    }
    response = as_user(client, "gm_dispatch").get(URL, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="region_3"' in page and "明城镇" in page
    assert 'data-testid="decision"' not in page


def test_simulator_query_count_is_bounded(client, demo_city, django_assert_max_num_queries):
    as_user(client, "gm_dispatch").get(URL, QUERY)  # warm the dispatch index
    with django_assert_max_num_queries(16):
        response = client.get(URL, QUERY)
    assert response.status_code == 200


def test_region_children_endpoint(client, demo_city):
    data = client.get(reverse("routing:region-children"), {"parent": "440608102"}).json()
    assert data["level_label"] == "村社区"
    assert {"code": "440608102201", "name": "明东村", "level": "village"} in data["children"]
    assert client.get(reverse("routing:region-children"), {"parent": "nope"}).json() == {
        "children": [],
        "level_label": "",
    }
    roots = client.get(reverse("routing:region-children")).json()
    assert [c["code"] for c in roots["children"]] == ["44"]


def test_changing_a_higher_level_without_javascript_drops_the_stale_deeper_one(client, demo_city):
    # 明东村 (under 明城镇) still selected after the user switched the town to 杨和镇
    query = {**QUERY, "region_3": "440608101", "region_4": "440608102201"}
    page = as_user(client, "gm_dispatch").get(URL, query).content.decode()
    assert "区划 杨和镇（440608101）" in page


def test_matter_suggestion_tolerates_words_in_between(demo):
    from routing.selectors import suggest_matters

    assert [m.code for m in suggest_matters("老板拖欠三个月工资")][:1] == ["labor.wages"]
    assert suggest_matters("") == []


def _rule_post(**targets):
    data = {
        "rule_id": "new-rule",
        "min_parties": "1",
        "channels": "[]",
        "priority": "0",
        "position": "99",
        "note": "",
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, unit) in enumerate(targets.values()):
        data.update({f"targets-{i}-kind": kind, f"targets-{i}-position": str(i), f"targets-{i}-unit": unit})
    return data


def test_admin_rule_needs_exactly_one_lead(client, demo_city):
    from routing.models import RoutingRule, Unit

    as_user(client, "admin")
    url = reverse("admin:routing_routingrule_add")
    rsj = str(Unit.objects.get(code="GM-RSJ").pk)
    zz = str(Unit.objects.get(code="GM-MC-ZZ").pk)
    response = client.post(url, _rule_post(a=("cooperating", zz)))
    assert response.status_code == 200 and "有且只有一个主办目标" in response.content.decode()
    response = client.post(url, _rule_post(a=("lead", rsj), b=("lead", zz)))
    assert "有且只有一个主办目标" in response.content.decode()
    assert not RoutingRule.objects.filter(rule_id="new-rule").exists()
    response = client.post(url, _rule_post(a=("lead", rsj), b=("cooperating", zz)))
    assert response.status_code == 302
    from routing.dispatch import dispatch_decide

    assert RoutingRule.objects.get(rule_id="new-rule").targets.count() == 2
    assert dispatch_decide(matter="labor.wages", region="440608102201").rule  # index rebuilt, still routes
