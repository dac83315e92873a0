"""The knowledge base's laws on a consult letter are copied into the letter when it is issued
(issue #14 review): an article edited afterwards does not change the letter, the PDF carries them,
the section is numbered, and a letter issued before the snapshot existed still shows them live."""

import io

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_text

pytestmark = pytest.mark.django_db
ANSWERS = {"still_working": "working", "asked": "refused", "workers": "few", "contract": "signed"}


@pytest.fixture
def issued(client, demo):
    from consult.models import GuidanceLetter, Questionnaire
    from demo.consult import load_demo_questionnaires
    from demo.kb import load_demo_articles

    load_demo_questionnaires()
    load_demo_articles()
    version = Questionnaire.objects.get(matter__code="labor.wages").versions.order_by("-number").first()
    data = {"v": version.number, "region": "440608101", **{f"a_{k}": v for k, v in ANSWERS.items()}}
    response = client.post(reverse("consult:letter-create", args=["labor.wages"]), data)
    assert response.status_code == 302
    return GuidanceLetter.objects.latest("id")


def _kb_part(client, letter) -> str:
    html = client.get(reverse("consult:letter", args=[letter.code])).content.decode()
    return html[html.index('data-testid="letter-kb-laws"') : html.index("</section>", html.index("letter-kb-laws"))]


def test_the_kb_laws_are_a_snapshot(client, issued):
    from kb.models import Article

    kb_laws = issued.result["kb_laws"]
    assert any(law["article"] == "第三十条" for law in kb_laws)
    law = next(law for law in kb_laws if law["article"] == "第三十条")
    before = _kb_part(client, issued)
    assert "第三十条" in before and law["title"] in before
    Article.objects.filter(pk=law["pk"]).update(title="改过的标题", law_article="第九十九条")
    after = _kb_part(client, issued)
    assert after == before and "改过的标题" not in after and "第九十九条" not in after


def test_the_kb_laws_section_is_numbered_and_in_the_pdf(client, issued):
    from consult.selectors import letter_sections

    n = letter_sections(issued.result)
    assert n["kb_laws"] and list(n).index("kb_laws") == list(n).index("centre") - 1
    assert f"{n['kb_laws']}、相关法律规定" in _kb_part(client, issued)
    response = client.get(reverse("consult:letter-pdf", args=[issued.code]))
    text = extract_text(io.BytesIO(response.content)).replace(" ", "").replace("\n", "")
    assert "相关法律规定（补充）" in text and "第三十条" in text


def test_an_old_letter_without_the_snapshot_still_shows_the_kb_laws(client, issued):
    result = dict(issued.result)
    del result["kb_laws"]
    type(issued).objects.filter(pk=issued.pk).update(result=result)
    assert "第三十条" in _kb_part(client, issued)
    assert client.get(reverse("consult:letter-pdf", args=[issued.code])).status_code == 200


def test_an_article_for_another_region_is_left_out(client, demo):
    from consult.models import GuidanceLetter, Questionnaire
    from demo.consult import load_demo_questionnaires
    from demo.kb import load_demo_articles
    from kb.models import Article
    from routing.models import Region

    load_demo_questionnaires()
    load_demo_articles()
    article = Article.objects.get(law_article="第三十条", law_name__contains="劳动合同法")
    article.regions.set([Region.objects.get(code="440604")])  # 禅城区 only
    version = Questionnaire.objects.get(matter__code="labor.wages").versions.order_by("-number").first()
    data = {"v": version.number, "region": "440608101", **{f"a_{k}": v for k, v in ANSWERS.items()}}
    assert client.post(reverse("consult:letter-create", args=["labor.wages"]), data).status_code == 302
    kb_laws = GuidanceLetter.objects.latest("id").result["kb_laws"]
    assert article.pk not in [law["pk"] for law in kb_laws]
