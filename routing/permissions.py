"""Who may use routing's own pages.

Roles live in ``accounts``, above routing, so routing does not import them: ``accounts`` registers
the rule at start-up (``AccountsConfig.ready``), as ``cases.locks`` does for holds. Until it does,
only superusers may use the rule simulator.
"""

from __future__ import annotations

from collections.abc import Callable

_simulator_rule: Callable | None = None


def register_rule_simulator_rule(rule: Callable) -> None:
    """``rule(user) -> bool``: may this signed-in user try claims against the live rules?"""
    global _simulator_rule
    _simulator_rule = rule


def can_use_rule_simulator(user) -> bool:
    if not user.is_authenticated:
        return False
    if _simulator_rule is None:
        return user.is_superuser
    return bool(_simulator_rule(user))


_directory_import_rule: Callable | None = None


def register_directory_import_rule(rule: Callable) -> None:
    """``rule(user) -> bool``: may this signed-in user import a directory file in the browser?"""
    global _directory_import_rule
    _directory_import_rule = rule


def can_import_directory(user) -> bool:
    """Import (and preview the import of) a directory file: admins only."""
    if not user.is_authenticated:
        return False
    if _directory_import_rule is None:
        return user.is_superuser
    return bool(_directory_import_rule(user))
