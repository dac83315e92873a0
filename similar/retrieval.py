"""Retrieval: the candidates the engine re-scores, and the term statistics it weights with.

This module is the only one that speaks to the full-text index; a city that runs Elasticsearch or
OpenSearch replaces it (docs/search.md). Per database:

- SQLite: ``similar_fts`` (FTS5, bm25 order) and its vocabulary ``similar_fts_vocab`` (live
  document frequencies).
- PostgreSQL: ``similar_caseterms.tsv`` (GIN, ``ts_rank`` order) and ``similar_termstat``
  (document frequencies refreshed nightly; until the first refresh, counted live). Duplicate
  candidates (open cases only) use the partial GIN index over ``SCOPED_TSV``: each open case's
  terms suffixed with its town and branch (``拖欠|12|3``), so a look-up in a town reads only that
  town's open cases of the branch that share a term, whatever the size of the table.

A query is the rarest terms of the text, OR-ed while their documents stay within ``HIT_BUDGET``;
beyond that, pairs of the next rarest terms (a candidate must share two of them), so a text made
only of common words never makes the database rank a large part of the table.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

from django.db import connection

#: At most this many documents are OR-matched on single terms before pairs take over.
HIT_BUDGET = 3_000
#: Rarest terms OR-ed alone / paired.
SINGLE_TERMS = 16
PAIR_TERMS = 5
#: Candidates re-scored per query.
CANDIDATES = 100


@dataclass(frozen=True)
class Row:
    case_id: int
    tokens: str
    region_path: str
    matter_id: int


# --- document frequencies ------------------------------------------------------------------------
_cache_lock = threading.Lock()
_cache: dict = {"generation": None, "df": {}}
CACHE_MAX = 500_000


def _postgres_stats(terms: list[str]) -> tuple[int, dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT df FROM similar_termstat WHERE term = ''")
        row = cursor.fetchone()
        if row is None:  # never refreshed (a new database, tests): count live
            cursor.execute("SELECT count(*) FROM similar_caseterms")
            total = cursor.fetchone()[0]
            cursor.execute(
                "SELECT t, (SELECT count(*) FROM similar_caseterms WHERE tsv @@ (quote_literal(t))::tsquery) "
                "FROM unnest(%s::text[]) AS t",
                [terms],
            )
            return total, dict(cursor.fetchall())
        total = row[0]
        with _cache_lock:
            if _cache["generation"] != total or len(_cache["df"]) > CACHE_MAX:
                _cache.update(generation=total, df={})
            known = _cache["df"]
            missing = [t for t in terms if t not in known]
        if missing:
            cursor.execute("SELECT term, df FROM similar_termstat WHERE term = ANY(%s)", [missing])
            found = dict(cursor.fetchall())
            with _cache_lock:
                for t in missing:
                    known[t] = found.get(t, 0)
        return total, {t: known.get(t, 0) for t in terms}


def _sqlite_stats(terms: list[str]) -> tuple[int, dict[str, int]]:
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM similar_caseterms")
        total = cursor.fetchone()[0]
        # fts5vocab answers IN by reading its vocabulary: few, large chunks (SQLite ≥ 3.32 binds 32,766)
        for start in range(0, len(terms), 8000):
            chunk = terms[start : start + 8000]
            cursor.execute(
                f"SELECT term, doc FROM similar_fts_vocab WHERE term IN ({', '.join(['%s'] * len(chunk))})", chunk
            )
            found.update(cursor.fetchall())
    return total, {t: found.get(t, 0) for t in terms}


def doc_frequencies(terms) -> tuple[int, dict[str, int]]:
    """(number of indexed cases, {term: number of cases containing it}) for ``terms``."""
    terms = sorted(set(terms))
    if not terms:
        return 0, {}
    if connection.vendor == "postgresql":
        return _postgres_stats(terms)
    return _sqlite_stats(terms)


# --- the text query ------------------------------------------------------------------------------
def query_groups(df: dict[str, int]) -> list[tuple[str, ...]]:
    """The groups a candidate must contain one of (a single term, or a pair): the rarest terms
    alone while their documents stay within ``HIT_BUDGET``, then pairs of the next rarest."""
    present = sorted((t for t, n in df.items() if n > 0), key=lambda t: (df[t], t))
    singles, hits = [], 0
    for term in present[:SINGLE_TERMS]:
        if hits + df[term] > HIT_BUDGET and singles:
            break
        singles.append(term)
        hits += df[term]
    rest = [t for t in present if t not in singles][:PAIR_TERMS]
    return [(t,) for t in singles] + list(itertools.combinations(rest, 2))


def _match_sqlite(groups) -> str:
    return " OR ".join("(" + " AND ".join(f'"{t}"' for t in g) + ")" for g in groups)


def _match_postgres(groups) -> str:
    return " | ".join("(" + " & ".join(f"'{t}'" for t in g) + ")" for g in groups)


# --- candidates ----------------------------------------------------------------------------------
def _in(column: str, ids) -> tuple[str, list]:
    ids = [int(i) for i in ids]
    return (f"{column} NOT IN ({', '.join(['%s'] * len(ids))})", ids) if ids else ("", [])


def _filters(*, statuses, since, region_prefix, matter_prefix, scope, exclude) -> tuple[list[str], list]:
    where, params = ["c.status IN (" + ", ".join(["%s"] * len(statuses)) + ")"], [str(s) for s in statuses]
    if since is not None:
        where.append("c.created_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(since))
    if region_prefix:
        where.append("c.region_id IN (SELECT id FROM routing_region WHERE path LIKE %s)")
        params.append(region_prefix + "%")
    if matter_prefix:
        where.append("c.matter_id IN (SELECT id FROM routing_mattertype WHERE path LIKE %s)")
        params.append(matter_prefix + "%")
    if scope is not None:
        sql, scope_params = scope.values("pk").query.sql_with_params()
        where.append(f"c.id IN ({sql})")
        params.extend(scope_params)
    clause, ids = _in("c.id", exclude)
    if clause:
        where.append(clause)
        params.extend(ids)
    return where, params


SELECT = "SELECT c.id, t.tokens, r.path, c.matter_id"
REGION = "JOIN routing_region r ON r.id = c.region_id"
#: PostgreSQL: an open case's terms scoped by its town and branch (``term|town_id|branch_id``, 0 for
#: none), indexed over open cases only (migration 0004; the planner matches this very expression).
SCOPED_TSV = (
    r"array_to_tsvector(string_to_array(regexp_replace(tokens, '(\S+)', "
    r"'\1|' || coalesce(town_id, 0)::text || '|' || coalesce(branch_id, 0)::text, 'g'), ' '))"
)
#: PostgreSQL: at most this many index hits are ranked (the rarest terms come first, so the hits
#: are mostly the right ones; the cap keeps a query of common words from ranking half the table).
SCAN_CAP = 2000


def _scope_first(query: str, where: list[str], params: list, *, limit: int) -> list[Row]:
    """The cases passing the filters first (by their B-tree indexes), then their terms tested."""
    sql = (
        f"WITH f AS MATERIALIZED (SELECT c.id, c.region_id, c.matter_id FROM cases_case c "
        f"WHERE {' AND '.join(where)}) "
        f"SELECT c.id, t.tokens, r.path, c.matter_id FROM f c JOIN similar_caseterms t ON t.case_id = c.id "
        f"{REGION} WHERE t.tsv @@ %s::tsquery ORDER BY ts_rank(t.tsv, %s::tsquery) DESC, c.id DESC LIMIT %s"
    )
    return _fetch(sql, [*params, query, query, limit])


def _postgres(
    query: str, where: list[str], params: list, *, open_only: bool, limit: int, scope=None, scoped: str = ""
) -> list[Row]:
    """Three short statements, each on an index: the (capped) hits and their rank from the GIN
    index (for duplicates, the open-only scoped one, asked ``scoped``: the terms with any town); their
    cases under the filters, by primary key; the terms of the best ``limit``."""
    match = f"is_open AND {SCOPED_TSV} @@ %s::tsquery" if open_only else "tsv @@ %s::tsquery"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT case_id, ts_rank(tsv, %s::tsquery) FROM similar_caseterms WHERE {match} LIMIT %s",
            [query, scoped if open_only else query, SCAN_CAP],
        )
        rank = dict(cursor.fetchall())
        if scope is not None and rank:
            # the scope asked about these hits only: its own filters plus their primary keys
            rank = {pk: rank[pk] for pk in scope.filter(pk__in=list(rank)).values_list("pk", flat=True)}
        if not rank:
            return []
        cursor.execute(
            f"SELECT c.id, r.path, c.matter_id FROM cases_case c {REGION} "
            f"WHERE c.id = ANY(%s) AND {' AND '.join(where)}",
            [list(rank), *params],
        )
        kept = sorted(cursor.fetchall(), key=lambda row: (-rank[row[0]], -row[0]))[:limit]
        if not kept:
            return []
        cursor.execute("SELECT case_id, tokens FROM similar_caseterms WHERE case_id = ANY(%s)", [[r[0] for r in kept]])
        tokens = dict(cursor.fetchall())
    return [Row(pk, tokens.get(pk, ""), path, matter) for pk, path, matter in kept]


def _match_scoped(groups, town_id: int | None, branch_id: int | None) -> str:
    """The query over ``SCOPED_TSV``: each term with the town and branch (``'拖欠|12|3'``); with no
    branch, any branch of the town (``'拖欠|12|':*``); with no town, any (``'拖欠|':*``)."""
    if town_id is None:
        suffix = "|':*"
    elif branch_id is None:
        suffix = f"|{int(town_id)}|':*"
    else:
        suffix = f"|{int(town_id)}|{int(branch_id)}'"
    return " | ".join("(" + " & ".join(f"'{t}{suffix}" for t in g) + ")" for g in groups)


def _postgres_scoped(
    query: str, scoped: str, *, statuses, since, region_prefix: str, matter_prefix: str, exclude, limit: int
) -> list[Row]:
    """Duplicate candidates in one town, in one statement that reads only that town's open cases of
    the branch sharing a term: the scoped GIN index over open cases gives them (at most
    ``SCAN_CAP``, registered since ``since`` by the row's copy), ranked on the plain terms; only the
    best ``limit`` are then checked against their cases under every filter, by primary key (the
    case is the authority: a stale copy costs a miss, never a wrong candidate)."""
    row_where, row_params = ["is_open", f"{SCOPED_TSV} @@ %s::tsquery"], [scoped]
    if since is not None:
        row_where.append("created_at >= %s")
        row_params.append(since)
    clause, ids = _in("case_id", exclude)
    if clause:
        row_where.append(clause)
        row_params.extend(ids)
    where, params = _filters(
        statuses=statuses, since=since, region_prefix="", matter_prefix=matter_prefix, scope=None, exclude=()
    )
    if region_prefix:  # the region is joined already: its path, not a subquery per row
        where.append("r.path LIKE %s")
        params.append(region_prefix + "%")
    sql = (
        "WITH hits AS MATERIALIZED (SELECT case_id, tokens, tsv FROM similar_caseterms "
        f"WHERE {' AND '.join(row_where)} LIMIT %s), "
        "best AS MATERIALIZED (SELECT case_id, tokens, ts_rank(tsv, %s::tsquery) AS rank FROM hits "
        "ORDER BY rank DESC, case_id DESC LIMIT %s) "
        f"SELECT c.id, b.tokens, r.path, c.matter_id FROM best b JOIN cases_case c ON c.id = b.case_id {REGION} "
        f"WHERE {' AND '.join(where)} ORDER BY b.rank DESC, c.id DESC"
    )
    return _fetch(sql, [*row_params, SCAN_CAP, query, limit, *params])


def candidates(
    groups,
    *,
    statuses,
    since=None,
    region_prefix: str = "",
    matter_prefix: str = "",
    scope=None,
    exclude=(),
    limit: int = CANDIDATES,
    enough: int = 5,
    town_id: int | None = None,
    branch_id: int | None = None,
) -> list[Row]:
    """Cases with one of ``statuses`` that contain one of ``groups``, under the filters, best
    text match first (bm25 / ts_rank), at most ``limit``. ``scope``: a Case queryset; when fewer
    than ``enough`` of the best hits fall in it, the scope is read first instead. ``town_id`` /
    ``branch_id``: the 乡镇街道 and 事项大类 that ``region_prefix`` / ``matter_prefix`` name (the
    index rows carry them): on PostgreSQL, open cases are then looked up in that town (and
    branch) only. The prefixes remain the filters."""
    if not groups:
        return []
    where, params = _filters(
        statuses=statuses,
        since=since,
        region_prefix=region_prefix,
        matter_prefix=matter_prefix,
        scope=scope,
        exclude=exclude,
    )
    if connection.vendor == "postgresql":
        from cases.models import OPEN_STATUSES

        query = _match_postgres(groups)
        open_only = set(statuses) <= set(OPEN_STATUSES)
        plain, plain_params = _filters(
            statuses=statuses,
            since=since,
            region_prefix=region_prefix,
            matter_prefix=matter_prefix,
            scope=None,
            exclude=exclude,
        )
        if open_only and scope is None and town_id is not None:
            return _postgres_scoped(
                query,
                _match_scoped(groups, town_id, branch_id),
                statuses=statuses,
                since=since,
                region_prefix=region_prefix,
                matter_prefix=matter_prefix,
                exclude=exclude,
                limit=limit,
            )
        scoped = _match_scoped(groups, None, None) if open_only else ""
        rows = _postgres(query, plain, plain_params, open_only=open_only, limit=limit, scope=scope, scoped=scoped)
        if scope is not None and len(rows) < enough:
            # a small scope (one unit's cases) can miss the capped hits: read it first instead
            rows = _scope_first(query, where, params, limit=limit)
        return rows
    sql = (
        f"{SELECT} FROM similar_fts f JOIN similar_caseterms t ON t.case_id = f.rowid "
        f"JOIN cases_case c ON c.id = t.case_id {REGION} "
        f"WHERE similar_fts MATCH %s AND {' AND '.join(where)} ORDER BY f.rank, c.id DESC LIMIT %s"
    )
    return _fetch(sql, [_match_sqlite(groups), *params, limit])


def _fetch(sql: str, args: list) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [Row(*row) for row in cursor.fetchall()]
