"""联办任务 (issue #15): a task for a cooperating unit on a case, and the files of its answer.

Imported by ``cases.models`` (so the app registers them; the services are in ``cases.joint``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case, Status, WarningLevel

# 联办任务 (issue #15): the lead unit or the dispatcher asks a cooperating unit for something, with
# its own deadline and warning level; the unit answers with a reply and files ---------------------


class JointTaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")


#: Case statuses in which a task is worked (listed in the unit's inbox, warned, answerable).
JOINT_TASK_CASE_STATUSES = [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]


class JointTask(models.Model):
    """A task (联办任务) for one cooperating unit on a case: what is asked, by when, and its answer.
    The deadline has warning points precomputed like a stage clock (``cases.joint``), so the
    warning sweep watches it with plain comparisons."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="joint_tasks")
    unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("协办单位"), on_delete=models.PROTECT, related_name="joint_tasks"
    )
    request = models.TextField(_("协办事项"))
    status = models.CharField(_("状态"), max_length=10, choices=JointTaskStatus.choices, default=JointTaskStatus.OPEN)
    started_at = models.DateTimeField(_("交办时间"))
    due_at = models.DateTimeField(_("答复期限"))
    blue_at = models.DateTimeField(_("蓝色预警时间"))
    yellow_at = models.DateTimeField(_("黄色预警时间"))
    warning_level = models.CharField(_("预警"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE)
    warning_changed_at = models.DateTimeField(_("预警变化时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("交办人"), on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("联办任务")
        verbose_name_plural = _("联办任务")
        ordering = ["started_at", "id"]
        indexes = [
            # the unit's 联办任务 tab: its open tasks, soonest due first
            models.Index(fields=["unit", "due_at"], name="joint_task_open_unit", condition=models.Q(status="open")),
            # the warning sweep's running task clocks
            models.Index(
                fields=["due_at", "yellow_at", "blue_at"],
                name="joint_task_open_clock",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["case", "status"], name="joint_task_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}→{self.unit_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == JointTaskStatus.OPEN


class JointTaskFile(models.Model):
    """A file the cooperating unit attached to its answer (checked like a claim's attachment)."""

    task = models.ForeignKey(JointTask, verbose_name=_("联办任务"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="joint/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("联办答复附件")
        verbose_name_plural = _("联办答复附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
