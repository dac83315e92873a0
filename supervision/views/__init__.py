"""Supervision screens: ``overdue`` (the overdue board) and ``orders`` (督办); the KPI board's
views live in ``supervision.kpi.views``."""
