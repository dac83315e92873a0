"""Production: refuses to start without its secrets; passes ``manage.py check --deploy``."""

from .base import *  # noqa: F403
from .base import database_from_env, env

DEBUG = False
SECRET_KEY = env.require("SECRET_KEY")
env.require("DATABASE_URL")
env.require("ALLOWED_HOSTS")
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")
DATABASES = {"default": database_from_env()}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes each web instance directly over plain HTTP (docs/deployment.md): the
# probes answer there instead of redirecting to an https address that instance does not serve.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")
