"""A service point with a long address, hours and phone still prints on one A4 page."""

from io import BytesIO

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_pages, extract_text

pytestmark = pytest.mark.django_db
VILLAGE = "440608102201"  # 明东村: its poster shows 明城镇综治中心


def test_a_200_character_address_keeps_the_poster_on_one_page(login):
    from selfservice.models import ServicePoint

    address = ("明城镇明二路十二号综合服务大楼一层东侧大厅" * 10)[:200]
    hours = ("周一至周六 8:30—12:00，14:30—17:30，节假日另行通知" * 6)[:200]
    ServicePoint.objects.filter(region__code="440608102").update(address=address, hours=hours)
    response = login("gm_dispatch").get(reverse("selfservice:poster", args=[VILLAGE]))
    assert response.status_code == 200
    assert len(list(extract_pages(BytesIO(response.content)))) == 1
    text = extract_text(BytesIO(response.content)).replace("\n", "").replace(" ", "")
    assert "明城镇明二路十二号" in text and "一码解纷" in text
