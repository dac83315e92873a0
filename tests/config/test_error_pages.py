"""With DEBUG off, error pages speak Chinese and look like the portal (not Django's English text)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import path

from config.urls import urlpatterns as portal_urls

pytestmark = pytest.mark.django_db


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("forbidden/", _forbidden), path("broken/", _broken), *portal_urls]


def test_an_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "返回首页" in body


@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_is_a_chinese_403(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_is_a_plain_chinese_500_without_details(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统繁忙" in body
    assert "boom" not in body and "Traceback" not in body
