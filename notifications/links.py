"""What the message centre must know about its reader and a message's case, told by the apps above.

A message stores only the case's public number (``OutboxMessage.case_number``): this app knows no
other app's models. The app that knows the case pages and the roles (intake: the staff case page
by number, the citizen's page by the tracking code of their own claim) installs a ``Reader`` at
start-up with ``set_reader``, as ``cases.locks`` does for holds. Without one, messages have no link
and every reader gets the citizen's list of kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reader:
    #: (reader, case numbers) → {number: url}; numbers the reader may not open are left out.
    case_links: Callable[[object, list[str]], dict[str, str]]
    #: Whether the reader is staff (the filter then offers the staff kinds of message).
    is_staff: Callable[[object], bool]


_reader: Reader | None = None


def set_reader(reader: Reader | None) -> None:
    global _reader
    _reader = reader


def case_links(user, numbers: Iterable[str]) -> dict[str, str]:
    """The URL of each case page ``user`` may open, by case number (at most one query)."""
    wanted = sorted({n for n in numbers if n})
    if not wanted or _reader is None:
        return {}
    return _reader.case_links(user, wanted)


def is_staff_reader(user) -> bool:
    return _reader is not None and _reader.is_staff(user)
