"""Test settings: fast hashing, q2 tasks run synchronously, files under a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="yikouban-media-"))
NOTIFICATION_ECHO = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
COURT_OUTBOX_DIR = Path(tempfile.mkdtemp(prefix="yikouban-court-"))
PUBLIC_BASE_URL = "http://testserver"
# WhiteNoise finds files through the finders on each request: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
