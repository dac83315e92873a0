"""The 研判预警 screens: the supervisor's list and a warning's page with the assessment form."""

import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:risk-list")


@pytest.fixture
def make_warning(submit_case, at):
    """``make_warning(region=…, kind=…, cases=n)``: a warning over ``n`` fresh cases of that place
    (written directly: the scan itself is tested in test_risk_scan)."""
    from routing.models import MatterType, Region
    from supervision.models import RiskWarning, RiskWarningCase

    serial = iter(range(10_000))

    def make(*, region="440608102", village="440608102201", kind="surge", cases=2, phone=None):
        n = next(serial)
        made = [
            submit_case(region=village, phone=phone or f"1370000{n:02d}{i:02d}", at=at(11, 13 + i % 5))
            for i in range(cases)
        ]
        warning = RiskWarning.objects.create(
            kind=kind,
            region=Region.objects.get(code=region),
            matter=MatterType.objects.get(code="labor"),
            window_start=at(11, 13, 0),
            window_end=at(11, 20, 0),
            count=cases,
            subject="137****0000" if kind == "frequent" else "",
            subject_key=f"k{n}",
            fingerprint=f"f{n}",
            created_at=at(11, 20, 6) + dt.timedelta(minutes=n),
        )
        RiskWarningCase.objects.bulk_create([RiskWarningCase(warning=warning, case=c) for c in made])
        return warning

    return make


def test_a_supervisor_lists_the_warnings_of_their_region(make_warning, login):
    mingcheng = make_warning()
    nanhai = make_warning(region="440605121", village="440605121201")
    page = login("gm_supervisor").get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="warning-{mingcheng.pk}"' in html and "明城镇" in html
    assert f'data-testid="warning-{nanhai.pk}"' not in html
    assert 'data-testid="count-open">1<' in html
    city = login("fs_supervisor").get(LIST).content.decode()
    assert f'data-testid="warning-{nanhai.pk}"' in city and f'data-testid="warning-{mingcheng.pk}"' in city


def test_the_list_filters_by_status_and_kind(make_warning, login, user):
    from supervision.risk.services import risk_warning_assess

    surge, frequent = make_warning(), make_warning(kind="frequent")
    risk_warning_assess(warning=surge, actor=user("gm_supervisor"), assessment="工地欠薪", measures="约谈")
    client = login("gm_supervisor")
    html = client.get(LIST, {"status": "open"}).content.decode()
    assert f"warning-{frequent.pk}" in html and f"warning-{surge.pk}" not in html
    html = client.get(LIST, {"kind": "surge"}).content.decode()
    assert f"warning-{surge.pk}" in html and f"warning-{frequent.pk}" not in html
    assert "137****0000" in client.get(LIST, {"kind": "frequent"}).content.decode()
    bad = client.get(LIST, {"status": "gone"})
    assert bad.status_code == 400
    assert "所选项不在可选范围内" in bad.content.decode() and f"warning-{surge.pk}" not in bad.content.decode()


def test_handlers_and_citizens_are_refused(make_warning, login, citizen):
    warning = make_warning()
    for who in ("gm_labor", "gm_window", citizen):
        client = login(who)
        assert client.get(LIST).status_code == 403
        assert client.get(reverse("supervision:risk-detail", args=[warning.pk])).status_code == 403
    assert (
        login("gm_labor")
        .post(reverse("supervision:risk-detail", args=[warning.pk]), {"assessment": "x", "measures": "y"})
        .status_code
        == 403
    )


def test_a_warning_of_another_region_is_not_found(make_warning, login, staff):
    warning = make_warning()
    staff("nh_supervisor", "NH-ZX", "supervisor")
    client = login("nh_supervisor")
    url = reverse("supervision:risk-detail", args=[warning.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"assessment": "研判", "measures": "措施"}).status_code == 404
    assert login("gm_supervisor").get(reverse("supervision:risk-detail", args=[999_999])).status_code == 404


