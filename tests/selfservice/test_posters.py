"""一码解纷 posters: who may print them, and what the PDF says (read back with pdfminer)."""

import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pdfminer.high_level import extract_pages, extract_text

pytestmark = pytest.mark.django_db

VILLAGE = "440608102201"  # 明东村, under 明城镇 (440608102), under 高明区 (440608)
OTHER_DISTRICT_VILLAGE = "440604010001"  # 普君社区, 禅城区


def poster_url(code):
    return reverse("selfservice:poster", args=[code])


def posters_url(code):
    return reverse("selfservice:posters", args=[code])


def pdf_text(response) -> str:
    """The PDF's text without line breaks (a long name wraps)."""
    return extract_text(BytesIO(response.content)).replace("\n", "")


def test_poster_is_an_a4_page_with_the_place_the_doors_and_the_service_point(login, settings):
    settings.PUBLIC_BASE_URL = "https://yikouban.example.gov.cn"
    response = login("gm_dispatch").get(poster_url(VILLAGE))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"poster-{VILLAGE}.pdf" in response["Content-Disposition"]
    text = pdf_text(response)
    assert re.search(r"高明区\s+明城镇\s+明东村", text)
    for words in ("一码解纷", "明东村", "我要反映", "我要咨询", "申请调解", "查询进度"):
        assert words in text
    assert "明城镇综治中心" in text and "明城镇明二路 12 号" in text and "周一至周六" in text
    assert f"https://yikouban.example.gov.cn/q/{VILLAGE}/" in text
    pages = list(extract_pages(BytesIO(response.content)))
    assert len(pages) == 1
    assert (round(pages[0].width), round(pages[0].height)) == (595, 842)  # A4 in points


def test_qr_code_encodes_the_place_url(settings):
    import segno

    from routing.models import Region
    from selfservice.posters import QrCode, place_url

    settings.PUBLIC_BASE_URL = "https://yikouban.example.gov.cn"
    region = Region(code=VILLAGE, name="明东村")
    assert place_url(region) == f"https://yikouban.example.gov.cn/q/{VILLAGE}/"
    flowable = QrCode(place_url(region), 100)
    assert flowable.qr == segno.make(place_url(region), error="m", micro=False)


def district_pdf(client, code, capture):
    """整区打印 as a person does it: ask, the q2 task builds it (synchronously here), download."""
    with capture(execute=True):
        asked = client.post(posters_url(code))
    assert asked.status_code == 302
    page = client.get(asked["Location"])
    assert page.status_code == 200 and page.context["batch"].state == "done"
    response = client.get(reverse("selfservice:poster-batch-download", args=[page.context["batch"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return BytesIO(b"".join(response.streaming_content))


def test_district_pdf_has_one_page_per_place(login, django_capture_on_commit_callbacks):
    from routing.models import Region

    content = district_pdf(login("gm_dispatch"), "440608102", django_capture_on_commit_callbacks)
    text = extract_text(content).replace("\n", "")
    places = Region.objects.filter(path__startswith="/44/4406/440608/440608102/", level__in=["town", "village"])
    assert text.count("一码解纷二维码") == 0  # the title is metadata, not printed
    assert text.count("用手机微信或浏览器扫描二维码") == places.count()
    for region in places:
        assert region.name in text


def test_untrusted_text_is_escaped_in_the_pdf(login):
    from routing.models import Region
    from selfservice.models import ServicePoint

    Region.objects.filter(code=VILLAGE).update(name="明东村<b>&amp;<unclosed")
    ServicePoint.objects.filter(region__code="440608102").update(address="<img src='/etc/passwd'/>明二路")
    response = login("mc_centre").get(poster_url(VILLAGE))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "明东村<b>&amp;<unclosed" in text and "<img src='/etc/passwd'/>明二路" in text


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("admin", OTHER_DISTRICT_VILLAGE, 200),  # a superuser: everywhere
        ("gm_dispatch", VILLAGE, 200),  # 高明区 centre staff: their district
        ("gm_dispatch", "440608", 200),
        ("gm_dispatch", OTHER_DISTRICT_VILLAGE, 404),  # another district: as if unknown
        ("mc_centre", VILLAGE, 200),  # 明城镇综治中心: their town
        ("mc_centre", "440608", 404),  # not the district above
        ("gm_dispatch", "nosuch", 404),
        ("gm_dispatch", "440608102201001", 404),  # a grid has no poster
        ("gm_labor", VILLAGE, 403),  # a handling department is not a centre
        ("md_grid", VILLAGE, 403),
    ],
)
def test_who_may_print(login, username, code, status):
    assert login(username).get(poster_url(code)).status_code == status
    assert login(username).get(posters_url(code)).status_code == status


def test_citizen_is_refused_with_a_reason(login, citizen):
    response = login(citizen).get(poster_url(VILLAGE))
    assert response.status_code == 403 and "仅限系统管理员" in response.content.decode()
    assert login(citizen).get(reverse("selfservice:poster-list")).status_code == 403


def test_anonymous_is_sent_to_login(client, demo):
    for url in (poster_url(VILLAGE), posters_url("440608"), reverse("selfservice:poster-list")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_poster_list_shows_only_the_users_area(login):
    html = login("mc_centre").get(reverse("selfservice:poster-list")).content.decode()
    assert "明东村" in html and "明城镇" in html and poster_url(VILLAGE) in html
    assert "普君社区" not in html and posters_url("440608") not in html
    assert posters_url("440608102") in html  # the town's 整区打印


def test_poster_list_query_count_does_not_grow_with_places(login):
    def count(username):
        client = login(username)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("selfservice:poster-list"))
        assert response.status_code == 200
        return len(response.context["rows"]), len(ctx)

    few_rows, few_queries = count("mc_centre")
    many_rows, many_queries = count("gm_dispatch")
    assert many_rows > few_rows
    assert many_queries == few_queries


def test_district_page_query_count_does_not_grow_with_places(login):
    def count(code):
        client = login("admin")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(posters_url(code)).status_code == 200
        return len(ctx)

    assert count("440608102") == count("440608")


def test_dispatchers_and_admins_find_the_posters_in_the_menu(login):
    assert reverse("selfservice:poster-list") in login("gm_dispatch").get("/").content.decode()
    assert reverse("selfservice:poster-list") not in login("gm_labor").get("/").content.decode()


def test_every_demo_place_has_a_service_point_with_address_and_hours(login):
    """The demo loader (demo.places via load_demo) gives every poster an address and hours: a town
    without a 综治中心 of its own names its district's 群众诉求服务中心."""
    from routing.models import Region
    from selfservice.selectors import QR_LEVELS, service_points_for

    places = list(Region.objects.filter(level__in=QR_LEVELS))
    points = service_points_for(places)
    assert places and all(points[p.code].address and points[p.code].hours for p in places)
    text = pdf_text(login("gm_dispatch").get(poster_url("440608101")))  # 杨和镇: no point of its own
    assert "杨和镇" in text and "高明区群众诉求服务中心" in text
    assert "荷城街道文昌路 168 号" in text and "周一至周五 8:30" in text
    assert "请就近到" not in text
