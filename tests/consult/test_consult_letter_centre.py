"""解纷意见书 (issue #14 review): the nearest service point's address and hours on the page and the
PDF (snapshotted at issue time), section numbers without gaps, the PDF's words through gettext."""

from __future__ import annotations

import copy
import io

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_text

from consult import pdf as consult_pdf
from consult.models import GuidanceLetter, QuestionnaireVersion
from consult.selectors import letter_sections
from consult.services import letter_issue
from routing.models import Region
from tests.consult.conftest import WAGES_MEDIATION

pytestmark = pytest.mark.django_db
TOWN = "440608101"  # 杨和镇: no service point of its own, so the district's (高明区) is the nearest


def _code(response) -> str:
    assert response.status_code == 302
    return response["Location"].rstrip("/").split("/")[-1]


def _pdf_text(client, code: str) -> str:
    response = client.get(reverse("consult:letter-pdf", args=[code]))
    assert response.status_code == 200
    return extract_text(io.BytesIO(response.content)).replace(" ", "").replace("\n", "")


def test_the_letter_gives_the_nearest_service_points_address_and_hours(client, issue):
    code = _code(issue())
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert "杨和镇综治中心" in html  # the nearest centre, as before
    assert "高明区群众诉求服务中心" in html and "佛山市高明区荷城街道文昌路 168 号" in html
    assert "办公时间" in html and "0757-12345" in html
    text = _pdf_text(client, code)
    for words in (
        "服务点：高明区群众诉求服务中心",
        "地址：佛山市高明区荷城街道文昌路168号",
        "办公时间：",
        "咨询电话：0757-12345",
    ):
        assert words in text, words


def test_a_village_gets_its_towns_service_point(client, issue):
    code = _code(issue(region="440608102201"))
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert "明城镇综治中心" in html and "明城镇明二路 12 号" in html and "周一至周六 8:30—17:30" in html


def test_the_address_is_a_snapshot(client, issue):
    from selfservice.models import ServicePoint

    code = _code(issue())
    ServicePoint.objects.filter(region__code="440608").update(address="搬到了新地址 1 号")
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert "文昌路 168 号" in html and "新地址" not in html


def test_no_region_no_service_point(client, issue):
    code = _code(issue(region="no-such-place"))
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert 'data-testid="letter-service-point"' not in html
    assert "可到所在乡镇（街道）综治中心或区群众诉求服务中心" in html


def test_an_old_letter_without_the_snapshot_still_renders(client, issue):
    code = _code(issue())
    letter = GuidanceLetter.objects.get()
    result = dict(letter.result)
    result.pop("service_point")
    GuidanceLetter.objects.filter(pk=letter.pk).update(result=result)
    assert client.get(reverse("consult:letter", args=[code])).status_code == 200
    assert "就近办理" in _pdf_text(client, code)


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        ((), "一二三四五六"),
        (("time_limits",), "一二三四五"),
        (("laws",), "一二三四五"),
        (("time_limits", "laws"), "一二三四"),
    ],
)
def test_section_numbers_never_skip(client, questionnaires, drop, expected):
    tree = copy.deepcopy(questionnaires["labor.wages"].versions.get().tree)
    for key in drop:
        tree["nodes"]["out_mediation"][key] = []
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaires["labor.wages"], number=2, tree=tree)
    letter = letter_issue(version=version, answers=WAGES_MEDIATION, region=Region.objects.get(code=TOWN))
    assert "".join(letter_sections(letter.result).values()) == expected
    html = client.get(reverse("consult:letter", args=[letter.code])).content.decode()
    text = _pdf_text(client, letter.code)
    last = expected[-1]
    assert f"{last}、就近办理" in html and f"{last}、就近办理" in text
    for numeral in expected:
        assert f"{numeral}、" in html and f"{numeral}、" in text
    missing = "一二三四五六"[len(expected) :]
    for numeral in missing:
        assert f"{numeral}、" not in text


def test_the_pdf_words_go_through_gettext(client, issue, monkeypatch):
    code = _code(issue())
    monkeypatch.setattr(consult_pdf, "_", lambda text: "译" + text)
    text = _pdf_text(client, code)
    for words in ("译建议的解决途径", "译需要准备的材料", "译您的回答", "译就近办理", "译地址：", "译核验：访问"):
        assert words in text, words
