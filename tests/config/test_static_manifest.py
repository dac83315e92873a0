"""Every static file a page names exists under the production storage (WhiteNoise's compressed
manifest): `collectstatic` succeeds, and the pages render with hashed names and .gz/.br copies.
Tests otherwise use the plain storage, where a missing file would only fail in production."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_and_pages_under_the_manifest_storage(tmp_path, client, user):
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert list(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css.br"))
        assert list(tmp_path.glob("vendor/echarts/echarts.custom.min.*.js.gz"))
        client.force_login(user("fs_supervisor"))
        for path in ("/", "/supervision/kpi/", "/mediation/kpi/", "/accounts/login/"):
            response = client.get(path)
            assert response.status_code in (200, 302), path
        html = client.get("/supervision/kpi/").content.decode()
        assert "/static/vendor/echarts/echarts.custom.min." in html and "echarts.custom.min.js" not in html
