"""The directory: regions, units, matter types, and the routing rules between them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    TOWN = "town", _("乡镇街道")
    VILLAGE = "village", _("村社区")
    GRID = "grid", _("网格")


#: Higher number = lower in the administrative hierarchy.
LEVEL_RANK: dict[str, int] = {level.value: rank for rank, level in enumerate(RegionLevel, start=1)}


class TreeNode(models.Model):
    """A node of a code tree with a materialised path (``/44/4406/440608/``).

    "This node and everything below it" is ``path__startswith=node.path``: one indexed prefix
    query (on PostgreSQL Django adds a ``varchar_pattern_ops`` index for ``db_index`` columns).
    ``path`` and ``depth`` are maintained by ``routing.services`` only.
    """

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    path = models.CharField(_("路径"), max_length=600, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("层深"), default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this node, inclusive."""
        return [code for code in self.path.split("/") if code]


class Region(TreeNode):
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["level", "path"], name="region_level_path")]

    @property
    def level_rank(self) -> int:
        return LEVEL_RANK[self.level]


class Severity(models.TextChoices):
    """How serious a case is (issue #15): proposed at intake by the directory's severity rules,
    confirmed or changed by the centre. Routing rules may require a minimum; a matter's deadlines
    may be shorter for a higher one."""

    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较大")
    MAJOR = "major", _("重大")


#: Higher number = more serious.
SEVERITY_RANK: dict[str, int] = {level.value: rank for rank, level in enumerate(Severity)}


class MatterType(TreeNode):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    mediable = models.BooleanField(_("可调解"), default=False)
    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1)
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    handle_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=15)
    # 首次联系 (issue #11): the lead unit contacts the citizen by the end of this working day after
    # signing (0: the day it signs).
    contact_days = models.PositiveSmallIntegerField(
        _("首次联系时限（工作日）"),
        default=1,
        db_default=1,
        help_text=_("签收后须在第几个工作日结束前联系群众（0 表示签收当天）。"),
    )
    # {"major": {"handle": 5}, "serious": {"handle": 10}}: shorter deadlines for a more serious case
    # (each no longer than the matter's own); a level or stage not named keeps the matter's days.
    severity_deadlines = models.JSONField(_("按严重程度缩短的时限"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta(TreeNode.Meta):
        verbose_name = _("事项类型")
        verbose_name_plural = _("事项类型")


class UnitRole(models.Model):
    """A function tag (职能) a unit carries, e.g. ``labor`` or ``dispatch``."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("单位职能")
        verbose_name_plural = _("单位职能")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Unit(models.Model):
    code = models.CharField(_("单位编码"), max_length=40, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units")
    roles = models.ManyToManyField(UnitRole, verbose_name=_("职能"), related_name="units", blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "active"], name="unit_region_active")]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    WINDOW = "window", _("窗口登记")
    HOTLINE = "hotline", _("12345热线")
    GRID = "grid", _("网格上报")
    API = "api", _("接口接入")
    LETTER = "letter", _("来信")
    REFERRAL = "referral", _("部门移交")


class RoutingRule(models.Model):
    """A dispatch rule (DESIGN.md, "Dispatch semantics")."""

    rule_id = models.SlugField(_("规则标识"), max_length=80, unique=True)
    matter = models.ForeignKey(
        MatterType,
        verbose_name=_("事项类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("含其下级分类；留空表示任意事项。"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
        help_text=_("含其下级区划；留空表示全域。"),
    )
    min_parties = models.PositiveIntegerField(_("最少涉及人数"), default=1)
    channels = models.JSONField(_("限定渠道"), default=list, blank=True, help_text=_("留空表示任意渠道。"))
    min_severity = models.CharField(
        _("最低严重程度"),
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text=_("留空表示任意；如“重大”只适用于重大案件。"),
    )
    priority = models.IntegerField(_("优先级"), default=0, help_text=_("数值大者优先。"))
    position = models.PositiveIntegerField(_("定义顺序"), default=0, db_index=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.rule_id

    def clean(self) -> None:
        unknown = sorted(set(self.channels or []) - set(Channel.values))
        if unknown:
            raise ValidationError({"channels": _("未知渠道：%(codes)s") % {"codes": "、".join(unknown)}})
        if self.min_parties < 1:
            raise ValidationError({"min_parties": _("最少涉及人数至少为 1。")})


class SeverityRule(models.Model):
    """A rule proposing a severity at intake: every condition it names must hold (the matter or one
    of its ancestors; at least ``min_parties`` people; one of the ``keywords`` in the claim's
    text). The most serious matching level is proposed; none matching: 一般."""

    level = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    matter = models.ForeignKey(
        MatterType,
        verbose_name=_("事项类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="severity_rules",
        help_text=_("含其下级分类；留空表示任意事项。"),
    )
    min_parties = models.PositiveIntegerField(_("最少涉及人数"), null=True, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True, help_text=_("诉求内容含其中任一词即符合。"))
    position = models.PositiveIntegerField(_("定义顺序"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("严重程度规则")
        verbose_name_plural = _("严重程度规则")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}（{self.note or self.pk}）"


class DirectoryVersion(models.Model):
    """One row whose stamp every directory write replaces with a fresh random value.

    Each process keeps the dispatcher's in-memory index and compares this stamp before use;
    so an edit in one web process or an import on another host reaches every process at its
    next decision. A random stamp (not a counter) cannot come back to an old value when a
    transaction rolls back, so a stale index is never mistaken for a current one.
    """

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    stamp = models.CharField(max_length=32, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")

    def __str__(self) -> str:
        return self.stamp


class TargetKind(models.TextChoices):
    LEAD = "lead", _("主办")
    COOPERATING = "cooperating", _("协办")


class RuleTarget(models.Model):
    """Where a rule sends a claim: a fixed unit, or the unit with a role at a level (属地)."""

    rule = models.ForeignKey(RoutingRule, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("类别"), max_length=12, choices=TargetKind.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("指定单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rule_targets",
    )
    role = models.ForeignKey(
        UnitRole,
        verbose_name=_("职能"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rule_targets",
    )
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices, blank=True)

    class Meta:
        verbose_name = _("分派目标")
        verbose_name_plural = _("分派目标")
        ordering = ["rule", "kind", "position"]
        constraints = [
            models.CheckConstraint(
                name="ruletarget_fixed_or_relative",
                condition=(
                    models.Q(unit__isnull=False, role__isnull=True, level="")
                    | models.Q(unit__isnull=True, role__isnull=False) & ~models.Q(level="")
                ),
            )
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        if self.unit_id and (self.role_id or self.level):
            raise ValidationError(_("指定单位与“职能+层级”只能二选一。"))
        if not self.unit_id and not (self.role_id and self.level):
            raise ValidationError(_("请指定一个单位，或同时填写职能和层级。"))

    def describe(self) -> str:
        if self.unit_id:
            return str(self.unit)
        return f"{self.get_level_display()}级“{self.role.name}”"

    def as_yaml(self) -> dict:
        if self.unit_id:
            return {"unit": self.unit.code}
        return {"role": self.role.code, "level": self.level}
