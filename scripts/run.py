#!/usr/bin/env python
"""Start the web server (gunicorn, config/gunicorn.py) and the django-q2 worker together; Ctrl-C
stops both. Static files must have been collected (`make run` does it) — WhiteNoise serves them."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def banner(url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from demo.people import demo_logins

    print("\n" + "=" * 64)
    print(f"  一口办 已启动：{url}")
    print("  演示账号（登录名 / 密码 / 身份）：")
    for login, password, who in demo_logins():
        print(f"    {login:<14} {password}  {who}")
    print("  按 Ctrl-C 同时停止网页服务和后台任务。")
    print("=" * 64 + "\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    python = sys.executable
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HOST": args.host, "PORT": str(args.port)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    subprocess.run([python, "manage.py", "setup_schedules"], cwd=ROOT, env=env, check=True)
    procs = [
        subprocess.Popen(
            [python, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"], cwd=ROOT, env=env
        ),
        subprocess.Popen([python, "manage.py", "qcluster"], cwd=ROOT, env=env),
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
    except KeyboardInterrupt:
        pass
    stop()
    codes = [proc.returncode for proc in procs]
    return 0 if all(code in (0, -2, -15, None) for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
