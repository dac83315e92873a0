"""Laptop / embedded default: SQLite + q2 ORM broker, DEBUG on, codes echoed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.get_bool("DEBUG", True)
NOTIFICATION_ECHO = env.get_bool("NOTIFICATION_ECHO", True)
