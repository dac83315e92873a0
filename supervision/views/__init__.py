"""Supervision screens: ``overdue`` (the overdue board), ``orders`` (督办), ``kpi`` (KPI board,
exports, monthly report)."""
