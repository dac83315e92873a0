"""A case (案件): one matter being handled, its lifecycle, its parties and its timeline."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.masking import mask_id_number, mask_phone
from routing.models import Severity


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理（待派单）")
    DISPATCHED = "dispatched", _("已派单（待签收）")
    HANDLING = "handling", _("处置中")
    REVIEWING = "reviewing", _("待审核")
    FEEDBACK = "feedback", _("待评价")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.HANDLING,
    Status.REVIEWING,
    Status.FEEDBACK,
]
WITHDRAWABLE = [Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
TERMINAL_STATUSES = [Status.CLOSED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED]

#: The stage (受理 / 流转 / 处置 / 监督 / 反馈) each status belongs to, for citizens and deadlines.
STAGE_OF = {
    Status.SUBMITTED: "accept",
    Status.ACCEPTED: "accept",
    Status.DISPATCHED: "sign",
    Status.HANDLING: "handle",
    Status.REVIEWING: "review",
    Status.FEEDBACK: "feedback",
}
STAGE_LABELS = {
    "accept": _("受理"),
    "sign": _("流转"),
    "handle": _("处置"),
    "review": _("监督"),
    "feedback": _("反馈"),
}


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("已解决")
    MEDIATED = "mediated", _("调解成功")
    EXPLAINED = "explained", _("已解释说明")
    REFERRED = "referred", _("已引导通过其他途径解决")
    UNRESOLVABLE = "unresolvable", _("暂无法解决")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


def predicate_permission(module: str, predicate: str):
    """A django-fsm transition ``permission``: the predicate ``predicate(user, instance)`` of that
    name in ``module`` (imported when first checked: permissions modules import the models)."""

    def check(instance, user) -> bool:
        return getattr(import_module(module), predicate)(user, instance)

    check.__name__ = predicate
    return check


def _allowed(predicate: str):
    """A transition's permission: the predicate of that name in ``cases.permissions``."""
    return predicate_permission("cases.permissions", predicate)


def _extension_pending(instance) -> bool:
    return instance.extension_pending


def _no_extension_pending(instance) -> bool:
    return not instance.extension_pending


class RatedVia(models.TextChoices):
    WEB = "web", _("网上评价")
    LINK = "link", _("短信链接评价")
    PHONE = "phone", _("电话回访")


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    BLUE = "blue", _("蓝色预警")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警（超期）")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    SMS = "sms", _("短信")


#: Statuses in which the contact clock (首次联系) is watched by the warning sweep: from the lead
#: unit's signing until its result goes to the citizen (also while a returned case waits for its
#: next unit: the citizen still waits for a call). Contact is recorded in ``CONTACT_STATUSES``.
CONTACT_WARNED_STATUSES = [Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]
CONTACT_STATUSES = [Status.HANDLING, Status.REVIEWING]

#: Open statuses whose stage clock is watched by the warning sweep (supervision).
WARNED_STATUSES = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.HANDLING,
    Status.REVIEWING,
    Status.FEEDBACK,
]


