"""Builders for the knowledge-base tests."""

import sys
import types

import pytest

try:  # until similar.text (helper `engine`) is on this branch: a private stand-in of its contract
    import similar.text  # noqa: F401
except ImportError:  # pragma: no cover - removed once main is merged
    import re

    def _terms(text: str) -> list[str]:
        out = []
        for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", text or ""):
            if run.isascii():
                out.append(run.lower())
            else:
                out += [run[i : i + 2] for i in range(len(run) - 1)] or [run]
        return out

    _pkg = types.ModuleType("similar")
    _mod = types.ModuleType("similar.text")
    _mod.terms = _terms
    _pkg.text = _mod
    sys.modules.setdefault("similar", _pkg)
    sys.modules.setdefault("similar.text", _mod)


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
