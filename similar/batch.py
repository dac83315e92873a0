"""Answering a JSONL file of texts with their most similar cases (``manage.py similar_cases``).

Read only: nothing is written, not even the index. Each line is checked on its own; a bad line is
reported by number and the others are still answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from similar.engine import similar_cases

MAX_TEXT = 20_000


def _parse(raw: str) -> dict:
    """The checked line, or a ValueError with a message in Chinese."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（{exc.msg}，第 {exc.colno} 列）。") from exc
    if not isinstance(data, dict):
        raise ValueError('应为 JSON 对象，如 {"ref": "A1", "text": "……"}。')
    ref, text = data.get("ref"), data.get("text")
    if ref is None or isinstance(ref, dict | list) or str(ref).strip() == "":
        raise ValueError("缺少 ref（本行的编号，原样输出）。")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("缺少 text（诉求内容），或不是文字。")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text 过长（{len(text)} 字，最多 {MAX_TEXT} 字）。")
    for key in ("matter", "region"):
        if data.get(key) not in (None, "") and not isinstance(data[key], str | int):
            raise ValueError(f"{key} 应为编码文字。")
    return data


class _Codes:
    """Matter and region codes → ids, each looked up once per file."""

    def __init__(self):
        self.seen: dict[tuple[str, str], int | None] = {}

    def resolve(self, kind: str, code) -> int | None:
        from routing.models import MatterType, Region

        if code in (None, ""):
            return None
        code = str(code).strip()
        key = (kind, code)
        if key not in self.seen:
            model = MatterType if kind == "matter" else Region
            self.seen[key] = model.objects.filter(code=code).values_list("pk", flat=True).first()
        if self.seen[key] is None:
            label = "事项类型" if kind == "matter" else "行政区划"
            raise ValueError(f"{label}编码 {code} 不存在。")
        return self.seen[key]


def answer_lines(lines: Iterable[str], *, limit: int = 5) -> Iterator[dict]:
    """For each non-blank line: ``{"line": n, "answer": {"ref", "similar": [...]}}`` or
    ``{"line": n, "error": "…"}``."""
    from cases.models import Case

    codes = _Codes()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = _parse(raw)
            matter_id = codes.resolve("matter", data.get("matter"))
            region_id = codes.resolve("region", data.get("region"))
        except ValueError as exc:
            yield {"line": number, "error": str(exc)}
            continue
        matches = similar_cases(data["text"], matter_id=matter_id, region_id=region_id, limit=limit)
        numbers = dict(Case.objects.filter(pk__in=[m.case_id for m in matches]).values_list("pk", "number"))
        yield {
            "line": number,
            "answer": {
                "ref": data["ref"],
                "similar": [{"case": numbers[m.case_id], "score": m.score, "why": m.why} for m in matches],
            },
        }
