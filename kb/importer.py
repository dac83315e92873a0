"""Reading knowledge-base articles from a data file (YAML or JSON; format in docs/knowledge-base.md)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Article
from .services import KbError, article_upsert

FIELDS = {"code", "title", "category", "body", "law_name", "law_article", "matters", "regions", "published"}


def read_articles(path: str | Path) -> list[dict]:
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    rows = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise KbError(_("文件格式不对：应为 articles: 下的条目列表。"))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("code"):
            raise KbError(_("第 %(n)d 个条目缺少编号（code）。") % {"n": number})
        unknown = sorted(set(row) - FIELDS)
        if unknown:
            raise KbError(_("条目 %(code)s：不认识的字段 %(f)s") % {"code": row["code"], "f": "、".join(unknown)})
    return rows


def _arguments(row: dict) -> dict:
    return {
        "code": str(row["code"]),
        "title": str(row.get("title", "")),
        "category": str(row.get("category", "")),
        "body": str(row.get("body", "")),
        "law_name": str(row.get("law_name", "") or ""),
        "law_article": str(row.get("law_article", "") or ""),
        "matters": [str(c) for c in row.get("matters") or []],
        "regions": [str(c) for c in row.get("regions") or []],
        "published": bool(row.get("published", True)),
    }


@transaction.atomic
def import_articles(rows: list[dict], *, only_new: bool = False, actor=None) -> tuple[int, int]:
    """Upsert every row by code, all or nothing; returns (created, updated). ``only_new`` leaves the
    articles that exist already as they are (the demo: an article edited in the admin stays edited)."""
    existing = set(Article.objects.values_list("code", flat=True))
    created = updated = 0
    for row in rows:
        if only_new and str(row["code"]) in existing:
            continue
        _article, changed = article_upsert(actor=actor, **_arguments(row))
        if changed and str(row["code"]) in existing:
            updated += 1
        elif changed:
            created += 1
    return created, updated
