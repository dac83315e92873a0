"""The letter as a PDF (read back with pdfminer), and versioning: a questionnaire edited in the
admin after a letter was issued leaves that letter — page and PDF — exactly as it was."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.urls import reverse
from pdfminer.high_level import extract_text

from consult.models import GuidanceLetter, Questionnaire, QuestionnaireVersion
from consult.services import letter_issue
from tests.consult.conftest import WAGES_MEDIATION

pytestmark = pytest.mark.django_db


def _pdf_text(client, code: str) -> str:
    response = client.get(reverse("consult:letter-pdf", args=[code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return extract_text(io.BytesIO(response.content)).replace(" ", "")


def _article(client, code: str) -> str:
    """The letter itself (the page around it carries a per-request nonce and token)."""
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    return html[html.index("<article") : html.index("</article>")]


def _code(response) -> str:
    assert response.status_code == 302
    return response["Location"].rstrip("/").split("/")[-1]


def test_the_pdf_reads_back_in_chinese(client, issue):
    code = _code(issue())
    text = _pdf_text(client, code)
    for expected in (
        "拖欠工资解纷意见书",
        f"验证码：{code}",
        "先申请调解，调不成再申请劳动仲裁",
        "需要准备的材料",
        "《劳动争议调解仲裁法》第二十七条",
        "杨和镇综治中心",
        "您的回答",
        "/consult/verify/",
    ):
        assert expected in text, expected


def test_hostile_text_in_a_tree_is_escaped_in_the_pdf(client, questionnaires, admin_client_):
    tree = copy.deepcopy(questionnaires["labor.wages"].versions.get().tree)
    tree["nodes"]["out_mediation"]["title"] = '<img src="/etc/passwd"/> & <b>先调解'
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaires["labor.wages"], number=2, tree=tree)
    letter = letter_issue(version=version, answers=WAGES_MEDIATION, region=None)
    text = _pdf_text(client, letter.code)
    assert '<imgsrc="/etc/passwd"/>&<b>先调解' in text


@pytest.fixture
def admin_client_(client, demo):
    assert client.login(username="admin", password="Yikouban@2026")
    return client


def _admin_post(client, questionnaire: Questionnaire, tree) -> object:
    url = reverse("admin:consult_questionnaire_change", args=[questionnaire.pk])
    data = {
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "active": "on",
        "sort_order": questionnaire.sort_order,
        "tree": tree if isinstance(tree, str) else json.dumps(tree, ensure_ascii=False),
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": str(questionnaire.versions.order_by("-number").first().pk),
        "versions-0-questionnaire": str(questionnaire.pk),
    }
    return client.post(url, data)


def test_editing_after_a_letter_makes_a_new_version_and_the_old_letter_reads_the_same(
    admin_client_, issue, questionnaires
):
    client = admin_client_
    code = _code(issue())
    letter = GuidanceLetter.objects.get()
    page_before = _article(client, code)
    pdf_before = client.get(reverse("consult:letter-pdf", args=[code])).content

    wages = questionnaires["labor.wages"]
    tree = copy.deepcopy(wages.versions.get().tree)
    tree["nodes"]["out_mediation"]["title"] = "改过的建议"
    tree["nodes"]["contract"]["text"] = "改过的问题？"
    response = _admin_post(client, wages, tree)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(wages.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert QuestionnaireVersion.objects.get(questionnaire=wages, number=1).tree != tree

    letter.refresh_from_db()
    assert letter.version.number == 1
    page_after = _article(client, code)
    assert page_after == page_before and "改过的建议" not in page_after
    assert client.get(reverse("consult:letter-pdf", args=[code])).content == pdf_before

    new_code = _code(issue())  # a new letter follows the new version
    assert "改过的建议" in client.get(reverse("consult:letter", args=[new_code])).content.decode()
    assert GuidanceLetter.objects.get(code=new_code).version.number == 2


def test_an_old_version_can_still_be_walked_to_its_letter(issue, questionnaires, admin_client_):
    wages = questionnaires["labor.wages"]
    tree = copy.deepcopy(wages.versions.get().tree)
    tree["nodes"]["out_mediation"]["title"] = "第二版"
    assert _admin_post(admin_client_, wages, tree).status_code == 302
    code = _code(issue(version=1))  # a page opened before the edit
    assert GuidanceLetter.objects.get(code=code).result["headline"] == "先申请调解，调不成再申请劳动仲裁"


def test_saving_an_unchanged_tree_adds_no_version(admin_client_, questionnaires):
    wages = questionnaires["labor.wages"]
    assert _admin_post(admin_client_, wages, wages.versions.get().tree).status_code == 302
    assert wages.versions.count() == 1


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t["nodes"]["asked"]["options"][0].update(next="gone"), "指向的节点“gone”不存在"),
        (lambda t: t["nodes"]["contract"]["options"][0].update(next="asked"), "绕成了一个圈"),
        (
            lambda t: t["nodes"]["workers"]["options"][1].update(next="contract"),
            "结论“out_inspection”没有任何选项通向它",
        ),
    ],
)
def test_a_broken_tree_is_refused_in_the_admin_in_chinese(admin_client_, questionnaires, edit, message):
    wages = questionnaires["labor.wages"]
    tree = copy.deepcopy(wages.versions.get().tree)
    edit(tree)
    response = _admin_post(admin_client_, wages, tree)
    assert response.status_code == 200 and message in response.content.decode()
    assert wages.versions.count() == 1


def test_bad_json_is_refused_in_the_admin(admin_client_, questionnaires):
    wages = questionnaires["labor.wages"]
    response = _admin_post(admin_client_, wages, '{"start": "a",')
    assert response.status_code == 200 and "不是有效的 JSON" in response.content.decode()


def test_a_questionnaire_is_added_in_the_admin_for_mediable_matters_only(admin_client_, questionnaires):
    from routing.models import MatterType

    tree = questionnaires["labor.wages"].versions.get().tree
    url = reverse("admin:consult_questionnaire_add")
    data = {"title": "噪音", "intro": "", "active": "on", "sort_order": 5, "tree": json.dumps(tree)}
    data.update({"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"})
    refused = admin_client_.post(url, {**data, "matter": MatterType.objects.get(code="labor.social_insurance").pk})
    assert refused.status_code == 200
    noise = MatterType.objects.get(code="neighbour.noise")
    assert admin_client_.post(url, {**data, "matter": noise.pk}).status_code == 302
    made = Questionnaire.objects.get(matter=noise)
    assert made.versions.get().number == 1 and made.versions.get().created_by.username == "admin"


def test_versions_and_letters_are_read_only_in_the_admin(admin_client_, issue):
    issue()
    letter = GuidanceLetter.objects.get()
    page = admin_client_.get(reverse("admin:consult_guidanceletter_change", args=[letter.pk]))
    assert page.status_code == 200 and "保存" not in page.content.decode().split('id="content-main"')[1][:200]
    for name in ("consult_questionnaireversion", "consult_guidanceletter"):
        assert admin_client_.get(reverse(f"admin:{name}_add")).status_code == 403
    assert (
        admin_client_.post(
            reverse("admin:consult_guidanceletter_delete", args=[letter.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert GuidanceLetter.objects.filter(pk=letter.pk).exists()


def test_staff_who_are_not_administrators_cannot_edit_questionnaires(login, questionnaires):
    client = login("gm_labor")
    response = client.get(reverse("admin:consult_questionnaire_changelist"))
    assert response.status_code in (302, 403)
