"""Writes about users: verification codes, citizen registration, staff accounts."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import ServiceError
from notifications.services import notification_send

from .models import Membership, Role, User, VerificationCode, VerificationPurpose

logger = logging.getLogger(__name__)


class AccountError(ServiceError):
    """A request the user must correct; the message is shown as is (on ``field`` when named)."""


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac("yikouban.verification", f"{phone}:{purpose}:{code}").hexdigest()


CODE_SEND_LOCK_CLASS = 7_461_003  # pg_advisory_xact_lock class of "a code for this phone"


def _lock_phone(phone: str, purpose: str) -> None:
    """Serialise concurrent sends to one phone, so the resend check sees the other's code.
    PostgreSQL: a transaction-scoped advisory lock; SQLite serialises writers already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CODE_SEND_LOCK_CLASS, f"{phone}:{purpose}"]
            )


@transaction.atomic
def verification_code_send(*, phone: str, purpose: str = VerificationPurpose.REGISTER) -> VerificationCode:
    """Create a 6-digit code for ``phone`` and send it by SMS after commit.

    Refuses (``AccountError``) when a code was sent to the same phone for the same purpose less
    than ``VERIFICATION_CODE_RESEND_SECONDS`` ago, or when the platform has sent its hourly budget
    of codes (``SMS_CODE_GLOBAL_LIMIT``), or the phone its hourly share (``SMS_CODE_PHONE_LIMIT``,
    all purposes together; the per-client budget is the view's, it knows the client).
    The code itself is never stored, only its HMAC.
    """
    _lock_phone(phone, purpose)
    now = timezone.now()
    budget, window = settings.SMS_CODE_GLOBAL_LIMIT
    used = VerificationCode.objects.filter(created_at__gte=now - timedelta(seconds=window)).count()
    if used >= budget:
        raise AccountError(_("当前获取验证码的人数较多，请稍后再试；急需办理请到窗口或拨打热线。"), field="code")
    warn_at = -(-budget * 4 // 5)  # 80 %, rounded up
    if used + 1 == warn_at:  # this code reaches 80 %: said once as the count crosses it, no phone
        logger.warning(
            "SMS code budget: %s of %s codes used in the last %s minutes (80%%); raise "
            "YIKOUBAN_SMS_CODES_PER_HOUR if this is normal traffic",
            used + 1,
            budget,
            window // 60,
        )
    per_phone, phone_window = settings.SMS_CODE_PHONE_LIMIT
    recent = VerificationCode.objects.filter(phone=phone, created_at__gte=now - timedelta(seconds=phone_window))
    if recent.count() >= per_phone:
        raise AccountError(
            _("该手机号获取验证码的次数过多，请 %(m)s 分钟后再试；急需办理请到窗口或拨打热线。")
            % {"m": phone_window // 60},
            field="code",
        )
    wait = settings.VERIFICATION_CODE_RESEND_SECONDS
    last = VerificationCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < wait:
        remaining = int(wait - (now - last.created_at).total_seconds()) + 1
        raise AccountError(_("验证码已发送，请 %(s)s 秒后再重新获取。") % {"s": remaining}, field="code")
    code = f"{secrets.randbelow(10**6):06d}"
    record = VerificationCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(phone, purpose, code),
        expires_at=now + timedelta(seconds=settings.VERIFICATION_CODE_TTL_SECONDS),
    )
    minutes = settings.VERIFICATION_CODE_TTL_SECONDS // 60
    notification_send(
        kind="verification_code",
        phone=phone,
        body=_("【一口办】您的验证码为 %(code)s，%(m)s 分钟内有效。如非本人操作，请忽略本短信。")
        % {"code": code, "m": minutes},
        secret=code,
    )
    return record


def _verification_code_consume(*, phone: str, purpose: str, code: str) -> None:
    """Check and use up a code; wrong tries are counted and capped. Call inside ``atomic``."""
    now = timezone.now()
    record = (
        VerificationCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    invalid = AccountError(_("验证码错误或已过期，请重新获取。"), field="code")
    if record is None or record.attempts >= settings.VERIFICATION_CODE_MAX_ATTEMPTS:
        raise invalid
    if not constant_time_compare(record.code_hash, _code_hash(phone, purpose, code.strip())):
        # Counted outside the caller's transaction would be lost on rollback; the caller lets
        # this error propagate after the atomic block commits the attempt (see citizen_register).
        VerificationCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise invalid
    VerificationCode.objects.filter(pk=record.pk).update(used_at=now)


def _after_code(*, phone: str, purpose: str, code: str, then: Callable[[], User]) -> User:
    """Check and use up the code, then run ``then`` in the same transaction.

    A wrong code counts toward the attempt limit even though ``then`` never runs: the counted
    attempt is committed first, the error is raised after the atomic block."""
    error: AccountError | None = None
    user = None
    with transaction.atomic():
        try:
            _verification_code_consume(phone=phone, purpose=purpose, code=code)
        except AccountError as exc:
            error = exc  # commit the counted attempt, then report
        else:
            user = then()
    if error is not None:
        raise error
    assert user is not None
    return user


def citizen_register(*, phone: str, code: str, password: str, full_name: str) -> User:
    """Create a citizen account after checking the SMS code.

    Guarantees: one account per phone; the code is single-use; a wrong code counts toward the
    attempt limit even though no account is created. The code is checked first: without the
    code sent to the phone, an existing and a new phone get the same answer (no enumeration);
    only the phone's holder learns that it is already registered.
    """

    def create() -> User:
        if User.objects.filter(phone=phone).exists():
            raise AccountError(_("该手机号已注册，请直接登录；如忘记密码可用短信验证码找回。"), field="phone")
        user = User(username=f"citizen-{phone}", phone=phone, full_name=full_name.strip(), is_citizen=True)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        return user

    return _after_code(phone=phone, purpose=VerificationPurpose.REGISTER, code=code, then=create)


NOT_REGISTERED = _lazy("该手机号还没有注册。请先用手机号注册，或在“我要反映”页面填写诉求时直接验证手机号。")
def citizen_only(user) -> bool:
    """True for an account that is a citizen and nothing else: no staff role (an active
    membership), not is_staff, not a superuser. Only such accounts get in or reset a password by
    SMS — a staff account that is also a citizen must not be reachable with a phone code."""
    from accounts.selectors import user_roles

    if not user.is_citizen or user.is_staff or user.is_superuser:
        return False
    return not (user_roles(user) - {Role.CITIZEN})


NO_CODE_LOGIN = _lazy("该手机号不能用验证码登录：工作人员请用工作账号和密码登录。")


def citizen_login_by_code(*, phone: str, code: str, sign_up: bool = False, full_name: str = "") -> User:
    """The citizen whose phone received ``code`` (purpose ``login``), for ``login()``.

    Guarantees: the code is single-use and its wrong tries count (``_after_code``); an unknown
    phone gets no account unless ``sign_up`` (the claim form's inline sign-in, where the citizen
    has agreed to the privacy notice and typed a name): then a citizen account without a usable
    password is created (a password can be set later by "忘记密码"). Staff accounts never log in
    by code. Whether a phone is registered is said only after its code was right, so only the
    phone's holder learns it (docs/security.md).
    """

    def find() -> User:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            if not sign_up:
                raise AccountError(str(NOT_REGISTERED), field="phone")
            user = User(username=f"citizen-{phone}", phone=phone, full_name=full_name.strip()[:50], is_citizen=True)
            user.set_unusable_password()
            user.save()
            return user
        if not citizen_only(user):
            raise AccountError(str(NO_CODE_LOGIN), field="phone")
        if not user.is_active:
            raise AccountError(_("该账号已停用，请联系诉求服务中心。"), field="phone")
        return user

    return _after_code(phone=phone, purpose=VerificationPurpose.LOGIN, code=code, then=find)


def citizen_password_reset(*, phone: str, code: str, password: str) -> User:
    """Set a new password for the citizen whose phone received ``code`` (purpose
    ``reset_password``). Same guarantees as ``citizen_login_by_code``; staff passwords are reset
    by an administrator, never by SMS."""

    def reset() -> User:
        user = User.objects.filter(phone=phone).first()
        if user is None:
            raise AccountError(str(NOT_REGISTERED), field="phone")
        if not citizen_only(user):
            raise AccountError(_("工作人员账号的密码请联系系统管理员重置。"), field="phone")
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    return _after_code(phone=phone, purpose=VerificationPurpose.RESET_PASSWORD, code=code, then=reset)


@transaction.atomic
def staff_user_ensure(
    *,
    username: str,
    full_name: str,
    password: str,
    memberships: list[tuple[str, str]],
    is_superuser: bool = False,
    phone: str | None = None,
) -> User:
    """Create or update a staff user and their memberships (unit code, role). Idempotent."""
    from routing.models import Unit

    user, _created = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.phone = phone
    user.is_staff = is_superuser or any(role == "admin" for _unit, role in memberships)
    user.is_superuser = is_superuser
    user.set_password(password)
    user.save()
    for unit_code, role in memberships:
        Membership.objects.update_or_create(
            user=user, unit=Unit.objects.get(code=unit_code), role=role, defaults={"active": True}
        )
    return user


@transaction.atomic
def citizen_ensure(*, phone: str, full_name: str, password: str) -> User:
    """Create or update a citizen account directly (demo data, window-assisted registration)."""
    user, _created = User.objects.get_or_create(
        phone=phone, defaults={"username": f"citizen-{phone}", "is_citizen": True}
    )
    user.full_name = full_name
    user.is_citizen = True
    user.set_password(password)
    user.save()
    return user


def verification_codes_purge() -> int:
    """Delete codes that expired more than a day ago. Idempotent; concurrent runs are harmless."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = VerificationCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def user_elderly_mode_set(*, user: User, on: bool) -> User:
    """Remember 长辈模式 on the account (accounts/elderly.py). Writes only when it changes."""
    if user.elderly_mode != on:
        user.elderly_mode = on
        User.objects.filter(pk=user.pk).update(elderly_mode=on)
    return user