def test_the_page_shows_the_cases_with_phones_masked(make_warning, login):
    warning = make_warning(kind="frequent", cases=3, phone="13912345678")
    page = login("gm_supervisor").get(reverse("supervision:risk-detail", args=[warning.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for case in warning.cases.all():
        assert f'data-testid="case-{case.number}"' in html
        assert reverse("cases:case-detail", args=[case.number]) in html
    assert "139****5678" in html and "13912345678" not in html
    assert 'data-testid="window">2026年11月13日至2026年11月19日<' in html
    assert 'name="assessment"' in html and 'name="measures"' in html


def test_the_assessment_acknowledges_and_is_kept_as_history(make_warning, login, user):
    from supervision.models import RiskWarning

    warning = make_warning()
    url = reverse("supervision:risk-detail", args=[warning.pk])
    client = login("gm_supervisor")
    done = client.post(url, {"assessment": "同一工地欠薪，存在群体风险", "measures": "约谈施工方，联合核查"})
    assert done.status_code == 302 and done["Location"] == url
    warning = RiskWarning.objects.get(pk=warning.pk)
    assert warning.status == "assessed" and warning.acknowledged_by == user("gm_supervisor")
    first_at = warning.acknowledged_at
    # the city's supervisor adds to it: the acknowledgement stays the first one's
    login("fs_supervisor").post(url, {"assessment": "已转市人社局跟进", "measures": "市级督办"})
    warning = RiskWarning.objects.get(pk=warning.pk)
    assert warning.acknowledged_by == user("gm_supervisor") and warning.acknowledged_at == first_at
    assert warning.assessment == "已转市人社局跟进"
    html = client.get(url).content.decode()
    assert html.count('data-testid="note"') == 2
    assert "同一工地欠薪，存在群体风险" in html and "市级督办" in html
    assert 'data-testid="warning-status">已研判' in html.replace("\n", "")


def test_bad_input_is_refused_in_chinese_and_kept(make_warning, login):
    from supervision.models import RiskWarning

    warning = make_warning()
    url = reverse("supervision:risk-detail", args=[warning.pk])
    client = login("gm_supervisor")
    empty = client.post(url, {"assessment": "  ", "measures": "约谈施工方"})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "请填写研判意见" in html and "约谈施工方" in html
    missing = client.post(url, {"assessment": "风险较高", "measures": ""})
    assert missing.status_code == 400 and "请填写采取的措施" in missing.content.decode()
    assert "风险较高" in missing.content.decode()
    long = client.post(url, {"assessment": "长" * 2001, "measures": "措施"})
    assert long.status_code == 400 and "内容过长" in long.content.decode()
    hostile = client.post(url, {"assessment": "<script>alert(1)</script>", "measures": "措施"})
    assert hostile.status_code == 302
    assert "<script>alert(1)</script>" not in client.get(url).content.decode()
    assert RiskWarning.objects.get(pk=warning.pk).notes.count() == 1


def test_an_admin_sees_every_warning_but_does_not_assess(make_warning, login, user):
    from accounts.services import staff_user_ensure

    warning = make_warning(region="440605121", village="440605121201")
    staff_user_ensure(
        username="risk_admin", full_name="管理员", password="x-Pass-2026", memberships=[("FS-ZX", "admin")]
    )
    client = login("risk_admin")
    assert f"warning-{warning.pk}" in client.get(LIST).content.decode()
    page = client.get(reverse("supervision:risk-detail", args=[warning.pk])).content.decode()
    assert 'data-testid="no-assess"' in page
    url = reverse("supervision:risk-detail", args=[warning.pk])
    assert client.post(url, {"assessment": "a", "measures": "b"}).status_code == 403


def test_the_list_costs_the_same_for_many_warnings(make_warning, login, django_assert_max_num_queries):
    client = login("gm_supervisor")
    make_warning(cases=1)
    client.get(LIST)  # warm the caches of the first request (session, directory)
    with django_assert_max_num_queries(12) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(8):
        make_warning(cases=1, kind="frequent")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST)
    assert page.content.decode().count('data-testid="warning-') == 9


def test_the_detail_page_costs_the_same_for_many_cases(make_warning, login, django_assert_max_num_queries):
    client = login("gm_supervisor")
    small, large = make_warning(cases=1), make_warning(cases=6)
    client.get(reverse("supervision:risk-detail", args=[small.pk]))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("supervision:risk-detail", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("supervision:risk-detail", args=[large.pk]))
    assert page.content.decode().count('data-testid="case-') == 6


def test_the_nav_and_the_message_kind(login):
    from notifications.kinds import kind_label

    assert LIST in login("gm_supervisor").get(reverse("supervision:overdue")).content.decode()
    assert kind_label("risk_warning") == "研判预警"


def test_the_supervisors_home_counts_the_warnings_awaiting_assessment(make_warning, login, user):
    from supervision.risk.services import risk_warning_assess

    make_warning()
    done = make_warning()
    risk_warning_assess(warning=done, actor=user("gm_supervisor"), assessment="已核实", measures="已约谈")
    body = login("gm_supervisor").get(reverse("home")).content.decode()
    assert 'data-testid="risk-open-count">1<' in body
    assert reverse("supervision:risk-list") + "?status=open" in body


def test_the_case_page_shows_its_warnings_to_the_supervisors_only(make_warning, login, open_case):
    warning = make_warning(cases=1)
    case = warning.cases.get()
    url = reverse("cases:case-detail", args=[case.number])
    page = login("gm_supervisor").get(url).content.decode()
    assert 'data-testid="case-risk-warnings"' in page
    assert reverse("supervision:risk-detail", args=[warning.pk]) in page
    assert 'data-testid="case-risk-warnings"' not in login("gm_window").get(url).content.decode()
    other = open_case(status="submitted")
    assert (
        'data-testid="case-risk-warnings"'
        not in login("gm_supervisor").get(reverse("cases:case-detail", args=[other.number])).content.decode()
    )
