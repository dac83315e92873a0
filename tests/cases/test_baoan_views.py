"""包案 and 挂牌督办 on the case page (issue #15, docs/baoan.md): every permission cell of the new
actions over HTTP, the forms' bad input, the dispatcher told why the review is not theirs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import staff_user_ensure
from cases import services as s
from cases.models import Case, CaseEvent, Status
from cases.workdays import is_workday

pytestmark = pytest.mark.django_db


def workday(after=3) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def owned(case_in, user, fresh):
    def make(status="handling", plate=False):
        case = case_in(status)
        s.case_baoan_take(case=case, actor=user("gm_supervisor"), due_date=workday(), note="每周报告进展")
        if plate:
            s.case_plate_hang(case=fresh(case), actor=user("gm_supervisor"), reason="群众多次反映")
        return fresh(case)

    return make


OUTSIDERS = {
    "supervisor_out": ("CC-ZX", "supervisor"),
    "handler_other": ("GM-CGJ", "handler"),
}


@pytest.fixture
def actor(login, demo, citizen):
    """``actor(name)`` → a signed-in client for a row of the matrix."""
    logins = {
        "supervisor_in": "gm_supervisor",
        "supervisor_city": "fs_supervisor",
        "dispatcher": "gm_dispatch",
        "clerk": "gm_window",
        "handler_lead": "gm_labor",
        "handler_coop": "mc_centre",
        "mediator": "gm_mediator",
        "admin": "admin",
    }

    def make(name):
        if name == "citizen":
            return login(citizen)
        if name in OUTSIDERS:
            unit, role = OUTSIDERS[name]
            return login(
                staff_user_ensure(username=name, full_name=name, password="x-Pass-2026", memberships=[(unit, role)])
            )
        return login(logins[name])

    return make


def act_url(case, action):
    return reverse("cases:case-act", args=[case.number, action])


# (actor, expected status of GET on the action's form) for each new action --------------------------
TAKE = {
    "supervisor_in": 200,
    "supervisor_city": 200,
    "supervisor_out": 404,
    "dispatcher": 403,
    "clerk": 403,
    "handler_lead": 403,
    "handler_coop": 403,
    "handler_other": 404,
    "mediator": 404,
    "citizen": 403,
    "admin": 403,
}
# on a case owned by gm_supervisor: hang / remove are the owner's; release the owner's or an admin's
OWNER_ONLY = {**TAKE, "supervisor_city": 403}
RELEASE = {**OWNER_ONLY, "admin": 200}
# the review of an owned case (待审核): the owner's or an admin's, no longer the dispatcher's
REVIEW = {**RELEASE}


@pytest.mark.parametrize("who, code", TAKE.items())
def test_take_cells(case_in, actor, who, code):
    case = case_in("handling")
    client = actor(who)
    assert client.get(act_url(case, "baoan_take")).status_code == code
    response = client.post(act_url(case, "baoan_take"), {"due_date": workday().isoformat(), "seen": ""})
    assert response.status_code == (302 if code == 200 else code)
    owner = Case.objects.get(pk=case.pk).baoan_leader
    assert (owner is not None) == (code == 200)


@pytest.mark.parametrize("who, code", OWNER_ONLY.items())
def test_hang_cells(owned, actor, who, code):
    case = owned()
    client = actor(who)
    assert client.get(act_url(case, "plate_hang")).status_code == code
    assert client.post(act_url(case, "plate_hang"), {"reason": "挂牌"}).status_code == (302 if code == 200 else code)
    assert (Case.objects.get(pk=case.pk).plate_hung_at is not None) == (code == 200)


@pytest.mark.parametrize("who, code", OWNER_ONLY.items())
def test_remove_cells(owned, actor, who, code):
    case = owned(plate=True)
    client = actor(who)
    assert client.get(act_url(case, "plate_remove")).status_code == code
    assert client.post(act_url(case, "plate_remove"), {"reason": "已解决"}).status_code == (
        302 if code == 200 else code
    )
    assert (Case.objects.get(pk=case.pk).plate_hung_at is None) == (code == 200)


@pytest.mark.parametrize("who, code", RELEASE.items())
def test_release_cells(owned, actor, who, code):
    case = owned()
    client = actor(who)
    assert client.get(act_url(case, "baoan_release")).status_code == code
    assert client.post(act_url(case, "baoan_release"), {"reason": "工作调整"}).status_code == (
        302 if code == 200 else code
    )
    assert (Case.objects.get(pk=case.pk).baoan_leader_id is None) == (code == 200)


@pytest.mark.parametrize("who, code", REVIEW.items())
@pytest.mark.parametrize("action", ["approve", "send_back"])
def test_owner_only_review_cells(owned, actor, who, code, action):
    case = owned("reviewing")
    client = actor(who)
    assert client.get(act_url(case, action)).status_code == code
    client.post(act_url(case, action), {"reason": "请补充凭证", "note": ""})
    moved = Case.objects.get(pk=case.pk).status != Status.REVIEWING
    assert moved == (code == 200)


@pytest.mark.parametrize(
    "who, code",
    {
        "supervisor_in": 200,
        "supervisor_city": 200,
        "supervisor_out": 200,  # their own (empty) list
        "admin": 200,
        "dispatcher": 403,
        "clerk": 403,
        "handler_lead": 403,
        "handler_coop": 403,
        "mediator": 403,
        "citizen": 403,
    }.items(),
)
def test_list_cells(owned, actor, who, code):
    case = owned()
    response = actor(who).get(reverse("supervision:baoan"))
    assert response.status_code == code
    if code == 200:
        shown = case.number in response.content.decode()
        assert shown == (who in ("supervisor_in", "admin"))  # one's own; an admin sees all


def test_the_list_page_needs_a_login(client):
    response = client.get(reverse("supervision:baoan"))
    assert response.status_code == 302 and "login" in response.url


# --- forms and screens ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, words",
    [
        ("", "请填写目标办结日期"),
        ("2026-13-40", "日期格式不对"),
        ("2020-01-06", "不能早于今天"),
        ("2099-01-05", "90 天内"),
    ],
)
def test_take_form_bad_dates(case_in, login, value, words):
    case = case_in("handling")
    response = login("gm_supervisor").post(act_url(case, "baoan_take"), {"due_date": value, "note": "要求"})
    assert response.status_code == 400
    body = response.content.decode()
    assert words in body and "要求" in body  # what was typed is kept
    assert Case.objects.get(pk=case.pk).baoan_leader_id is None


def test_take_on_a_weekend_is_refused_in_words(case_in, login):
    case = case_in("handling")
    day = timezone.localdate() + dt.timedelta(days=1)
    while is_workday(day):
        day += dt.timedelta(days=1)
    response = login("gm_supervisor").post(act_url(case, "baoan_take"), {"due_date": day.isoformat()})
    assert response.status_code == 400 and "不是工作日" in response.content.decode()


def test_hang_needs_a_reason(owned, login):
    case = owned()
    response = login("gm_supervisor").post(act_url(case, "plate_hang"), {"reason": "  "})
    assert response.status_code == 400 and "请填写挂牌督办的理由" in response.content.decode()


def test_a_second_leader_is_told_who_owns_it(owned, login):
    case = owned()
    client = login("fs_supervisor")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="action-baoan_take"' not in page  # not offered
    assert "赵丽（高明区督办）包案" in page
    assert client.post(act_url(case, "baoan_take"), {"due_date": workday().isoformat()}).status_code == 403


def test_the_dispatcher_sees_why_not_the_buttons(owned, login):
    case = owned("reviewing")
    page = login("gm_dispatch").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="review-by-leader"' in page
    assert "本案由赵丽（高明区督办）包案，由包案领导审核" in page
    assert 'data-testid="action-approve"' not in page and 'data-testid="action-send_back"' not in page


def test_the_owner_sees_the_review_and_the_plate_buttons(owned, login):
    case = owned("reviewing")
    page = login("gm_supervisor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    for action in ("approve", "send_back", "plate_hang", "baoan_release"):
        assert f'data-testid="action-{action}"' in page
    assert 'data-testid="review-by-leader"' not in page


def test_the_case_page_shows_the_ownership_and_the_plate(owned, login):
    case = owned(plate=True)
    page = login("gm_labor").get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert 'data-testid="plate-badge"' in page and "挂牌督办" in page
    assert "群众多次反映" in page  # the reason in the header
    assert 'data-testid="baoan"' in page and "包案要求：每周报告进展" in page
    assert "领导包案" in page and "挂牌督办" in page  # the timeline's labels (staff)


def test_a_stale_page_cannot_hang(owned, login, act):
    case = owned()
    client = login("gm_supervisor")
    seen = client.get(reverse("cases:case-detail", args=[case.number]))
    assert seen.status_code == 200
    from cases.views import case_version

    version = case_version(Case.objects.get(pk=case.pk))
    client.post(act_url(case, "plate_hang"), {"reason": "一", "seen": version})
    client.post(act_url(case, "plate_hang"), {"reason": "二", "seen": version})  # the double submit
    assert CaseEvent.objects.filter(case=case, transition="plate_hang").count() == 1


def test_the_citizen_never_sees_baoan_events(owned, citizen, login):
    case = owned(plate=True)
    code = case.claims.first().tracking_code
    page = login(citizen).get(reverse("intake:claim-detail", args=[code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "包案" not in body and "挂牌" not in body
