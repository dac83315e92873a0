"""Signals the cases app sends for writes that bypass ``save()``."""

from django.dispatch import Signal

#: Sent by the bulk import after a batch of cases is written (``cases``: the saved Case instances),
#: inside the import's transaction. Receivers: ``similar`` (its index).
cases_imported = Signal()
