"""Demo knowledge-base articles (``demo/kb_articles.yaml``). Idempotent; ``load_demo`` runs it: an
article that exists (by code) is left as it is, so edits made in the admin survive a reload."""

from __future__ import annotations

from pathlib import Path

ARTICLES_FILE = Path(__file__).with_name("kb_articles.yaml")


def load_demo_articles() -> int:
    from kb.importer import import_articles, read_articles

    created, _updated = import_articles(read_articles(ARTICLES_FILE), only_new=True)
    return created
