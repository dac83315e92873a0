"""智能咨询 screens (public, no login needed): choose a matter, answer one question at a time,
read the 解纷意见书 and download it as a PDF, look a letter up by its verification code.

The walk is stateless: the answers so far travel in the query string (``a_<question>=<option>``)
with the questionnaire's version (``v``), so the back button and a bookmark work and nothing is
stored until the citizen asks for the letter (a POST, rate-limited per client).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.paging import bounded_page, page_number
from core.ratelimit import try_allowed

from . import selectors
from . import tree as dtree
from .pdf import letter_pdf_bytes
from .services import ConsultError, letter_issue

#: Letters issued per client address and window (seconds).
ISSUE_RATE_LIMIT = getattr(settings, "CONSULT_ISSUE_RATE_LIMIT", (20, 10 * 60))
#: Verification-code look-ups per client address and window (seconds).
VERIFY_RATE_LIMIT = getattr(settings, "CONSULT_VERIFY_RATE_LIMIT", (20, 10 * 60))
MEDIATION_REQUEST_URL = "/mediation/request/"


def _answers_from(params) -> dict[str, str]:
    return {key[2:]: value[:40] for key, value in params.items() if key.startswith("a_") and len(key) <= 42}


def _query(region_code: str, version: int, answers: dict[str, str]) -> str:
    items = [("region", region_code)] if region_code else []
    items.append(("v", str(version)))
    items += [(f"a_{node_id}", value) for node_id, value in answers.items()]
    return urlencode(items)


def _found(matter: str, version_number):
    found = selectors.questionnaire_with_version(matter, version_number)
    if found is None:
        raise Http404
    return found


@require_GET
def consult_index(request):
    region = selectors.region_by_code(request.GET.get("region"))
    context = {
        "questionnaires": list(selectors.questionnaires()),
        "region": region,
        "region_unknown": bool(request.GET.get("region")) and region is None,
        "region_choices": selectors.region_choices(),
        "centre": selectors.nearest_centre(region),
    }
    return render(request, "consult/index.html", context)


def _restart_page(request, questionnaire, region, message: str):
    context = {"questionnaire": questionnaire, "region": region, "message": message}
    return render(request, "consult/restart.html", context, status=400)


@require_GET
def questionnaire_step(request, matter: str):
    """One question of the walk, or — once an outcome is reached — the answers to confirm."""
    questionnaire, version = _found(matter, request.GET.get("v"))
    region = selectors.region_by_code(request.GET.get("region"))
    region_code = region.code if region else ""
    try:
        route = dtree.walk(version.tree, _answers_from(request.GET))
    except dtree.AnswerError:
        return _restart_page(request, questionnaire, region, _("回答与问卷不一致，可能问卷已更新，请从头重新回答。"))
    answers = route.answers
    back = None
    if route.steps:
        earlier = dict(list(answers.items())[:-1])
        back = f"?{_query(region_code, version.number, earlier)}"
    context = {
        "questionnaire": questionnaire,
        "version": version,
        "region": region,
        "region_code": region_code,
        "answers": answers,
        "steps": [{"question": node["text"], "answer": option["label"]} for _n, node, option in route.steps],
        "back": back,
        "step_number": len(route.steps) + 1,
    }
    if route.question_id is not None:
        node = version.tree["nodes"][route.question_id]
        context.update({"question_id": route.question_id, "question": node})
        return render(request, "consult/question.html", context)
    return render(request, "consult/confirm.html", context)


@require_POST
def letter_create(request, matter: str):
    questionnaire, version = _found(matter, request.POST.get("v"))
    region = selectors.region_by_code(request.POST.get("region"))
    limit, window = ISSUE_RATE_LIMIT
    if not try_allowed(request, scope="consult:issue", limit=limit, window=window):
        message = _("生成过于频繁：同一网络 %(m)s 分钟内最多生成 %(n)s 份意见书，请稍后再试。") % {
            "m": window // 60,
            "n": limit,
        }
        response = _restart_page(request, questionnaire, region, message)
        response.status_code = 429
        response["Retry-After"] = str(window)
        return response
    try:
        letter = letter_issue(version=version, answers=_answers_from(request.POST), region=region, actor=request.user)
    except ConsultError as error:
        return _restart_page(request, questionnaire, region, error.message)
    return redirect("consult:letter", code=letter.code)


def _letter(code: str):
    letter = selectors.letter_by_code(code)
    if letter is None or letter.code != code:
        raise Http404
    return letter


@never_cache
@require_GET
def letter_detail(request, code: str):
    letter = _letter(code)
    result = letter.result
    claim_query = urlencode({"matter": result["matter_code"], "region": result["region_code"], "draft": letter.code})
    context = {
        "letter": letter,
        "result": result,
        "claim_url": f"{reverse('intake:claim-submit')}?{claim_query}",
        "mediation_url": f"{MEDIATION_REQUEST_URL}?{urlencode({'letter': letter.code})}",
        "pdf_url": reverse("consult:letter-pdf", args=[letter.code]),
        "n": selectors.letter_sections(result),
    }
    return render(request, "consult/letter.html", context)


@never_cache
@require_GET
def letter_pdf(request, code: str):
    letter = _letter(code)
    response = HttpResponse(letter_pdf_bytes(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guidance-{letter.code}.pdf"'
    return response


@never_cache
@require_GET
def letter_verify(request):
    """Look a letter up by its verification code (printed on the letter and its PDF)."""
    code = request.GET.get("code", "").strip()[:40]
    if not code:
        return render(request, "consult/verify.html", {"code": ""})
    limit, window = VERIFY_RATE_LIMIT
    if not try_allowed(request, scope="consult:verify", limit=limit, window=window):
        message = _("查询过于频繁：同一网络 %(m)s 分钟内最多查询 %(n)s 次，请稍后再试。") % {
            "m": window // 60,
            "n": limit,
        }
        response = render(request, "consult/verify.html", {"code": code, "error": message}, status=429)
        response["Retry-After"] = str(window)
        return response
    letter = selectors.letter_by_code(code)
    if letter is None:
        error = _("没有找到验证码为“%(code)s”的意见书。请核对意见书上的 12 位验证码（字母和数字）后重新输入。") % {
            "code": code
        }
        return render(request, "consult/verify.html", {"code": code, "error": error}, status=404)
    return redirect("consult:letter", code=letter.code)


@never_cache
@require_GET
@login_required
def my_letters(request):
    """我的意见书: the guidance letters issued to the signed-in person, newest first (a lost
    verification code no longer means a lost letter)."""
    rows, has_next = bounded_page(selectors.letters_of(request.user), page_number(request))
    return render(request, "consult/my_letters.html", {"rows": rows, "has_next": has_next})
