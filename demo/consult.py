"""Demo questionnaires of 智能咨询 (``demo/consult_trees.py``). Idempotent; ``load_demo`` runs it."""

from __future__ import annotations

from consult.models import Questionnaire
from consult.services import questionnaire_create
from routing.models import MatterType

from .consult_trees import QUESTIONNAIRES


def load_demo_questionnaires() -> int:
    """Create the questionnaires that do not exist yet (an edited one is left as it is)."""
    existing = set(Questionnaire.objects.values_list("matter__code", flat=True))
    made = 0
    for order, (matter_code, title, intro, tree) in enumerate(QUESTIONNAIRES, start=1):
        if matter_code in existing:
            continue
        matter = MatterType.objects.filter(code=matter_code).first()
        if matter is None:
            continue
        questionnaire_create(matter=matter, title=title, intro=intro, tree=tree, sort_order=order * 10)
        made += 1
    return made
