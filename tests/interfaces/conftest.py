"""Builders for the interfaces tests: API keys made through the service."""

import pytest


@pytest.fixture
def api_key(demo):
    """``api_key(scopes=["open311"], region="440608", rate=None)`` → (ApiKey, raw key)."""
    from interfaces.services import api_key_create
    from routing.models import Region

    def make(scopes=("open311",), region=None, rate=None, partner="测试合作方"):
        area = Region.objects.get(code=region) if region else None
        return api_key_create(partner=partner, scopes=list(scopes), region=area, rate_per_minute=rate)

    return make
