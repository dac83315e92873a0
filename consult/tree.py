"""The decision tree of a questionnaire: its JSON format, its validation and the walk.

Format (docs/consult.md)::

    {"start": "<node id>",
     "nodes": {
        "<id>": {"type": "question", "text": "...", "help": "...",
                 "options": [{"value": "<slug>", "label": "...", "next": "<id>", "note": "..."}]},
        "<id>": {"type": "outcome", "path": "mediation|arbitration|litigation|administrative",
                 "title": "...", "reasons": ["..."], "materials": ["..."],
                 "laws": [{"law": "...", "article": "...", "summary": "..."}],
                 "time_limits": ["..."], "department": "..."}}}

Pure functions: no database. ``validate`` returns every problem as a plain Chinese sentence;
``walk`` follows a citizen's answers from the start and refuses any answer that is not an option
of the question it is given for (a tampered form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PATHS = {
    "mediation": "人民调解",
    "arbitration": "劳动人事争议仲裁",
    "litigation": "向人民法院起诉",
    "administrative": "向行政主管部门反映",
}
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_NODES = 80
MAX_TEXT = 400


class TreeError(ValueError):
    """A tree that does not pass ``validate``; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def _text(value) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_TEXT


def _text_list(value, *, required: bool) -> bool:
    if value is None:
        return not required
    return isinstance(value, list) and (value or not required) and all(_text(item) for item in value)


def _check_question(node_id: str, node: dict, nodes: dict) -> list[str]:
    problems = []
    if not _text(node.get("text")):
        problems.append(f"问题“{node_id}”没有填写问题文字（text），或超过 {MAX_TEXT} 字。")
    options = node.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return [*problems, f"问题“{node_id}”至少要有两个选项（options）。"]
    seen = set()
    for number, option in enumerate(options, start=1):
        where = f"问题“{node_id}”的第 {number} 个选项"
        if not isinstance(option, dict):
            problems.append(f'{where}格式不对，应写成 {{"value": …, "label": …, "next": …}}。')
            continue
        value = option.get("value")
        if not isinstance(value, str) or not _ID.fullmatch(value):
            problems.append(f"{where}的 value 只能用小写英文字母、数字和下划线，且以字母开头。")
        elif value in seen:
            problems.append(f"{where}的 value“{value}”与前面的选项重复。")
        else:
            seen.add(value)
        if not _text(option.get("label")):
            problems.append(f"{where}没有填写显示文字（label）。")
        target = option.get("next")
        if target not in nodes:
            problems.append(f"{where}指向的节点“{target}”不存在。")
        if "note" in option and not _text(option["note"]):
            problems.append(f"{where}的补充说明（note）为空或过长。")
    return problems


def _check_outcome(node_id: str, node: dict) -> list[str]:
    problems = []
    where = f"结论“{node_id}”"
    if node.get("path") not in PATHS:
        problems.append(f"{where}的建议途径（path）只能是：{'、'.join(PATHS)}。")
    if not _text(node.get("title")):
        problems.append(f"{where}没有填写标题（title）。")
    if not _text_list(node.get("reasons"), required=True):
        problems.append(f"{where}至少要写一条理由（reasons）。")
    if not _text_list(node.get("materials"), required=True):
        problems.append(f"{where}至少要写一项需准备的材料（materials）。")
    if not _text_list(node.get("time_limits"), required=False):
        problems.append(f"{where}的时限（time_limits）应是一组文字。")
    if "department" in node and not _text(node["department"]):
        problems.append(f"{where}的主管部门（department）为空或过长。")
    laws = node.get("laws", [])
    if not isinstance(laws, list) or not all(
        isinstance(law, dict) and _text(law.get("law")) and _text(law.get("article")) and _text(law.get("summary"))
        for law in laws
    ):
        problems.append(f"{where}的法律依据（laws）每条都要写法律名称（law）、条款（article）和要点（summary）。")
    return problems


