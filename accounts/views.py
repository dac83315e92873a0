from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.masking import mask_phone
from core.ratelimit import try_allowed
from core.views import service_call

from . import elderly
from .forms import CitizenRegistrationForm, LoginForm, PasswordResetForm, SmsLoginForm
from .homes import home_work
from .models import Role, VerificationPurpose
from .selectors import covered_areas, user_roles
from .services import (
    AccountError,
    citizen_login_by_code,
    citizen_password_reset,
    citizen_register,
    user_elderly_mode_set,
    verification_code_send,
)


def home(request):
    """The public landing page for visitors; a personal home for anyone logged in."""
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    roles = user_roles(request.user)
    if roles - {Role.CITIZEN}:
        # The work waiting first (counts by stage with links, the late cases), then who they are.
        now = timezone.now()
        context = {"work": home_work(request.user, roles, now=now), "now": now, "areas": covered_areas(request.user)}
        return render(request, "accounts/home_staff.html", context)
    return render(request, "accounts/home_citizen.html")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _sms_budget_check(request) -> None:
    """Codes per client address (``SMS_CODE_CLIENT_LIMIT``): one client cannot make the platform
    text a row of strangers' phones (docs/security.md)."""
    limit, window = settings.SMS_CODE_CLIENT_LIMIT
    if not try_allowed(request, scope="accounts:sms-code", limit=limit, window=window):
        raise AccountError(
            _("获取验证码过于频繁，请 %(m)s 分钟后再试。") % {"m": window // 60},
            field="code",
        )


def _verify_budget_check(request) -> None:
    """Code checks per client address (``SMS_CODE_VERIFY_CLIENT_LIMIT``): each code allows five
    tries, and this caps the tries one client makes across many phones."""
    limit, window = settings.SMS_CODE_VERIFY_CLIENT_LIMIT
    if not try_allowed(request, scope="accounts:sms-verify", limit=limit, window=window):
        raise AccountError(_("验证次数过多，请 %(m)s 分钟后再试。") % {"m": window // 60}, field="code")


def code_send(request, *, phone: str, purpose: str) -> None:
    """Send a code to ``phone`` within the client's budget, and say so in words that are the same
    whether or not the phone has an account (no enumeration). Raises ``AccountError``."""
    _sms_budget_check(request)
    verification_code_send(phone=phone, purpose=purpose)
    messages.success(
        request,
        _("验证码已发送到 %(phone)s，%(m)s 分钟内有效；请查看短信。")
        % {"phone": mask_phone(phone), "m": settings.VERIFICATION_CODE_TTL_SECONDS // 60},
    )


def code_login(request, *, phone: str, code: str, sign_up: bool = False, full_name: str = ""):
    """Check the code within the client's budget and log the citizen in. Raises ``AccountError``."""
    _verify_budget_check(request)
    user = citizen_login_by_code(phone=phone, code=code, sign_up=sign_up, full_name=full_name)
    login(request, user, backend="accounts.backends.UsernameOrPhoneBackend")
    return user


def _safe_next(request, default: str = "/") -> str:
    """The ``next`` URL (POST, then GET) when it stays on this site, else ``default``.

    Redirect to it with ``HttpResponseRedirect``, never ``redirect()``: that first tries the text as a
    URL name (``reverse``), and a ``next`` with neither "/" nor "." that names no URL ("abc",
    "{{ 7|add:7 }}": namespace "{{ 7|add") raises NoReverseMatch, a 500."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_http_methods(["GET", "POST"])
def sms_login(request):
    """手机号 + 短信验证码 login for citizens (docs/security.md "SMS login"). Never creates an
    account: an unregistered phone is told so only after its code was right."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    context = {"next": _safe_next(request, "")}
    if request.method == "GET":
        return render(request, "accounts/sms_login.html", {**context, "form": SmsLoginForm()})
    sending_code = request.POST.get("action") == "send_code"
    form = SmsLoginForm(request.POST, sending_code=sending_code)
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form):
            if sending_code:
                code_send(request, phone=data["phone"], purpose=VerificationPurpose.LOGIN)
            else:
                code_login(request, phone=data["phone"], code=data["code"])
                messages.success(request, _("登录成功。"))
                return HttpResponseRedirect(_safe_next(request))
    status = 200 if form.is_valid() else 400
    return render(
        request, "accounts/sms_login.html", {**context, "form": form, "code_sent": sending_code}, status=status
    )


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """忘记密码: a code to the phone, then a new password (citizens only; docs/security.md)."""
    context = {"next": _safe_next(request, "")}  # kept through to the login page after the reset
    if request.method == "GET":
        return render(request, "accounts/password_reset.html", {**context, "form": PasswordResetForm()})
    sending_code = request.POST.get("action") == "send_code"
    form = PasswordResetForm(request.POST, sending_code=sending_code)
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form):
            if sending_code:
                code_send(request, phone=data["phone"], purpose=VerificationPurpose.RESET_PASSWORD)
            else:
                _verify_budget_check(request)
                citizen_password_reset(phone=data["phone"], code=data["code"], password=data["password1"])
                messages.success(request, _("密码已重置，请用新密码登录。"))
                login_url = reverse("accounts:login")
                return redirect(f"{login_url}?{urlencode({'next': context['next']})}" if context["next"] else login_url)
    status = 200 if form.is_valid() else 400
    return render(
        request, "accounts/password_reset.html", {**context, "form": form, "code_sent": sending_code}, status=status
    )


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request, reverse("home")))
    context = {"next": _safe_next(request, "")}  # e.g. back to 申请调解 from a QR code's page
    if request.method == "GET":
        return render(request, "accounts/register.html", {**context, "form": CitizenRegistrationForm()})

    sending_code = request.POST.get("action") == "send_code"
    form = CitizenRegistrationForm(request.POST, sending_code=sending_code)
    if form.is_valid():
        data = form.cleaned_data
        with service_call(form):
            if sending_code:
                code_send(request, phone=data["phone"], purpose=VerificationPurpose.REGISTER)
            else:
                _verify_budget_check(request)
                user = citizen_register(
                    phone=data["phone"], code=data["code"], password=data["password1"], full_name=data["full_name"]
                )
                login(request, user, backend="accounts.backends.UsernameOrPhoneBackend")
                messages.success(request, _("注册成功，欢迎使用一口办。"))
                return HttpResponseRedirect(_safe_next(request, reverse("home")))
    status = 200 if form.is_valid() else 400
    return render(
        request, "accounts/register.html", {**context, "form": form, "code_sent": sending_code}, status=status
    )


@require_POST
def elderly_mode(request):
    """The 长辈模式 switch in every page's header: a plain form POST (works without JavaScript).

    ``mode`` is ``on`` or ``off``; back to ``next`` (this site only). Anyone may use it: the
    browser remembers it in a cookie; a logged-in user's account remembers it too, and a visitor's
    choice is carried into the account at login (accounts/elderly.py)."""
    on = request.POST.get("mode") == "on"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if request.user.is_authenticated:
        user_elderly_mode_set(user=request.user, on=on)
    else:
        request.session[elderly.SESSION_CHOICE] = on
    if request.POST.get("inplace"):  # static/js/elderly-switch.js changes the page itself: no reload, no message
        response = HttpResponse(status=204)
        elderly.cookie_set(response, on)
        return response
    if on:
        messages.success(request, _("已开启长辈模式：字更大，按钮更大。再点一次页面顶部的“长辈模式”即可关闭。"))
    else:
        messages.success(request, _("已关闭长辈模式，页面恢复标准字号。"))
    response = HttpResponseRedirect(target)  # a URL, never a URL name (see _safe_next)
    elderly.cookie_set(response, on)
    return response
