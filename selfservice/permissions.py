"""Who may print 一码解纷 posters: admins and centre staff, for places in their area."""

from __future__ import annotations

from .selectors import poster_scope_paths


def can_print_poster(user, region) -> bool:
    paths = poster_scope_paths(user)
    if paths is None:
        return True
    return any(region.path.startswith(path) for path in paths)


def can_print_any_poster(user) -> bool:
    return poster_scope_paths(user) != []
