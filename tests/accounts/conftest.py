import pytest


@pytest.fixture
def small_directory(db):
    from routing.services import directory_import

    directory_import(
        data={
            "regions": [
                {"code": "44", "name": "广东省", "level": "province"},
                {"code": "4406", "name": "佛山市", "level": "city", "parent": "44"},
                {"code": "440608", "name": "高明区", "level": "district", "parent": "4406"},
                {"code": "440608102", "name": "明城镇", "level": "town", "parent": "440608"},
                {"code": "440608102201", "name": "明东村", "level": "village", "parent": "440608102"},
                {"code": "440608102202", "name": "明西村", "level": "village", "parent": "440608102"},
            ],
            "units": [
                {"code": "GM-ZX", "name": "高明区群众诉求服务中心", "region": "440608", "roles": ["dispatch"]},
                {
                    "code": "GM-MC-ZZ",
                    "name": "明城镇综治中心",
                    "region": "440608102",
                    "roles": ["comprehensive_centre"],
                },
            ],
        }
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The SMS-code budget per client lives in the cache; no test inherits another's sends."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
