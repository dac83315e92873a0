"""One login form for everyone: an 11-digit mobile number finds a citizen, anything else a username."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        identifier = username.strip()
        User = get_user_model()
        user = None
        if identifier.isdigit() and len(identifier) == 11:
            user = User.objects.filter(phone=identifier).first()
        if user is None:
            user = User.objects.filter(username=identifier).first()
        if user is None:
            User().set_password(password)  # same work whether or not the user exists (timing)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS`` (accounts/lockout.py).

    Every login over HTTP (the portal, the admin) passes the request and is counted. A call
    without a request (``Client.force_login``/``login`` in tests, management commands) is not a
    login by a client and is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
