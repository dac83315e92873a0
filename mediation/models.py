"""Mediation (调解): mediators, mediations, sessions, agreements, confirmations, court hand-offs.

A ``Mediation`` belongs to a case (the dispute being handled) and has its own lifecycle; every
transition is also written to the case's timeline (``CaseEvent``) by ``mediation.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import predicate_permission


class OrganisationKind(models.TextChoices):
    COMMITTEE = "committee", _("人民调解委员会")
    STUDIO = "studio", _("品牌调解工作室")
    LAWYER = "lawyer", _("律师调解工作室")
    COURT_INVITED = "court_invited", _("法院特邀调解员")
    INDUSTRY = "industry", _("行业性专业性调委会")


class MediatorProfile(models.Model):
    """A mediator (调解员): who, with which organisation, what they know, where, how much at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="mediator_profile"
    )
    organisation = models.CharField(_("所属调解组织"), max_length=100)
    organisation_kind = models.CharField(
        _("组织类型"), max_length=16, choices=OrganisationKind.choices, default=OrganisationKind.COMMITTEE
    )
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("挂靠单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediators",
        help_text=_("调解员所在的调委会等单位（目录中的单位）。"),
    )
    specialties = models.ManyToManyField(
        "routing.MatterType", verbose_name=_("擅长领域"), blank=True, related_name="mediators"
    )
    regions = models.ManyToManyField("routing.Region", verbose_name=_("服务区域"), related_name="mediators")
    max_concurrent = models.PositiveSmallIntegerField(_("同时调解上限"), default=5)
    active = models.BooleanField(_("在岗"), default=True)
    introduction = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        ordering = ["organisation", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.full_name or self.user.username


class Source(models.TextChoices):
    """Where a mediation comes from (移交 / 委派 / 对接)."""

    HANDLER = "handler", _("承办单位移交")
    CENTRE = "centre", _("中心委派")
    COURT = "court", _("诉调对接（法院诉前委派）")
    PETITION = "petition", _("访调对接（信访部门）")
    POLICE = "police", _("警调对接（公安机关）")
    PROCURATORATE = "procuratorate", _("检调对接（检察机关）")


#: Sources whose referring body is told the outcome and whose document number is required.
EXTERNAL_SOURCES = [Source.COURT, Source.PETITION, Source.POLICE, Source.PROCURATORATE]

#: The directory unit role of each external referring body.
SOURCE_UNIT_ROLE = {
    Source.COURT: "court",
    Source.PETITION: "petition",
    Source.POLICE: "public_security",
    Source.PROCURATORATE: "procuratorate",
}


class MediationStatus(models.TextChoices):
    REQUESTED = "requested", _("待指派")
    ASSIGNED = "assigned", _("已指派（待接受）")
    IN_PROGRESS = "in_progress", _("调解中")
    SETTLED = "settled", _("调解成功")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_MEDIATION = [MediationStatus.REQUESTED, MediationStatus.ASSIGNED, MediationStatus.IN_PROGRESS]
ENDED_MEDIATION = [MediationStatus.SETTLED, MediationStatus.FAILED]


class FailureNext(models.TextChoices):
    LITIGATION = "litigation", _("引导诉讼（一键诉讼）")
    ARBITRATION = "arbitration", _("引导仲裁")
    OTHER = "other", _("其他途径")


def _allowed(predicate: str):
    """A transition's permission: the predicate of that name in ``mediation.permissions``."""
    return predicate_permission("mediation.permissions", predicate)


class Mediation(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("调解编号"), max_length=40, unique=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="mediations")
    status = FSMField(_("状态"), default=MediationStatus.REQUESTED, choices=MediationStatus.choices, protected=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.HANDLER)
    referral_document = models.CharField(
        _("移送文书号"), max_length=80, blank=True, help_text=_("如（2026）粤0608民诉前调1234号。")
    )
    referring_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("移送单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_mediations",
    )
    request_note = models.TextField(_("移交说明"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("移交时间"))

    mediator = models.ForeignKey(
        MediatorProfile,
        verbose_name=_("调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)
    match_explanation = models.JSONField(_("匹配说明"), default=list, blank=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    no_conflict_declared = models.BooleanField(_("已声明无利害关系"), default=False)
    due_at = models.DateTimeField(_("调解期限"), null=True, blank=True)

    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome_note = models.TextField(_("调解结果说明"), blank=True)
    failure_next = models.CharField(_("后续途径"), max_length=12, choices=FailureNext.choices, blank=True)
    referrer_notified_at = models.DateTimeField(_("已告知移送单位"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("调解")
        verbose_name_plural = _("调解")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["mediator", "status"],
                name="mediation_open_by_mediator",
                condition=models.Q(status__in=["assigned", "in_progress"]),
            ),
            models.Index(fields=["status", "requested_at"], name="mediation_status_time"),
            models.Index(fields=["ended_at"], name="mediation_ended", condition=models.Q(ended_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["requested", "assigned", "in_progress"]),
                name="one_open_mediation_per_case",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEDIATION

    @property
    def is_external(self) -> bool:
        return self.source in EXTERNAL_SOURCES

    # Transitions: in memory only; ``mediation.services`` runs them.
    @transition(
        field=status,
        source=[MediationStatus.REQUESTED, MediationStatus.ASSIGNED],
        target=MediationStatus.ASSIGNED,
        permission=_allowed("can_assign"),
    )
    def assign(self):
        pass

    @transition(
        field=status, source=MediationStatus.ASSIGNED, target=MediationStatus.IN_PROGRESS, permission=_allowed("is_own")
    )
    def accept(self):
        pass

    @transition(
        field=status, source=MediationStatus.ASSIGNED, target=MediationStatus.REQUESTED, permission=_allowed("is_own")
    )
    def decline(self):
        pass

    @transition(
        field=status, source=MediationStatus.IN_PROGRESS, target=MediationStatus.SETTLED, permission=_allowed("is_own")
    )
    def settle(self):
        pass

    @transition(
        field=status, source=MediationStatus.IN_PROGRESS, target=MediationStatus.FAILED, permission=_allowed("is_own")
    )
    def fail(self):
        pass

    @transition(
        field=status, source=OPEN_MEDIATION, target=MediationStatus.WITHDRAWN, permission=_allowed("can_withdraw")
    )
    def withdraw(self):
        pass


class SessionMode(models.TextChoices):
    ONSITE = "onsite", _("现场调解")
    VIDEO = "video", _("视频调解")
    PHONE = "phone", _("电话调解")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class MediationSession(models.Model):
    """A session (调解会): when, how, where, who came, and the record (笔录)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField(_("调解时间"))
    mode = models.CharField(_("方式"), max_length=8, choices=SessionMode.choices, default=SessionMode.ONSITE)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    meeting_link = models.URLField(_("视频会议链接"), blank=True)
    participants = models.TextField(_("参加人员"), blank=True, help_text=_("每行一人，如：张三（申请人）。"))
    attendance = models.TextField(_("到场情况"), blank=True)
    record = models.TextField(_("调解笔录"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    reminder_sent_at = models.DateTimeField(_("提醒已发送"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("笔录时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解会")
        verbose_name_plural = _("调解会")
        ordering = ["scheduled_at", "id"]
        indexes = [
            models.Index(
                fields=["scheduled_at"],
                name="session_reminder_due",
                condition=models.Q(status="scheduled", reminder_sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.scheduled_at:%Y-%m-%d %H:%M}"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    SIGNING = "signing", _("待各方确认")
    SEALED = "sealed", _("已封存生效")
    VOID = "void", _("已作废")


class JudicialStatus(models.TextChoices):
    NONE = "", _("未申请")
    APPLIED = "applied", _("已申请司法确认")
    CONFIRMED = "confirmed", _("法院已确认")
    REFUSED = "refused", _("法院不予确认")


class PerformanceStatus(models.TextChoices):
    PENDING = "pending", _("待履行")
    CARRIED_OUT = "carried_out", _("已履行")
    NOT_CARRIED_OUT = "not_carried_out", _("未履行")


class AgreementBatch(models.Model):
    """One set of terms turned into one agreement per claimant (group disputes), by q2."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="batches")
    facts = models.TextField(_("纠纷事实"))
    terms = models.TextField(_("协议条款"))
    performance_deadline = models.DateField(_("履行期限"))
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已生成"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The last chunk written, or the last time a stalled batch was queued again (a worker killed
    # mid-batch loses its task): agreement_batches_resume.
    progress_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量协议")
        verbose_name_plural = _("批量协议")

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.done}/{self.total}"


class Agreement(models.Model):
    """调解协议书. Sealed once every party has confirmed: the PDF is stored once with its SHA-256."""

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="agreements")
    code = models.CharField(_("协议验证码"), max_length=16, unique=True)
    batch = models.ForeignKey(
        AgreementBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements"
    )
    claimant = models.ForeignKey(
        "cases.Party",
        verbose_name=_("申请人（群体协议）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("群体纠纷中，本协议所对应的一名申请人。"),
    )
    parties = models.JSONField(
        _("当事人"), default=list, help_text=_("签订时的当事人快照：name、role、id_number、phone、party_id。")
    )
    facts = models.TextField(_("纠纷事实"))
    terms = models.TextField(_("协议条款"))
    performance_deadline = models.DateField(_("履行期限"))
    case_number = models.CharField(_("案件编号"), max_length=40)
    status = models.CharField(_("状态"), max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    document = models.FileField(_("协议书（封存文件）"), upload_to="agreements/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)

    judicial_status = models.CharField(
        _("司法确认"), max_length=10, choices=JudicialStatus.choices, default=JudicialStatus.NONE, blank=True
    )
    judicial_court = models.CharField(_("受理法院"), max_length=100, blank=True)
    judicial_applied_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    judicial_document = models.CharField(_("法院文书号"), max_length=80, blank=True)
    judicial_decided_at = models.DateTimeField(_("法院决定时间"), null=True, blank=True)

    performance_status = models.CharField(
        _("履行情况"), max_length=16, choices=PerformanceStatus.choices, default=PerformanceStatus.PENDING
    )
    performance_note = models.TextField(_("回访记录"), blank=True)
    performance_checked_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    performance_reminded_at = models.DateTimeField(_("回访提醒时间"), null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = _("调解协议书")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["performance_deadline"],
                name="agreement_followup_due",
                condition=models.Q(status="sealed", performance_status="pending", performance_reminded_at__isnull=True),
            ),
            models.Index(fields=["mediation", "status"], name="agreement_mediation_status"),
        ]

    def __str__(self) -> str:
        return self.code


class Confirmation(models.Model):
    """One party's confirmation of an agreement by a one-time code sent to their phone."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="confirmations")
    party = models.ForeignKey("cases.Party", verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名/名称"), max_length=100)
    phone = models.CharField(_("手机号"), max_length=20)
    code_hash = models.CharField(max_length=128, blank=True)
    code_sent_at = models.DateTimeField(_("验证码发送时间"), null=True, blank=True)
    code_expires_at = models.DateTimeField(_("验证码有效期"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    method = models.CharField(_("确认方式"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("当事人确认")
        verbose_name_plural = _("当事人确认")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="one_confirmation_per_party")]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.name}"


class LitigationPackage(models.Model):
    """一键诉讼: the ZIP handed to a court gateway, and what the court replied."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交法院")
        ACCEPTED = "accepted", _("法院已立案")
        RETURNED = "returned", _("法院退回")

    mediation = models.ForeignKey(Mediation, on_delete=models.PROTECT, related_name="litigation_packages")
    file = models.FileField(_("诉讼材料包"), upload_to="litigation/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    gateway = models.CharField(_("对接通道"), max_length=40)
    reference = models.CharField(_("通道回执号"), max_length=80, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    court_reply = models.TextField(_("法院答复"), blank=True)
    court_document = models.CharField(_("法院案号"), max_length=80, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("诉讼材料包")
        verbose_name_plural = _("诉讼材料包")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.reference}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待中心确认")
    INVITING = "inviting", _("已邀请对方，待答复")
    ACCEPTED = "accepted", _("对方同意，调解已开始")
    DECLINED = "declined", _("对方不同意调解")
    EXPIRED = "expired", _("邀请已过期")
    REFUSED = "refused", _("中心不予调解")
    CANCELLED = "cancelled", _("申请人已撤销")
    CLOSED = "closed", _("诉求已撤回或办结")


#: Requests still waiting for someone (the centre or the other party): the only ones that can end.
LIVE_REQUEST_STATUSES = ("pending", "inviting")


class MediationRequest(models.Model):
    """A citizen's own request for mediation (申请调解, ``mediation.requests``).

    The request opens a web case (so the centre accepts it as any claim); the centre confirms it and
    the other party is invited by SMS through a single-use link, of which only the SHA-256 is kept.
    The ``Mediation`` itself is created only when the other party agrees."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="mediation_request"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人账号"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    preferred_mediator = models.ForeignKey(
        MediatorProfile,
        verbose_name=_("希望的调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediator = models.ForeignKey(
        MediatorProfile,
        verbose_name=_("中心确认的调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    other_name = models.CharField(_("对方姓名"), max_length=50)
    other_phone = models.CharField(_("对方手机号"), max_length=20)
    token_hash = models.CharField(_("邀请链接摘要"), max_length=64, blank=True, db_index=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    invite_expires_at = models.DateTimeField(_("邀请有效期至"), null=True, blank=True)
    answered_at = models.DateTimeField(_("对方答复时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.CharField(_("不予调解的理由"), max_length=500, blank=True)
    mediation = models.OneToOneField(
        Mediation,
        verbose_name=_("调解"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citizen_request",
    )
    created_at = models.DateTimeField(_("申请时间"))

    class Meta:
        verbose_name = _("调解申请")
        verbose_name_plural = _("调解申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="mediation_request_status")]

    def __str__(self) -> str:
        return self.case.number
