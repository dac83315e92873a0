"""调解协议书: drafting, signing by SMS code, sealing, group batches, judicial confirmation and the
performance follow-up. ``services`` (every write), ``selectors`` (reads), ``forms``, ``views`` and
``urls`` (included by ``mediation/urls.py``), ``pdf`` (the documents), ``admin``.

The package exports its write services, so ``from mediation import agreements as ag`` followed by
``ag.agreement_draft(...)`` reads as before; import anything else from its module."""

from .services import (
    agreement_batch_generate,
    agreement_batch_start,
    agreement_draft,
    agreement_judicial_apply,
    agreement_judicial_decide,
    agreement_performance_record,
    agreement_signing_start,
    agreement_update,
    agreement_void,
    agreements_followup_remind,
    confirmation_code_send,
    confirmation_confirm,
)

__all__ = [
    "agreement_batch_generate",
    "agreement_batch_start",
    "agreement_draft",
    "agreement_judicial_apply",
    "agreement_judicial_decide",
    "agreement_performance_record",
    "agreement_signing_start",
    "agreement_update",
    "agreement_void",
    "agreements_followup_remind",
    "confirmation_code_send",
    "confirmation_confirm",
]
