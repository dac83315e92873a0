"""智能咨询 pages: the walk, the letter, the verification look-up; every bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consult.models import GuidanceLetter
from tests.consult.conftest import REGION, WAGES_MEDIATION
from tests.intake.test_citizen_glossary import assert_plain

pytestmark = pytest.mark.django_db


def _letter_code(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].rstrip("/").split("/")[-1]


def test_index_lists_the_six_questionnaires_with_the_region_preset(
    client, questionnaires, django_assert_max_num_queries
):
    client.get(reverse("consult:index"), {"region": REGION})  # the directory index, built once per stamp
    with django_assert_max_num_queries(5):
        page = client.get(reverse("consult:index"), {"region": REGION})
    html = page.content.decode()
    assert page.status_code == 200
    for title in (
        "被拖欠工资怎么办",
        "和邻居闹矛盾怎么办",
        "物业费的纠纷怎么办",
        "婚姻家庭的矛盾怎么办",
        "买到的东西有问题怎么办",
        "出了交通事故怎么赔",
    ):
        assert title in html
    assert "杨和镇" in html and "杨和镇综治中心" in html
    assert f"?region={REGION}" in html  # the preset is carried into every questionnaire link
    assert_plain("consult index", html)


def test_an_unknown_region_preset_is_said_and_ignored(client, questionnaires):
    html = client.get(reverse("consult:index"), {"region": "999999"}).content.decode()
    assert "链接里的地区没有找到" in html


def test_a_walk_one_question_at_a_time_with_back_links(client, questionnaires):
    url = reverse("consult:questionnaire", args=["labor.wages"])
    first = client.get(url, {"region": REGION})
    html = first.content.decode()
    assert "第 1 问：您现在还在这个单位（老板那里）干活吗？" in html
    assert 'name="region" value="440608101"' in html and "上一步" not in html
    second = client.get(url, {"region": REGION, "v": 1, "a_still_working": "working"}).content.decode()
    assert "第 2 问：您或者工友找老板（单位）要过工资吗？" in second
    assert "上一步" in second and 'name="a_still_working" value="working"' in second
    done = client.get(url, {"v": 1, **{f"a_{k}": v for k, v in WAGES_MEDIATION.items()}})
    html = done.content.decode()
    assert "请核对您的回答" in html and "生成解纷意见书" in html
    assert_plain("consult confirm", html)
    assert_plain("consult question", second)
    assert not GuidanceLetter.objects.exists()  # nothing stored by walking


def test_a_tampered_answer_in_the_walk_asks_to_start_again(client, questionnaires):
    url = reverse("consult:questionnaire", args=["labor.wages"])
    page = client.get(url, {"a_still_working": "<script>"})
    assert page.status_code == 400
    assert "回答与问卷不一致" in page.content.decode() and "<script>" not in page.content.decode()


@pytest.mark.parametrize(
    "matter, params",
    [("no.such", {}), ("labor.social_insurance", {}), ("labor.wages", {"v": 99}), ("labor.wages", {"v": "x"})],
)
def test_unknown_matters_versions_and_matters_without_a_questionnaire_are_404(client, questionnaires, matter, params):
    assert client.get(reverse("consult:questionnaire", args=[matter]), params).status_code == 404


def test_an_inactive_questionnaire_is_404_and_not_listed(client, questionnaires):
    from consult.models import Questionnaire

    Questionnaire.objects.filter(matter__code="labor.wages").update(active=False)
    assert client.get(reverse("consult:questionnaire", args=["labor.wages"])).status_code == 404
    assert "被拖欠工资怎么办" not in client.get(reverse("consult:index")).content.decode()


def test_the_letter_for_unpaid_wages(client, issue):
    code = _letter_code(issue())
    letter = GuidanceLetter.objects.get()
    assert letter.code == code and len(code) == 12 and letter.citizen is None
    assert letter.answers == WAGES_MEDIATION
    page = client.get(reverse("consult:letter", args=[code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "拖欠工资解纷意见书" in html and code in html
    assert "人民调解" in html and "先申请调解，调不成再申请劳动仲裁" in html
    assert "《劳动争议调解仲裁法》第二十七条" in html and "一年" in html
    assert "工资条" in html  # materials
    assert "杨和镇综治中心" in html
    assert f"/claims/new/?matter=labor.wages&amp;region={REGION}&amp;draft={code}" in html
    assert f"/mediation/request/?letter={code}" in html
    assert_plain("consult letter", html)


def test_an_answer_note_becomes_a_reason(client, issue):
    answers = {**WAGES_MEDIATION, "asked": "not_yet"}
    code = _letter_code(issue(answers=answers))
    assert "建议先带上工资单据向老板要一次" in client.get(reverse("consult:letter", args=[code])).content.decode()


@pytest.mark.parametrize(
    "answers, message",
    [
        ({"still_working": "working", "asked": "refused"}, "还有问题没有回答"),
        ({**WAGES_MEDIATION, "contract": "forged"}, "回答与问卷不一致"),
        ({}, "还有问题没有回答"),
    ],
)
def test_incomplete_or_tampered_answers_store_nothing(issue, answers, message):
    response = issue(answers=answers or {"unrelated": "x"})
    assert response.status_code == 400 and message in response.content.decode()
    assert not GuidanceLetter.objects.exists()


def test_an_unknown_region_on_issue_gives_a_letter_without_a_centre(client, issue):
    code = _letter_code(issue(region="no-such-place"))
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert "可到所在乡镇（街道）综治中心或区群众诉求服务中心" in html


def test_a_signed_in_citizen_keeps_the_letter_on_the_account(issue, login, citizen):
    _letter_code(issue(as_client=login(citizen)))
    assert GuidanceLetter.objects.get().citizen == citizen


def test_staff_may_consult_too_but_the_letter_is_not_theirs(issue, login):
    _letter_code(issue(as_client=login("gm_labor")))
    assert GuidanceLetter.objects.get().citizen is None


def test_issuing_needs_a_post(client, questionnaires):
    assert client.get(reverse("consult:letter-create", args=["labor.wages"])).status_code == 405


def test_issuing_is_rate_limited(issue, settings, monkeypatch):
    from consult import views

    monkeypatch.setattr(views, "ISSUE_RATE_LIMIT", (2, 600))
    _letter_code(issue())
    _letter_code(issue())
    refused = issue()
    assert refused.status_code == 429 and "生成过于频繁" in refused.content.decode()
    assert GuidanceLetter.objects.count() == 2


@pytest.mark.parametrize("code", ["AAAAAAAAAAAA", "short", "<b>x</b>"])
def test_an_unknown_letter_code_is_404(client, questionnaires, code):
    assert client.get(f"/consult/letter/{code}/").status_code == 404
    assert client.get(f"/consult/letter/{code}/pdf/").status_code == 404


def test_the_letter_url_needs_the_exact_code(client, issue):
    code = _letter_code(issue())
    assert client.get(reverse("consult:letter", args=[code.lower()])).status_code == 404


def test_verification_lookup_by_code(client, issue):
    code = _letter_code(issue())
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} "
    response = client.get(reverse("consult:verify"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == reverse("consult:letter", args=[code])
    blank = client.get(reverse("consult:verify"))
    assert blank.status_code == 200 and "用验证码查看解纷意见书" in blank.content.decode()
    assert_plain("consult verify", blank.content.decode())


@pytest.mark.parametrize("code", ["ABCDEFGHJKLM", "12", "<script>alert(1)</script>"])
def test_a_wrong_verification_code(client, issue, code):
    _letter_code(issue())
    response = client.get(reverse("consult:verify"), {"code": code})
    html = response.content.decode()
    assert response.status_code == 404 and "没有找到验证码为" in html and "<script>alert" not in html


def test_verification_is_rate_limited(client, questionnaires, monkeypatch):
    from consult import views

    monkeypatch.setattr(views, "VERIFY_RATE_LIMIT", (1, 600))
    client.get(reverse("consult:verify"), {"code": "ABCDEFGHJKLM"})
    response = client.get(reverse("consult:verify"), {"code": "ABCDEFGHJKLM"})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()


@pytest.mark.parametrize(
    "matter", ["neighbour.adjacency", "property.fees", "family.marriage", "consumer.quality", "traffic.compensation"]
)
def test_every_demo_questionnaire_reaches_a_letter(client, issue, questionnaires, matter):
    from consult.tree import walk

    tree = questionnaires[matter].versions.get().tree
    answers: dict = {}
    route = walk(tree, answers)
    while route.outcome_id is None:  # always the first option
        answers[route.question_id] = tree["nodes"][route.question_id]["options"][0]["value"]
        route = walk(tree, answers)
    code = _letter_code(issue(matter=matter, answers=answers))
    html = client.get(reverse("consult:letter", args=[code])).content.decode()
    assert "解纷意见书" in html and "相关法律规定" in html
    assert_plain(f"letter {matter}", html)


def test_the_letter_and_a_question_take_few_queries(client, issue, django_assert_max_num_queries):
    code = _letter_code(issue())
    url = reverse("consult:questionnaire", args=["labor.wages"])
    client.get(url, {"region": REGION})  # the directory index, built once per stamp
    with django_assert_max_num_queries(3):  # the letter, by its code (no other row: a snapshot)
        assert client.get(reverse("consult:letter", args=[code])).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("consult:letter-pdf", args=[code])).status_code == 200
    with django_assert_max_num_queries(4):  # the questionnaire and its versions, the region
        assert client.get(url, {"region": REGION, "v": 1, "a_still_working": "working"}).status_code == 200
