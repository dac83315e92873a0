"""Dates as the interface writes them (CONVENTIONS.md: ``2026年11月21日 14:05``, Beijing time)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def cn_datetime(value: dt.datetime | None) -> str:
    """``2026年11月21日 14:05`` in local time; "" for no value."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def cn_date(value: dt.date | dt.datetime | None, empty: str = "") -> str:
    """``2026年11月21日`` (a datetime in local time); ``empty`` for no value."""
    if not value:
        return empty
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"
