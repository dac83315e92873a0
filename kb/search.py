"""Full-text search of the knowledge base on SQLite (FTS5) and PostgreSQL (GIN over tsvector).

Text is tokenised in Python by ``similar.text.terms`` — the segmentation the case matching uses —
both when an article is indexed and when a query is parsed; the database only stores and matches
the space-separated terms. So "工资拖欠" finds an article that says "拖欠工资" (the two share the
bigrams), on either database, and the KB and the case matching always agree on what a word is.

A query is the OR of its terms; the rank (FTS5 ``bm25`` / PostgreSQL ``ts_rank``) puts articles
sharing more, rarer terms first, title terms weighing three times body terms. The filters
(visibility, category, matter, region) are an ordinary ORM queryset, passed in as a subquery.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

#: A query or a description keeps at most this many distinct terms (a long description's first ones).
MAX_QUERY_TERMS = 64
#: Only plain word characters reach the database (the FTS5 / tsquery syntaxes never see user text).
_SAFE_TERM = re.compile(r"^\w+$")


def terms(text: str) -> list[str]:
    """``similar.text.terms`` (imported on first use: the admin is loaded before anything asks)."""
    from similar.text import terms as similar_terms

    return similar_terms(text)


PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, kb_article.index_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, kb_article.index_body), 'B'))"
)


def index_text(text: str) -> str:
    """What is stored in an index column: the terms of ``text``, space-separated."""
    return " ".join(t for t in terms(text or "") if _SAFE_TERM.match(t))


def query_terms(text: str, *, limit: int = MAX_QUERY_TERMS) -> list[str]:
    """The distinct terms of a query, in order of first appearance."""
    seen: dict[str, None] = {}
    for term in terms(text or ""):
        if _SAFE_TERM.match(term) and term not in seen:
            seen[term] = None
            if len(seen) >= limit:
                break
    return list(seen)


def ranked_ids(candidates, words: list[str], *, boost=None, offset: int = 0, limit: int = 10) -> list[int]:
    """Ids of the articles of ``candidates`` (a queryset) that share a term with ``words``, best first;
    those in ``boost`` (a queryset, e.g. the articles of the matter the words suggest) before the rest."""
    if not words:
        return []
    sub_sql, sub_params = candidates.order_by().values("pk").query.sql_with_params()
    first, first_params = "", []
    if boost is not None:
        boost_sql, first_params = boost.order_by().values("pk").query.sql_with_params()
        first = f"CASE WHEN {{id}} IN ({boost_sql}) THEN 0 ELSE 1 END, "
    if connection.vendor == "postgresql":
        tsquery = " | ".join("'" + w.replace("'", "''") + "'" for w in words)
        sql = (
            f"SELECT kb_article.id FROM kb_article "
            f"WHERE {PG_VECTOR} @@ to_tsquery('simple'::regconfig, %s) AND kb_article.id IN ({sub_sql}) "
            f"ORDER BY {first.format(id='kb_article.id')}"
            f"ts_rank({PG_VECTOR}, to_tsquery('simple'::regconfig, %s)) DESC, kb_article.id "
            f"LIMIT %s OFFSET %s"
        )
        params = [tsquery, *sub_params, *first_params, tsquery, limit, offset]
    else:
        match = " OR ".join(f'"{w}"' for w in words)
        sql = (
            f"SELECT kb_article_fts.rowid FROM kb_article_fts "
            f"WHERE kb_article_fts MATCH %s AND kb_article_fts.rowid IN ({sub_sql}) "
            f"ORDER BY {first.format(id='kb_article_fts.rowid')}"
            f"bm25(kb_article_fts, 3.0, 1.0), kb_article_fts.rowid LIMIT %s OFFSET %s"
        )
        params = [match, *sub_params, *first_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# Highlighting ---------------------------------------------------------------------------------

PASSAGE_CHARS = 140


@dataclass(frozen=True)
class Passage:
    html: SafeString  # escaped text with <mark> around the matching words
    hits: int


def _covered(text: str, words: list[str]) -> list[bool]:
    lower = text.lower()
    mask = [False] * len(text)
    for word in words:
        start = lower.find(word)
        while start != -1:
            for i in range(start, min(start + len(word), len(text))):
                mask[i] = True
            start = lower.find(word, start + 1)
    return mask


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with every occurrence of a term wrapped in ``<mark>``."""
    mask = _covered(text, words)
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and mask[j] == mask[i]:
            j += 1
        chunk = html.escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if mask[i] else chunk)
        i = j
    return mark_safe("".join(out))  # every piece went through html.escape


def best_passage(paragraphs: list[str], words: list[str], *, size: int = PASSAGE_CHARS) -> Passage:
    """The window of about ``size`` characters of the article's paragraphs that covers the most
    query text, highlighted; the start of the first paragraph when nothing matches."""
    best_text, best_hits = "", -1
    for paragraph in paragraphs:
        mask = _covered(paragraph, words) if words else [False] * len(paragraph)
        if len(paragraph) <= size:
            windows = [(0, len(paragraph))]
        else:
            step = max(size // 3, 1)
            windows = [(s, min(s + size, len(paragraph))) for s in range(0, len(paragraph) - size + step, step)]
        for start, end in windows:
            hits = sum(mask[start:end])
            if hits > best_hits:
                text = paragraph[start:end]
                text = ("…" if start else "") + text + ("…" if end < len(paragraph) else "")
                best_text, best_hits = text, hits
    return Passage(html=highlight(best_text, words), hits=max(best_hits, 0))