class Case(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("诉求内容"))
    status = FSMField(_("状态"), default=Status.SUBMITTED, choices=Status.choices, protected=True)
    channel = models.CharField(_("来源渠道"), max_length=10)
    matter = models.ForeignKey(
        "routing.MatterType", verbose_name=_("事项类型"), on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        "routing.Region", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="cases"
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    # 严重程度 (issue #15): proposed at registration by the directory's severity rules (the reasons
    # kept), confirmed or changed by the centre (cases.severity); routing rules may require it.
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.GENERAL, db_default=Severity.GENERAL
    )
    severity_reasons = models.JSONField(_("严重程度依据"), default=list, blank=True)
    severity_confirmed_at = models.DateTimeField(_("严重程度确认时间"), null=True, blank=True)

    centre = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("受理中心"),
        on_delete=models.PROTECT,
        related_name="centre_cases",
        help_text=_("负责受理、人工分派和审核的诉求服务中心。"),
    )
    lead_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    cooperating_units = models.ManyToManyField(
        "routing.Unit", verbose_name=_("协办单位"), blank=True, related_name="cooperating_cases"
    )
    # The routing decision as taken (a snapshot: rules are replaced on every directory import).
    routing_rule = models.CharField(_("分派规则"), max_length=80, blank=True)
    routing_rule_name = models.CharField(_("分派规则名称"), max_length=200, blank=True)
    routing_queued = models.BooleanField(_("人工分派"), default=False)
    routing_explanation = models.JSONField(_("分派说明"), default=list, blank=True)

    stage_started_at = models.DateTimeField(_("本环节开始"), null=True, blank=True)
    stage_due_at = models.DateTimeField(_("本环节时限"), null=True, blank=True)
    extension_pending = models.BooleanField(_("延期待批"), default=False)
    # The warning thresholds of the current stage, precomputed when its clock is set so that the
    # sweep is plain comparisons (portable, indexable): blue at 50 %, yellow at 80 % of the time.
    blue_at = models.DateTimeField(_("蓝色预警时间"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("黄色预警时间"), null=True, blank=True)
    warning_level = models.CharField(_("预警"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE)
    warning_changed_at = models.DateTimeField(_("预警变化时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("中止时间"), null=True, blank=True)
    pause_reason = models.CharField(_("中止原因"), max_length=200, blank=True)
    # The contact clock (首次联系, issue #11): set when the lead unit first signs, stopped when it
    # records contacting the citizen; a second clock with its own warning level (cases.clock).
    contact_started_at = models.DateTimeField(_("首次联系计时开始"), null=True, blank=True)
    contact_due_at = models.DateTimeField(_("首次联系时限"), null=True, blank=True)
    contact_blue_at = models.DateTimeField(_("首次联系蓝色预警时间"), null=True, blank=True)
    contact_yellow_at = models.DateTimeField(_("首次联系黄色预警时间"), null=True, blank=True)
    contact_level = models.CharField(
        _("首次联系预警"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NONE,
        db_default=WarningLevel.NONE,
    )
    contact_changed_at = models.DateTimeField(_("首次联系预警变化时间"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    contact_method = models.CharField(
        _("首次联系方式"), max_length=8, choices=ContactMethod.choices, blank=True, default="", db_default=""
    )

    result = models.TextField(_("办理结果"), blank=True)
    outcome = models.CharField(_("办理结论"), max_length=20, choices=Outcome.choices, blank=True)
    result_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("办结单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolved_cases",
    )
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    flagged = models.BooleanField(_("不满意待复核"), default=False)
    # 不合理诉求 / 恶意诉求 (issue #15, cases.unreason): the approved label and the unit whose 满意率
    # leaves the case out; both empty unless the centre approved a unit's proposal (not revoked).
    unreason = models.CharField(
        _("不合理诉求认定"),
        max_length=14,
        blank=True,
        default="",
        db_default="",
        choices=[("unreasonable", _("不合理诉求")), ("malicious", _("恶意诉求"))],
    )
    unreason_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("认定不合理诉求的单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The call-back (回访, issue #11): how the rating was given, and the citizen's answer to "is the
    # problem solved?" (解决率; empty when not asked or not answered).
    rated_via = models.CharField(
        _("评价方式"), max_length=8, choices=RatedVia.choices, blank=True, default="", db_default=""
    )
    solved = models.BooleanField(_("问题是否解决"), null=True, blank=True)
    # 催办 presses by the citizen (issue #11), counted on the case and the boards.
    press_count = models.PositiveIntegerField(_("催办次数"), default=0, db_default=0)
    # 重复诉求次数 (issue #13): the claims the case carries — its own and those of the cases merged
    # into it (一案多投), kept exact by ``case_merge`` with one set-based UPDATE; 1 for a new case.
    repeat_count = models.PositiveIntegerField(
        _("重复诉求次数"), default=1, db_default=1, help_text=_("本案收到的诉求次数，含并入本案的重复诉求。")
    )
    reject_reason = models.TextField(_("不予受理理由"), blank=True)
    redirect_to = models.CharField(_("建议途径"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    # 首接负责 (issue #15, cases.handover): a case handed off twice between units (推诿) gets its
    # first unit back as the one responsible (``first_duty``) until some unit signs it.
    first_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("首接单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_duty_cases",
    )
    first_duty = models.BooleanField(_("首接负责中"), default=False, db_default=False)

    # 来信 (issue #12): the letter's own number and date; its scan is the claim's attachment.
    letter_number = models.CharField(_("来信编号"), max_length=60, blank=True, default="", db_default="")
    letter_date = models.DateField(_("来信日期"), null=True, blank=True)
    # 上级交办 (issue #12): handed down by a higher authority with its document number and deadline.
    # The deadline caps every stage clock (cases.clock.capped_due): the case is due by it at the latest.
    referral_authority = models.CharField(_("交办机关"), max_length=100, blank=True, default="", db_default="")
    referral_document = models.CharField(_("交办文号"), max_length=80, blank=True, default="", db_default="")
    referral_due_at = models.DateTimeField(_("上级交办时限"), null=True, blank=True)
    # Historical import (issue #12): the old system's name and its id for the case, unique together.
    import_source = models.CharField(_("导入来源"), max_length=40, blank=True, default="", db_default="")
    external_id = models.CharField(_("原系统编号"), max_length=64, blank=True, default="", db_default="")

    # 包案 and 挂牌督办 (issue #15, cases.baoan, docs/baoan.md): one leader owns the case at a time;
    # on the case (not a table of its own) so every board marks it without a join; the history of
    # takes, releases, hangs and removals is on the timeline.
    baoan_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="baoan_cases",
    )
    baoan_at = models.DateTimeField(_("包案时间"), null=True, blank=True)
    baoan_due_date = models.DateField(_("目标办结日期"), null=True, blank=True)
    baoan_note = models.CharField(_("包案要求"), max_length=500, blank=True, default="", db_default="")
    plate_hung_at = models.DateTimeField(_("挂牌督办时间"), null=True, blank=True)
    plate_reason = models.CharField(_("挂牌理由"), max_length=500, blank=True, default="", db_default="")

    created_at = models.DateTimeField(_("登记时间"))  # indexed by case_created_cover
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["lead_unit", "status", "stage_due_at"],
                name="case_open_by_lead",
                condition=models.Q(status__in=["dispatched", "handling", "reviewing", "feedback"]),
            ),
            models.Index(
                fields=["centre", "status", "created_at"],
                name="case_open_by_centre",
                condition=models.Q(status__in=["submitted", "accepted", "reviewing"]),
            ),
            models.Index(fields=["status", "stage_due_at"], name="case_status_due"),
            models.Index(
                fields=["warning_level", "lead_unit"],
                name="case_open_warning",
                condition=models.Q(
                    status__in=["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"]
                ),
            ),
            models.Index(
                # covers the overdue board's per-unit counts (index-only on PostgreSQL)
                # (contact_level and press_count: the 首次联系 and 催办 columns, issue #11)
                fields=["region", "warning_level", "lead_unit", "centre", "contact_level", "press_count"],
                name="case_open_board",
                condition=models.Q(
                    status__in=["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"]
                ),
            ),
            models.Index(
                fields=["stage_due_at", "yellow_at", "blue_at"],
                name="case_open_clock",
                condition=models.Q(
                    status__in=["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"],
                    paused_at__isnull=True,
                ),
            ),
            models.Index(
                # the overdue board's red list, most overdue first: read in order, stops at its LIMIT
                fields=["stage_due_at", "id"],
                name="case_open_red_due",
                condition=models.Q(
                    warning_level="red",
                    status__in=["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"],
                ),
            ),
            models.Index(
                # every range on created_at; and the KPI board's live day counts its registrations
                # from the index alone (index-only scan), without visiting the cases themselves
                fields=["created_at", "region", "matter", "channel"],
                name="case_created_cover",
            ),
            models.Index(fields=["region", "created_at"], name="case_region_created"),
            # 我的包案 (the leader's own cases) and the boards' 挂牌督办 filter: both a handful of rows
            models.Index(
                fields=["baoan_leader", "baoan_due_date"],
                name="case_baoan_leader",
                condition=models.Q(baoan_leader__isnull=False),
            ),
            models.Index(
                fields=["plate_hung_at"], name="case_plate_hung", condition=models.Q(plate_hung_at__isnull=False)
            ),
            models.Index(fields=["closed_at"], name="case_closed_at", condition=models.Q(closed_at__isnull=False)),
            models.Index(
                # the contact sweep's running clocks, and the KPI board's 响应率 by deadline
                fields=["contact_due_at", "contact_yellow_at", "contact_blue_at"],
                name="case_contact_clock",
                condition=models.Q(contact_due_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_source", "external_id"],
                name="case_external_id_unique",
                condition=~models.Q(external_id=""),
            ),
            # 挂牌督办 is the 包案 leader's: no plate on a case nobody owns
            models.CheckConstraint(
                condition=models.Q(plate_hung_at__isnull=True) | models.Q(baoan_leader__isnull=False),
                name="case_plate_needs_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def stage(self) -> str | None:
        return STAGE_OF.get(self.status)

    @property
    def stage_label(self):
        return STAGE_LABELS.get(self.stage, self.get_status_display())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contacted_late(self) -> bool:
        return bool(self.contacted_at and self.contact_due_at and self.contacted_at > self.contact_due_at)

    # Transitions: in-memory only; ``cases.services`` runs them (permission, save, event, notify).
    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED, permission=_allowed("can_accept"))
    def accept(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED, permission=_allowed("can_accept"))
    def reject(self):
        pass

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.ACCEPTED],
        target=Status.FEEDBACK,
        permission=_allowed("can_accept"),
    )
    def resolve_on_spot(self):
        pass

    @transition(field=status, source=Status.ACCEPTED, target=Status.DISPATCHED, permission=_allowed("can_dispatch"))
    def dispatch(self):
        pass

    @transition(field=status, source=Status.DISPATCHED, target=Status.HANDLING, permission=_allowed("can_sign"))
    def sign(self):
        pass

    @transition(
        field=status,
        source=[Status.DISPATCHED, Status.HANDLING],
        target=Status.ACCEPTED,
        permission=_allowed("system_only"),
    )
    def return_case(self):
        """退回: only through an approved 退回申请 (``cases.handover.handover_approve``), which
        checks the dispatcher's decision permission itself (issue #15)."""

    @transition(
        field=status,
        source=[Status.DISPATCHED, Status.HANDLING],
        target=Status.DISPATCHED,
        permission=_allowed("can_dispatch"),
    )
    def transfer(self):
        pass

    @transition(
        field=status,
        source=[Status.DISPATCHED, Status.HANDLING],
        target=Status.DISPATCHED,
        permission=_allowed("can_sign"),
    )
    def escalate(self):
        pass

    @transition(
        field=status,
        source=Status.HANDLING,
        target=Status.HANDLING,
        permission=_allowed("can_sign"),
        conditions=[_no_extension_pending],
    )
    def request_extension(self):
        pass

    @transition(
        field=status,
        source=Status.HANDLING,
        target=Status.HANDLING,
        permission=_allowed("can_decide_extension"),
        conditions=[_extension_pending],
    )
    def approve_extension(self):
        pass

    @transition(
        field=status,
        source=Status.HANDLING,
        target=Status.HANDLING,
        permission=_allowed("can_decide_extension"),
        conditions=[_extension_pending],
    )
    def deny_extension(self):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.REVIEWING, permission=_allowed("can_sign"))
    def submit_result(self):
        pass

    @transition(field=status, source=Status.REVIEWING, target=Status.FEEDBACK, permission=_allowed("can_review"))
    def approve(self):
        pass

    @transition(field=status, source=Status.REVIEWING, target=Status.HANDLING, permission=_allowed("can_review"))
    def send_back(self):
        pass

    @transition(field=status, source=Status.FEEDBACK, target=Status.CLOSED, permission=_allowed("can_rate"))
    def rate_closed(self):
        pass

    @transition(field=status, source=Status.FEEDBACK, target=Status.REVIEWING, permission=_allowed("can_rate"))
    def rate_unsatisfied(self):
        pass

    @transition(field=status, source=Status.FEEDBACK, target=Status.CLOSED, permission=_allowed("system_only"))
    def auto_close(self):
        pass

    # 回访未接通 (issue #11): a clerk closes a case whose citizen could not be reached by phone; the
    # feedback app checks the attempts (three, on different days) before it runs this.
    @transition(field=status, source=Status.FEEDBACK, target=Status.CLOSED, permission=_allowed("can_callback"))
    def close_unreached(self):
        pass

    @transition(field=status, source=OPEN_STATUSES, target=Status.CLOSED, permission=_allowed("system_only"))
    def import_close(self):
        """A case the old system had closed, brought in by the historical import (issue #12)."""

    @transition(field=status, source=WITHDRAWABLE, target=Status.WITHDRAWN, permission=_allowed("can_rate"))
    def withdraw(self):
        pass

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING],
        target=Status.MERGED,
        permission=_allowed("can_accept"),
    )
    def merge(self):
        pass


NOTE_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")


class Party(models.Model):
    """A party (当事人). Phone and ID number are shown masked except to the handling unit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices, default=PartyRole.APPLICANT)
    name = models.CharField(_("姓名/名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_parties",
        help_text=_("提交诉求的群众账号：可查看进度、评价、撤回。"),
    )
    notify = models.BooleanField(_("接收进度通知"), default=False)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        indexes = [
            models.Index(fields=["user", "case"], name="party_user_case"),
            # 同一来电号码 (issue #13): the repeat-caller rule at intake and at night looks phones up
            models.Index(fields=["phone"], name="party_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class CaseEvent(models.Model):
    """Append-only timeline and audit trail: one row per transition or note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(_("动作"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_events",
    )
    actor_unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("操作单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("群众可见"), default=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    # Snapshots for the citizen's sentence (cases.citizen_words): the unit handling the case and
    # the date the citizen may expect the next answer by, as they stood after this event.
    handling_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("当时的办理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due_at = models.DateTimeField(_("预计答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件动态")
        verbose_name_plural = _("案件动态")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"], name="event_case_time"),
            # the KPI board's live day: one kind of event (签收, 退回 …) in a time range, without
            # reading the day's other events (a sweep can write thousands of warnings at once)
            models.Index(fields=["transition", "created_at"], name="event_transition_time"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.transition}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    DENIED = "denied", _("未批准")


class ExtensionRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey("routing.Unit", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_extension_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class PersonalDataAccess(models.Model):
    """Who opened a case's unmasked personal data, and when (the handling unit only)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="data_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("routing.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.case_id}"


class CaseNumberSequence(models.Model):
    """Per-prefix, per-year counter for readable case numbers (高明-2026-000123)."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="case_number_seq_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class WorkCalendarDay(models.Model):
    """An administrator's override of the working-day calendar (holidays, 调休 make-up days)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


# 疑似重复 (issue #13): pairs of open cases that may be one problem, for the dispatcher to decide ---


class DuplicateSource(models.TextChoices):
    NIGHTLY = "nightly", _("夜间比对")
    INTAKE = "intake", _("受理时发现")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("待研判")
    MERGED = "merged", _("已合并")
    NOT_DUPLICATE = "not_duplicate", _("非重复")


class DuplicatePair(models.Model):
    """Two cases that may be the same problem (疑似重复). ``case_a`` is the one with the smaller id
    (registered first), so a pair is recorded once whichever side found it; a pair decided 非重复
    stays, so it is never flagged again (``cases.duplicates.record_pairs``)."""

    case_a = models.ForeignKey(Case, verbose_name=_("案件甲"), on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey(Case, verbose_name=_("案件乙"), on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"), default=0)
    reason = models.CharField(_("疑似原因"), max_length=300)
    source = models.CharField(_("发现方式"), max_length=10, choices=DuplicateSource.choices)
    status = models.CharField(
        _("研判结果"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField(_("发现时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    note = models.CharField(_("研判说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=models.Q(case_a__lt=models.F("case_b")), name="duplicate_pair_ordered"),
        ]
        indexes = [
            # the dispatcher's list: the open pairs, newest first
            models.Index(fields=["created_at", "id"], name="duplicate_pair_open", condition=models.Q(status="open")),
            models.Index(fields=["case_b"], name="duplicate_pair_case_b"),
        ]

    def __str__(self) -> str:
        return f"{self.case_a_id}~{self.case_b_id} {self.status}"


class DuplicateScanRun(models.Model):
    """One run of the nightly 疑似重复 scan: the next run looks only at cases created or changed
    since ``through`` (bounded work)."""

    started_at = models.DateTimeField(_("开始时间"))
    through = models.DateTimeField(_("已比对至"), help_text=_("下次只比对此后新登记或有变化的案件。"))
    cases_checked = models.PositiveIntegerField(_("比对案件数"), default=0)
    pairs_added = models.PositiveIntegerField(_("新增疑似重复"), default=0)

    class Meta:
        verbose_name = _("疑似重复比对记录")
        verbose_name_plural = _("疑似重复比对记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} +{self.pairs_added}"


# 退回申请 / 转办申请 (cases.handover) and 联办任务 (issue #15): in their own modules (this one is at
# its size limit), registered with the app by these imports (their app label is ``cases``: the
# migrations name ``cases.JointTask``, ``cases.HandoverRequest``).
from .handover_models import HandoverKind, HandoverRequest, HandoverStatus  # noqa: E402, F401
from .joint_models import JOINT_TASK_CASE_STATUSES, JointTask, JointTaskFile, JointTaskStatus  # noqa: E402, F401

# 不合理诉求 / 恶意诉求 labels (issue #15): their own module, registered by this import.
from .unreason_models import UnreasonLabel  # noqa: E402, F401
