"""A button on an object's staff page (a case, a mediation, a 督办 order): the form it opens and
the service call its valid data makes. One definition for the apps that offer such actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    form: type
    run: Callable  # (object, user, cleaned_data) -> the success message (or None: ``done`` is shown)
    style: str = "btn-outline-secondary"
    intro: str = ""  # a line under the button or above the form
    done: str = ""  # the success message when ``run`` returns none
    units: bool = False  # the form lists dispatch targets (the case page loads them once)
