from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .lockout import lockout_message
from .models import User, phone_validator


class LockoutMessageMixin:
    """A login form that, once django-axes has locked the client out, says so and how long to
    wait (accounts/lockout.py) instead of repeating "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout_message(self.request), code="locked") from None
            raise


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("手机号或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        help_text=_("群众请输入注册手机号；工作人员请输入工作账号。"),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("手机号/用户名或密码不正确，请检查后重试（密码区分大小写）。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }


class CitizenRegistrationForm(forms.Form):
    """Two buttons share this form: "get code" checks the phone only; "register" checks all."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=11,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": _("请输入手机号。")},
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password1 = forms.CharField(
        label=_("设置密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不要与手机号相同。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《个人信息保护说明》：手机号仅用于登录和办理进度通知。"), required=False
    )

    def __init__(self, *args, sending_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code

    def clean(self):
        cleaned = super().clean()
        if self.sending_code or self.errors:
            return cleaned
        check_code(self, cleaned)
        if not cleaned.get("full_name", "").strip():
            self.add_error("full_name", _("请输入姓名，便于工作人员与您联系。"))
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if not p1:
            self.add_error("password1", _("请设置登录密码。"))
        elif p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        else:
            try:
                validate_password(p1, User(username=f"citizen-{cleaned.get('phone')}", phone=cleaned.get("phone")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        if not cleaned.get("consent"):
            self.add_error("consent", _("请阅读并勾选同意个人信息保护说明。"))
        return cleaned


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("手机号"),
        max_length=11,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": _("请输入手机号。")},
    )


def check_code(form: forms.Form, cleaned: dict, field: str = "code") -> None:
    """The 6-digit code a "get code" button led to: present and well-formed."""
    code = (cleaned.get(field) or "").strip()
    if not code:
        form.add_error(field, _("请输入短信验证码；还没有收到请点击“获取验证码”。"))
    elif not code.isdigit() or len(code) != 6:
        form.add_error(field, _("验证码为 6 位数字。"))


class SmsLoginForm(forms.Form):
    """手机号 + 短信验证码 login; "get code" checks the phone only (as the registration form)."""

    phone = _phone_field()
    code = _code_field()

    def __init__(self, *args, sending_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending_code = sending_code

    def clean(self):
        cleaned = super().clean()
        if not (self.sending_code or self.errors):
            check_code(self, cleaned)
        return cleaned


class PasswordResetForm(SmsLoginForm):
    """忘记密码: the code sent to the phone, then a new password twice."""

    password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不要与手机号相同。"),
    )
    password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if self.sending_code or self.errors:
            return cleaned
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if not p1:
            self.add_error("password1", _("请设置新密码。"))
        elif p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        else:  # checked before the code is used up, so a weak password does not cost the code
            try:
                validate_password(p1, User(username=f"citizen-{cleaned.get('phone')}", phone=cleaned.get("phone")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
