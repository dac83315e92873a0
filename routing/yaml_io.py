"""YAML reading and writing for the directory commands (PyYAML safe loader/dumper only)."""

from __future__ import annotations

import yaml


def load(text: str):
    return yaml.safe_load(text)


def dump(data: dict) -> str:
    # Leaf collections (target dicts, keyword lists, plain region entries) in flow style.
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
