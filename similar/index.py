"""Keeping the similarity index fresh (docs/search.md).

A case's terms are written when it is created (``post_save``: every service path, the admin) or
imported (``cases.signals.cases_imported``: the bulk import writes without ``save()``), and again
when its title or description changes. Nothing else touches the index: status, place and matter
are read from the case at query time. ``index_rebuild`` (``manage.py similar_reindex``) builds it
for existing rows in batches; ``term_stats_refresh`` recomputes the PostgreSQL term statistics in
one statement (nightly, and after a rebuild).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from similar.models import CaseTerms, TermStat
from similar.text import terms

TEXT_FIELDS = frozenset({"title", "description"})
BATCH = 2000


def case_tokens(title: str, description: str) -> str:
    return " ".join(terms(f"{title}\n{description}"))


#: One upsert, the same on SQLite (≥ 3.24) and PostgreSQL: a prepared statement beats the ORM's
#: bulk_create by half a millisecond a case, which intake pays on every claim.
UPSERT = (
    "INSERT INTO similar_caseterms (case_id, tokens, is_open) VALUES (%s, %s, %s) "
    "ON CONFLICT (case_id) DO UPDATE SET tokens = excluded.tokens, is_open = excluded.is_open"
)
OPEN_FLAG = "UPDATE similar_caseterms SET is_open = %s WHERE case_id = %s AND is_open <> %s"


def _is_open(status) -> bool:
    from cases.models import OPEN_STATUSES

    return status in OPEN_STATUSES


def cases_index(cases: Iterable) -> int:
    """Write (or rewrite) the terms of ``cases`` (saved Case instances). Returns how many."""
    rows = [(c.pk, case_tokens(c.title, c.description), _is_open(c.status)) for c in cases]
    if rows:
        with connection.cursor() as cursor:
            if len(rows) == 1:
                cursor.execute(UPSERT, rows[0])
            else:
                cursor.executemany(UPSERT, rows)
    return len(rows)


def on_case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """``post_save`` of Case: index a new case, or one whose text may have changed."""
    if raw:
        return  # loaddata: similar_reindex afterwards
    if created or update_fields is None or TEXT_FIELDS.intersection(update_fields):
        cases_index([instance])
    elif "status" in update_fields and not _is_open(instance.status):
        # the case left the open statuses (closed, merged, rejected, withdrawn: all terminal), so
        # a transition between open statuses, the common one, costs no statement
        with connection.cursor() as cursor:
            cursor.execute(OPEN_FLAG, [False, instance.pk, False])


def on_cases_imported(sender, cases, **kwargs):
    """New cases written in bulk: one prepared statement run over all of them."""
    cases_index(cases)


def index_rebuild(*, only_missing: bool = False, batch: int = BATCH, progress=None) -> int:
    """(Re)build the index for existing cases, ``batch`` cases per statement, in id order; with
    ``only_missing``, only cases without a row. Then refresh the term statistics. Returns the
    number of cases written."""
    from cases.models import Case

    written, last = 0, 0
    while True:
        qs = Case.objects.filter(pk__gt=last).order_by("pk")
        if only_missing:
            qs = qs.exclude(pk__in=CaseTerms.objects.values("case_id"))
        rows = list(qs.values_list("pk", "title", "description", "status")[:batch])
        if not rows:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                UPSERT, [(pk, case_tokens(title, desc), _is_open(status)) for pk, title, desc, status in rows]
            )
        written += len(rows)
        last = rows[-1][0]
        if progress:
            progress(written)
    open_flags_repair()
    term_stats_refresh()
    return written


def open_flags_repair() -> int:
    """Set the open flag right for cases whose status changed by a path that bypassed ``save()``
    (a queryset ``update``): cleared where the case left the open statuses, set where it is open
    (again), in one statement. Returns how many rows changed."""
    from cases.models import OPEN_STATUSES

    marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    statuses = [str(s) for s in OPEN_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE similar_caseterms SET is_open = NOT is_open WHERE case_id IN ("
            f"SELECT id FROM cases_case WHERE status NOT IN ({marks})) AND is_open OR case_id IN ("
            f"SELECT id FROM cases_case WHERE status IN ({marks})) AND NOT is_open",
            [*statuses, *statuses],
        )
        return cursor.rowcount


def term_stats_refresh() -> int:
    """PostgreSQL: recompute every term's document frequency from the index in one statement (and
    the number of indexed cases, under the empty term). SQLite reads its FTS5 vocabulary live and
    needs nothing. Returns the number of terms."""
    if connection.vendor != "postgresql":
        return 0
    table = TermStat._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (term, df) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM similar_caseterms') "
            "WHERE length(word) <= 64"
        )
        count = cursor.rowcount
        cursor.execute(f"INSERT INTO {table} (term, df) SELECT '', count(*) FROM similar_caseterms")
    return count
