"""Gunicorn settings for `make run` and for production (docs/deployment.md).

``gunicorn -c config/gunicorn.py config.wsgi:application``. Every value can be overridden on the
command line or by the environment variables named below.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gthread: a few processes, a few threads each. Two cores serve ~3 processes well; each request
# holds one thread, so a slow client or a long export does not stall a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
keepalive = 5
# Our own request line (core/request_log.py) replaces gunicorn's access log; its errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-* are trusted only from these addresses (the reverse proxy in production).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "yikouban-web"
# No control socket: it lives in the user's home and two instances on one host would share it.
control_socket_disable = True
