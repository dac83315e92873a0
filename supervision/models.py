"""Supervision: 督办 orders (warnings live on the case; the sweep is in services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("已办结")


class SupervisionOrder(models.Model):
    """督办: a supervisor's instruction on a case to a unit, with its own reply deadline."""

    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="orders")
    unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("督办对象"), on_delete=models.PROTECT, related_name="orders"
    )
    # Empty for the platform's own orders (issue #15: the automatic 督办 of a buck-passed case).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_issued",
    )
    instruction = models.TextField(_("督办要求"))
    due_at = models.DateTimeField(_("回复时限"))
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    reply = models.TextField(_("回复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="orders_replied"
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    pressed = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="order_unit_open"),
            models.Index(fields=["status", "due_at"], name="order_status_due"),
        ]

    def __str__(self) -> str:
        return f"督办 {self.case_id} → {self.unit_id}"

    @property
    def is_automatic(self) -> bool:
        """Issued by the platform (推诿, issue #15), not by a supervisor."""
        return self.issued_by_id is None

    @property
    def is_overdue(self) -> bool:
        return self.status == OrderStatus.OPEN and self.due_at < timezone.now()


class SupervisionOrderEvent(models.Model):
    """Which 督办 order a timeline entry (``CaseEvent``: order_issue / reply / press / close)
    belongs to, so an order's page lists its own activity even when the case has several orders.

    A link table here rather than a column on ``CaseEvent``: cases stays unaware of supervision
    (no upward dependency, no change to the append-only timeline table). Written by
    ``supervision.services`` in the same transaction as the event."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="event_links")
    event = models.OneToOneField("cases.CaseEvent", on_delete=models.CASCADE, related_name="supervision_order_link")

    class Meta:
        verbose_name = _("督办动态")
        verbose_name_plural = _("督办动态")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.event_id}"


# KPI snapshot (统计快照) ------------------------------------------------------------------------
# (Appended for the KPI board: see docs/kpi.md "Pre-aggregation".)


class KpiDimension(models.TextChoices):
    TOTAL = "total", _("合计")
    MATTER = "matter", _("事项大类")
    CHANNEL = "channel", _("来源渠道")
    UNIT = "unit", _("办理单位")


class KpiDaily(models.Model):
    """One day's KPI counts for one region bucket, as one-dimensional breakdowns (grouping sets).

    ``region`` is the case's place rolled up to its town (乡镇街道) — or the place itself when it
    lies above town level — so a scope at district level or above and its child regions are
    exact sums of buckets; ``region_path`` is that region's path, copied so that the board filters
    and groups the snapshot without a join. Each row holds one ``dimension``: the day's total for
    the bucket, or the part of it for one top-level matter, channel or unit (``key``: matter code,
    channel code, unit code). Written only by ``supervision.kpi.snapshot``; a day is usable once
    its ``KpiDailyRun`` row exists (both are written in one transaction). Definitions: docs/kpi.md.
    """

    date = models.DateField(_("日期"))
    region = models.ForeignKey(
        "routing.Region", verbose_name=_("区划（至乡镇街道）"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(_("区划路径"), max_length=600)
    dimension = models.CharField(_("维度"), max_length=8, choices=KpiDimension.choices)
    key = models.CharField(_("维度取值"), max_length=40, blank=True)
    registered = models.PositiveIntegerField(_("受理量"), default=0)
    taken = models.PositiveIntegerField(_("承办量（签收或当场办结）"), default=0)
    closed = models.PositiveIntegerField(_("办结量"), default=0)
    on_time = models.PositiveIntegerField(_("按期办结"), default=0)
    mediated = models.PositiveIntegerField(_("调解成功"), default=0)
    mediation_closed = models.PositiveIntegerField(_("可调解办结（有化解结论）"), default=0)
    local = models.PositiveIntegerField(_("就地化解"), default=0)
    rated = models.PositiveIntegerField(_("已评价"), default=0)
    satisfied = models.PositiveIntegerField(_("满意及基本满意"), default=0)
    working_days = models.PositiveIntegerField(_("办结用时合计（工作日）"), default=0)
    returns = models.PositiveIntegerField(_("退回次数"), default=0)
    # For the month's 办结率: cases finished this day that were registered in the same month.
    closed_same_month = models.PositiveIntegerField(_("当月登记当月办结"), default=0)
    ended_same_month = models.PositiveIntegerField(_("当月登记当月终止（不予受理、撤回、合并）"), default=0)
    # issue #11: 响应率, 解决率, 重办率, 催办 (docs/kpi.md)
    contact_due = models.PositiveIntegerField(_("首次联系时限届满"), default=0)
    contacted_on_time = models.PositiveIntegerField(_("按时首次联系"), default=0)
    answered = models.PositiveIntegerField(_("回答是否解决"), default=0)
    solved = models.PositiveIntegerField(_("问题已解决"), default=0)
    results = models.PositiveIntegerField(_("提交办理结果"), default=0)
    send_backs = models.PositiveIntegerField(_("驳回重办"), default=0)
    presses = models.PositiveIntegerField(_("群众催办"), default=0)
    # issue #13: 重复诉求率 (docs/kpi.md)
    repeats = models.PositiveIntegerField(_("重复诉求（合并）"), default=0)
    # issue #15: rated cases left out of their unit's 满意率 (不合理诉求 / 恶意诉求, docs/unreasonable-claims.md)
    unreason_excluded = models.PositiveIntegerField(_("剔除不合理诉求（已评价）"), default=0)
    # issue #15: 推诿次数 (docs/handover.md)
    buck_passes = models.PositiveIntegerField(_("推诿次数"), default=0, db_default=0)

    class Meta:
        verbose_name = _("每日统计快照")
        verbose_name_plural = _("每日统计快照")
        constraints = [
            models.UniqueConstraint(fields=["date", "region", "dimension", "key"], name="kpi_daily_unique"),
        ]
        indexes = [models.Index(fields=["dimension", "date", "region_path"], name="kpi_daily_dim_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.region_id} {self.dimension}:{self.key}"


class KpiDailyRun(models.Model):
    """A day whose ``KpiDaily`` rows are written: the whole day (``through`` empty), or — for the
    day in progress — its part before ``through`` (a full hour); the board counts the rest of that
    day live. Days without one are counted live."""

    date = models.DateField(_("日期"), unique=True)
    computed_at = models.DateTimeField(_("生成时间"))
    rows = models.PositiveIntegerField(_("快照行数"), default=0)
    through = models.DateTimeField(
        _("统计截至"), null=True, blank=True, help_text=_("为空表示全天；否则快照只含当天此时刻之前的部分。")
    )

    class Meta:
        verbose_name = _("统计快照日")
        verbose_name_plural = _("统计快照日")
        ordering = ["-date"]

    def __str__(self) -> str:
        return str(self.date)


# Warning thresholds (预警阈值) -------------------------------------------------------------------


class WarningThresholds(models.Model):
    """The blue and yellow warning thresholds as set in the admin: one row (pk 1) or none.

    Without the row, ``settings.SUPERVISION_WARNING_THRESHOLDS`` applies. Written only by
    ``supervision.services.warning_thresholds_set`` / ``_clear``, which also move the precomputed
    ``blue_at`` / ``yellow_at`` of every open case (one ``UPDATE``); see docs/architecture.md.
    """

    SINGLETON_ID = 1

    blue = models.DecimalField(
        _("蓝色预警阈值"),
        max_digits=4,
        decimal_places=3,
        help_text=_("本环节用时达到时限的这一比例时亮蓝灯，填 0 到 1 之间的小数，如 0.5 表示用时过半。"),
    )
    yellow = models.DecimalField(
        _("黄色预警阈值"),
        max_digits=4,
        decimal_places=3,
        help_text=_("用时达到这一比例时亮黄灯，须大于蓝色预警阈值且小于 1，如 0.8 表示用时八成。"),
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blue__gt=0, yellow__gt=models.F("blue"), yellow__lt=1),
                name="warning_thresholds_ordered",
            ),
            models.CheckConstraint(condition=models.Q(id=1), name="warning_thresholds_singleton"),
        ]

    def __str__(self) -> str:
        return _("蓝色 %(b)s%%，黄色 %(y)s%%") % {"b": _percent(self.blue), "y": _percent(self.yellow)}

    def clean(self):
        from django.core.exceptions import ValidationError

        from .thresholds import thresholds_problem

        if self.blue is None or self.yellow is None:
            return  # the field itself already says it is required
        problem = thresholds_problem(float(self.blue), float(self.yellow))
        if problem:
            raise ValidationError({problem[0]: problem[1]})


def _percent(value) -> str:
    return f"{float(value) * 100:g}"


# Risk early warning (研判预警, issue #15) ----------------------------------------------------------
# Rules, thresholds and the SQL shape: docs/risk-warnings.md. Written only by supervision.risk.services.


class RiskKind(models.TextChoices):
    SURGE = "surge", _("诉求激增")
    GROUP = "group", _("群体性诉求")
    FREQUENT = "frequent", _("重复信访人")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("待研判")
    ASSESSED = "assessed", _("已研判")


class RiskWarning(models.Model):
    """研判预警: a pattern the daily risk scan found in the cases of one place — a surge of one
    matter branch in a town, a group claim, or one person's many claims — for the supervisors of
    that place to assess (研判意见) and act on (措施).

    ``fingerprint`` (kind + place + matter + window + subject) makes the scan idempotent: the same
    finding is one row however often the scan runs. ``subject_key`` is the finding without its
    window (a surge's town and matter, a group claim's case, a person's phone — hashed, never
    stored in clear), so a finding that persists is not raised again while a warning of the same
    subject covers its window."""

    kind = models.CharField(_("预警类型"), max_length=10, choices=RiskKind.choices)
    region = models.ForeignKey(
        "routing.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="risk_warnings"
    )
    matter = models.ForeignKey(
        "routing.MatterType",
        verbose_name=_("事项大类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_warnings",
    )
    window_start = models.DateTimeField(_("统计起始"))
    window_end = models.DateTimeField(_("统计截止"))
    count = models.PositiveIntegerField(_("案件数"), default=0)
    baseline = models.DecimalField(
        _("前八周周均"), max_digits=9, decimal_places=2, null=True, blank=True, help_text=_("仅诉求激增预警")
    )
    ratio = models.DecimalField(_("倍数"), max_digits=9, decimal_places=2, null=True, blank=True)
    people = models.PositiveIntegerField(_("涉及人数"), default=0)
    claims = models.PositiveIntegerField(_("诉求件数"), default=0)
    subject = models.CharField(
        _("对象"), max_length=60, blank=True, help_text=_("群体性诉求的案件编号，或重复信访人的手机号（已遮挡）")
    )
    subject_key = models.CharField(_("对象标识"), max_length=64, db_index=True, editable=False)
    fingerprint = models.CharField(_("指纹"), max_length=64, unique=True, editable=False)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("涉及案件"), through="RiskWarningCase", related_name="risk_warnings"
    )
    status = models.CharField(_("状态"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    assessment = models.TextField(_("研判意见"), blank=True)
    measures = models.TextField(_("措施"), blank=True)
    created_at = models.DateTimeField(_("预警时间"), default=timezone.now)

    class Meta:
        verbose_name = _("研判预警")
        verbose_name_plural = _("研判预警")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="risk_status_recent"),
            models.Index(fields=["created_at"], name="risk_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.region_id} · {self.created_at:%Y-%m-%d}"

    @property
    def window_label(self) -> str:
        """The window's days, "2026年11月13日至2026年11月19日" (its end is the midnight after)."""
        import datetime as dt

        from core.periods import date_label

        first = timezone.localtime(self.window_start).date()
        last = timezone.localtime(self.window_end - dt.timedelta(microseconds=1)).date()
        return _("%(a)s至%(b)s") % {"a": date_label(first), "b": date_label(last)}


class RiskWarningCase(models.Model):
    """A case behind a risk warning."""

    warning = models.ForeignKey(RiskWarning, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("预警涉及案件")
        verbose_name_plural = _("预警涉及案件")
        constraints = [models.UniqueConstraint(fields=["warning", "case"], name="risk_case_unique")]

    def __str__(self) -> str:
        return f"{self.warning_id}: {self.case_id}"


class RiskWarningNote(models.Model):
    """One assessment recorded on a warning (the first acknowledges it; later ones add to it):
    the warning's history, append-only."""

    warning = models.ForeignKey(RiskWarning, on_delete=models.CASCADE, related_name="notes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("研判人"), on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.TextField(_("研判意见"))
    measures = models.TextField(_("措施"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("研判记录")
        verbose_name_plural = _("研判记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.warning_id} · {self.created_at:%Y-%m-%d %H:%M}"
