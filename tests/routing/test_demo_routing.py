"""The shipped demo city (demo/city.yaml) routes realistic claims sensibly."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from routing.dispatch import DirectoryIndex

pytestmark = pytest.mark.django_db

DEMO_CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"


@pytest.fixture
def demo_city():
    call_command("import_directory", str(DEMO_CITY), stdout=StringIO())


@pytest.fixture(scope="module")
def demo_index(django_db_setup, django_db_blocker):
    """The dispatcher's in-memory index of the demo city, imported once (and rolled back) per module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("import_directory", str(DEMO_CITY), stdout=StringIO())
        index = DirectoryIndex.build()
        transaction.set_rollback(True)
    return index


def claim_case(case_id, matter, region, lead, cooperating, rule, *, parties=1, channel="web", queue=False, explain=()):
    return pytest.param(
        {"matter": matter, "region": region, "parties": parties, "channel": channel},
        {"lead": lead, "cooperating": cooperating, "rule": rule, "queue": queue},
        list(explain),
        id=case_id,
    )


DEMO_CLAIMS = [
    claim_case(
        # 高明区 override (deeper region) beats the city-wide rule; the retired GM-MC-NLY has a lower code.
        "mingdong-livestock",
        "neighbour.livestock",
        "440608102201",
        "GM-MC-NYB",
        ["GM-MC-MD", "GM-MC-ZZ"],
        "neighbour-livestock-gaoming",
        explain=["在 明城镇（440608102） 找到 明城镇农业农村办（GM-MC-NYB）"],
    ),
    claim_case(
        "group-wages-to-the-city",
        "labor.wages",
        "440605124201",
        "FS-RSJ",
        ["NH-RSJ", "NH-SS-ZZ"],
        "labor-wages-group",
        parties=12,
        channel="hotline",
    ),
    claim_case(
        "single-wages-to-the-district",
        "labor.wages",
        "440608101201",
        "GM-RSJ",
        ["GM-YH-ZZ"],
        "labor-wages",
        parties=9,
    ),
    claim_case(
        "student-outside-gaoming-goes-to-the-queue",
        "student.campus",
        "440604010001",
        "CC-ZX",
        [],
        None,
        queue=True,
        explain=["转入人工分派：禅城区（440604） 的调度中心"],
    ),
    claim_case(
        "student-in-gaoming",
        "student.bullying",
        "440608001001001",
        "GM-JYJ",
        ["GM-HC-ZZ"],
        "student-gaoming",
    ),
    claim_case(
        # 禅城区 has no agriculture office anywhere above: the co-op target is skipped and noted.
        "chancheng-livestock-skips-agriculture",
        "neighbour.livestock",
        "440604100201",
        "CC-NZ-ZZ",
        ["CC-NZ-LG"],
        "neighbour-livestock",
        explain=["协办目标跳过：乡镇街道级“农业农村”"],
    ),
    claim_case(
        # land-contract's lead (agriculture) cannot be resolved in 禅城区: fall through to land-general.
        "chancheng-land-contract-falls-through",
        "land.contract",
        "440604012201",
        "CC-ZRZY",
        ["CC-ZC-ZZ"],
        "land-general",
        explain=["规则 land-contract 的主办目标无法确定"],
    ),
    claim_case(
        "family-referral-from-a-court",
        "family.marriage",
        "440608103201",
        "GM-TWH",
        ["GM-FY"],
        "family-referral",
        channel="referral",
    ),
    claim_case(
        "family-violence-beats-referral",
        "family.violence",
        "440608103201",
        "GM-GAJ",
        ["GM-GH-ZZ", "GM-GH-HS"],
        "family-violence",
        channel="referral",
    ),
    claim_case(
        "grid-report-of-a-broken-road",
        "urban.roads",
        "440608102201001",
        "GM-CGJ",
        ["GM-MC-MD-W1"],
        "urban-roads-grid",
        channel="grid",
    ),
    claim_case(
        "town-labor-office-else-district",
        "labor.contract",
        "440605124002",
        "NH-SS-LDS",
        ["NH-SS-ZZ"],
        "labor-general",
    ),
]


@pytest.mark.parametrize(("claim", "expected", "explain"), DEMO_CLAIMS)
def test_demo_claims(demo_index, claim, expected, explain):
    decision = demo_index.decide(**claim)
    got = {"lead": decision.lead, "cooperating": decision.cooperating, "rule": decision.rule, "queue": decision.queue}
    assert got == expected, "\n".join(decision.explanation)
    text = "\n".join(decision.explanation)
    for fragment in explain:
        assert fragment in text, f"{fragment!r} not in:\n{text}"


def test_route_command_on_the_demo_city(demo_city, tmp_path):
    claims = [
        {"ref": "A-1", "matter": "neighbour.livestock", "region": "440608102201"},
        {"ref": "A-2", "matter": "labor.wages", "region": "440605124201", "parties": 12},
        {"ref": "A-3", "matter": "student.campus", "region": "440604010001", "channel": "window"},
    ]
    path = tmp_path / "demo.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in claims) + "\n", encoding="utf-8")
    out = StringIO()

    call_command("route", str(path), stdout=out)

    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["ref"], r["lead"], r["rule"], r["queue"]) for r in results] == [
        ("A-1", "GM-MC-NYB", "neighbour-livestock-gaoming", False),
        ("A-2", "FS-RSJ", "labor-wages-group", False),
        ("A-3", "CC-ZX", None, True),
    ]
