"""The labelled set (tests/similar/data): how well the engine finds the same problem in other words.

``evaluate`` registers every labelled claim as a case (through ``case_create``, so the index is
written as in production), then asks the engine, for each claim that has a labelled repeat:

- **intake** (``similar_open_cases``, the filters and ``DUPLICATE_THRESHOLD`` a clerk sees): of the
  (at most three) candidates shown, the share that are the same problem (precision@3), and the
  share of the claim's true repeats among them (recall@3);
- **search** (``similar_cases`` on the text alone, no place or matter): the same over the top three
  (precision@3 counts three slots even when the claim has one repeat), and how often the first
  result is a true repeat;
- **pairs**: every labelled pair scored on its own, precision and recall of "score ≥ threshold".

Callers run it inside a transaction they roll back (``manage.py similar_eval`` does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "similar" / "data"


@dataclass
class Figures:
    queries: int = 0
    shown: int = 0
    slots: int = 0
    relevant_shown: int = 0
    repeats: int = 0
    first_right: int = 0

    def as_dict(self) -> dict:
        return {
            "queries": self.queries,
            "precision_at_3": round(self.relevant_shown / self.slots, 3) if self.slots else 0.0,
            "recall_at_3": round(self.relevant_shown / self.repeats, 3) if self.repeats else 0.0,
            "first_is_repeat": round(self.first_right / self.queries, 3) if self.queries else 0.0,
        }


def load(data_dir: Path = DATA) -> tuple[list[dict], list[dict]]:
    def read(name):
        with open(data_dir / name, encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]

    return read("claims.jsonl"), read("pairs.jsonl")


def _register(claims: list[dict]) -> dict[str, object]:
    from cases.services import case_create
    from routing.models import MatterType, Region

    matters = {m.code: m for m in MatterType.objects.filter(code__in={c["matter"] for c in claims})}
    regions = {r.code: r for r in Region.objects.filter(code__in={c["region"] for c in claims})}
    return {
        c["id"]: case_create(
            channel="hotline",
            matter=matters[c["matter"]],
            region=regions[c["region"]],
            title=c["text"][:30],
            description=c["text"],
            parties=[],
        )
        for c in claims
    }


def _tally(figures: Figures, found: list[int], repeats: set[int], slots: int) -> None:
    figures.queries += 1
    figures.shown += len(found)
    figures.slots += slots
    figures.relevant_shown += sum(1 for pk in found if pk in repeats)
    figures.repeats += len(repeats)
    figures.first_right += bool(found and found[0] in repeats)


def _pairs(pairs: list[dict], text_of: dict[str, str], threshold: float) -> dict:
    from similar.engine import text_similarity

    tp = fp = fn = 0
    by_kind: dict[str, list[float]] = {}
    for pair in pairs:
        score = text_similarity(text_of[pair["a"]], text_of[pair["b"]])
        by_kind.setdefault(pair["kind"], []).append(score)
        said = score >= threshold
        tp += said and pair["label"] == 1
        fp += said and pair["label"] == 0
        fn += (not said) and pair["label"] == 1
    return {
        "pairs": len(pairs),
        "threshold": threshold,
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "mean_score_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
    }


def _ask(claims, cases, repeats) -> list[tuple[set[int], list[tuple[int, float]], list[int]]]:
    """Per claim with repeats: (its repeats, intake candidates with scores, search results)."""
    from similar.engine import similar_cases, similar_open_cases

    asked = []
    for claim in claims:
        own = repeats.get(claim["id"])
        if not own:
            continue
        case = cases[claim["id"]]
        shown = similar_open_cases(
            claim["text"],
            region_id=case.region_id,
            matter_id=case.matter_id,
            exclude_case_ids=[case.pk],
            limit=3,
            min_score=0.0,
        )
        found = similar_cases(claim["text"], limit=3, exclude_case_ids=[case.pk])
        asked.append(({cases[o].pk for o in own}, [(m.case_id, m.score) for m in shown], [m.case_id for m in found]))
    return asked


def _intake(asked, threshold: float) -> dict:
    figures = Figures()
    for wanted, shown, _found in asked:
        kept = [pk for pk, score in shown if score >= threshold]
        _tally(figures, kept, wanted, slots=len(kept))
    return figures.as_dict()


def evaluate(claims: list[dict], pairs: list[dict], *, threshold: float | None = None, sweep=()) -> dict:
    """Register ``claims`` as cases and measure (see the module). Writes cases: roll back after.
    ``sweep``: more thresholds to report the intake and pair figures at."""
    from similar.engine import DUPLICATE_THRESHOLD

    threshold = DUPLICATE_THRESHOLD if threshold is None else threshold
    cases = _register(claims)
    repeats: dict[str, set[str]] = {}
    for pair in pairs:
        if pair["label"] == 1:
            repeats.setdefault(pair["a"], set()).add(pair["b"])
            repeats.setdefault(pair["b"], set()).add(pair["a"])
    asked = _ask(claims, cases, repeats)
    search = Figures()
    for wanted, _shown, found in asked:
        _tally(search, found, wanted, slots=3)
    text_of = {c["id"]: c["text"] for c in claims}
    report = {
        "claims": len(claims),
        "intake": _intake(asked, threshold),
        "search": search.as_dict(),
        "pairs": _pairs(pairs, text_of, threshold),
    }
    if sweep:
        report["sweep"] = [
            {
                "threshold": t,
                "intake": _intake(asked, t),
                "pairs": {k: v for k, v in _pairs(pairs, text_of, t).items() if k in ("precision", "recall")},
            }
            for t in sweep
        ]
    return report
