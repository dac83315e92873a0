"""The knowledge-base search: bigram matching in both word orders, ranking, filters, highlights."""

import pytest

from kb import search, selectors
from kb.models import Article
from routing.models import MatterType

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> 拖欠工资 <img src=x onerror=alert(1)>'


def test_words_in_another_order_and_form_are_found(demo, article):
    article("wages", title="用人单位必须按时足额发工资", body="单位拖欠工资的，劳动者可以申请支付令。" * 2)
    article("noise", title="楼上邻居晚上很吵怎么办", body="先和邻居沟通，沟通无效的可以请物业调解。" * 2)
    page = selectors.search_page(_anon(), q="工资被拖欠了")
    results, words = page.results, page.words
    assert [r.article.code for r in results] == ["wages"]
    assert words


def test_rank_puts_the_closer_article_first(demo, article):
    article("a", title="物业服务合同", body="物业应当做好小区公共部分的维修养护。" * 2)
    article("b", title="物业费可以不交吗", body="业主应当按照约定支付物业费，物业不得停水停电催交物业费。" * 2)
    results = selectors.search_page(_anon(), q="不交物业费").results
    assert [r.article.code for r in results][0] == "b"


def test_the_matter_a_query_suggests_comes_first(demo):
    from demo.kb import load_demo_articles

    load_demo_articles()
    page = selectors.search_page(_anon(), q="公司拖欠工资三个月不给")
    assert page.guessed is not None and page.guessed.code == "labor.wages"
    top = page.results[0].article
    assert set(top.matters.values_list("code", flat=True)) & {"labor.wages", "labor"}


def test_filters_category_and_matter_branch(demo, article):
    article("w", title="欠薪怎么办", body="拖欠工资可以投诉。" * 3, category="faq", matters=["labor.wages"])
    article(
        "l",
        title="仲裁时效",
        body="拖欠工资申请仲裁的时效是一年。" * 3,
        category="policy",
        law_name="中华人民共和国劳动争议调解仲裁法",
        law_article="第二十七条",
        matters=["labor"],
    )
    article("p", title="物业费", body="拖欠工资和物业无关的一段文字。" * 3, matters=["property.fees"])
    leaf = MatterType.objects.get(code="labor.wages")
    branch = MatterType.objects.get(code="labor")
    codes = lambda **kw: sorted(r.article.code for r in selectors.search_page(_anon(), q="拖欠工资", **kw)[0])  # noqa: E731
    assert codes() == ["l", "p", "w"]
    assert codes(matter=leaf) == ["l", "w"]  # the branch's article applies to the leaf
    assert codes(matter=branch) == ["l", "w"]  # and filtering by the branch shows its leaves'
    assert codes(category="policy") == ["l"]


def test_highlight_escapes_hostile_text(demo, article):
    article("x", title='<b onmouseover="1">拖欠工资</b>', body=HOSTILE * 2)
    [result] = selectors.search_page(_anon(), q="拖欠工资").results
    for fragment in (str(result.title_html), str(result.passage_html)):
        assert "<script" not in fragment and "<img" not in fragment and "<b " not in fragment
        assert "<mark>" in fragment
    assert "&lt;script&gt;" in str(result.passage_html)


def test_highlight_marks_only_the_matching_words():
    html = search.highlight("单位拖欠工资<怎么办>", ["拖欠", "工资"])
    assert str(html) == "单位<mark>拖欠工资</mark>&lt;怎么办&gt;"


def test_index_follows_edits_and_deletes(demo, article):
    row = article("e", title="旧标题", body="这是一段关于停车位的说明文字。" * 2)
    assert _codes("停车位") == ["e"]
    from kb.services import article_upsert

    article_upsert(code="e", title="新标题", category="faq", body="这是一段关于宠物扰邻的说明文字。" * 2)
    assert _codes("停车位") == [] and _codes("宠物") == ["e"]
    Article.objects.filter(pk=row.pk).delete()
    assert _codes("宠物") == []


def test_a_query_with_special_syntax_is_just_text(demo, article):
    article("s", title="拖欠工资", body="拖欠工资的处理办法说明。" * 3)
    for q in ['"', "工资 OR", "NEAR(工资)", "工资*", "'; DROP TABLE kb_article; --", "工资 & | !"]:
        selectors.search_page(_anon(), q=q)  # no database error


def _anon():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _codes(q):
    return [r.article.code for r in selectors.search_page(_anon(), q=q).results]


def test_postgresql_uses_the_gin_index(demo, article):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite answers from its FTS5 table by construction")
    article("g", title="拖欠工资", body="拖欠工资的处理办法说明。" * 3)
    words = search.query_terms("拖欠工资")
    tsquery = " | ".join(f"'{w}'" for w in words)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM kb_article WHERE {search.PG_VECTOR} @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "kb_article_terms_gin" in plan, plan
