"""Builders for the knowledge-base tests."""

import pytest


@pytest.fixture
def article(db):
    """``article(code, title=…, body=…, matters=[codes], …)``: an article saved through the import
    service (published unless told otherwise)."""
    from kb.services import article_upsert

    def make(code, *, title="标题", body="正文内容" * 10, category="faq", published=True, **kwargs):
        row, _changed = article_upsert(
            code=code, title=title, body=body, category=category, published=published, **kwargs
        )
        return row

    return make
