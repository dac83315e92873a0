"""The request id travels with the q2 tasks a request enqueues; one JSON line per task run.

``pre_enqueue`` stores the current request id in the task package (``task["request_id"]``, beside
q2's own keys, so the task function's arguments are untouched); ``pre_execute`` binds it in the
worker; ``post_execute_in_worker`` writes the line (logger ``yikouban.tasks``): ``task`` (q2's task
name), ``func``, ``request_id``, ``duration_ms``, ``success``. Connected in ``CoreConfig.ready``.
"""

from __future__ import annotations

import logging
import time

from core.request_log import current_request_id, log_line, request_id_reset, request_id_set

logger = logging.getLogger("yikouban.tasks")

_running: dict[str, tuple[float, object]] = {}  # task id → (start, context token)


def task_enqueue_tag(sender, task, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and "request_id" not in task:
        task["request_id"] = request_id


def task_execute_start(sender, func, task, **kwargs) -> None:
    _running[task["id"]] = (time.perf_counter(), request_id_set(task.get("request_id")))


def task_execute_end(sender, func, task, **kwargs) -> None:
    started, token = _running.pop(task["id"], (None, None))
    func_name = task["func"] if isinstance(task["func"], str) else getattr(func, "__qualname__", repr(func))
    log_line(
        logger,
        {
            "event": "task",
            "task": task.get("name"),
            "func": func_name,
            "request_id": task.get("request_id"),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
            "success": bool(task.get("success", False)),
        },
    )
    if token is not None:
        request_id_reset(token)


def connect() -> None:
    from django_q.signals import post_execute_in_worker, pre_enqueue, pre_execute

    pre_enqueue.connect(task_enqueue_tag, dispatch_uid="yikouban-task-enqueue")
    pre_execute.connect(task_execute_start, dispatch_uid="yikouban-task-start")
    post_execute_in_worker.connect(task_execute_end, dispatch_uid="yikouban-task-end")
