"""The similarity engine (issue #13, contract in docs/search.md): open cases a new claim may repeat,
and closed cases like a given text.

Callers never index by hand (``similar.index`` keeps the index fresh). Candidates come from the
full-text index (``similar.retrieval``, the only part a search engine would replace); this module
re-scores them with an IDF-weighted cosine over the two texts' term sets (``similar.text.terms``),
0..1, and explains each match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from similar import retrieval
from similar import text as textmod

#: A text scoring at least this against an open case is "描述相似" (tuned on the labelled set).
DUPLICATE_THRESHOLD: float = 0.38

#: How much a same-matter / same-place candidate gains in ``similar_closed_cases`` (a multiplier
#: on the text score, capped at 1): enough to order near-equal texts, never to lift an unrelated one.
MATTER_BOOST = 0.10
PLACE_BOOST = {"同一村": 0.06, "同一镇街": 0.04, "同一区县": 0.02, "": 0.0}

PLACE_OF_LEVEL = {"village": "同一村", "grid": "同一村", "town": "同一镇街", "district": "同一区县"}


@dataclass(frozen=True)
class Match:
    case_id: int
    score: float  # 0..1, comparable across calls
    shared_terms: tuple[str, ...]  # the matching key terms, most informative first (≤ 5)
    same_place: str  # "" | "同一村" | "同一镇街" | "同一区县"
    same_matter: bool  # same leaf matter type
    why: str  # ready-to-show Chinese reason


# --- weights -------------------------------------------------------------------------------------
#: IDF counts at least this many cases: a young index (a new centre, the tests) weighs terms
#: nearly alike instead of punishing the words forty repeats of one complaint share; past it, the
#: real statistics take over.
PRIOR_CASES = 5000


def _idf(total: int, df: int) -> float:
    """BM25's IDF over at least ``PRIOR_CASES`` cases: always positive, small for a term most
    cases contain, ~ln(N) for a rare one."""
    total = max(total, PRIOR_CASES)
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _cosine(query: set[str], other: set[str], weight: dict[str, float]) -> float:
    """The text score: the square root of the IDF-weighted cosine of the two term sets. Two wordings
    of one problem share few bigrams (a cosine of 0.15–0.4: the words between the key terms differ),
    so the root spreads the scale a clerk reads (0.4–0.6 for those; 1 for the same text)."""
    shared = query & other
    if not shared:
        return 0.0
    num = sum(weight[t] ** 2 for t in shared)
    den = math.sqrt(sum(weight[t] ** 2 for t in query) * sum(weight[t] ** 2 for t in other))
    return min(1.0, math.sqrt(num / den)) if den else 0.0


def text_similarity(a: str, b: str) -> float:
    """The score two texts would get against each other (IDF from the index), 0..1."""
    ta, tb = set(textmod.terms(a)), set(textmod.terms(b))
    total, df = retrieval.doc_frequencies(ta | tb)
    return _cosine(ta, tb, {t: _idf(total, n) for t, n in df.items()})


# --- places --------------------------------------------------------------------------------------
def _region_path(region_id: int | None) -> str:
    if region_id is None:
        return ""
    from routing.models import Region

    return Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or ""


def _regions(path: str) -> dict[str, tuple[str, int]]:
    """code → (level, id) for the regions on ``path`` (one query)."""
    from routing.models import Region

    codes = [c for c in path.split("/") if c]
    if not codes:
        return {}
    return {
        code: (level, pk)
        for code, level, pk in Region.objects.filter(code__in=codes).values_list("code", "level", "pk")
    }


def _levels(path: str) -> dict[str, str]:
    """code → level for the regions on ``path`` (one query)."""
    return {code: level for code, (level, _pk) in _regions(path).items()}


def _town_path(path: str, levels: dict[str, str]) -> str:
    """The path of the town-level ancestor of ``path`` (or ``path`` itself when it is a town or above)."""
    codes = [c for c in path.split("/") if c]
    for i, code in enumerate(codes):
        if levels.get(code) == "town":
            return "/" + "/".join(codes[: i + 1]) + "/"
    return path


def _town_id(path: str, regions: dict[str, tuple[str, int]]) -> int | None:
    """The id of the town-level ancestor of ``path`` (the one ``_town_path`` names), or None."""
    for code in (c for c in path.split("/") if c):
        level, pk = regions.get(code, ("", None))
        if level == "town":
            return pk
    return None


def _same_place(query_path: str, other_path: str, levels: dict[str, str]) -> str:
    if not query_path or not other_path:
        return ""
    a = [c for c in query_path.split("/") if c]
    b = [c for c in other_path.split("/") if c]
    deepest = None
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        deepest = x
    return PLACE_OF_LEVEL.get(levels.get(deepest, ""), "") if deepest else ""


def _matter_branch(matter_id: int | None) -> tuple[str, int | None]:
    """The path and id of the top-level ancestor (事项大类) of ``matter_id`` (one query)."""
    if matter_id is None:
        return "", None
    from django.db.models import Q

    from routing.models import MatterType

    rows = list(MatterType.objects.filter(Q(pk=matter_id) | Q(parent=None)).values_list("pk", "path"))
    path = next((p for pk, p in rows if pk == matter_id), "")
    codes = [c for c in path.split("/") if c]
    if not codes:
        return "", None
    branch = f"/{codes[0]}/"
    return branch, next((pk for pk, p in rows if p == branch), None)


def _case_text(title: str, description: str) -> str:
    return f"{title}\n{description}"


# --- scoring -------------------------------------------------------------------------------------
def _why(text_score: float, same_place: str, same_matter: bool, shared: tuple[str, ...]) -> str:
    parts = [f"描述相似 {text_score:.2f}"]
    if same_place:
        parts.append(same_place)
    if same_matter:
        parts.append("同类事项")
    why = "，".join(parts)
    if shared:
        why += "；共同词：" + "、".join(shared)
    return why


def _query(text: str) -> tuple[set[str], int, dict[str, int]]:
    """The text's terms, the number of indexed cases and the terms' document frequencies."""
    query = set(textmod.terms(text))
    total, df = retrieval.doc_frequencies(query)
    return query, total, df


def _rank(
    text: str,
    query: set[str],
    rows: list[retrieval.Row],
    *,
    total: int,
    df: dict[str, int],
    region_path: str,
    matter_id: int | None,
    boost: bool,
    min_score: float,
    limit: int,
) -> list[Match]:
    """Re-score ``rows`` against ``query`` (IDF-weighted cosine), boost, order, explain."""
    cand_terms = {row.case_id: set(row.tokens.split()) for row in rows}
    seen = set().union(*cand_terms.values()) if cand_terms else set()
    more_total, more_df = retrieval.doc_frequencies(seen - query)
    total = max(total, more_total)
    weight = {t: _idf(total, n) for t, n in {**more_df, **df}.items()}
    levels = _levels(region_path) if region_path else {}
    scored = []
    for row in rows:
        other = cand_terms[row.case_id]
        text_score = _cosine(query, other, weight)
        if text_score <= 0 or text_score < min_score:
            continue
        place = _same_place(region_path, row.region_path, levels)
        same_matter = matter_id is not None and row.matter_id == matter_id
        score = text_score
        if boost:
            score = min(1.0, text_score * (1 + (MATTER_BOOST if same_matter else 0) + PLACE_BOOST[place]))
        scored.append((score, text_score, row, place, same_matter, query & other))
    scored.sort(key=lambda item: (-item[0], -item[2].case_id))
    matches = []
    for score, text_score, row, place, same_matter, shared in scored[:limit]:
        shown = textmod.phrases(text, shared, lambda t: weight.get(t, 0.0))
        matches.append(
            Match(
                case_id=row.case_id,
                score=round(score, 4),
                shared_terms=shown,
                same_place=place,
                same_matter=same_matter,
                why=_why(text_score, place, same_matter, shown),
            )
        )
    return matches


# --- the API -------------------------------------------------------------------------------------
def similar_open_cases(
    text: str,
    *,
    region_id: int | None,
    matter_id: int | None,
    days: int = 30,
    exclude_case_ids=(),
    limit: int = 5,
    min_score: float = DUPLICATE_THRESHOLD,
) -> list[Match]:
    """Open cases (not closed, not merged) created in the last ``days`` days, in the same town as
    ``region_id`` (its town-level ancestor or itself, with everything below) and the same matter
    branch (the top-level ancestor of ``matter_id`` and everything below), whose text scores at
    least ``min_score``, best first. ``score`` is the text similarity itself (no boosts)."""
    from cases.models import OPEN_STATUSES

    query, total, df = _query(text)
    if not query or limit <= 0:
        return []
    region_path = _region_path(region_id)
    regions = _regions(region_path) if region_path else {}
    levels = {code: level for code, (level, _pk) in regions.items()}
    branch_path, branch_id = _matter_branch(matter_id)
    rows = retrieval.candidates(
        retrieval.query_groups(df),
        statuses=OPEN_STATUSES,
        since=timezone.now() - timedelta(days=days),
        region_prefix=_town_path(region_path, levels) if region_path else "",
        matter_prefix=branch_path,
        exclude=[pk for pk in exclude_case_ids if pk is not None],
        town_id=_town_id(region_path, regions),
        branch_id=branch_id,
    )
    return _rank(
        text,
        query,
        rows,
        total=total,
        df=df,
        region_path=region_path,
        matter_id=matter_id,
        boost=False,
        min_score=min_score,
        limit=limit,
    )


def similar_closed_cases(
    text: str,
    *,
    matter_id: int | None = None,
    region_id: int | None = None,
    cases=None,
    limit: int = 5,
    exclude_case_ids=(),
    min_score: float = 0.0,
) -> list[Match]:
    """Closed cases most similar to ``text``, best first. ``cases`` (a Case queryset) restricts
    the candidates to the user's scope; ``matter_id``/``region_id`` raise the score of a case of
    the same matter / the same place (never filter). ``score`` includes those boosts; the text
    similarity alone is in ``why``."""
    from cases.models import Status

    return _boosted(
        text,
        statuses=[Status.CLOSED],
        matter_id=matter_id,
        region_id=region_id,
        cases=cases,
        limit=limit,
        exclude_case_ids=exclude_case_ids,
        min_score=min_score,
    )


def _boosted(text, *, statuses, matter_id, region_id, limit, exclude_case_ids, cases=None, min_score=0.0):
    query, total, df = _query(text)
    if not query or limit <= 0:
        return []
    rows = retrieval.candidates(
        retrieval.query_groups(df),
        statuses=statuses,
        scope=cases,
        exclude=[pk for pk in exclude_case_ids if pk is not None],
        limit=max(retrieval.CANDIDATES, limit),
        enough=limit,
    )
    return _rank(
        text,
        query,
        rows,
        total=total,
        df=df,
        region_path=_region_path(region_id),
        matter_id=matter_id,
        boost=True,
        min_score=max(min_score, 1e-9),
        limit=limit,
    )


def similar_cases(
    text: str,
    *,
    matter_id: int | None = None,
    region_id: int | None = None,
    limit: int = 5,
    exclude_case_ids=(),
) -> list[Match]:
    """Open and closed cases (not merged, rejected or withdrawn) most similar to ``text``, with the
    same boosts as ``similar_closed_cases``: what ``manage.py similar_cases`` answers."""
    from cases.models import OPEN_STATUSES, Status

    return _boosted(
        text,
        statuses=[*OPEN_STATUSES, Status.CLOSED],
        matter_id=matter_id,
        region_id=region_id,
        limit=limit,
        exclude_case_ids=exclude_case_ids,
    )


def similar_to_case(
    case,
    *,
    open_: bool,
    limit: int = 5,
    days: int = 30,
    min_score: float | None = None,
    cases=None,
) -> list[Match]:
    """The open (``open_=True``: possible duplicates, as at intake) or closed (类案) cases most
    like ``case`` (its title and description), never ``case`` itself."""
    text = _case_text(case.title, case.description)
    if open_:
        return similar_open_cases(
            text,
            region_id=case.region_id,
            matter_id=case.matter_id,
            days=days,
            exclude_case_ids=(case.pk,),
            limit=limit,
            min_score=DUPLICATE_THRESHOLD if min_score is None else min_score,
        )
    return similar_closed_cases(
        text,
        matter_id=case.matter_id,
        region_id=case.region_id,
        cases=cases,
        limit=limit,
        exclude_case_ids=(case.pk,),
        min_score=min_score or 0.0,
    )
