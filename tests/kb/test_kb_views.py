"""The knowledge-base pages: who sees what, bad input, the clerks' panel, the citizens' tips."""

import pytest
from django.urls import reverse

from kb.models import Article

pytestmark = pytest.mark.django_db

WAGES = "单位拖欠工资的，劳动者可以向劳动保障监察投诉，也可以申请劳动仲裁。"


@pytest.fixture
def shelf(demo, article):
    """A published FAQ on wages, a published policy on the labour branch, an unpublished draft."""
    return {
        "faq": article("wages-faq", title="被拖欠工资怎么办", body=WAGES * 2, matters=["labor.wages"]),
        "law": article(
            "wages-law",
            title="仲裁时效一年",
            category="policy",
            law_name="中华人民共和国劳动争议调解仲裁法",
            law_article="第二十七条",
            body="申请劳动仲裁的时效是一年，拖欠工资的情形另有规定。" * 2,
            matters=["labor"],
        ),
        "draft": article("wages-draft", title="欠薪草稿", body=WAGES * 2, matters=["labor.wages"], published=False),
    }


# Who sees what ---------------------------------------------------------------------------------


def test_anonymous_searches_published_articles_only(client, shelf):
    page = client.get(reverse("kb:search"), {"q": "拖欠工资"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "被拖欠工资怎么办" in text.replace("<mark>", "").replace("</mark>", "")
    assert "欠薪草稿" not in text


@pytest.mark.parametrize("who", [None, "citizen", "gm_window", "gm_labor"])
def test_unpublished_article_is_404_to_everyone_but_editors(client, login, citizen, shelf, who):
    browser = client if who is None else login(citizen if who == "citizen" else who)
    assert browser.get(reverse("kb:article", args=[shelf["draft"].pk])).status_code == 404
    assert browser.get(reverse("kb:article", args=[shelf["faq"].pk])).status_code == 200
    assert "欠薪草稿" not in browser.get(reverse("kb:search")).content.decode()


def test_editors_see_drafts_marked_as_such(login, shelf):
    admin = login("admin")
    page = admin.get(reverse("kb:article", args=[shelf["draft"].pk]))
    assert page.status_code == 200 and "尚未发布" in page.content.decode()
    assert "未发布" in admin.get(reverse("kb:search"), {"q": "欠薪"}).content.decode()


def test_staff_with_the_change_permission_see_drafts(login, user, shelf):
    from django.contrib.auth.models import Permission

    editor = user("gm_dispatch")
    editor.user_permissions.add(Permission.objects.get(codename="change_article"))
    assert login(editor).get(reverse("kb:article", args=[shelf["draft"].pk])).status_code == 200


def test_unknown_article_is_404(client, demo):
    assert client.get(reverse("kb:article", args=[999999])).status_code == 404


# Bad input -------------------------------------------------------------------------------------


def test_empty_query_lists_articles(client, shelf):
    page = client.get(reverse("kb:search"), {"q": ""})
    assert page.status_code == 200 and page.content.decode().count('data-testid="kb-result"') == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "工资" * 51}, "搜索词太长"),
        ({"q": "！！？？"}, "没有可以查找的词"),
        ({"category": "secret"}, "没有这个栏目"),
        ({"matter": "no.such.matter"}, "没有这个事项类型"),
        ({"q": "工资", "matter": "<script>"}, "没有这个事项类型"),
    ],
)
def test_bad_input_says_what_is_wrong(client, shelf, params, message):
    page = client.get(reverse("kb:search"), params)
    assert page.status_code == 400
    text = page.content.decode()
    assert message in text
    assert "<script>" not in text


def test_bad_page_number_is_the_first_page(client, shelf):
    assert client.get(reverse("kb:search"), {"q": "工资", "page": "abc"}).status_code == 200
    assert client.get(reverse("kb:search"), {"q": "工资", "page": "99999"}).status_code == 200


def test_the_query_is_kept_in_the_box(client, shelf):
    text = client.get(reverse("kb:search"), {"q": '工资"><b>'}).content.decode()
    assert 'value="工资&quot;&gt;&lt;b&gt;"' in text


def test_pages_follow_each_other(client, demo, article):
    for i in range(12):
        article(f"p{i}", title=f"物业费问答{i}", body="业主应当按照约定交纳物业费。" * 3)
    first = client.get(reverse("kb:search"), {"q": "物业费"}).content.decode()
    second = client.get(reverse("kb:search"), {"q": "物业费", "page": 2}).content.decode()
    assert first.count('data-testid="kb-result"') == 10 and "下一页" in first
    assert second.count('data-testid="kb-result"') == 2 and "上一页" in second


# Query counts ----------------------------------------------------------------------------------


