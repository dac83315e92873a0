"""Every admin page an administrator uses renders (with the demo directory and a case)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from demo.cases import load_demo_cases

pytestmark = pytest.mark.django_db


def test_every_changelist_and_add_page_renders(client, demo):
    load_demo_cases(count=12)
    assert client.login(username="admin", password="Yikouban@2026")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(_request(client)):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_admin_search_and_tree_filter(client, demo):
    assert client.login(username="admin", password="Yikouban@2026")
    page = client.get(reverse("admin:routing_region_changelist"), {"q": "明东"}).content.decode()
    assert "明东村" in page
    page = client.get(reverse("admin:routing_unit_changelist"), {"within": "440608102"}).content.decode()
    assert "明城镇综治中心" in page and "CC-ZX" not in page and "GM-RSJ" not in page


def _request(client):
    from django.test import RequestFactory

    from accounts.models import User

    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin")
    return request
