"""Every Excel and PDF the supervisors and mediation boards produce, with hostile names and texts
(issue #19.1, #19.2): no cell written from user text is a formula, and the PDF renders with the
markup read back as literal text. Driven through the URLs, as a user downloads them."""

import datetime as dt
from io import BytesIO

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from accounts.models import User
from cases import services as cs
from cases.models import Case
from intake.services import claim_submit
from routing.models import MatterType, Region, Unit
from supervision.services import warnings_sweep

pytestmark = pytest.mark.django_db

#: OWASP's formula triggers: =, +, -, @, tab, carriage return.
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]
PLACE = "440608102201"  # 明东村, 高明区


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _name_everything(prefix: str) -> None:
    """Matters of labour, every region of 高明区 and every unit named ``prefix`` + their code."""
    name = Concat(Value(prefix), F("code"))
    MatterType.objects.filter(code__in=["labor", "labor.wages"]).update(name=name)
    Region.objects.filter(path__startswith=Region.objects.get(code="440608").path).update(name=name)
    Unit.objects.update(name=name)


def _overdue_case(description: str) -> Case:
    """A web claim registered 20 days ago, accepted and signed by 高明区人社局: red (overdue)."""
    at = timezone.now() - dt.timedelta(days=20)
    claim, _created = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code=PLACE),
        description=description,
        contact_name="夏志明",
        contact_phone="13800138000",
        submitter=User.objects.get(phone="13800138000"),
        at=at,
    )
    cs.case_accept(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_window"), at=at)
    cs.case_sign(case=Case.objects.get(pk=claim.case_id), actor=User.objects.get(username="gm_labor"), at=at)
    warnings_sweep(now=timezone.now())
    return Case.objects.select_related("matter").get(pk=claim.case_id)


def _cells(content: bytes) -> list:
    book = load_workbook(BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_neutralised(content: bytes, payload: str, expected: list[str]) -> None:
    """No formula cell anywhere; each of ``expected`` (a text written as a whole cell, or a prefix
    ending in "…") is there with the leading quote. XML reads a carriage return back as \\n."""
    cells = _cells(content)
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value.replace("\r", "\n") for c in cells if isinstance(c.value, str)]
    assert all(not t.startswith(("=", "+", "-", "@", "\t", "\n")) for t in texts)
    for want in expected:
        want = ("'" + want).replace("\r", "\n")
        if want.endswith("…"):
            assert any(t.startswith(want[:-1]) for t in texts), (want, texts)
        else:
            assert want in texts, (want, texts)


@pytest.mark.parametrize("payload", HOSTILE, ids=["hyperlink", "plus", "minus", "at", "tab", "cr"])
def test_no_export_writes_a_formula(demo, mediators, payload):
    _name_everything(payload)
    case = _overdue_case(payload + " 老板拖欠三个月工资")
    assert case.title.startswith(payload.strip())  # (a title loses its leading blanks, "=1" stays)
    unit, matter = payload + case.lead_unit.code, payload + "labor.wages"

    supervisor = _client("gm_supervisor")
    response = supervisor.get(reverse("supervision:overdue-export"))
    assert response.status_code == 200
    _assert_neutralised(response.content, payload, [case.title, unit, matter, payload + "…"])

    today = timezone.localdate()
    query = {"start": today - dt.timedelta(days=40), "end": today}
    response = supervisor.get(reverse("supervision:kpi-export"), query)
    assert response.status_code == 200
    # 按事项大类 (top-level matter), 按地区 (the towns of 高明区), 承办单位排名 (the signing unit)
    _assert_neutralised(response.content, payload, [payload + "labor", payload + "440608…", unit])

    _mediation_failed(case, payload)
    response = _client("gm_supervisor").get(reverse("mediation:mediation-kpi-export"))
    assert response.status_code == 200
    # 调解员排名 (name, organisation), 按调解组织, 按事项 (top-level and leaf matters)
    _assert_neutralised(
        response.content, payload, [payload + " 调解员", payload + " 调解委员会", payload + "labor", matter]
    )


def _mediation_failed(case: Case, payload: str) -> None:
    """The case goes to mediation (gm_mediator, renamed) and the mediation fails today."""
    from mediation import services as ms

    labor, dispatch = User.objects.get(username="gm_labor"), User.objects.get(username="gm_dispatch")
    mediator = User.objects.get(username="gm_mediator")
    User.objects.filter(pk=mediator.pk).update(full_name=payload + " 调解员")
    type(mediator.mediator_profile).objects.filter(user=mediator).update(organisation=payload + " 调解委员会")
    mediator.refresh_from_db()
    m = ms.mediation_request(case=case, actor=labor, note="双方同意调解。")
    ms.mediation_assign(mediation=type(m).objects.get(pk=m.pk), actor=dispatch, mediator=mediator.mediator_profile)
    ms.mediation_accept(mediation=type(m).objects.get(pk=m.pk), actor=mediator, no_conflict=True)
    ms.mediation_fail(
        mediation=type(m).objects.get(pk=m.pk), actor=mediator, reason="双方分歧过大", next_step="litigation"
    )


@pytest.mark.parametrize(
    "description",
    ["<unclosed 拖欠工资", '<img src="/etc/passwd"/>'],
    ids=["unclosed", "img"],
)
def test_the_monthly_report_renders_hostile_text_as_text(demo, description):
    _name_everything("<b>&")
    case = _overdue_case(description)
    response = _client("gm_supervisor").get(reverse("supervision:monthly-report"), {"region": "440608"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    compact = "".join(extract_text(BytesIO(response.content)).split())
    assert "".join(description.split()) in compact  # the title of the overdue case
    assert "<b>&" + case.lead_unit.code in compact  # its unit
    assert "<b>&440608" in compact  # the report's region (and its towns)
