"""`make bench-intake` only: the local settings plus a bare view (config/urls_bench.py) to compare
the window form with. Never used to serve anyone: production settings route no such view."""

from .local import *  # noqa: F403

ROOT_URLCONF = "config.urls_bench"
NOTIFICATION_ECHO = False

# The timed requests render no page; the few the load generator reads first (login, the form)
# find their static files without a collectstatic run.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
