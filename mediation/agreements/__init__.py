"""调解协议书: drafting, signing by SMS code, sealing, group batches, judicial confirmation and the
performance follow-up. ``services`` (every write), ``selectors`` (reads), ``forms``, ``views`` and
``urls`` (included by ``mediation/urls.py``), ``pdf`` (the documents), ``admin``."""
