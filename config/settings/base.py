"""Settings shared by every environment. Environment-specific modules import * from here."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = env.BASE_DIR
VAR_DIR = BASE_DIR / env.get("YIKOUBAN_VAR_DIR", "var")

SECRET_KEY = env.get("SECRET_KEY", "insecure-dev-key-only-for-local-use")
DEBUG = False
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_fsm",
    "django_q",
    "axes",
    "rest_framework",
    "drf_spectacular",
    # Ours, bottom of the dependency graph first (docs/architecture.md).
    "core",
    "notifications",
    "routing",
    "accounts",
    "cases",
    "intake",
    "mediation",
    "supervision",
    "interfaces",
    "feedback",
    "partner_api",
    "selfservice",
    "consult",
    "config",
    "suggestions",
    "similar",
    "kb",
    "precedents",
]

MIDDLEWARE = [
    # The client's address from a trusted reverse proxy's X-Real-IP, before anything reads it.
    "config.middleware.TrustedProxyMiddleware",
    # Outermost: one JSON line per request (request id, view, status, duration, queries).
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (compressed, cache-busted names) before sessions, auth and the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "config.middleware.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    "accounts.elderly.ElderlyModeMiddleware",  # 长辈模式: after the staff session check (docs/accessibility.md)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.staff_context",
                "notifications.context_processors.bell",
            ],
        },
    },
]


def database_from_env() -> dict:
    """SQLite under var/ by default (WAL, busy timeout); PostgreSQL when DATABASE_URL is set."""
    url = env.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=env.get_int("DB_CONN_MAX_AGE", 60))
        config["CONN_HEALTH_CHECKS"] = True
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "yikouban.sqlite3",
        # Kept open like PostgreSQL's: the q2 ORM broker closes "old" connections at each enqueue,
        # and reopening SQLite (PRAGMAs, a WAL checkpoint at the last close) cost a claim ~40 ms.
        "CONN_MAX_AGE": env.get_int("DB_CONN_MAX_AGE", 60),
        "OPTIONS": {
            # WAL lets the web server read while the q2 worker writes; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue (busy timeout) instead of deadlocking.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The lockout check first (django-axes, accounts/lockout.py), then the real backend.
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginThrottleBackend", "accounts.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# `collectstatic` (a step of `make run` and of every deploy) writes hashed names plus .gz and .br
# copies; WhiteNoise serves them with far-future caching (docs/deployment.md). Tests use the plain
# storage (config/settings/test.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are for developers: not compressed, not worth the collectstatic time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "tbz",
    "xz",
    "br",
    "swf",
    "flv",
    "woff",
    "woff2",
    "3gp",
    "3gpp",
    "asf",
    "avi",
    "m4v",
    "mov",
    "mp4",
    "mpeg",
    "mpg",
    "webm",
    "wmv",
    "map",
)
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
# Citizens keep Django's two-week session; staff sessions end after 30 idle minutes and at the
# latest 12 hours after login (accounts.middleware.StaffSessionMiddleware).
STAFF_SESSION_IDLE_SECONDS = 30 * 60
STAFF_SESSION_MAX_SECONDS = 12 * 60 * 60
# Probes (config/health.py): no session is read or written, no staff timeout, no user in the log.
SESSIONLESS_PATHS = ("/healthz", "/readyz")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Reverse proxies (addresses or networks) whose X-Real-IP names the client (config.middleware,
# docs/deployment.md). Empty: REMOTE_ADDR is the client, as with `make run`.
TRUSTED_PROXIES = env.get_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:  # a typo must stop the start, not answer every request with a 500
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from exc

# Login throttling (django-axes; accounts/lockout.py, docs/security.md). Counted per account and
# client, and per client; never per account alone, and every lock ends after the cool-off.
AXES_HANDLER = "accounts.lockout.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 5  # wrong passwords for one account from one client
LOGIN_CLIENT_FAILURE_LIMIT = 30  # failures from one client over all accounts
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)  # X-Forwarded-For is the client's to forge
AXES_VERBOSE = False  # no start-up banner on every manage.py command

# SMS budgets on top of the 60 s per phone (accounts.services, docs/security.md).
SMS_CODE_CLIENT_LIMIT = (5, 10 * 60)  # codes per client address per 10 minutes
# Codes the whole platform sends per hour: set per deployment (YIKOUBAN_SMS_CODES_PER_HOUR) to what
# the SMS contract allows; a warning is logged at 80 % (accounts.services.verification_code_send).
SMS_CODE_GLOBAL_LIMIT = (env.get_int("YIKOUBAN_SMS_CODES_PER_HOUR", 5000), 60 * 60)
SMS_CODE_PHONE_LIMIT = (5, 60 * 60)  # codes one phone receives per hour, all purposes together
SMS_CODE_VERIFY_CLIENT_LIMIT = (20, 10 * 60)  # code checks (login, reset) per client per 10 minutes
# Delivered one-time messages (codes) are deleted after this long; the code is masked at rest.
ONE_TIME_MESSAGE_KEEP_HOURS = 24

# Content-Security-Policy (django-csp 4): scripts only from our origin or with the page's nonce.
# Styles allow 'unsafe-inline': templates carry many style="…" attributes and Bootstrap/ECharts
# set inline styles at run time; style injection cannot run code (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"

# django-q2: the ORM broker by default (one SQLite file runs everything), Redis when Q2_REDIS_URL is set.
# timeout < retry so a task is never retried while it may still be running; bounded attempts.
Q_CLUSTER = {
    "name": "yikouban",
    "workers": env.get_int("Q2_WORKERS", 2),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "queue_limit": 50,
    "label": "任务队列",
}
_q2_redis = env.get("Q2_REDIS_URL")
if _q2_redis:
    Q_CLUSTER["redis"] = _q2_redis
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# Cache: rate limits (public tracking) must be shared by every web process in production.
_cache_url = env.get("CACHE_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yikouban"}
    )
}

# Notifications (SMS and in-app). The outbox backend stores every message for the admin and,
# in development, prints it (phone masked).
NOTIFICATION_BACKEND = env.get("NOTIFICATION_BACKEND", "notifications.backends.OutboxBackend")
NOTIFICATION_ECHO = env.get_bool("NOTIFICATION_ECHO", False)
# FileGatewayBackend (staging, the cluster soak): one JSON line per delivered message.
NOTIFICATION_GATEWAY_FILE = env.get("NOTIFICATION_GATEWAY_FILE", str(VAR_DIR / "sms-gateway.jsonl"))
NOTIFICATION_GATEWAY_LATENCY_MS = env.get_int("NOTIFICATION_GATEWAY_LATENCY_MS", 0)  # a real gateway's call time
NOTIFICATION_MAX_ATTEMPTS = 5  # a failed message is retried by a schedule until this many tries
# A message still pending this long after it was written (or last re-queued) is queued again:
# longer than q2's task timeout, so a delivery that is merely running is not doubled needlessly.
NOTIFICATION_REQUEUE_SECONDS = env.get_int("NOTIFICATION_REQUEUE_SECONDS", 120)

# Verification codes for citizen registration.
VERIFICATION_CODE_TTL_SECONDS = 10 * 60
VERIFICATION_CODE_RESEND_SECONDS = 60
VERIFICATION_CODE_MAX_ATTEMPTS = 5

PORTAL_NAME = _("一口办 · 群众诉求服务平台")

# Request and task lines (core/request_log.py, core/task_log.py) are one JSON object each on
# stdout, nothing else on the line; everything else is plain text on stderr (docs/deployment.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json_line": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "json_lines": {"class": "logging.StreamHandler", "formatter": "json_line", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    # a single-use link's token (the rating link /r/<token>/) never reaches a log line
    "filters": {"url_tokens": {"()": "core.request_log.UrlTokenFilter"}},
    "loggers": {
        "django.request": {"filters": ["url_tokens"]},
        "django.security.csrf": {"filters": ["url_tokens"]},
        "django.db.backends": {"level": "WARNING"},
        "yikouban.requests": {"handlers": ["json_lines"], "level": "INFO", "propagate": False},
        "yikouban.tasks": {"handlers": ["json_lines"], "level": "INFO", "propagate": False},
    },
}
# /readyz (config/health.py): the queue is not ready when its oldest task waited longer than this,
# the warning sweep (every minute) when its last success is older than this.
READYZ_QUEUE_MAX_AGE_SECONDS = env.get_int("READYZ_QUEUE_MAX_AGE_SECONDS", 300)
READYZ_SWEEP_MAX_AGE_SECONDS = env.get_int("READYZ_SWEEP_MAX_AGE_SECONDS", 600)

# Case lifecycle.
CASE_REVIEW_DAYS = 2  # working days for the centre to review a result
CASE_AUTO_CLOSE_DAYS = 7  # calendar days a citizen has to rate before the case closes itself

# Supervision: a stage turns blue when this share of its time is used, yellow at the second, red
# when overdue. These are the defaults: an administrator's 预警阈值 row in the admin overrides them
# and applies to the open cases at once. After editing them here, run
# `manage.py warnings_rethreshold` to move the open cases' clock points too.
SUPERVISION_WARNING_THRESHOLDS = {"blue": 0.5, "yellow": 0.8}
# 研判预警 (supervision.risk, docs/risk-warnings.md): the daily risk scan's thresholds.
RISK_WARNING_RULES = {
    "surge_days": 7,  # a surge: the last this many days' cases of one town and matter branch …
    "surge_ratio": 3,  # … at least this many times the weekly average of the weeks before …
    "surge_min_cases": 5,  # … and at least this many cases
    "baseline_weeks": 8,  # the weeks before the window that make the average
    "group_people": 10,  # a group claim: a case involving at least this many people …
    "group_claims": 3,  # … or at least this many claims (一案多投) on one case
    "group_days": 30,  # cases (and claims) registered in the last this many days are scanned
    "frequent_cases": 3,  # one phone on at least this many cases …
    "frequent_days": 30,  # … registered in the last this many days
}

# Mediation (mediation app).
MEDIATION_DAYS = 30  # calendar days from acceptance (人民调解一般在一个月内调结)
MEDIATION_REMINDER_HOURS = 24  # parties are reminded this long before a session
AGREEMENT_CODE_MINUTES = 10  # a party's confirmation code is valid this long
AGREEMENT_CODE_ATTEMPTS = 5  # wrong codes before a new one must be sent
# A group batch with no progress this long is queued again (longer than q2's 60 s task timeout).
AGREEMENT_BATCH_RESUME_SECONDS = env.get_int("AGREEMENT_BATCH_RESUME_SECONDS", 180)
# Public address printed in agreements' QR codes (the verification page lives under it).
PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the default court gateway drops litigation packages; a real gateway replaces the class.
COURT_GATEWAY = env.get("COURT_GATEWAY", "mediation.litigation.court_gateway.OutboxFolderGateway")
COURT_OUTBOX_DIR = VAR_DIR / "court-outbox"
# Evidence for litigation packages comes from other apps (intake's attachments); config wires it
# so mediation does not import intake (DESIGN.md: mediation → cases only).
MEDIATION_EVIDENCE_PROVIDERS = ["intake.evidence.case_attachments"]
MEDIATION_CLAIM_PROVIDERS = ["intake.evidence.case_claims"]
# 疑似重复 (issue #13): the similarity engine the nightly scan asks for open cases like a case;
# config wires it so cases does not import similar (similar reads cases). Empty: phones only.
CASES_SIMILAR_OPEN_CASES = "similar.engine.similar_open_cases"

# Partner interfaces (interfaces app, docs/interfaces.md): calls per API key per minute unless the
# key sets its own, and anonymous calls (Open311 discovery and service list) per client address.
API_KEY_RATE_PER_MINUTE = env.get_int("API_KEY_RATE_PER_MINUTE", 120)
API_ANONYMOUS_RATE_PER_MINUTE = env.get_int("API_ANONYMOUS_RATE_PER_MINUTE", 60)
# The citizen's voice and the call-back (feedback app, issue #11; docs/feedback.md).
FEEDBACK_DAILY_LIMITS = {"material": 3, "message": 5}  # per case and calendar day
FEEDBACK_PRESS_ALERT = (3, 7)  # this many presses within this many days → the region's supervisors
FEEDBACK_UNREACHED_DAYS = 3  # unanswered call-backs on different days before 未接通 may close a case
FEEDBACK_LINK_RATE_LIMIT = (30, 10 * 60)  # rating-link requests per client address and window (s)
INTAKE_TRACK_GRANT_SECONDS = 30 * 60  # a tracking lookup lets the browser add materials this long
API_CALL_LOG_DAYS = env.get_int("API_CALL_LOG_DAYS", 180)  # the call log is purged daily past this
PARTNER_API_IDEMPOTENCY_DAYS = env.get_int("PARTNER_API_IDEMPOTENCY_DAYS", 30)  # idempotency records, purged daily
# Open311 discovery (interfaces/open311, docs/interfaces.md): when the endpoint last changed, and
# whom partners ask for help and for a key.
OPEN311_CHANGESET = "2026-12-07T00:00:00+08:00"
OPEN311_CONTACT = env.get("OPEN311_CONTACT", "诉求服务中心信息科（工作日 9:00–17:00）")
OPEN311_KEY_SERVICE = env.get(
    "OPEN311_KEY_SERVICE", "接口密钥请向诉求服务中心申请，由系统管理员使用 manage.py api_key_create 创建。"
)
# Paths whose views refuse control characters themselves, in their own error format
# (config.middleware.ControlCharacterMiddleware leaves them alone; interfaces.keys.api_view checks).
CONTROL_CHARACTER_SELF_CHECKED_PATHS = ("/open311/",)

# Partner REST API /api/v1/ (partner_api, docs/api.md): Django REST framework + drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partner_api.problems.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partner_api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "一口办 合作方接口",
    "DESCRIPTION": "12345 平台、网格平台、法院和信访部门对接用的 REST 接口。说明见 docs/api.md。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
PARTNER_API_MAX_BODY_BYTES = 64 * 1024
# The event feed leaves events this young for the next call (docs/api.md "Event feed").
PARTNER_API_FEED_SETTLE_SECONDS = env.get_int("PARTNER_API_FEED_SETTLE_SECONDS", 10)
PARTNER_API_PROBLEM_BASE = "https://yikouban.invalid/problems/"
