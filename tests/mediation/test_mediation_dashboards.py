"""Mediation dashboards: the KPI board and its Excel export, a mediator's own figures, the mediator
directory — who may see them, that the export holds the page's figures, the scopes, and that the
number of queries does not grow with the rows. The data set is ``test_mediation_kpi``'s."""

from io import BytesIO

import pytest
import test_mediation_kpi as kpi_set
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

# The hand-computed data set and its builders, shared with test_mediation_kpi (fixtures by name).
kpi_data, mediate, staff_user = kpi_set.kpi_data, kpi_set.mediate, kpi_set.staff_user
at, PAST_DEADLINE = kpi_set.at, kpi_set.PAST_DEADLINE

BOARD, EXPORT = reverse("mediation:mediation-kpi"), reverse("mediation:mediation-kpi-export")
OWN, DIRECTORY = reverse("mediation:mediator-stats"), reverse("mediation:mediator-directory")
SEP_OCT = "?start=2026-09&end=2026-10"


def stats_of(user, username):
    return reverse("mediation:mediator-stats", args=[user(username).mediator_profile.pk])


def figures(response) -> dict:
    return {key: value for key, _name, value, _kind, _definition in response.context["figures"]}


# Who may see what ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(mediators, client, user):
    for url in (BOARD, EXPORT, OWN, stats_of(user, "gm_mediator"), DIRECTORY):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_permissions(mediators, login, user, citizen):
    from django.test import Client

    citizen_client = Client()
    citizen_client.force_login(citizen)
    other = stats_of(user, "gm_court_mediator")
    # the board and its export: supervisors, dispatchers, admins
    for url in (BOARD, EXPORT):
        assert citizen_client.get(url).status_code == 403
        for username in ("gm_labor", "gm_window", "gm_mediator"):
            assert login(username).get(url).status_code == 403, (url, username)
        for username in ("gm_supervisor", "gm_dispatch", "fs_supervisor", "admin"):
            assert login(username).get(url).status_code == 200, (url, username)
    # one's own figures: mediators only; another mediator's: board viewers only, else "not found"
    assert citizen_client.get(OWN).status_code == 403
    assert login("gm_labor").get(OWN).status_code == 403
    assert login("gm_supervisor").get(OWN).status_code == 403
    assert login("gm_mediator").get(OWN).status_code == 200
    assert login("gm_mediator").get(stats_of(user, "gm_mediator")).status_code == 200
    assert citizen_client.get(other).status_code == 404
    assert login("gm_labor").get(other).status_code == 404
    assert login("gm_mediator").get(other).status_code == 404
    assert login("gm_supervisor").get(other).status_code == 200
    assert login("gm_supervisor").get(reverse("mediation:mediator-stats", args=[999999])).status_code == 404
    # the directory: any staff role
    assert citizen_client.get(DIRECTORY).status_code == 403
    for username in ("gm_labor", "gm_window", "gm_mediator", "gm_supervisor", "admin"):
        assert login(username).get(DIRECTORY).status_code == 200, username
    # regions outside the viewer's subtree, and unknown ones
    gaoming = login("gm_supervisor")
    assert gaoming.get(BOARD + "?region=440605").status_code == 403
    assert gaoming.get(BOARD + "?region=000000").status_code == 404
    assert gaoming.get(BOARD + "?region=440608102").status_code == 200


# The board and its export -------------------------------------------------------------------------


def test_the_board(kpi_data, login, user):
    response = login("gm_supervisor").get(BOARD + SEP_OCT)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.scope.name == "高明区" and board.period.label == "2026年9月至10月"
    f = figures(response)
    assert (f["success_rate"], f["settled"], f["failed"], f["withdrawn"], f["avg_days_to_settle"]) == (
        0.6,
        3,
        2,
        2,
        8.7,
    )
    assert (f["carried_out"], f["not_carried_out"], f["pending"], f["awaiting_check"]) == (1, 1, 1, 1)
    html = response.content.decode()
    # every figure is in the HTML itself (no JavaScript needed): cards and tables
    assert 'data-testid="figure-success_rate"' in html and "60.0%" in html and "8.7" in html
    for title in ("按月份", "按调解组织", "调解员排名", "按事项"):
        assert f">{title}</h2>" in html
    assert "刘建国（高明区人民调解委员会）" in html and "高明区人民法院特邀调解组织" in html and "工伤" in html
    assert stats_of(user, "gm_mediator") + "?start=2026-09&amp;end=2026-10" in html  # the ranking links
    assert 'id="mediation-chart-data"' in html and "vendor/echarts/echarts.custom.min.js" in html
    charts = response.context["charts"]
    assert charts["trend"]["months"] == ["2026-09", "2026-10"]
    assert charts["trend"]["settled"] == [1, 2] and charts["trend"]["success_rate"] == [100.0, 50.0]
    assert EXPORT + "?start=2026-09&amp;end=2026-10" in html


