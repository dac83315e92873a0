"""Laptop / embedded default: SQLite + q2 ORM broker, codes echoed to the console.

DEBUG is off (``make run`` serves like production: gunicorn, WhiteNoise); ``DJANGO_DEBUG=1`` turns
it on for a developer who wants Django's error pages.
"""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, env

DEBUG = env.get_bool("DJANGO_DEBUG", False)
NOTIFICATION_ECHO = env.get_bool("NOTIFICATION_ECHO", True)
# The address `make run` serves on (HOST=…), beside 127.0.0.1 and localhost.
_host = env.get("HOST")
if _host and _host not in ALLOWED_HOSTS and _host not in {"0.0.0.0", "::"}:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _host]
