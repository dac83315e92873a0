"""Reads of the knowledge base: what a user may see, the filters, the ranked search, the panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet

from routing.models import MatterType, Region
from routing.selectors import suggest_matters

from . import permissions, search
from .models import Article, Category


def visible_articles(user) -> QuerySet[Article]:
    qs = Article.objects.all()
    return qs if permissions.may_edit(user) else qs.filter(published=True)


def for_matter(qs: QuerySet[Article], matter: MatterType, *, below: bool = True) -> QuerySet[Article]:
    """Articles on ``matter`` or on a branch above it (an article on a branch applies to its
    subtree) — and, with ``below``, also those on a type under it (filtering by a whole branch)."""
    condition = Q(matters__code__in=matter.ancestor_codes)
    if below:
        condition |= Q(matters__path__startswith=matter.path)
    return qs.filter(pk__in=Article.objects.filter(condition).values("pk"))


def for_region(qs: QuerySet[Article], region: Region) -> QuerySet[Article]:
    """Articles for everywhere (no region) or for ``region`` or an area above it."""
    with_regions = Article.regions.through.objects.values("article_id")
    here = Article.regions.through.objects.filter(region__code__in=region.ancestor_codes).values("article_id")
    return qs.filter(~Q(pk__in=with_regions) | Q(pk__in=here))


def _with_relations(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.prefetch_related(
        Prefetch("matters", queryset=MatterType.objects.order_by("path").only("id", "code", "name", "path"))
    )


@dataclass
class SearchResult:
    article: Article
    title_html: str
    passage_html: str


class SearchPage(NamedTuple):
    results: list[SearchResult]
    has_next: bool
    words: list[str]  # the query's terms
    guessed: MatterType | None  # the matter the query suggested, whose articles come first


def search_page(
    user, *, q: str = "", category: str = "", matter: MatterType | None = None, page: int = 1, page_size: int = 10
) -> SearchPage:
    """One page of results (ranked when there is a query, else by category and title) and whether
    another page follows."""
    qs = visible_articles(user)
    if category:
        qs = qs.filter(category=category)
    if matter is not None:
        qs = for_matter(qs, matter)
    words = search.query_terms(q) if q else []
    start = (page - 1) * page_size
    guessed = None
    if q:
        boost, guessed = _guess_boost(q, matter)
        ids = search.ranked_ids(qs, words, boost=boost, offset=start, limit=page_size + 1)
        by_id = {a.pk: a for a in _with_relations(Article.objects.filter(pk__in=ids))}
        rows = [by_id[i] for i in ids if i in by_id]
    else:
        rows = list(_with_relations(qs.order_by("category", "title", "id"))[start : start + page_size + 1])
    has_next = len(rows) > page_size
    results = [
        SearchResult(
            article=a,
            title_html=search.highlight(a.title, words),
            passage_html=search.best_passage(a.paragraphs, words).html,
        )
        for a in rows[:page_size]
    ]
    return SearchPage(results, has_next, words, guessed)


def _guess_boost(text: str, matter: MatterType | None):
    """With no matter chosen, the articles of the matter the text suggests (by the directory's
    keywords) come first: "公司拖欠工资三个月" puts 拖欠工资 before anything else that says 个月."""
    if matter is not None:
        return None, None
    guessed = next(iter(suggest_matters(text, limit=1)), None)
    if guessed is None:
        return None, None
    return for_matter(Article.objects.all(), guessed, below=False), guessed


def article_for(user, pk: int) -> Article | None:
    return (
        visible_articles(user)
        .prefetch_related(
            Prefetch("matters", queryset=MatterType.objects.order_by("path")),
            Prefetch("regions", queryset=Region.objects.order_by("path")),
        )
        .filter(pk=pk)
        .first()
    )


def related_articles(user, article: Article, *, limit: int = 5) -> list[Article]:
    """Other visible articles on the same matters (or their branches), for the article page."""
    matters = list(article.matters.all())
    if not matters:
        return []
    codes = {code for m in matters for code in m.ancestor_codes}
    prefixes = Q()
    for m in matters:
        prefixes |= Q(matters__path__startswith=m.path)
    same = Article.objects.filter(Q(matters__code__in=codes) | prefixes).values("pk")
    return list(visible_articles(user).filter(pk__in=same).exclude(pk=article.pk).order_by("category", "title")[:limit])


def panel_articles(
    *, text: str, matter: MatterType | None = None, region: Region | None = None, limit: int = 5
) -> tuple[list[SearchResult], list[str]]:
    """What the clerk's "相关政策与问答" panel shows: published articles for the claim's place,
    ranked by the description's terms; with a matter, only those that apply to it (its own, its
    branch's), and — when the description matches none — its articles by category."""
    qs = Article.objects.filter(published=True)
    if region is not None:
        qs = for_region(qs, region)
    if matter is not None:
        qs = for_matter(qs, matter, below=False)
    words = search.query_terms(text)
    boost = _guess_boost(text, matter)[0]
    ids = search.ranked_ids(qs, words, boost=boost, limit=limit) if words else []
    if matter is not None and len(ids) < limit:
        ids += list(
            qs.exclude(pk__in=ids).order_by("category", "title").values_list("pk", flat=True)[: limit - len(ids)]
        )
    by_id = {a.pk: a for a in Article.objects.filter(pk__in=ids)}
    rows = [by_id[i] for i in ids if i in by_id]
    return [
        SearchResult(a, search.highlight(a.title, words), search.best_passage(a.paragraphs, words, size=80).html)
        for a in rows
    ], words