def _cycle(start: str, nodes: dict) -> list[str] | None:
    """A path that comes back to a node it passed, or None."""
    done: set[str] = set()

    def visit(node_id: str, trail: list[str]) -> list[str] | None:
        if node_id in trail:
            return [*trail[trail.index(node_id) :], node_id]
        if node_id in done or node_id not in nodes:
            return None
        node = nodes[node_id]
        if node.get("type") == "question" and isinstance(node.get("options"), list):
            for option in node["options"]:
                if isinstance(option, dict):
                    found = visit(option.get("next"), [*trail, node_id])
                    if found:
                        return found
        done.add(node_id)
        return None

    return visit(start, [])


def _reachable(start: str, nodes: dict) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        node = nodes[node_id]
        if node.get("type") == "question" and isinstance(node.get("options"), list):
            stack.extend(option.get("next") for option in node["options"] if isinstance(option, dict))
    return seen


def validate(tree) -> list[str]:
    """Every problem of ``tree`` as a sentence a volunteer editing it understands; [] if fine."""
    if not isinstance(tree, dict) or not isinstance(tree.get("nodes"), dict) or not tree["nodes"]:
        return ["决策树应包含 start（第一个问题）和 nodes（全部问题和结论）。"]
    nodes = tree["nodes"]
    if len(nodes) > MAX_NODES:
        return [f"一份问卷最多 {MAX_NODES} 个节点，现在有 {len(nodes)} 个。"]
    problems = []
    start = tree.get("start")
    if start not in nodes:
        problems.append(f"第一个问题（start）“{start}”不存在。")
    for node_id, node in nodes.items():
        if not isinstance(node_id, str) or not _ID.fullmatch(node_id):
            problems.append(f"节点名“{node_id}”只能用小写英文字母、数字和下划线，且以字母开头。")
            continue
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "question":
            problems.extend(_check_question(node_id, node, nodes))
        elif kind == "outcome":
            problems.extend(_check_outcome(node_id, node))
        else:
            problems.append(f"节点“{node_id}”的类型（type）只能是 question（问题）或 outcome（结论）。")
    if problems:
        return problems
    if start in nodes and nodes[start].get("type") != "question":
        problems.append("第一个节点（start）必须是一个问题。")
    cycle = _cycle(start, nodes)
    if cycle:
        problems.append(f"问题之间绕成了一个圈：{' → '.join(cycle)}，请让每条路都能走到结论。")
    reachable = _reachable(start, nodes)
    for node_id, node in nodes.items():
        if node_id not in reachable:
            kind = "结论" if node.get("type") == "outcome" else "问题"
            problems.append(f"{kind}“{node_id}”没有任何选项通向它，群众永远走不到，请连上或删除。")
    return problems


@dataclass
class Walk:
    """Where a citizen's answers lead: the questions answered, and either the next question or
    the outcome."""

    steps: list[tuple[str, dict, dict]] = field(default_factory=list)  # (node id, question, option)
    question_id: str | None = None
    outcome_id: str | None = None

    @property
    def answers(self) -> dict[str, str]:
        return {node_id: option["value"] for node_id, _node, option in self.steps}


class AnswerError(ValueError):
    """An answer that is not an option of its question (a tampered or outdated form)."""


def walk(tree: dict, answers: dict[str, str]) -> Walk:
    """Follow ``answers`` (question id → option value) from the start. Answers to questions the
    path does not pass are ignored (the citizen went back and chose another way); an answer that
    is not an option of its question raises ``AnswerError``."""
    nodes = tree["nodes"]
    result = Walk()
    node_id = tree["start"]
    for _ in range(len(nodes) + 1):
        node = nodes[node_id]
        if node["type"] == "outcome":
            result.outcome_id = node_id
            return result
        given = answers.get(node_id)
        if given is None or given == "":
            result.question_id = node_id
            return result
        option = next((o for o in node["options"] if o["value"] == given), None)
        if option is None:
            raise AnswerError(node_id)
        result.steps.append((node_id, node, option))
        node_id = option["next"]
    raise AnswerError(node_id)  # a cycle: validate() keeps these out
