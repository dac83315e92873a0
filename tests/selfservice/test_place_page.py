"""一码解纷: the public phone page a place's QR code opens (issue #14)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

VILLAGE = "440608102201"  # 明东村


def test_village_page_has_the_place_and_four_doors(client, demo):
    response = client.get(f"/q/{VILLAGE}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "明东村" in html and "高明区 · 明城镇 · 明东村" in html
    assert f'href="{reverse("intake:claim-submit")}?region={VILLAGE}"' in html
    assert f'href="/consult/?region={VILLAGE}"' in html
    assert f'href="/mediation/request/?region={VILLAGE}"' in html
    assert f'href="{reverse("intake:track")}"' in html
    for door in ("我要反映", "我要咨询", "申请调解", "查询进度"):
        assert door in html
    # The nearest service point above the village: the town's 综治中心.
    assert "明城镇综治中心" in html and "明城镇明二路 12 号" in html and "周一至周六" in html


@pytest.mark.parametrize("code", ["4406", "440608", "440608102"])
def test_centres_and_towns_have_a_page(client, demo, code):
    assert client.get(f"/q/{code}/").status_code == 200


@pytest.mark.parametrize("code", ["44", "440608102201001", "nosuch", "<script>"])
def test_province_grid_and_unknown_codes_are_404(client, demo, code):
    assert client.get(f"/q/{code}/").status_code == 404


def test_no_service_point_says_where_to_go(client, demo):
    from selfservice.models import ServicePoint

    ServicePoint.objects.all().delete()
    html = client.get(f"/q/{VILLAGE}/").content.decode()
    assert "请就近到诉求服务中心或综治中心窗口办理" in html


def test_place_name_is_escaped(client, demo):
    from routing.models import Region

    Region.objects.filter(code=VILLAGE).update(name="明东村<script>x</script>")
    html = client.get(f"/q/{VILLAGE}/").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_page_query_count(client, demo, django_assert_num_queries):
    with django_assert_num_queries(3):  # the place, its chain, its service point
        client.get(f"/q/{VILLAGE}/")


def test_claim_door_presets_the_region(client, demo):
    html = client.get(f"{reverse('intake:claim-submit')}?region={VILLAGE}").content.decode()
    assert f'<option value="{VILLAGE}" selected>' in html


def test_elderly_mode_applies(client, demo):
    client.cookies["yk_elderly"] = "1"
    html = client.get(f"/q/{VILLAGE}/").content.decode()
    assert "elderly.css" in html
