"""一键诉讼: the package for the court (case, parties, claims, facts, evidence, the mediation's
history), its hand-off through the configured ``CourtGateway`` and the court's reply.
``services`` (build, submit, reply), ``court_gateway`` (the transport), ``record_pdf`` (调解笔录),
``forms``, ``views`` and ``urls`` (included by ``mediation/urls.py``), ``admin``."""