def test_search_queries_do_not_grow_with_rows(client, demo, article, django_assert_max_num_queries):
    for i in range(10):
        article(f"q{i}", title=f"拖欠工资问答{i}", body=WAGES * 2, matters=["labor.wages", "labor.contract"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("kb:search"), {"q": "拖欠工资", "matter": "labor"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("kb:search")).status_code == 200


def test_panel_queries_do_not_grow_with_rows(login, demo, article, django_assert_max_num_queries):
    for i in range(10):
        article(f"q{i}", title=f"拖欠工资问答{i}", body=WAGES * 2, matters=["labor.wages"])
    clerk = login("gm_window")
    with django_assert_max_num_queries(12):
        clerk.post(
            reverse("kb:panel"), {"description": "老板拖欠工资三个月", "matter": "labor.wages", "region": "440608101"}
        )


# The clerks' panel -----------------------------------------------------------------------------


def test_panel_shows_related_articles_to_clerks(login, shelf):
    page = login("gm_window").post(reverse("kb:panel"), {"description": "工地老板拖欠工资两个月了", "matter": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert "被拖欠工资怎么办" in text.replace("<mark>", "").replace("</mark>", "")
    assert "欠薪草稿" not in text


def test_panel_with_a_matter_lists_its_articles_even_without_words(login, shelf):
    text = login("gm_hotline").post(reverse("kb:panel"), {"description": "", "matter": "labor.wages"}).content.decode()
    assert "被拖欠工资怎么办" in text and "仲裁时效一年" in text  # the labour branch's law applies to the leaf


def test_panel_respects_the_articles_region(login, demo, article):
    article("gm", title="高明区欠薪投诉指南", body=WAGES * 2, category="guide", regions=["440608"])
    clerk = login("gm_window")
    here = clerk.post(reverse("kb:panel"), {"description": "拖欠工资", "region": "440608101"}).content.decode()
    there = clerk.post(reverse("kb:panel"), {"description": "拖欠工资", "region": "440604"}).content.decode()
    assert "高明区欠薪投诉指南" in here.replace("<mark>", "").replace("</mark>", "")
    assert "高明区欠薪投诉指南" not in there.replace("<mark>", "").replace("</mark>", "")


def test_panel_refuses_people_who_are_not_clerks(client, login, citizen, shelf):
    url = reverse("kb:panel")
    anonymous = client.post(url, {"description": "拖欠工资"})
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    assert login(citizen).post(url, {"description": "拖欠工资"}).status_code == 403
    assert login("gm_labor").post(url, {"description": "拖欠工资"}).status_code == 403
    assert login("gm_window").get(url).status_code == 405


def test_panel_bad_input(login, shelf):
    clerk = login("gm_window")
    page = clerk.post(reverse("kb:panel"), {"description": "拖欠工资", "matter": "nope"})
    assert page.status_code == 400 and "没有这个事项类型" in page.content.decode()
    page = clerk.post(reverse("kb:panel"), {"description": "拖欠工资", "region": "zz"})
    assert page.status_code == 400 and "地点不存在" in page.content.decode()
    long_text = "工地老板拖欠工资" * 2000
    assert clerk.post(reverse("kb:panel"), {"description": long_text}).status_code == 200


def test_panel_is_on_the_window_and_hotline_forms(login, demo):
    clerk = login("gm_window")
    for name in ("intake:window-register", "intake:hotline-register"):
        text = clerk.get(reverse(name)).content.decode()
        assert 'data-testid="kb-panel"' in text and reverse("kb:panel") in text


# The citizens' tips ----------------------------------------------------------------------------


def test_tips_for_a_matter_are_plain_faq_and_guides(client, shelf):
    page = client.get(reverse("kb:tips"), {"matter": "labor.wages"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "被拖欠工资怎么办" in text
    assert "仲裁时效一年" not in text  # 政策法规 are not in the citizens' short list
    assert "欠薪草稿" not in text


def test_tips_unknown_matter_is_400(client, demo):
    assert client.get(reverse("kb:tips"), {"matter": "no.such"}).status_code == 400
    assert client.get(reverse("kb:tips"), {"matter": "a\x00b"}).status_code == 400
    assert client.get(reverse("intake:claim-submit"), {"matter": "a\x00b"}).status_code < 500
    assert client.get(reverse("kb:tips")).status_code == 200


def test_claim_form_shows_tips_for_the_chosen_matter(login, citizen, shelf):
    page = login(citizen).get(reverse("intake:claim-submit"), {"matter": "labor.wages"})
    text = page.content.decode()
    assert 'data-testid="kb-tips"' in text and reverse("kb:tips") in text
    assert "被拖欠工资怎么办" in text  # the matter came with the link: no script needed


def test_article_page_reads_as_plain_text(client, demo, article):
    row = article("h", title="<i>标题</i>", body="第一段<script>x</script>内容。" * 3 + "\n\n第二段内容。" * 3)
    text = client.get(reverse("kb:article", args=[row.pk])).content.decode()
    assert "<script>x" not in text and "&lt;script&gt;" in text
    assert Article.objects.get(pk=row.pk).paragraphs[-1].startswith("第二段")


def test_article_page_lists_related_articles_and_a_way_to_report(client, shelf):
    text = client.get(reverse("kb:article", args=[shelf["faq"].pk])).content.decode()
    related = text[text.index('data-testid="kb-related"') :]
    assert "仲裁时效一年" in related and "欠薪草稿" not in related
    assert reverse("intake:claim-submit") + "?matter=labor.wages" in text


def test_article_page_queries_are_bounded(client, shelf, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get(reverse("kb:article", args=[shelf["faq"].pk])).status_code == 200
