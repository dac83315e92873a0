from .index import index_rebuild, scope_repair_if_moved


def similar_index_maintain() -> int:
    """q2 schedule (nightly): index any case a bulk path wrote without the index, then refresh the
    PostgreSQL term statistics. Idempotent; safe to run concurrently (the statistics are replaced
    under a table lock, readers keep the old ones until it commits)."""
    return index_rebuild(only_missing=True)


def similar_scope_repair() -> int | None:
    """After a directory change (``similar.index.on_directory_changed``): the towns and branches the
    index rows copy, re-derived set-based when any of them moved. Idempotent."""
    return scope_repair_if_moved()
