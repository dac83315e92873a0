#!/usr/bin/env python
"""A production-shaped cluster on this machine (issue #16, docs/deployment.md "Cluster").

    python scripts/cluster.py up        # prepare (database, static, demo, schedules) and start all
    python scripts/cluster.py status    # which processes run, /healthz of each web instance
    python scripts/cluster.py kill web1 # SIGKILL one process and its children (the soak does this)
    python scripts/cluster.py start web1
    python scripts/cluster.py down

nginx (TLS, 127.0.0.1:8440) balances over two gunicorn instances (8441, 8442); two qcluster
workers take tasks from Redis; everything uses PostgreSQL, `config.settings.production` and
test secrets generated under var/cluster/ (a random SECRET_KEY, a self-signed certificate).
Each process runs in its own session (process group), writes its pid to var/cluster/run/ and its
logs to var/cluster/logs/ (stdout: the JSON request and task lines; stderr: the rest).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "cluster"
RUN, LOGS, NGINX, TLS = VAR / "run", VAR / "logs", VAR / "nginx", VAR / "tls"
PYTHON = sys.executable

DATABASE = os.environ.get("CLUSTER_DATABASE", "yk_cluster")
REDIS_DB = int(os.environ.get("CLUSTER_REDIS_DB", "13"))
NGINX_PORT = int(os.environ.get("CLUSTER_PORT", "8440"))
WEB_PORTS = {"web1": NGINX_PORT + 1, "web2": NGINX_PORT + 2}
WORKERS = ("worker1", "worker2")
# nginx connects to the instances from this loopback address, and only requests from it may name
# the client in X-Real-IP (TRUSTED_PROXIES): a client connecting to an instance directly cannot.
PROXY_ADDRESS = "127.0.0.2"
PUBLIC_URL = f"https://127.0.0.1:{NGINX_PORT}"


def cluster_env() -> dict[str, str]:
    """The environment every process of the cluster gets (the same on real hosts, with real
    secrets from the secret store instead of the files under var/cluster/)."""
    redis = f"redis://127.0.0.1:6379/{REDIS_DB}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        PYTHONUNBUFFERED="1",
        SECRET_KEY=_secret_key(),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=PUBLIC_URL,
        PUBLIC_BASE_URL=PUBLIC_URL,
        Q2_REDIS_URL=redis,
        CACHE_REDIS_URL=redis,
        Q2_WORKERS=os.environ.get("Q2_WORKERS", "2"),
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        GUNICORN_THREADS=os.environ.get("GUNICORN_THREADS", "4"),
        TRUSTED_PROXIES=PROXY_ADDRESS,
        FORWARDED_ALLOW_IPS=PROXY_ADDRESS,
        YIKOUBAN_VAR_DIR=str(VAR / "data"),
        NOTIFICATION_BACKEND="notifications.backends.FileGatewayBackend",
        NOTIFICATION_GATEWAY_FILE=str(VAR / "sms-gateway.jsonl"),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
    )
    return env


def _secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _tls() -> None:
    """A self-signed certificate for 127.0.0.1 (a test secret; real hosts use the centre's)."""
    if (TLS / "cert.pem").exists():
        return
    TLS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(TLS / "key.pem"), "-out", str(TLS / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (TLS / "key.pem").chmod(0o600)


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx is not installed: `make cluster` installs the Debian package (apt-get install nginx)")
    return found


def _render_nginx() -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (NGINX / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    user_line = ""
    if os.geteuid() == 0:  # the master runs as root: workers drop to the Debian package's user
        user_line = "user www-data;"
        for path in [NGINX / "tmp", *(NGINX / "tmp").iterdir()]:
            shutil.chown(path, "www-data")
    text = Template((ROOT / "deploy" / "nginx" / "yikouban.conf").read_text(encoding="utf-8")).safe_substitute(
        user_line=user_line,
        prefix=str(NGINX),
        logs=str(LOGS),
        tls=str(TLS),
        listen=f"127.0.0.1:{NGINX_PORT}",
        server_name="127.0.0.1 localhost",
        web1=f"127.0.0.1:{WEB_PORTS['web1']}",
        web2=f"127.0.0.1:{WEB_PORTS['web2']}",
        proxy_bind=PROXY_ADDRESS,
    )
    assert "${" not in text, "unfilled placeholder in deploy/nginx/yikouban.conf"
    path = NGINX / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _create_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
            print(f"created database {DATABASE}")


def prepare() -> None:
    """The deploy steps of one release: migrate, collect static, demo data, schedules."""
    for path in (RUN, LOGS, VAR / "data"):
        path.mkdir(parents=True, exist_ok=True)
    _tls()
    _create_database()
    env = cluster_env()
    _manage("migrate", "--noinput", "--verbosity", "0", env=env)
    _manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    _manage("load_demo", "--quiet-logins", env=env)
    _manage("setup_schedules", env=env)


# --- processes ---------------------------------------------------------------------------------


def _command(name: str) -> tuple[list[str], dict[str, str]]:
    env = cluster_env()
    if name in WEB_PORTS:
        env.update(HOST="127.0.0.1", PORT=str(WEB_PORTS[name]))
        return [PYTHON, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"], env
    if name in WORKERS:
        return [PYTHON, "manage.py", "qcluster"], env
    raise SystemExit(f"unknown process {name!r}: {', '.join([*WEB_PORTS, *WORKERS])}")


def _pid(name: str) -> int | None:
    path = RUN / f"{name}.pid"
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def start(name: str) -> int:
    if (pid := _pid(name)) is not None:
        return pid
    command, env = _command(name)
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / f"{name}.out", "ab") as out, open(LOGS / f"{name}.err", "ab") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
    (RUN / f"{name}.pid").write_text(str(proc.pid))
    return proc.pid


def kill(name: str, sig: int = signal.SIGKILL) -> bool:
    """Signal the process and everything it started (its own process group): SIGKILL is a lost
    host or an OOM kill — no handler runs, in-flight requests and taken tasks die with it."""
    pid = _pid(name)
    if pid is None:
        return False
    os.killpg(pid, sig)
    return True


def _wait_gone(name: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _pid(name) is None:
            return True
        time.sleep(0.2)
    return False


def _nginx(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_nginx_binary(), "-p", str(NGINX), "-c", str(NGINX / "nginx.conf"), *args], capture_output=True, text=True
    )


def nginx_running() -> bool:
    pid_file = NGINX / "nginx.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text()), 0)
    except (ProcessLookupError, ValueError):
        return False
    return True


def start_nginx() -> None:
    _render_nginx()
    result = _nginx("-t")
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    result = _nginx("-s", "reload") if nginx_running() else _nginx()
    if result.returncode != 0:
        raise SystemExit(result.stderr)


# --- probes ------------------------------------------------------------------------------------

_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname = False
_INSECURE.verify_mode = ssl.CERT_NONE


def probe(url: str, timeout: float = 3) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=_INSECURE) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (OSError, ValueError):
        return 0, {}


def wait_healthy(name: str, seconds: float = 60) -> float:
    """Seconds until the web instance answers /healthz (the load balancer's liveness probe)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if probe(f"http://127.0.0.1:{WEB_PORTS[name]}/healthz", timeout=1)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.25)
    raise SystemExit(f"{name} did not answer /healthz within {seconds:.0f} s (see var/cluster/logs/{name}.err)")


def up() -> None:
    prepare()
    for name in (*WEB_PORTS, *WORKERS):
        start(name)
    for name in WEB_PORTS:
        wait_healthy(name)
    start_nginx()
    status, body = probe(f"{PUBLIC_URL}/readyz")
    print(f"cluster up: {PUBLIC_URL}/  (readyz {status}: {json.dumps(body.get('checks', {}), ensure_ascii=False)})")
    print("  logs: var/cluster/logs/   stop: make cluster-stop   demo logins: see `make run`")


def down() -> None:
    if nginx_running():
        _nginx("-s", "quit")
    for name in (*WEB_PORTS, *WORKERS):
        if kill(name, signal.SIGTERM) and not _wait_gone(name, 15):
            kill(name, signal.SIGKILL)
    print("cluster stopped")


def status() -> int:
    down_count = 0
    for name in (*WEB_PORTS, *WORKERS):
        pid = _pid(name)
        extra = ""
        if name in WEB_PORTS:
            extra = f"  /healthz {probe(f'http://127.0.0.1:{WEB_PORTS[name]}/healthz', timeout=1)[0]}"
        print(f"{name:8} {'pid ' + str(pid) if pid else 'stopped'}{extra}")
        down_count += pid is None
    ready = probe(f"{PUBLIC_URL}/readyz")[0] if nginx_running() else "-"
    print(f"nginx    {'running' if nginx_running() else 'stopped'}  {PUBLIC_URL}/readyz {ready}")
    return 1 if down_count or not nginx_running() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "down", "status", "start", "kill", "prepare"])
    parser.add_argument("name", nargs="?")
    args = parser.parse_args()
    if args.action in ("start", "kill") and not args.name:
        parser.error(f"{args.action} needs a process name")
    if args.action == "up":
        up()
    elif args.action == "down":
        down()
    elif args.action == "prepare":
        prepare()
    elif args.action == "status":
        return status()
    elif args.action == "start":
        print(start(args.name))
    elif args.action == "kill":
        return 0 if kill(args.name) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
