"""One JSON line per request and per q2 task; the request id travels to the tasks
(core/request_log.py, core/task_log.py, docs/deployment.md)."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django_q.signals import pre_enqueue
from django_q.tasks import async_task

from core.request_log import RequestLogMiddleware, mask_personal_numbers, request_id_from

pytestmark = pytest.mark.django_db

FIELDS = {"event", "request_id", "user_id", "view", "method", "path", "status", "duration_ms", "queries"}
PHONE, ID_NUMBER = "13800138000", "44060419900101123X"


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def records(self, event):
        return [json.loads(line) for line in self.lines if json.loads(line)["event"] == event]


@pytest.fixture
def log_lines():
    handler = _Lines()
    loggers = [logging.getLogger("yikouban.requests"), logging.getLogger("yikouban.tasks")]
    for log in loggers:
        log.addHandler(handler)
    yield handler
    for log in loggers:
        log.removeHandler(handler)


def test_a_request_writes_exactly_one_line_with_every_field(client, log_lines, citizen):
    person = citizen  # a citizen logs in with their phone: neither it nor their name is logged
    client.force_login(person)
    response = client.get("/?page=2&phone=" + PHONE, headers={"X-Request-ID": "abc-123-DEF.456"})
    assert response.status_code == 200
    assert len(log_lines.lines) == 1
    line = log_lines.records("request")[0]
    assert set(line) == FIELDS
    assert line["request_id"] == "abc-123-DEF.456" == response["X-Request-ID"]
    assert line["user_id"] == person.pk
    assert line["view"] == "home" and line["method"] == "GET" and line["path"] == "/"
    assert line["status"] == 200 and line["duration_ms"] >= 0 and line["queries"] >= 1
    assert person.full_name and person.username
    for personal in (PHONE, person.full_name, person.username, person.phone or PHONE):
        assert personal not in log_lines.lines[0]


def test_the_query_count_is_the_views(log_lines):
    def view(request):
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT 1")
        return HttpResponse("ok")

    RequestLogMiddleware(view)(RequestFactory().get("/x"))
    assert log_lines.records("request")[0]["queries"] == 3


@pytest.mark.parametrize("header", [None, "", "short", "has space in it", "x" * 65, "<script>alert(1)</script>", PHONE])
def test_an_absent_or_odd_request_id_is_replaced(client, log_lines, header):
    headers = {"X-Request-ID": header} if header is not None else {}
    response = client.get("/healthz", headers=headers)
    request_id = response["X-Request-ID"]
    assert request_id != header and len(request_id) == 32
    assert log_lines.records("request")[0]["request_id"] == request_id
    assert log_lines.records("request")[0]["user_id"] is None


def test_phones_and_id_numbers_never_reach_the_line_but_case_numbers_do(client, log_lines):
    client.get(f"/cases/{PHONE}/x/{ID_NUMBER}/高明-2026-000123/", headers={"X-Request-ID": ID_NUMBER})
    line = log_lines.lines[0]
    assert PHONE not in line and ID_NUMBER not in line and ID_NUMBER.lower() not in line
    path = log_lines.records("request")[0]["path"]
    assert path == "/cases/***********/x/******************/高明-2026-000123/"
    assert log_lines.records("request")[0]["status"] == 404


def test_masking_leaves_other_numbers():
    assert mask_personal_numbers("/cases/20261207000123/") == "/cases/20261207000123/"
    assert mask_personal_numbers(f"tel{PHONE}") == "tel***********"
    assert request_id_from("0123456789abcdef") == "0123456789abcdef"


def test_a_task_enqueued_within_a_request_carries_its_id(log_lines):
    packages = []

    def capture(sender, task, **kwargs):
        packages.append(dict(task))

    def view(request):
        async_task("math.floor", 2.5)
        return HttpResponse("ok")

    pre_enqueue.connect(capture)
    try:
        request = RequestFactory().get("/x", headers={"X-Request-ID": "req-0001-abcd"})
        RequestLogMiddleware(view)(request)
    finally:
        pre_enqueue.disconnect(capture)
    assert packages[0]["request_id"] == "req-0001-abcd"
    task_line = log_lines.records("task")[0]
    assert task_line["func"] == "math.floor" and task_line["success"] is True
    assert task_line["request_id"] == "req-0001-abcd" and task_line["duration_ms"] >= 0
    assert set(task_line) == {"event", "task", "func", "request_id", "duration_ms", "success"}
    assert len(log_lines.records("request")) == 1


def test_a_failing_task_is_logged_as_failed(log_lines):
    with pytest.raises(ZeroDivisionError):
        async_task("operator.truediv", 1, 0)
    line = log_lines.records("task")[0]
    assert line["func"] == "operator.truediv" and line["success"] is False and line["request_id"] is None
