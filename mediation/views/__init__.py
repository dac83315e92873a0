"""Mediation screens of the core: ``core`` (the workbench: lifecycle, sessions) and ``dashboards``
(mediation KPIs, the mediator directory). Agreements and litigation have their own views in
``mediation.agreements.views`` and ``mediation.litigation.views``."""
