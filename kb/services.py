"""Every write of the knowledge base: save an article (the admin), upsert one from a data file
(the demo and a city's own import). Each keeps the search columns in step; the database index
follows them (FTS5 triggers on SQLite, an expression index on PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from routing.models import MatterType, Region

from . import permissions, search
from .models import Article, Category

#: 第二十七条, 第三十一条至第三十三条, 第九百三十七条第一款, 第四十二条、第四十四条, 第十六条之一
ARTICLE_NUMBER = re.compile(
    r"^第[零〇一二三四五六七八九十百千\d]+条(之[一二三四五六七八九十]+)?(第[一二三四五六七八九十]+款)?"
    r"([、至和及]第[零〇一二三四五六七八九十百千\d]+条(之[一二三四五六七八九十]+)?(第[一二三四五六七八九十]+款)?)*$"
)
BODY_MIN = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class KbError(ServiceError):
    """An article that cannot be saved as it is; ``message`` says why, in Chinese."""


def clean_law_name(value: str) -> str:
    return (value or "").strip().strip("《》").strip()


def article_problems(*, title: str, category: str, body: str, law_name: str, law_article: str) -> dict[str, str]:
    """The field errors of an article, in plain Chinese (the admin form and the import share them)."""
    problems: dict[str, str] = {}
    if not (title or "").strip():
        problems["title"] = _("请填写标题。")
    if category not in Category.values:
        problems["category"] = _("请选择栏目：政策法规、办事指南或常见问答。")
    if len((body or "").strip()) < BODY_MIN:
        problems["body"] = _("正文太短：至少写 %(n)d 个字，说清楚规定是什么、群众该怎么办。") % {"n": BODY_MIN}
    law_name, law_article = clean_law_name(law_name), (law_article or "").strip()
    if law_article and not law_name:
        problems["law_name"] = _("填写了条款，请同时填写法律法规名称。")
    if law_article and not ARTICLE_NUMBER.match(law_article):
        problems["law_article"] = _("条款请写成“第二十七条”“第三十一条至第三十三条”这样的格式；不确定条号就留空。")
    if category == Category.POLICY and not law_name:
        problems["law_name"] = _("政策法规类条目须填写所依据的法律法规名称。")
    return problems


def _require_editor(actor) -> None:
    if actor is not None and not permissions.may_edit(actor):
        raise PermissionDenied


def _fill_index(article: Article) -> None:
    article.index_title = search.index_text(article.title)
    article.index_body = search.index_text(
        "\n".join([article.body, article.law_name, article.law_article, article.get_category_display()])
    )


@transaction.atomic
def article_save(*, article: Article, actor) -> Article:
    """Save an article edited in the admin (its many-to-many fields are saved by the admin after
    this): stamps who and when, cleans the law name, refreshes the search columns."""
    _require_editor(actor)
    article.title = _CONTROL.sub("", article.title).strip()
    article.body = _CONTROL.sub("", article.body).strip()
    article.law_name = clean_law_name(article.law_name)
    article.law_article = (article.law_article or "").strip()
    problems = article_problems(
        title=article.title,
        category=article.category,
        body=article.body,
        law_name=article.law_name,
        law_article=article.law_article,
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise KbError(message, field=field)
    article.updated_at = timezone.now()
    article.updated_by = actor
    _fill_index(article)
    article.save()
    return article


@transaction.atomic
def article_upsert(
    *,
    code: str,
    title: str,
    category: str,
    body: str,
    law_name: str = "",
    law_article: str = "",
    matters: Iterable[str] = (),
    regions: Iterable[str] = (),
    published: bool = True,
    actor=None,
) -> tuple[Article, bool]:
    """Create or update the article ``code`` from a data file (matter and region codes); returns
    (article, changed). An unchanged article is left as it is (its ``updated_at`` too), so a second
    load changes nothing. Unknown codes are an error naming them."""
    _require_editor(actor)
    matter_codes, region_codes = sorted(set(matters)), sorted(set(regions))
    matter_rows = list(MatterType.objects.filter(code__in=matter_codes))
    region_rows = list(Region.objects.filter(code__in=region_codes))
    missing = sorted(set(matter_codes) - {m.code for m in matter_rows}) + sorted(
        set(region_codes) - {r.code for r in region_rows}
    )
    if missing:
        raise KbError(
            _("条目 %(code)s：没有这些事项或地区编码：%(missing)s") % {"code": code, "missing": "、".join(missing)}
        )
    values = {
        "title": _CONTROL.sub("", title).strip(),
        "category": category,
        "body": _CONTROL.sub("", body).strip(),
        "law_name": clean_law_name(law_name),
        "law_article": (law_article or "").strip(),
        "published": bool(published),
    }
    problems = article_problems(**{k: values[k] for k in ("title", "category", "body", "law_name", "law_article")})
    if problems:
        raise KbError(_("条目 %(code)s：%(problem)s") % {"code": code, "problem": "；".join(problems.values())})
    article = Article.objects.filter(code=code).first()
    created = article is None
    if created:
        article = Article(code=code)
    same = not created and all(getattr(article, k) == v for k, v in values.items())
    same = same and sorted(article.matters.values_list("code", flat=True)) == matter_codes
    same = same and sorted(article.regions.values_list("code", flat=True)) == region_codes
    if same:
        return article, False
    for key, value in values.items():
        setattr(article, key, value)
    article.updated_at = timezone.now()
    article.updated_by = actor
    _fill_index(article)
    article.save()
    article.matters.set(matter_rows)
    article.regions.set(region_rows)
    return article, True


def articles_reindex() -> int:
    """Recompute every article's search columns (after the segmentation changed); returns how many
    changed. The database index follows through its triggers / expression."""
    changed = 0
    for article in Article.objects.order_by("pk").iterator():
        title, body = article.index_title, article.index_body
        _fill_index(article)
        if (title, body) != (article.index_title, article.index_body):
            Article.objects.filter(pk=article.pk).update(index_title=article.index_title, index_body=article.index_body)
            changed += 1
    return changed