def test_the_default_period_is_this_year(kpi_data, login):
    from django.utils import timezone

    today = timezone.localdate()
    period = login("gm_supervisor").get(BOARD).context["board"].period
    assert (period.first.year, period.first.month, period.last.month) == (today.year, 1, today.month)


def test_the_export_holds_the_figures_of_the_page(kpi_data, login):
    client = login("fs_supervisor")
    page = client.get(BOARD + SEP_OCT + "&region=440608")
    export = client.get(EXPORT + SEP_OCT + "&region=440608")
    assert export.status_code == 200
    assert export["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="mediation-kpi-440608-2026-09-2026-10.xlsx"' in export["Content-Disposition"]
    book = load_workbook(BytesIO(export.content))
    tables = page.context["tables"]
    assert book.sheetnames == [table.title for table in tables]
    assert book.sheetnames == ["主要指标", "按月份", "按调解组织", "调解员排名", "按事项"]
    for table in tables:
        rows = list(book[table.title].iter_rows(values_only=True))
        assert "高明区" in rows[0][0] and "2026年9月至10月" in rows[0][0]
        assert list(rows[1]) == table.headers
        assert [list(row) for row in rows[2:]] == [[value for value, _kind in row] for row in table.rows]
    summary = {row[0]: row[1] for row in book["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert summary["化解成功率"] == 0.6 and summary["平均调解用时"] == 8.7 and summary["待回访"] == 1
    ranking = list(book["调解员排名"].iter_rows(min_row=3, values_only=True))
    assert ranking[0] == (
        1,
        "刘建国（高明区人民调解委员会）",
        "高明区人民调解委员会",
        2,
        1,
        0,
        0.6667,
        10.5,
        1,
        1,
        0,
        1,
    )
    assert book["调解员排名"]["G3"].number_format == "0.0%" and book["调解员排名"]["H3"].number_format == "0.0"
    months = list(book["按月份"].iter_rows(min_row=3, values_only=True))
    assert months == [
        ("2026-09", 1, 0, 0, 1.0, 10.0, 1, 0, 0, 0),
        ("2026-10", 2, 2, 2, 0.5, 8.0, 0, 1, 1, 1),
    ]


def test_wrong_periods_are_explained_and_this_year_shown(mediators, login):
    client = login("gm_supervisor")
    for query, message in (
        ("?start=2026-13&end=2026-10", "月份格式应为"),
        ("?start=2026-10&end=2026-01", "起始月份不能晚于截止月份"),
        ("?start=2026-10", "请同时选择起始月份和截止月份"),
        ("?start=2020-01&end=2026-10", "统计区间最长 24 个月"),
    ):
        response = client.get(BOARD + query)
        assert response.status_code == 200
        assert message in response.content.decode(), query
        assert response.context["board"].period.first.month == 1


# Scopes -----------------------------------------------------------------------------------------


def test_a_mediator_sees_only_their_own(kpi_data, login):
    response = login("gm_court_mediator").get(OWN + SEP_OCT)
    assert response.status_code == 200 and response.context["is_own"]
    f = figures(response)
    assert (f["settled"], f["failed"], f["withdrawn"], f["success_rate"], f["avg_days_to_settle"]) == (
        1,
        1,
        1,
        0.5,
        5.0,
    )
    assert (f["pending"], f["carried_out"]) == (1, 0)
    html = response.content.decode()
    assert "我的调解成效" in html and "何志远" in html
    assert "刘建国" not in html and "调解员排名" not in html  # nobody else's figures
    assert [t.slug for t in response.context["tables"]] == ["summary", "trend", "matter"]


def test_a_supervisor_of_another_district_sees_none(kpi_data, login, user, staff_user):
    staff_user("nh_supervisor", "NH-ZX", "supervisor")
    client = login("nh_supervisor")
    response = client.get(BOARD + SEP_OCT)
    assert response.context["board"].scope.name == "南海区"
    f = figures(response)
    assert (f["settled"], f["failed"], f["withdrawn"], f["success_rate"], f["agreements"]) == (0, 0, 0, None, 0)
    assert "刘建国" not in response.content.decode()
    # gm_mediator's page as seen from 南海区: none of their (高明区) mediations
    assert figures(client.get(stats_of(user, "gm_mediator") + SEP_OCT))["settled"] == 0
    # … and as seen from 高明区: theirs
    assert figures(login("gm_supervisor").get(stats_of(user, "gm_mediator") + SEP_OCT))["settled"] == 2


def test_the_supervision_board_links_to_the_mediation_figures(mediators, login):
    html = login("gm_supervisor").get(reverse("supervision:kpi") + "?month=2026-10&region=440608").content.decode()
    assert reverse("mediation:mediation-kpi") + "?start=2026-10&amp;end=2026-10&amp;region=440608" in html


# The directory ----------------------------------------------------------------------------------


def names(response) -> list[str]:
    return sorted(row.profile.user.username for row in response.context["rows"])


def test_the_directory_and_its_filters(kpi_data, login):
    client = login("gm_window")
    response = client.get(DIRECTORY)
    everyone = ["fs_medical_mediator", "gm_court_mediator", "gm_lawyer", "gm_mediator", "gm_veteran"]
    assert names(response) == everyone
    loads = {row.profile.user.username: (row.load, row.profile.max_concurrent) for row in response.context["rows"]}
    assert loads["gm_veteran"] == (1, 4) and loads["gm_mediator"] == (0, 6)
    html = response.content.decode()
    assert "1 / 4" in html and "明城镇“老兵调解工作室”" in html and "品牌调解工作室" in html and "医疗纠纷" in html
    assert names(client.get(DIRECTORY + "?kind=studio")) == ["gm_veteran"]
    # a specialty: the matter itself, a type above it, or one below it
    assert names(client.get(DIRECTORY + "?matter=labor.wages")) == ["gm_court_mediator", "gm_mediator"]
    assert names(client.get(DIRECTORY + "?matter=labor")) == ["gm_court_mediator", "gm_lawyer", "gm_mediator"]
    # a region: served there, above it or below it
    assert names(client.get(DIRECTORY + "?region=440605")) == ["fs_medical_mediator"]
    assert names(client.get(DIRECTORY + "?region=440608101")) == [n for n in everyone if n != "gm_veteran"]
    assert names(client.get(DIRECTORY + "?region=440608102&kind=studio")) == ["gm_veteran"]
    assert names(client.get(DIRECTORY + "?active=0")) == []
    wrong = client.get(DIRECTORY + "?matter=nonsense")
    assert "没有这个事项类型" in wrong.content.decode() and names(wrong) == everyone


# Query counts: fixed, whatever the number of rows ---------------------------------------------------

# session, user, memberships; the region choices; by month, by mediator, by matter (mediations
# and agreements each) and the names of the top-level matters; the header's bell (unread messages)
BOARD_QUERIES = 12
# session, user, own profile; the seven grouped reads (see BOARD_QUERIES); memberships (the menu);
# the bell
OWN_QUERIES = 12
# session, user, memberships; matter and region choices; count and page of profiles, their
# specialties and regions; the loads; the bell
DIRECTORY_QUERIES = 11


def _more_rows(mediate, staff_user, mediators):
    """More mediations, agreements, mediators and matters than before."""
    from mediation.services import mediator_profile_save
    from routing.models import Region, Unit

    for n in range(3):
        person = staff_user(f"extra_mediator_{n}", "GM-TWH", "mediator")
        mediator_profile_save(
            user=person,
            organisation=f"新增调解组织{n}",
            organisation_kind="studio",
            unit=Unit.objects.get(code="GM-TWH"),
            specialties=[],
            regions=[Region.objects.get(code="440608")],
        )
    mediate("settled", "gm_lawyer", at(10, 3), at(10, 9), agreements=[("carried_out", PAST_DEADLINE)] * 3)
    mediate(
        "settled",
        "extra_mediator_0",
        at(9, 3),
        at(9, 9),
        matter="labor.injury",
        agreements=[("pending", PAST_DEADLINE)],
    )
    mediate("failed", "extra_mediator_1", at(9, 4), at(10, 9), matter="labor.contract")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_rows(
    kpi_data, mediate, staff_user, mediators, login, django_assert_num_queries
):
    supervisor, mediator, window = login("gm_supervisor"), login("gm_mediator"), login("gm_window")
    pages = [
        (supervisor, BOARD + SEP_OCT, BOARD_QUERIES),
        (supervisor, EXPORT + SEP_OCT, BOARD_QUERIES - 1),  # a file: no page, so no bell
        (mediator, OWN + SEP_OCT, OWN_QUERIES),
        (window, DIRECTORY, DIRECTORY_QUERIES),
    ]
    for client, url, expected in pages:
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
    board = supervisor.get(BOARD + SEP_OCT).context["board"]
    assert len(board.by_mediator) == 3 and len(board.by_matter) == 3

    _more_rows(mediate, staff_user, mediators)
    board = supervisor.get(BOARD + SEP_OCT).context["board"]
    assert len(board.by_mediator) == 6 and len(board.by_matter) == 4 and board.totals.agreements == 8
    assert len(window.get(DIRECTORY).context["rows"]) == 8
    for client, url, expected in pages:
        assert _count(client, url) == expected, url
