"""What the server benches share (``make bench-intake``, ``make bench-api``): the bench database
wiped and migrated with the demo directory and accounts, a free port, and gunicorn started with
config/gunicorn.py on this machine (and stopped), waiting for /healthz."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(log_name: str):
    """gunicorn with config/gunicorn.py (3 processes × 2 threads) on a free port; yields the port.
    Its output goes to ``var/<log_name>``."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see var/{log_name}")
            time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def load(path: str, expect: int, clients: list, warmup: float, seconds: float) -> float:
    """Each client (its own keep-alive connection) posts in a loop with ``client.post_claim(path,
    expect)``; the answers as expected per second over ``seconds`` after ``warmup``. Any other
    answer in the timed window fails the bench."""
    counts = [0] * len(clients)
    errors = [0] * len(clients)
    phase = {"timing": False, "stop": False}

    def run(i: int, clerk) -> None:
        while not phase["stop"]:
            ok = clerk.post_claim(path, expect)
            if phase["timing"]:
                if ok:
                    counts[i] += 1
                else:
                    errors[i] += 1

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    phase["timing"] = True
    started = time.perf_counter()
    time.sleep(seconds)
    phase["timing"] = False
    elapsed = time.perf_counter() - started
    phase["stop"] = True
    for t in threads:
        t.join(timeout=60)
    if sum(errors):
        raise RuntimeError(f"{path}: {sum(errors)} unexpected answers")
    return sum(counts) / elapsed
