"""The outbox: every message the platform sends, kept for audit and for the admin."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SECRET_MASK = "******"


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("短信")
    INAPP = "inapp", _("站内消息")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    channel = models.CharField(_("渠道"), max_length=10, choices=NotificationChannel.choices)
    kind = models.CharField(_("类别"), max_length=40, help_text=_("如 verification_code、case_update"))
    recipient_phone = models.CharField(_("接收手机号"), max_length=20, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # When delivery was last re-queued because no worker had delivered it (a worker killed after
    # taking the task from Redis loses it): notifications_requeue_undelivered.
    requeued_at = models.DateTimeField(_("重新排队时间"), null=True, blank=True)
    # A one-time code: ``body`` keeps it masked; the code itself waits in ``secret`` only until
    # delivery (cleared then), and the whole row is purged a day later (docs/security.md).
    one_time = models.BooleanField(_("一次性验证码"), default=False, db_default=False)  # raw INSERTs (supervision)
    secret = models.CharField(_("待发送的验证码"), max_length=32, blank=True, editable=False, default="", db_default="")
    # The message centre (站内消息, docs/notifications.md): which case the message is about, by its
    # public number (no foreign key: this app knows no other app's models; the link to the case
    # page is resolved for the reader by ``notifications.links``), and when the recipient read it.
    case_number = models.CharField(_("案件编号"), max_length=40, blank=True, default="", db_default="")
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息发件箱")
        verbose_name_plural = _("消息发件箱")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient_user", "-created_at"], name="outbox_user_recent"),
            models.Index(fields=["status", "attempts"], name="outbox_retry", condition=models.Q(status="failed")),
            models.Index(fields=["created_at"], name="outbox_pending", condition=models.Q(status="pending")),
            # The bell: a user's unread messages, counted on every page from this index alone.
            models.Index(
                fields=["recipient_user", "-created_at"],
                name="outbox_user_unread",
                condition=models.Q(read_at__isnull=True, one_time=False, recipient_user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    def text_to_send(self) -> str:
        """The message as the recipient must read it: the masked code put back."""
        return self.body.replace(SECRET_MASK, self.secret) if self.secret else self.body
