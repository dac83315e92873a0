"""Every write of the consult app: questionnaires, their versions, and guidance letters."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import ServiceError
from kb.selectors import letter_laws_snapshot
from routing.models import MatterType, Region

from . import tree as dtree
from .models import GuidanceLetter, Questionnaire, QuestionnaireVersion
from .selectors import nearest_centre, service_point_snapshot

#: Verification codes: 12 characters from 32 unambiguous ones (no 0/O, 1/I): 60 bits, unguessable.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class ConsultError(ServiceError):
    pass


def new_letter_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _checked(tree) -> dict:
    problems = dtree.validate(tree)
    if problems:
        raise dtree.TreeError(problems)
    return tree


@transaction.atomic
def questionnaire_create(*, matter: MatterType, title: str, intro: str, tree: dict, actor=None, sort_order=100):
    """A new questionnaire for a mediable matter with its first version (the tree validated)."""
    if not matter.mediable:
        raise ConsultError(_("只有可调解的事项类型才能设置咨询问卷。"))
    _checked(tree)
    questionnaire = Questionnaire.objects.create(matter=matter, title=title, intro=intro, sort_order=sort_order)
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, tree=tree, created_by=actor)
    return questionnaire


@transaction.atomic
def questionnaire_revise(*, questionnaire: Questionnaire, tree: dict, actor=None) -> QuestionnaireVersion | None:
    """Save ``tree`` as the questionnaire's next version; the older versions (and every letter
    issued from them) are left exactly as they were. Returns None when the tree did not change."""
    _checked(tree)
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    latest = questionnaire.versions.order_by("-number").first()
    if latest is not None and latest.tree == tree:
        return None
    number = (questionnaire.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number, tree=tree, created_by=actor)


def _answered(steps) -> list[dict]:
    return [
        {"question": node["text"], "answer": option["label"], **({"note": option["note"]} if "note" in option else {})}
        for _node_id, node, option in steps
    ]


def claim_draft_text(result: dict) -> str:
    """The description a claim or a mediation request starts from: what the citizen answered."""
    lines = [_("我想反映的是%(matter)s方面的问题。") % {"matter": result["matter_name"]}]
    lines += [
        _("%(question)s%(answer)s。") % {"question": item["question"], "answer": item["answer"]}
        for item in result["answers"]
    ]
    lines.append(
        _("（以上根据解纷意见书 %(code)s 整理，请补充事情经过、涉及的人和您的要求。）") % {"code": result["code"]}
    )
    return "\n".join(lines)


@transaction.atomic
def letter_issue(*, version: QuestionnaireVersion, answers: dict, region: Region | None, actor=None) -> GuidanceLetter:
    """Issue a 解纷意见书 for ``answers`` walked through ``version``'s tree.

    Guarantees: the answers reach an outcome (else ``ConsultError``, nothing stored); the letter
    stores only the answers on its path and a snapshot of everything it shows (``result``), so it
    reads the same after the questionnaire is edited; an unguessable verification code.
    Triggers nothing else.
    """
    tree = version.tree
    try:
        route = dtree.walk(tree, answers)
    except dtree.AnswerError:
        raise ConsultError(_("回答与问卷不一致，可能问卷已更新，请从头重新回答。")) from None
    if route.outcome_id is None:
        raise ConsultError(_("还有问题没有回答，请回答完全部问题后再生成意见书。"))
    outcome = tree["nodes"][route.outcome_id]
    questionnaire = version.questionnaire
    matter = questionnaire.matter
    centre = nearest_centre(region)
    code = new_letter_code()
    result = {
        "code": code,
        "matter_code": matter.code,
        "matter_name": matter.name,
        "title": questionnaire.title,
        "version": version.number,
        "answers": _answered(route.steps),
        "outcome": route.outcome_id,
        "path": outcome["path"],
        "path_label": dtree.PATHS[outcome["path"]],
        "headline": outcome["title"],
        "reasons": list(outcome["reasons"]) + [o["note"] for _n, _q, o in route.steps if "note" in o],
        "materials": list(outcome["materials"]),
        "laws": [dict(law) for law in outcome.get("laws", [])],
        "time_limits": list(outcome.get("time_limits", [])),
        "department": outcome.get("department", ""),
        "region_code": region.code if region else "",
        "region_name": region.name if region else "",
        "centre": centre,
        "service_point": service_point_snapshot(region),
    }
    result["kb_laws"] = letter_laws_snapshot(matter, cited=result["laws"], region=region)
    result["draft"] = claim_draft_text(result)
    citizen = actor if actor is not None and getattr(actor, "is_citizen", False) else None
    return GuidanceLetter.objects.create(
        code=code,
        version=version,
        matter=matter,
        region=region,
        answers=route.answers,
        result=result,
        citizen=citizen,
    )


@transaction.atomic
def questionnaire_edit(*, questionnaire: Questionnaire, fields: dict, tree: dict, actor=None):
    """Change a questionnaire's title/intro/active/order and, if the tree changed, add a version."""
    allowed = {"title", "intro", "active", "sort_order"}
    changed = [name for name in allowed & set(fields) if getattr(questionnaire, name) != fields[name]]
    for name in changed:
        setattr(questionnaire, name, fields[name])
    if changed:
        questionnaire.save(update_fields=changed)
    return questionnaire_revise(questionnaire=questionnaire, tree=tree, actor=actor)
