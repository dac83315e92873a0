"""The similarity index (issue #13, docs/search.md): one row of matching terms per case.

The row carries the text's terms and, copied from the case, what the duplicate look-up filters on
(open flag, town, matter branch, registration date), so on PostgreSQL one GIN index over open
cases, whose terms are scoped by town and branch, answers "this town's open cases of this branch
sharing these terms" without touching any other case. The case itself stays the authority: the
queries check its status, place, matter and date too, so a stale copy costs a miss until it is
repaired (``similar.index.scope_repair``), never a wrong candidate. On SQLite an FTS5 table
(``similar_fts``, external content) mirrors ``tokens`` through triggers; on PostgreSQL a stored
``tsv`` column (``array_to_tsvector`` of the tokens: no parser, no locale) carries a GIN index.
Both are created by migration 0002 (the scoped open-only GIN index by 0004), unknown to the ORM.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseTerms(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    #: ``similar.text.terms`` of the title and description, space-separated.
    tokens = models.TextField(_("检索词"), blank=True)
    #: The case is open (``OPEN_STATUSES``): on PostgreSQL a partial GIN index holds only these, so
    #: duplicate candidates never read the closed majority. Kept by the status saves; the query
    #: checks the case's status too, so a stale flag costs time, never a wrong answer.
    is_open = models.BooleanField(_("在办"), default=True, db_default=True)
    #: The case's 乡镇街道: the first region of level ``town`` on its region's path (none when the
    #: path has no town). No constraint and no B-tree: only the scoped GIN index reads it.
    town = models.ForeignKey(
        "routing.Region",
        verbose_name=_("乡镇街道"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    #: The top-level ancestor of the case's matter type (事项大类).
    branch = models.ForeignKey(
        "routing.MatterType",
        verbose_name=_("事项大类"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    #: The case's registration time (``Case.created_at``, never changed).
    created_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("相似检索索引")
        verbose_name_plural = _("相似检索索引")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.tokens[:40]}"


class TermStat(models.Model):
    """Document frequency per term on PostgreSQL, rebuilt set-based by ``similar_reindex`` and
    nightly (SQLite reads its FTS5 vocabulary live instead). The row with the empty term holds the
    number of indexed cases."""

    term = models.CharField(_("检索词"), max_length=64, primary_key=True)
    df = models.PositiveIntegerField(_("案件数"))

    class Meta:
        verbose_name = _("检索词频")
        verbose_name_plural = _("检索词频")

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"
