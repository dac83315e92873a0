"""`make run`'s console (scripts/run.py, issue #17): the banner, the SMS codes a newcomer needs
(phone masked), and nothing else — the web and worker lines go to var/log/*.log."""

import importlib.util
import io
import re
from pathlib import Path

import pytest

from demo.people import demo_logins
from notifications.backends import OutboxBackend
from notifications.models import OutboxMessage

RUN = Path(__file__).resolve().parents[2] / "scripts" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("yikouban_run_script", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gateway_line(capsys, settings, phone="13800138000") -> str:
    """What the development SMS gateway prints for a verification code, as the worker prints it."""
    settings.NOTIFICATION_ECHO = True
    message = OutboxMessage(pk=41, channel="sms", kind="verification_code", recipient_phone=phone)
    message.body = "【一口办】您的验证码为 482913，10 分钟内有效。"
    OutboxBackend().deliver(message)
    return capsys.readouterr().out


WORKER_NOISE = [
    "14:02:01 [Q] INFO Q Cluster grape-ohio-ten-alpha starting.\n",
    "14:02:01 [Q] INFO Process-1 ready for work at 4242\n",
    "[2026-12-07 14:02:00 +0800] [4240] [INFO] Booting worker with pid: 4240\n",
    '{"event": "request", "path": "/", "status": 200, "ms": 12}\n',
    "2026-12-07 14:03:00 INFO yikouban.notifications: outbox message 41 queued for 138****8000\n",
]


def test_only_the_sms_gateway_lines_reach_the_console_with_the_phone_masked(run, capsys, settings, tmp_path):
    sms = _gateway_line(capsys, settings)
    assert "482913" in sms and "138****8000" in sms
    stream = io.StringIO("".join([*WORKER_NOISE[:3], sms, *WORKER_NOISE[3:]]))
    console = io.StringIO()
    log = tmp_path / "worker.log"

    run.relay(stream, log, console=console)

    assert console.getvalue().splitlines() == [sms.rstrip("\n")]
    assert log.read_text(encoding="utf-8") == stream.getvalue()  # the log keeps everything


def test_a_gateway_line_with_a_bare_phone_is_masked_on_the_console(run):
    shown = run.console_line("[短信 → 13800138000] 您好，13912345678 来电已登记\n")
    assert shown == "[短信 → 138****8000] 您好，139****5678 来电已登记"
    for line in WORKER_NOISE:
        assert run.console_line(line) is None


def test_the_banner_gives_the_address_every_login_and_where_the_logs_are(run, tmp_path):
    lines = run.banner_lines("http://127.0.0.1:8123/", demo_logins(), log_dir=tmp_path)
    text = "\n".join(lines)
    assert "http://127.0.0.1:8123/" in text
    for login, password, _who in demo_logins():
        assert any(login in line and password in line for line in lines), login
    assert str(tmp_path / "web.log") in text and str(tmp_path / "worker.log") in text
    assert "验证码" in text and "Ctrl-C" in text
    assert len(lines) < 30  # a screen, not a page
    assert "  日志：var/log/web.log、var/log/worker.log" in run.banner_lines("http://x/", [])  # relative


def test_the_readme_links_only_to_files_a_clone_has_and_says_how_to_pick_the_address():
    root = RUN.parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert targets
    missing = [t for t in targets if not t.startswith(("http://", "https://")) and not (root / t).exists()]
    assert not missing
    assert "PORT" in readme and "HOST" in readme and "var/log/" in readme
    assert readme.split("```")[1].strip().splitlines()[1:] == [
        "make run    # creates .venv, installs, migrates, loads the demo city, starts web + q2 worker on http://127.0.0.1:8000/",
        "make test   # the whole test suite (SQLite; set DATABASE_URL=postgres://… to run it on PostgreSQL)",
    ]
