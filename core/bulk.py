"""Writing many rows at once with ``executemany`` (the historical import: tens of thousands).

``bulk_create`` builds one multi-row ``INSERT`` per batch, and on SQLite a batch is at most
999 parameters (about 20 cases), so building the SQL costs more than running it. One prepared
statement run over all rows costs a fraction of that. No primary keys come back: the caller finds
the rows again by a unique column when it needs them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


def rows_insert(model, objects: Sequence) -> int:
    """Insert ``objects`` (unsaved instances of ``model``) with one statement run for each, in
    the caller's transaction; every concrete column but an auto primary key is written, each value
    prepared by its field as ``save()`` would (``auto_now`` fields set now). Returns the count."""
    if not objects:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs per attribute
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
