"""Who may open the staff case screens: login, 403 for the wrong role, 404 outside one's scope."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent, PersonalDataAccess, Status

pytestmark = pytest.mark.django_db


def screen_urls():
    return [
        ("get", reverse("cases:case-list")),
        ("get", reverse("cases:inbox")),
        ("get", reverse("cases:queue")),
    ]


def case_urls(case):
    return [
        ("get", reverse("cases:case-detail", args=[case.number])),
        ("get", reverse("cases:case-act", args=[case.number, "sign"])),
        ("post", reverse("cases:case-act", args=[case.number, "sign"])),
        ("post", reverse("cases:case-parties", args=[case.number])),
    ]


def test_anonymous_visitors_are_sent_to_login(client, case_in):
    case = case_in("dispatched")
    login_url = reverse("accounts:login")
    for method, url in screen_urls() + case_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login_url), url
    assert case.events.filter(transition="sign").count() == 0


def test_citizens_are_refused_even_on_their_own_case(client, case_in, citizen):
    case = case_in("dispatched")
    assert case.parties.filter(user=citizen).exists()
    client.force_login(citizen)
    for method, url in screen_urls() + case_urls(case):
        assert getattr(client, method)(url).status_code == 403, url
    assert not PersonalDataAccess.objects.exists()


def test_a_handler_of_another_unit_gets_404_on_case_pages(case_in, login):
    case = case_in("handling")  # lead 高明区人社局, cooperating 明城镇综治中心
    grid = login("md_grid")  # 明东村第一网格: not involved
    for method, url in case_urls(case):
        assert getattr(grid, method)(url).status_code == 404, url
    assert grid.get(reverse("cases:case-act", args=[case.number, "add_note"])).status_code == 404
    assert case.number not in grid.get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert case.number not in grid.get(reverse("cases:case-list")).content.decode()


def test_the_cooperating_unit_sees_the_case_but_may_only_add_notes(case_in, login, act):
    case = case_in("dispatched")
    coop = login("mc_centre")
    page = coop.get(reverse("cases:case-detail", args=[case.number]))
    assert page.status_code == 200
    assert 'data-testid="action-add_note"' in page.content.decode()
    assert 'data-testid="action-sign"' not in page.content.decode()
    assert act(coop, case, "sign").status_code == 403
    assert case.events.filter(transition="sign").count() == 0


@pytest.mark.parametrize("username", ["gm_window", "gm_dispatch"])
def test_gaoming_centre_staff_cannot_see_a_chancheng_case(submit_case, login, username):
    case = submit_case(region="440604010001")  # 禅城区祖庙街道普君社区
    assert case.centre.code == "CC-ZX"
    staff = login(username)
    assert staff.get(reverse("cases:case-detail", args=[case.number])).status_code == 404
    for action in ("accept", "reject", "merge"):
        url = reverse("cases:case-act", args=[case.number, action])
        assert staff.get(url).status_code == 404
        assert staff.post(url, {"reason": "x", "note": ""}).status_code == 404
    found = staff.get(reverse("cases:case-list") + f"?q={case.number}").content.decode()
    assert 'data-testid="case-row"' not in found and 'data-testid="empty"' in found
    assert case.number not in staff.get(reverse("cases:queue")).content.decode()
    assert list(CaseEvent.objects.filter(case=case).values_list("transition", flat=True)) == ["submit"]


@pytest.mark.parametrize(("username", "status"), [("gm_labor", 200), ("mc_centre", 200), ("md_grid", 200)])
def test_inbox_is_open_to_handlers(login, demo, username, status):
    assert login(username).get(reverse("cases:inbox")).status_code == status


@pytest.mark.parametrize("username", ["gm_window", "gm_dispatch", "gm_supervisor", "gm_mediator", "admin"])
def test_inbox_refuses_non_handlers(login, demo, username):
    assert login(username).get(reverse("cases:inbox")).status_code == 403


def test_inbox_unknown_tab_is_404(login, demo):
    assert login("gm_labor").get(reverse("cases:inbox") + "?tab=closed").status_code == 404


def test_queue_tabs_follow_the_role(login, demo):
    url = reverse("cases:queue")
    clerk, dispatcher = login("gm_window"), login("gm_dispatch")
    assert clerk.get(url).status_code == 200
    assert clerk.get(url + "?tab=submitted").status_code == 200
    assert clerk.get(url + "?tab=accepted").status_code == 403
    assert clerk.get(url + "?tab=reviewing").status_code == 403
    for tab in ("submitted", "accepted", "reviewing"):
        assert dispatcher.get(url + f"?tab={tab}").status_code == 200
    assert dispatcher.get(url + "?tab=closed").status_code == 404
    body = clerk.get(url).content.decode()
    assert 'data-testid="tab-submitted"' in body and 'data-testid="tab-accepted"' not in body


@pytest.mark.parametrize("username", ["gm_labor", "gm_supervisor", "gm_mediator", "admin"])
def test_queue_refuses_everyone_but_clerks_and_dispatchers(login, demo, username):
    assert login(username).get(reverse("cases:queue")).status_code == 403


@pytest.mark.parametrize("username", ["gm_window", "gm_dispatch", "gm_labor", "gm_supervisor", "gm_mediator", "admin"])
def test_case_search_is_open_to_every_staff_role(login, demo, username):
    assert login(username).get(reverse("cases:case-list")).status_code == 200


def test_an_action_the_user_may_not_take_is_403_and_changes_nothing(case_in, login, act):
    case = case_in("dispatched")
    clerk = login("gm_window")  # sees the case (region), but signing is the lead unit's
    assert act(clerk, case, "sign").status_code == 403
    assert clerk.get(reverse("cases:case-act", args=[case.number, "sign"])).status_code == 403
    assert act(login("gm_supervisor"), case, "transfer", {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.events.count() == 3  # submit, accept, dispatch


def test_unknown_action_is_404_and_other_methods_405(case_in, login):
    case = case_in("dispatched")
    labor = login("gm_labor")
    assert labor.post(reverse("cases:case-act", args=[case.number, "delete"])).status_code == 404
    assert labor.post(reverse("cases:case-act", args=[case.number, "auto_close"])).status_code == 404
    assert labor.put(reverse("cases:case-act", args=[case.number, "sign"])).status_code == 405
    assert labor.get(reverse("cases:case-parties", args=[case.number])).status_code == 405


def test_unknown_case_number_is_404(login, demo):
    labor = login("gm_labor")
    assert labor.get(reverse("cases:case-detail", args=["高明-2026-999999"])).status_code == 404
    assert labor.post(reverse("cases:case-act", args=["高明-2026-999999", "sign"])).status_code == 404
