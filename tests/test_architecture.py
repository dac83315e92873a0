"""The house rules that a reviewer should not have to check by eye (docs/architecture.md):

- no import and no ``{% load %}`` against the direction of dependence
  core, notifications ← routing ← accounts ← cases ← intake / mediation / supervision ← demo, config
  (intake, mediation and supervision never import each other);
- no module over 800 lines and no function or method over 80 lines (outside scripts/, migrations/
  and tests/).

Imports are read with ``ast`` (imports inside functions count too); tests and migrations are not
checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What each of our apps may import (besides itself). ``None``: anything of ours.
ALLOWED: dict[str, set[str] | None] = {
    "core": set(),
    "notifications": {"core"},
    "routing": {"core", "notifications"},
    "accounts": {"core", "notifications", "routing"},
    "cases": {"core", "notifications", "routing", "accounts"},
    # intake asks the matching engine for repeats (issue #13, intake.duplicates)
    "intake": {"core", "notifications", "routing", "accounts", "cases", "similar"},
    "mediation": {"core", "notifications", "routing", "accounts", "cases"},
    "supervision": {"core", "notifications", "routing", "accounts", "cases"},
    "interfaces": {"core", "notifications", "routing", "accounts", "cases", "intake"},
    # 回访与群众互动 (issue #11): on top of intake (its uploads and the tracking grant)
    "feedback": {"core", "notifications", "routing", "accounts", "cases", "intake"},
    "partner_api": {"core", "notifications", "routing", "accounts", "cases", "intake", "mediation", "interfaces"},
    # 一码解纷 (issue #14): the QR place pages and posters, above the directory and the accounts
    "selfservice": {"core", "notifications", "routing", "accounts"},
    # 智能咨询 (issue #14): hands intake its letter drafts through intake.presets, and its letter snapshots the knowledge base's laws (kb)
    "consult": {"core", "notifications", "routing", "accounts", "cases", "intake", "kb"},
    # 建议征集 (issue #14)
    "suggestions": {"core", "notifications", "routing", "accounts", "cases"},
    # 相似诉求 (issue #13): the matching engine and its index, above the cases
    "similar": {"core", "notifications", "routing", "accounts", "cases"},
    # 知识库 (issue #13): the directory, the accounts, the shared text field; terms from `similar`
    "kb": {"core", "notifications", "routing", "accounts", "cases", "similar"},
    # 类案推荐 (issue #13): the similarity engine's results in the scopes of cases and mediation
    "precedents": {"core", "notifications", "routing", "accounts", "cases", "mediation", "similar"},
    "demo": None,
    "config": None,
}
APPS = set(ALLOWED)

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
SKIPPED_DIRS = {".venv", "var", "node_modules", "migrations", "tests", "scripts", "bench", "__pycache__"}

# Today's wrong-way edges in areas another helper is moving to ``core`` (issue #18, the shared
# toolkit): mediation's dashboards still use supervision's KPI helpers. The coordinator empties this
# list after merging that branch. Do not add to it.
EDGE_ALLOWLIST: set[str] = set()

# Today's over-size modules and functions in mediation and supervision, which other helpers are
# splitting (issue #18: mediation sub-packages, the core toolkit and the KPI package); the coordinator
# empties this list after merging their branches. Do not add to it.
SIZE_ALLOWLIST: set[str] = set()


def _sources(suffix: str):
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        rel = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(rel.parts[:-1]):
            continue
        if rel.parts[0] not in APPS and rel.parts[0] != "templates":
            continue
        yield rel, path


def _owner(rel: Path) -> str:
    # the project-wide templates/ folder belongs to the top (config)
    return "config" if rel.parts[0] == "templates" else rel.parts[0]


def _imported_apps(tree: ast.AST, rel: Path) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])  # relative imports stay inside the file's own app
    return found & APPS


def _tag_libraries() -> dict[str, str]:
    """Template tag library name → app defining it."""
    return {
        path.stem: path.relative_to(ROOT).parts[0]
        for path in ROOT.glob("*/templatetags/*.py")
        if path.stem != "__init__" and path.relative_to(ROOT).parts[0] in APPS
    }


LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def _edges():
    """Every (file, from_app, to_app) edge of ours, imports and template tag loads."""
    for rel, path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
        for app in _imported_apps(tree, rel):
            yield str(rel), _owner(rel), app
    libraries = _tag_libraries()
    for rel, path in _sources(".html"):
        for match in LOAD.finditer(path.read_text(encoding="utf-8")):
            words = match.group(1).split()
            names = words[: words.index("from")] if "from" in words else words
            if "from" in words:
                names = [words[-1]]
            for name in names:
                if name in libraries:
                    yield str(rel), _owner(rel), libraries[name]


def test_no_import_or_tag_load_against_the_direction_of_dependence():
    wrong = {
        f"{rel}: {src} → {dst}"
        for rel, src, dst in _edges()
        if src != dst and ALLOWED[src] is not None and dst not in ALLOWED[src]
    }
    assert sorted(wrong - EDGE_ALLOWLIST) == []
    # an allowlist entry that no longer offends is stale: remove it
    assert sorted(EDGE_ALLOWLIST - wrong) == []


def test_the_guard_sees_imports_inside_functions_and_tag_loads():
    tree = ast.parse("def f():\n    from supervision.services import x\n    import intake.models\n")
    assert _imported_apps(tree, Path("cases/x.py")) == {"supervision", "intake"}
    assert LOAD.findall("{% load i18n mediation_tags %}") == ["i18n mediation_tags"]
    assert _tag_libraries()  # the tag libraries are found at all
    assert any(src == "config" for _rel, src, _dst in _edges())


def _oversize():
    for rel, path in _sources(".py"):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            yield str(rel), f"{lines} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    yield f"{rel}::{node.name}", f"{length} lines"


def test_no_module_over_800_lines_and_no_function_over_80():
    found = dict(_oversize())
    offenders = {name: size for name, size in found.items() if name not in SIZE_ALLOWLIST}
    assert offenders == {}
    # an allowlist entry that no longer offends is stale: remove it
    assert sorted(SIZE_ALLOWLIST - set(found)) == []
