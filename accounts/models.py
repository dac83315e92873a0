"""Users, and the memberships that tie staff to a unit with a role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入 11 位中国大陆手机号，如 13800138000。"))


class Role(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    CLERK = "clerk", _("窗口/热线受理员")
    DISPATCHER = "dispatcher", _("调度员")
    HANDLER = "handler", _("承办人")
    MEDIATOR = "mediator", _("调解员")
    SUPERVISOR = "supervisor", _("督办人")
    ADMIN = "admin", _("系统管理员")


STAFF_ROLES = [r for r in Role if r != Role.CITIZEN]


class User(AbstractUser):
    """Staff log in with ``username``; citizens with ``phone`` (their username is derived)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    is_citizen = models.BooleanField(_("群众账号"), default=False)
    elderly_mode = models.BooleanField(
        _("长辈模式"), default=False, help_text=_("大字、大按钮、单栏页面；在任一页面顶部的“长辈模式”按钮切换。")
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    """A staff user's place in the directory: a unit and the role they hold there."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        "routing.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=12, choices=[(r.value, r.label) for r in STAFF_ROLES])
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        indexes = [models.Index(fields=["unit", "role", "active"], name="membership_unit_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class VerificationPurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET_PASSWORD = "reset_password", _("重置密码")
    LOGIN = "login", _("验证码登录")


class VerificationCode(models.Model):
    """A one-time code sent to a phone. Only a keyed hash of the code is stored."""

    phone = models.CharField(_("手机号"), max_length=11)
    purpose = models.CharField(_("用途"), max_length=20, choices=VerificationPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="vcode_phone_recent")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"
