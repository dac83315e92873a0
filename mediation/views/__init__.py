"""Mediation screens, one module per area: ``core`` (lifecycle, sessions), ``agreements``
(agreements, confirmations, the public verification page), ``litigation`` (一键诉讼),
``dashboards`` (mediation KPIs)."""
