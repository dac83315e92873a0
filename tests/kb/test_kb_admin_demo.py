"""Editing in the admin (checks in plain Chinese), the demo articles, the import command, and the
consult letter's "相关法律规定" from the knowledge base."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.models import Article

pytestmark = pytest.mark.django_db

VALID = {
    "code": "labor-test",
    "title": "欠薪怎么办",
    "category": "faq",
    "law_name": "",
    "law_article": "",
    "body": "单位拖欠工资的，可以向劳动保障监察投诉，也可以申请劳动仲裁。",
    "published": "on",
}


def _add(client, **changes):
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("admin:kb_article_add"), data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "请填写标题"),
        ({"body": "太短了"}, "正文太短"),
        ({"law_article": "第二十七条"}, "请同时填写法律法规名称"),
        ({"law_name": "劳动合同法", "law_article": "27"}, "第二十七条"),
        ({"category": "policy"}, "政策法规类条目须填写所依据的法律法规名称"),
        ({"category": "other"}, "请选择栏目"),
        ({"code": "不是编号"}, "编号只能用小写字母"),
    ],
)
def test_admin_refuses_bad_articles_in_chinese(login, demo, changes, message):
    page = _add(login("admin"), **changes)
    assert page.status_code == 200  # the form again
    assert message in page.content.decode()
    assert not Article.objects.exists()


def test_admin_saves_through_the_service_and_the_search_finds_it(login, client, user, demo):
    admin = login("admin")
    page = _add(admin, law_name="《中华人民共和国劳动合同法》", law_article="第三十条", category="policy")
    assert page.status_code == 302, page.content.decode()[:2000]
    row = Article.objects.get(code="labor-test")
    assert row.law_name == "中华人民共和国劳动合同法"  # the book-title marks are taken off
    assert row.updated_by == user("admin") and row.updated_at is not None
    assert row.index_title and row.index_body
    assert "欠薪怎么办" in client.get(reverse("kb:search"), {"q": "欠薪"}).content.decode().replace(
        "<mark>", ""
    ).replace("</mark>", "")
    assert _add(admin).status_code == 200  # the same code twice: refused
    assert (
        admin.get(reverse("admin:kb_article_changelist"), {"q": "欠薪", "category__exact": "policy"}).status_code == 200
    )


def test_admin_list_filter_by_branch(login, demo, article):
    article("w", title="欠薪", body="拖欠工资的说明文字内容。" * 3, matters=["labor.wages"])
    page = login("admin").get(reverse("admin:kb_article_changelist"), {"branch": "labor"})
    assert page.status_code == 200 and "欠薪" in page.content.decode()


def test_only_editors_reach_the_admin(login, demo):
    assert login("gm_window").get(reverse("admin:kb_article_changelist")).status_code in (302, 403)


# The demo and the import -----------------------------------------------------------------------


def test_demo_articles_load_once_and_cover_the_demo_matters(demo):
    from demo.kb import load_demo_articles

    made = load_demo_articles()
    assert made >= 40 and Article.objects.count() == made
    assert load_demo_articles() == 0 and Article.objects.count() == made
    published = Article.objects.filter(published=True)
    assert published.count() >= 40
    for branch in ("labor", "family", "neighbour", "property", "consumer", "traffic", "land", "environment"):
        assert (
            published.filter(matters__path__contains=f"/{branch}/").exists()
            or published.filter(matters__code__startswith=branch).exists()
        ), branch
    labour = Article.objects.get(code="labor-arbitration-time-limit")
    assert labour.citation == "《中华人民共和国劳动争议调解仲裁法》第二十七条"


def test_demo_leaves_edited_articles_alone(demo):
    from demo.kb import load_demo_articles

    load_demo_articles()
    Article.objects.filter(code="labor-wages-pay-on-time").update(title="已在后台改过")
    load_demo_articles()
    assert Article.objects.get(code="labor-wages-pay-on-time").title == "已在后台改过"


def test_import_command_upserts_by_code(demo, tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(
        "articles:\n- code: city-1\n  title: 本市欠薪投诉电话\n  category: guide\n  matters: [labor.wages]\n"
        "  body: 欠薪可以拨打本市人社部门的投诉电话，也可以拨打 12345 热线反映。\n",
        encoding="utf-8",
    )
    call_command("kb_import", str(path))
    call_command("kb_import", str(path))
    assert Article.objects.filter(code="city-1").count() == 1
    path.write_text(path.read_text(encoding="utf-8").replace("labor.wages", "no.such"), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no.such"):
        call_command("kb_import", str(path))


# The consult letter ----------------------------------------------------------------------------


def test_consult_letter_adds_the_kb_laws_it_does_not_list(client, demo):
    from demo.consult import load_demo_questionnaires
    from demo.kb import load_demo_articles

    load_demo_questionnaires()
    load_demo_articles()
    from consult.models import Questionnaire

    questionnaire = Questionnaire.objects.get(matter__code="labor.wages")
    version = questionnaire.versions.order_by("-number").first()
    answers = {"still_working": "working", "asked": "refused", "workers": "few", "contract": "signed"}
    data = {"v": version.number, "region": "440608101", **{f"a_{k}": v for k, v in answers.items()}}
    letter = client.post(reverse("consult:letter-create", args=["labor.wages"]), data)
    assert letter.status_code == 302
    text = client.get(letter["Location"]).content.decode()
    assert 'data-testid="letter-kb-laws"' in text
    kb_part = text[text.index('data-testid="letter-kb-laws"') :]
    assert "第三十条" in kb_part  # 劳动合同法 第三十条, which the letter does not cite
    assert "劳动争议调解仲裁法》第二十七条" not in kb_part  # the letter cites it already
