"""The region and matter trees: materialised paths, subtree prefix queries, ancestors, moves."""

import pytest

from routing.models import MatterType, Region, Unit
from routing.selectors import matter_subtree, region_ancestors, region_subtree, units_in_subtree

pytestmark = pytest.mark.django_db


def region(code, level, parent=None):
    entry = {"code": code, "name": f"区划{code}", "level": level}
    if parent:
        entry["parent"] = parent
    return entry


def matter(code, parent=None):
    entry = {"code": code, "name": f"事项{code}"}
    if parent:
        entry["parent"] = parent
    return entry


# "4406" and "44060" are siblings whose codes share a prefix; so are "labor" and "labor2".
# "4406099" starts with "4406" but lies under "44060".
TREE = {
    "regions": [
        region("44", "province"),
        region("4406", "city", "44"),
        region("44060", "city", "44"),
        region("440608", "district", "4406"),
        region("440605", "district", "4406"),
        region("4406099", "district", "44060"),
        region("440608102", "town", "440608"),
        region("440608102201", "village", "440608102"),
        region("440608102201001", "grid", "440608102201"),
        region("440608103", "town", "440608"),
    ],
    "matter_types": [
        matter("labor"),
        matter("labor.wages", "labor"),
        matter("labor.injury", "labor"),
        matter("labor2"),
        matter("labor2.x", "labor2"),
        matter("labor.wagesx"),
    ],
    "units": [
        {"code": "U-4406", "name": "市级", "region": "4406"},
        {"code": "U-44060", "name": "邻市", "region": "44060"},
        {"code": "U-4406099", "name": "邻市区县", "region": "4406099"},
        {"code": "U-VILLAGE", "name": "村级", "region": "440608102201"},
    ],
}


@pytest.fixture
def tree(directory):
    directory(TREE)


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def r(code):
    return Region.objects.get(code=code)


def m(code):
    return MatterType.objects.get(code=code)


def test_paths_and_depths_are_materialised(tree):
    assert r("44").path == "/44/"
    assert r("440608102201001").path == "/44/4406/440608/440608102/440608102201/440608102201001/"
    assert [r(c).depth for c in ("44", "4406", "440608", "440608102", "440608102201", "440608102201001")] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert m("labor.wages").path == "/labor/labor.wages/"
    assert m("labor.wages").depth == 2
    assert r("440608102201").ancestor_codes == ["44", "4406", "440608", "440608102", "440608102201"]


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("4406", ["4406", "440605", "440608", "440608102", "440608102201", "440608102201001", "440608103"]),
        ("44060", ["44060", "4406099"]),
        ("440608102", ["440608102", "440608102201", "440608102201001"]),
        ("440608102201001", ["440608102201001"]),
        ("44", [entry["code"] for entry in TREE["regions"]]),
    ],
)
def test_region_subtree_is_exactly_the_subtree(tree, root, expected):
    assert codes(region_subtree(r(root))) == sorted(expected)


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("labor", ["labor", "labor.injury", "labor.wages"]),
        ("labor.wages", ["labor.wages"]),
        ("labor2", ["labor2", "labor2.x"]),
        ("labor.wagesx", ["labor.wagesx"]),
    ],
)
def test_matter_subtree_is_exactly_the_subtree(tree, root, expected):
    assert codes(matter_subtree(m(root))) == expected


def test_units_in_subtree(tree):
    assert codes(units_in_subtree(r("4406"))) == ["U-4406", "U-VILLAGE"]
    assert codes(units_in_subtree(r("44060"))) == ["U-44060", "U-4406099"]
    assert codes(units_in_subtree(r("440608103"))) == []


def test_a_subtree_is_one_query(tree, django_assert_num_queries):
    town = r("440608102")
    with django_assert_num_queries(1):
        assert len(list(region_subtree(town))) == 3


def test_ancestors_root_first(tree):
    assert list(region_ancestors(r("440608102201001")).values_list("code", flat=True)) == [
        "44",
        "4406",
        "440608",
        "440608102",
        "440608102201",
        "440608102201001",
    ]
    assert list(region_ancestors(r("4406099")).values_list("code", flat=True)) == ["44", "44060", "4406099"]
    assert list(region_ancestors(r("44")).values_list("code", flat=True)) == ["44"]


def test_moving_a_region_moves_its_whole_subtree(tree, directory):
    # 明城镇 moves from 高明区 to 南海区: the town, its village and the village's grid all follow.
    directory({"regions": [region("440608102", "town", "440605")]})

    assert r("440608102").path == "/44/4406/440605/440608102/"
    assert r("440608102201").path == "/44/4406/440605/440608102/440608102201/"
    assert r("440608102201001").path == "/44/4406/440605/440608102/440608102201/440608102201001/"
    assert codes(region_subtree(r("440608"))) == ["440608", "440608103"]
    assert codes(region_subtree(r("440605"))) == ["440605", "440608102", "440608102201", "440608102201001"]
    assert [a.code for a in region_ancestors(r("440608102201"))] == [
        "44",
        "4406",
        "440605",
        "440608102",
        "440608102201",
    ]
    assert codes(units_in_subtree(r("440605"))) == ["U-VILLAGE"]
    # Regions outside the moved subtree keep their paths.
    assert r("440608103").path == "/44/4406/440608/440608103/"


def test_moving_a_region_to_another_depth_recomputes_depths(tree, directory):
    # The village moves up, straight under the other city (a level below a city is allowed).
    directory({"regions": [region("440608102201", "village", "44060")]})

    assert r("440608102201").path == "/44/44060/440608102201/"
    assert (r("440608102201").depth, r("440608102201001").depth) == (3, 4)
    assert codes(region_subtree(r("440608102"))) == ["440608102"]
    assert codes(region_subtree(r("44060"))) == sorted(["44060", "4406099", "440608102201", "440608102201001"])


def test_moving_a_matter_type_and_making_a_root(tree, directory):
    directory({"matter_types": [matter("labor.wages", "labor2"), matter("labor2.x")]})

    assert m("labor.wages").path == "/labor2/labor.wages/"
    assert m("labor2.x").path == "/labor2.x/"
    assert m("labor2.x").depth == 1
    assert m("labor2.x").parent is None
    assert codes(matter_subtree(m("labor"))) == ["labor", "labor.injury"]
    assert codes(matter_subtree(m("labor2"))) == ["labor.wages", "labor2"]


def test_a_new_child_of_an_existing_node(tree, directory):
    directory({"regions": [region("440608103201", "village", "440608103")]})
    assert r("440608103201").path == "/44/4406/440608/440608103/440608103201/"
    assert "440608103201" in codes(region_subtree(r("4406")))
    assert Unit.objects.count() == 4
