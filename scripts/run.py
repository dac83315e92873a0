#!/usr/bin/env python
"""Start the web server (gunicorn, config/gunicorn.py) and the django-q2 worker together; Ctrl-C
stops both. Static files must have been collected (`make run` does it) — WhiteNoise serves them.

The console stays quiet: everything the two processes write goes to ``var/log/web.log`` and
``var/log/worker.log``; the console shows the banner (address, demo logins, where the logs are)
and the messages the development SMS gateway prints (a verification code a newcomer needs), with
any phone number in them masked, and says so when a process stops on its own."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "log"
sys.path.insert(0, str(ROOT))

#: What the development SMS gateway prints (notifications.backends.OutboxBackend):
#: "[短信 → 138****8000] 【一口办】您的验证码为 …". Only these lines reach the console.
GATEWAY_LINE = re.compile(r"^\[[^\]\n]+ → [^\]\n]*\] ")
STOPPED = (0, -2, -15)  # exit codes of a process that was asked to stop
PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def console_line(line: str) -> str | None:
    """The line as the console shows it (any mobile number masked), or None to keep it in the log."""
    if not GATEWAY_LINE.match(line):
        return None
    return PHONE.sub(r"\1****\2", line.rstrip("\n"))


def banner_lines(url: str, logins: list[tuple[str, str, str]], log_dir: Path = LOG_DIR) -> list[str]:
    """The start-up banner: where to go, who to log in as, where the logs are."""
    if log_dir.is_relative_to(ROOT):
        log_dir = log_dir.relative_to(ROOT)
    lines = ["", "=" * 64, f"  一口办 已启动：{url}", "  演示账号（登录名 / 密码 / 身份）："]
    lines += [f"    {login:<14} {password}  {who}" for login, password, who in logins]
    lines += [
        "  短信验证码（开发环境不真正发送）会显示在下方，手机号已隐藏。",
        f"  日志：{log_dir / 'web.log'}、{log_dir / 'worker.log'}",
        "  按 Ctrl-C 同时停止网页服务和后台任务。",
        "=" * 64,
        "",
    ]
    return lines


def banner(url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from demo.people import demo_logins

    print("\n".join(banner_lines(url, demo_logins())), flush=True)


def relay(stream, log_path: Path, console=sys.stdout) -> None:
    """Copy a process's output to its log file; show the console's lines (``console_line``)."""
    with open(log_path, "a", encoding="utf-8", buffering=1) as log:
        for line in iter(stream.readline, ""):
            log.write(line)
            shown = console_line(line)
            if shown is not None:
                print(shown, file=console, flush=True)


def start(name: str, command: list[str], env: dict) -> subprocess.Popen:
    """``command`` with its output relayed to ``var/log/<name>.log`` (a daemon thread)."""
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    threading.Thread(target=relay, args=(proc.stdout, LOG_DIR / f"{name}.log"), daemon=True).start()
    return proc


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    python = sys.executable
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HOST": args.host, "PORT": str(args.port)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / "worker.log", "a", encoding="utf-8") as log:
        subprocess.run(
            [python, "manage.py", "setup_schedules"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    names = ["web", "worker"]
    procs = [
        start("web", [python, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"], env),
        start("worker", [python, "manage.py", "qcluster"], env),
    ]
    banner(f"http://{args.host}:{args.port}/")

    def stop(*_):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.time() + 10
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
        for name, proc in zip(names, procs, strict=True):
            if proc.poll() not in (None, *STOPPED):  # it failed (a port in use, a broken setting)
                print(f"{name} 进程已退出（代码 {proc.returncode}），详见 {LOG_DIR / (name + '.log')}", flush=True)
    except KeyboardInterrupt:
        pass
    stop()
    codes = [proc.returncode for proc in procs]
    return 0 if all(code in (*STOPPED, None) for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
