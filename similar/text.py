"""Chinese text → matching terms (issue #13, docs/search.md).

Segmentation: CJK character bigrams (no dictionary: robust to place names, company names and
typos, which a word list never holds) plus ASCII words and numbers, lower-cased after NFKC (so
full-width "ＡＢＣ１２３" matches "abc123"). A few function characters (的、了、吗…) split a run
so they make no bigrams, and a short list of stop-terms (我们、反映、要求…) that every claim
contains is dropped; the rest of the weighting is IDF, done by the engine. Long digit strings
(phone and ID numbers) are dropped: personal data never goes into the index.

Pure functions, deterministic, no database access.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

#: Function characters that end a CJK run (they would only make noise bigrams: 的工, 了钱…).
BREAK_CHARS = frozenset("的了吗呢吧啊呀哦嘛么着过")

#: Words (and ASCII words) nearly every claim contains: matching on them says nothing. A CJK run is
#: cut where one occurs, so neither it nor the bigrams across its edges become terms.
_STOP_LIST = """
    我们 你们 他们 她们 它们 咱们 自己 本人 大家 这个 那个 这些 那些 一个 一些 没有 现在 已经 还是 但是
    可是 因为 所以 如果 虽然 可以 能够 什么 怎么 为何 这样 那样 就是 还有 以及 而且 并且 或者 目前 今天
    昨天 明天 之前 之后 以后 以前 时候 一直 一下 市民 群众 来电 来电人 反映 诉求 咨询 表示 称其 声称
    谢谢 麻烦 请求 希望 帮忙 帮助 处理 解决 尽快 相关 部门 有关 情况 问题 要求 请问 需要 进行 给予 予以
    至今 此事 该事 事情 多次 一次 不能 不是 不会 无法 得到 导致 造成 出现 发现 存在 认为 觉得
    the and of to a in is for on
"""
STOP_TERMS = frozenset(_STOP_LIST.split())

#: Words that say the same thing in claims, mapped to one spelling before segmentation (a small
#: domain list, not a dictionary: bigrams do the rest). Keep entries unambiguous in a claim.
SYNONYMS = {
    "拖欠工资": ("欠薪", "拖欠薪水", "拖欠工钱", "拖欠薪资"),
    "工资": ("工钱", "薪水", "薪资", "工资款"),
    "联系不上": ("跑路", "失联", "找不到人", "电话打不通", "不接电话", "联系不到"),
    "积水": ("水浸", "水淹", "浸水"),
    "麻将馆": ("麻将档", "麻将室", "麻将房", "棋牌室"),
    "物业费": ("物业管理费",),
    "驾照": ("驾驶证",),
    "社保": ("社会保险",),
    "押金": ("按金",),
    "退费": ("退款", "退钱"),
    "健身房": ("健身馆", "健身中心"),
    "噪音": ("噪声",),
    "家暴": ("家庭暴力",),
    "漏水": ("渗水", "滴水", "渗漏"),
    "污水": ("废水",),
    "偷排": ("直排", "乱排"),
    "占道经营": ("乱摆卖", "占道摆卖", "乱摆摊"),
    "违建": ("违章搭建", "违法建设", "违章建筑"),
    "欺凌": ("霸凌", "欺负"),
}
_SYNONYM_OF = {variant: canonical for canonical, variants in SYNONYMS.items() for variant in variants}
_SYNONYM = re.compile("|".join(sorted(map(re.escape, _SYNONYM_OF), key=len, reverse=True)))

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
#: A CJK stop-term (longest first) or a function character: where a CJK run is cut.
_CJK_BREAK = re.compile(
    "|".join(sorted((re.escape(t) for t in STOP_TERMS if _IS_CJK.match(t)), key=len, reverse=True))
    + "|["
    + "".join(sorted(BREAK_CHARS))
    + "]"
)

#: Digit strings at least this long are phone/ID/account numbers: never terms.
LONG_NUMBER = 7


def normalise(text: str) -> str:
    """NFKC, lower case and one spelling per synonym: the form every function here reads."""
    return _SYNONYM.sub(lambda m: _SYNONYM_OF[m.group()], unicodedata.normalize("NFKC", text or "").lower())


def _runs(text: str) -> Iterable[str]:
    """Maximal CJK runs (cut at stop-terms and function characters) and ASCII word/number runs."""
    for match in _RUN.finditer(normalise(text)):
        run = match.group()
        if _IS_CJK.match(run):
            yield from (part for part in _CJK_BREAK.split(run) if part)
        else:
            yield run


def _run_terms(run: str) -> list[str]:
    if not _IS_CJK.match(run):
        if run.isdigit() and len(run) >= LONG_NUMBER:
            return []
        return [] if run in STOP_TERMS else [run]
    if len(run) == 1:
        return []  # a lone character between punctuation says too little to match on
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str) -> list[str]:
    """The distinct terms of ``text`` in order of first appearance (CJK bigrams, ASCII words and
    numbers, lower-cased, stop-terms dropped)."""
    seen: dict[str, None] = {}
    for run in _runs(text):
        for term in _run_terms(run):
            seen.setdefault(term, None)
    return list(seen)


#: The longest shared phrase shown (characters).
MAX_PHRASE = 4


def phrases(text: str, shared: set[str], weight: Callable[[str], float], limit: int = 5) -> tuple[str, ...]:
    """The shared terms of ``text`` for display, chained bigrams joined into the words they spell
    (拖欠 + 欠工 + 工资 → 拖欠工资), most informative first (sum of the bigrams' weights), ≤ ``limit``."""
    found: dict[str, float] = {}
    for run in _runs(text):
        if not _IS_CJK.match(run):
            if run in shared:
                found[run] = max(found.get(run, 0.0), weight(run))
            continue
        i, n = 0, len(run)
        while i < n - 1:
            if run[i : i + 2] not in shared:
                i += 1
                continue
            j = i
            while j + 1 < n - 1 and run[j + 1 : j + 3] in shared:
                j += 1
            # a long chain is a stretch of copied text, not a word: show it in pieces of ≤ 4
            for start in range(i, j + 1, MAX_PHRASE):
                end = min(j, start + MAX_PHRASE - 2)
                phrase = run[start : end + 2]
                score = sum(weight(run[k : k + 2]) for k in range(start, end + 1))
                found[phrase] = max(found.get(phrase, 0.0), score)
            i = j + 1
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    picked: list[str] = []
    for phrase, _score in ordered:
        if any(phrase in other for other in picked):
            continue
        picked.append(phrase)
        if len(picked) == limit:
            break
    return tuple(picked)
