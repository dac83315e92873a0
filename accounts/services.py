"""Writes about users: verification codes, citizen registration, staff accounts."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.errors import ServiceError
from notifications.services import notification_send

from .models import Membership, User, VerificationCode, VerificationPurpose


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
    of codes (``SMS_CODE_GLOBAL_LIMIT``; the per-client budget is the view's, it knows the client).
    The code itself is never stored, only its HMAC.
    """
    _lock_phone(phone, purpose)
    now = timezone.now()
    budget, window = settings.SMS_CODE_GLOBAL_LIMIT
    if VerificationCode.objects.filter(created_at__gte=now - timedelta(seconds=window)).count() >= budget:
        raise AccountError(_("当前获取验证码的人数较多，请稍后再试；急需办理请到窗口或拨打热线。"), field="code")
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


def citizen_register(*, phone: str, code: str, password: str, full_name: str) -> User:
    """Create a citizen account after checking the SMS code.

    Guarantees: one account per phone; the code is single-use; a wrong code counts toward the
    attempt limit even though no account is created. The code is checked first: without the
    code sent to the phone, an existing and a new phone get the same answer (no enumeration);
    only the phone's holder learns that it is already registered.
    """
    error: AccountError | None = None
    user = None
    with transaction.atomic():
        try:
            _verification_code_consume(phone=phone, purpose=VerificationPurpose.REGISTER, code=code)
        except AccountError as exc:
            error = exc  # commit the counted attempt, then report
        else:
            if User.objects.filter(phone=phone).exists():
                raise AccountError(_("该手机号已注册，请直接登录；如忘记密码请到窗口办理。"), field="phone")
            user = User(username=f"citizen-{phone}", phone=phone, full_name=full_name.strip(), is_citizen=True)
            validate_password(password, user)
            user.set_password(password)
            user.save()
    if error is not None:
        raise error
    assert user is not None
    return user


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