def citizen_tips(matter: MatterType, *, limit: int = 4) -> list[Article]:
    """Plain-language 常见问答 / 办事指南 for a matter the citizen picked (its own and its branch's)."""
    qs = Article.objects.filter(published=True, category__in=[Category.FAQ, Category.GUIDE])
    return list(for_matter(qs, matter, below=False).order_by("-category", "title", "id")[:limit])


def short_law_name(name: str) -> str:
    """《中华人民共和国民法典》 and 《民法典》 are the same law."""
    name = (name or "").strip().strip("《》")
    return name.removeprefix("中华人民共和国")


def letter_laws(
    matter: MatterType, *, cited: list[dict], region: Region | None = None, limit: int = 5
) -> list[Article]:
    """政策法规 articles for a consult letter's matter that the letter does not list already
    (``cited``: the letter's ``laws``, each ``{"law", "article"}``); with ``region``, only those
    for everywhere or for that region or an area above it."""
    seen = {(short_law_name(c.get("law", "")), (c.get("article") or "").strip()) for c in cited}
    qs = Article.objects.filter(published=True, category=Category.POLICY).exclude(law_name="")
    if region is not None:
        qs = for_region(qs, region)
    out = []
    for article in for_matter(qs, matter, below=False).order_by("law_name", "law_article", "id")[: limit + len(seen)]:
        if (short_law_name(article.law_name), article.law_article.strip()) not in seen:
            out.append(article)
    return out[:limit]


def letter_laws_snapshot(
    matter: MatterType, *, cited: list[dict], region: Region | None = None, excerpt_chars: int = 120
) -> list[dict]:
    """What a consult letter stores of ``letter_laws`` when it is issued, so it reads (and prints)
    the same after the articles are edited: title, law name, article number, a short excerpt."""
    out = []
    for article in letter_laws(matter, cited=cited, region=region):
        first = article.paragraphs[0] if article.paragraphs else ""
        excerpt = first if len(first) <= excerpt_chars else first[:excerpt_chars].rstrip() + "……"
        out.append(
            {
                "pk": article.pk,
                "title": article.title,
                "law": article.law_name,
                "article": article.law_article,
                "excerpt": excerpt,
            }
        )
    return out
