"""Keeping the similarity index fresh (docs/search.md).

A case's row is written when it is created (``post_save``: every service path, the admin) or
imported (``cases.signals.cases_imported``: the bulk import writes without ``save()``), and again
when its title, description, region or matter changes. The row carries the terms and, for the
duplicate look-up, copies of the case's open flag, town (乡镇街道), matter branch (事项大类) and
registration time; the status saves keep the flag, ``open_flags_repair`` and ``scope_repair`` put
right set-based what a path without ``save()`` or a change of the directory's tree (a village moved
to another town) left stale — nightly, and the latter after every directory change.
``index_rebuild`` (``manage.py similar_reindex``) builds the index for existing rows in batches;
``term_stats_refresh`` recomputes the PostgreSQL term statistics in one statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection, transaction

from similar.models import CaseTerms, TermStat
from similar.text import terms

TEXT_FIELDS = frozenset({"title", "description"})
#: What the row copies from the case besides the text (``update_fields`` may name a field or its column).
SCOPE_FIELDS = frozenset({"region", "region_id", "matter", "matter_id", "created_at"})
BATCH = 2000


def case_tokens(title: str, description: str) -> str:
    return " ".join(terms(f"{title}\n{description}"))


#: The town (乡镇街道) of a region: the first region of level ``town`` on its path, by the path's
#: codes (unique index) on PostgreSQL, by prefix over the towns on SQLite. ``{region}``: the column.
TOWN_OF = {
    "postgresql": "(SELECT a.id FROM routing_region r JOIN routing_region a "
    "ON a.code = ANY(string_to_array(btrim(r.path, '/'), '/')) "
    "WHERE r.id = {region} AND a.level = 'town' ORDER BY a.depth LIMIT 1)",
    "sqlite": "(SELECT a.id FROM routing_region r JOIN routing_region a "
    "ON a.level = 'town' AND substr(r.path, 1, length(a.path)) = a.path "
    "WHERE r.id = {region} ORDER BY a.depth LIMIT 1)",
}
#: The branch (事项大类) of a matter type: its top-level ancestor. ``{matter}``: the column.
BRANCH_OF = {
    "postgresql": "(SELECT a.id FROM routing_mattertype m JOIN routing_mattertype a "
    "ON a.code = split_part(m.path, '/', 2) AND a.parent_id IS NULL WHERE m.id = {matter})",
    "sqlite": "(SELECT a.id FROM routing_mattertype m JOIN routing_mattertype a "
    "ON a.parent_id IS NULL AND substr(m.path, 1, length(a.path)) = a.path WHERE m.id = {matter} LIMIT 1)",
}


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


#: One upsert, the same on SQLite (≥ 3.24) and PostgreSQL: a prepared statement beats the ORM's
#: bulk_create by half a millisecond a case, which intake pays on every claim.
UPSERT = (
    "INSERT INTO similar_caseterms (case_id, tokens, is_open, town_id, branch_id, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (case_id) DO UPDATE SET tokens = excluded.tokens, "
    "is_open = excluded.is_open, town_id = excluded.town_id, branch_id = excluded.branch_id, "
    "created_at = excluded.created_at"
)


def _scope_maps() -> tuple[dict[int, int | None], dict[int, int | None]]:
    """{region id: its town's id} and {matter type id: its branch's id} for the whole directory
    (the same rules as ``TOWN_OF`` / ``BRANCH_OF``): two queries, once per directory version and
    process (kept with the routing index's snapshot, which a directory write replaces)."""
    from routing.models import MatterType, Region

    regions = list(Region.objects.values_list("pk", "code", "path", "level"))
    towns = {code: pk for pk, code, _path, level in regions if level == "town"}
    town_of = {pk: next((towns[c] for c in path.split("/") if c in towns), None) for pk, _code, path, _l in regions}
    matters = list(MatterType.objects.values_list("pk", "path", "parent_id"))
    roots = {path: pk for pk, path, parent in matters if parent is None}
    branch_of = {pk: roots.get("/" + path.strip("/").split("/")[0] + "/") for pk, path, _parent in matters}
    return town_of, branch_of


def _scope_of(cases) -> list[tuple[int | None, int | None]]:
    """(town id, branch id) of each case, from the directory snapshot: no query inside a service
    that pins the directory (every intake path does), one stamp read otherwise."""
    from routing.dispatch import directory_pinned, reference_cached

    with directory_pinned():
        town_of, branch_of = reference_cached("similar.index:scope", _scope_maps)
        return [(town_of.get(c.region_id), branch_of.get(c.matter_id)) for c in cases]


OPEN_FLAG = "UPDATE similar_caseterms SET is_open = %s WHERE case_id = %s AND is_open <> %s"


def _is_open(status) -> bool:
    from cases.models import OPEN_STATUSES

    return status in OPEN_STATUSES


def cases_index(cases: Iterable) -> int:
    """Write (or rewrite) the terms of ``cases`` (saved Case instances). Returns how many."""
    cases = list(cases)
    at = connection.ops.adapt_datetimefield_value
    rows = [
        (c.pk, case_tokens(c.title, c.description), _is_open(c.status), town, branch, at(c.created_at))
        for c, (town, branch) in zip(cases, _scope_of(cases), strict=True)
    ]
    if rows:
        with connection.cursor() as cursor:
            if len(rows) == 1:
                cursor.execute(UPSERT, rows[0])
            else:
                cursor.executemany(UPSERT, rows)
    return len(rows)


def on_case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """``post_save`` of Case: index a new case, or one whose text, place or matter may have changed."""
    if raw:
        return  # loaddata: similar_reindex afterwards
    if created or update_fields is None or (TEXT_FIELDS | SCOPE_FIELDS).intersection(update_fields):
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
        rows = list(qs.only("pk", "title", "description", "status", "region_id", "matter_id", "created_at")[:batch])
        if not rows:
            break
        with transaction.atomic():
            cases_index(rows)
        written += len(rows)
        last = rows[-1].pk
        if progress:
            progress(written)
    open_flags_repair()
    scope_repair()
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


def scope_repair() -> int:
    """Set the town, branch and registration time right on every row where they differ from the
    case's (a region moved to another town, a matter to another branch, a path that wrote a case
    without ``save()``), in one statement: the town of every region and the branch of every
    matter type are worked out once, then joined to the cases. Returns how many rows changed."""
    vendor = _vendor()
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    town = TOWN_OF[vendor].format(region="r0.id")
    branch = BRANCH_OF[vendor].format(matter="m0.id")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE similar_caseterms AS t SET town_id = town.town_id, branch_id = branch.branch_id, "
            "created_at = c.created_at FROM cases_case c "
            f"JOIN (SELECT r0.id AS region_id, {town} AS town_id FROM routing_region r0) town "
            "ON town.region_id = c.region_id "
            f"JOIN (SELECT m0.id AS matter_id, {branch} AS branch_id FROM routing_mattertype m0) branch "
            "ON branch.matter_id = c.matter_id "
            f"WHERE t.case_id = c.id AND (t.town_id {differs} town.town_id OR t.branch_id {differs} "
            f"branch.branch_id OR t.created_at {differs} c.created_at)"
        )
        return cursor.rowcount


#: The cache key of the last towns-and-branches snapshot the rows were repaired against.
SCOPE_STAMP = "similar.index:scope-stamp"


def scope_repair_if_moved() -> int | None:
    """After a directory write: ``scope_repair`` only when some region's town or some matter's
    branch differs from the snapshot of the last repair (most directory writes are units and
    rules, and the repair reads every case: half a minute at a million). Returns the rows changed,
    or None when nothing moved. A cache that forgot the snapshot costs one repair, never a miss."""
    from django.core.cache import cache

    town_of, branch_of = _scope_maps()
    stamp = hashlib.sha256(repr((sorted(town_of.items()), sorted(branch_of.items()))).encode()).hexdigest()
    if cache.get(SCOPE_STAMP) == stamp:
        return None
    changed = scope_repair()
    cache.set(SCOPE_STAMP, stamp, None)
    return changed


def on_directory_changed(sender, **kwargs):
    """``post_save`` of the directory's version stamp (every write to regions, matter types, units
    or rules): re-derive the towns and branches once the change has committed, in the background
    (set-based, rows that did not change are not written; nothing at all when no town or branch moved)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("similar.tasks.similar_scope_repair"))


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
