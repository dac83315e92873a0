"""Open311 GeoReport v2 endpoints. Every answer, errors included, is in the format the path asks
for (``.json`` / ``.xml``); a path we do not serve answers 404 in XML, the spec's required format.

Keys: discovery, the service list and definitions and reading service requests are public (a
key, when sent, is checked and narrows the places and requests to its area; without one the
client address is rate-limited and requests are read everywhere, public fields only, as the public
tracking shows them); creating service requests needs a key with the ``open311`` scope
(docs/interfaces.md).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cases.models import Case
from routing.dispatch import current_index, directory_pinned

from ..keys import KeyRefused, api_view, authenticate
from .formats import answer, errors, w3c
from .selectors import STATUS_GROUPS, claim_places, place_name, request_one, requests_search, service, services
from .submit import Refusal, request_submit

SCOPE = "open311"
WINDOW = timedelta(days=90)
MAX_IDS = 100
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _refuse(request, refusal: KeyRefused) -> HttpResponse:
    # GeoReport: "403 for errors because of wrong or missing api_key"
    status = 403 if refusal.status == 401 else refusal.status
    return errors(request.resolver_match.kwargs.get("fmt", "xml"), status, refusal.message)


def open311_view(endpoint: str, *, key_optional: bool = False):
    return api_view(scope=SCOPE, endpoint=f"open311:{endpoint}", refuse=_refuse, key_optional=key_optional)


def _method_not_allowed(fmt: str, allowed: list[str]) -> HttpResponse:
    response = errors(fmt, 405, _("不支持该请求方法，请使用 %(m)s。") % {"m": " 或 ".join(allowed)})
    response["Allow"] = ", ".join(allowed)
    return response


# Discovery and services ----------------------------------------------------------------------


@open311_view("discovery", key_optional=True)
def discovery(request, fmt: str):
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    base = settings.PUBLIC_BASE_URL + reverse("open311:root")
    data = {
        "changeset": settings.OPEN311_CHANGESET,
        "contact": str(settings.OPEN311_CONTACT),
        "key_service": str(settings.OPEN311_KEY_SERVICE),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rstrip("/"),
                "changeset": settings.OPEN311_CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return answer(fmt, "discovery", data)


@open311_view("services", key_optional=True)
def service_list(request, fmt: str):
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    data = [
        {
            "service_code": matter.code,
            "service_name": matter.name,
            "description": f"{matter.parent.name} › {matter.name}" if matter.parent else matter.name,
            "metadata": True,  # every service asks for the place and the number of people
            "type": "realtime",
            "keywords": ", ".join(matter.keywords or []),
            "group": matter.parent.name if matter.parent else "",
        }
        for matter in services()
    ]
    return answer(fmt, "services", data)


@open311_view("service-definition", key_optional=True)
def service_definition(request, code: str, fmt: str):
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    matter = service(code)
    if matter is None:
        return errors(fmt, 404, _("service_code: 事项类型 %(code)s 不存在或已停用。") % {"code": code})
    places = claim_places(getattr(request, "api_key", None))
    data = {
        "service_code": matter.code,
        "attributes": [
            {
                "variable": True,
                "code": "region",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _(
                    "区划编码（乡镇街道、村社区或网格）。本平台的区划没有坐标，仅凭 lat/long 无法确定地点："
                    "请提供本项，或在 address_string 中写明乡镇（街道）、村（社区）名称。"
                ),
                "order": 1,
                "description": _("诉求发生地"),
                "values": [{"key": key, "name": name} for key, name in places],
            },
            {
                "variable": True,
                "code": "people",
                "datatype": "number",
                "required": False,
                "datatype_description": _("正整数，默认 1；群体性诉求请填写实际人数。"),
                "order": 2,
                "description": _("涉及人数"),
            },
        ],
    }
    return answer(fmt, "service_definition", data)


# Service requests -----------------------------------------------------------------------------


def _request_data(case: Case) -> dict:
    """What GeoReport shows of a case: never a name, a phone or an ID number, nor the citizen's
    own words (the description and the typed address may hold them): the place is the region
    path's names only."""
    closed = case.status in STATUS_GROUPS["closed"]
    place = place_name(current_index(), case.region.code)
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": case.status_note or None,
        "service_name": case.matter.name,
        "service_code": case.matter.code,
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": None if closed else w3c(case.stage_due_at),
        "address": place,  # never case.address: the citizen's own text may hold a name or a phone
        "address_id": case.region.code,
        "lat": case.latitude,
        "long": case.longitude,
    }


def _when(text: str, name: str, *, end: bool = False) -> datetime:
    """A W3C date-time (an offset or Z; without one, Beijing time), or a bare date: its first
    moment as a start, its last as an end."""
    try:
        day = parse_date(text) if len(text) == 10 else None
        value = None if day else parse_datetime(text)
    except ValueError:
        day = value = None
    if day is not None:
        return timezone.make_aware(datetime.combine(day, time.max if end else time.min))
    if value is None:
        raise Refusal(400, [_("%(name)s: 日期时间格式应为 W3C 格式，如 2026-11-01T00:00:00+08:00。") % {"name": name}])
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _window(params) -> tuple:
    """start/end: at most 90 days; missing ends are filled so the span is 90 days (the last 90 by default)."""
    start = _when(params["start_date"], "start_date") if params.get("start_date") else None
    end = _when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise Refusal(400, [_("start_date 不能晚于 end_date。")])
    if end - start > WINDOW:
        raise Refusal(400, [_("start_date 与 end_date 之间不能超过 90 天。")])
    return start, end


def _comma_list(params, name: str) -> list[str]:
    return [item.strip() for value in params.getlist(name) for item in value.split(",") if item.strip()]


def _search(request, fmt: str) -> HttpResponse:
    params = request.GET
    numbers = _comma_list(params, "service_request_id")
    if len(numbers) > MAX_IDS:
        raise Refusal(400, [_("service_request_id 一次最多 %(n)s 个。") % {"n": MAX_IDS}])
    statuses = _comma_list(params, "status")
    bad = [status for status in statuses if status not in STATUS_GROUPS]
    if bad:
        raise Refusal(400, [_("status 只能是 open 或 closed，收到：%(bad)s。") % {"bad": "、".join(bad)}])
    start, end = (None, None) if numbers else _window(params)
    with directory_pinned():  # one directory snapshot for every row's place name
        rows = requests_search(
            request.api_key,
            numbers=numbers,
            service_codes=_comma_list(params, "service_code"),
            start=start,
            end=end,
            statuses=statuses,
        )
        return answer(fmt, "service_requests", [_request_data(case) for case in rows])


def _create(request, fmt: str) -> HttpResponse:
    claim, _created = request_submit(
        key=request.api_key, post=request.POST, idempotency_key=request.headers.get("Idempotency-Key", "")[:200]
    )
    case = claim.case
    notice = _("诉求已登记，编号 %(n)s。%(centre)s将在 %(due)s 前受理，办理进展可凭编号随时查询。") % {
        "n": case.number,
        "centre": case.centre.name,
        "due": timezone.localtime(case.stage_due_at).strftime("%Y-%m-%d %H:%M") if case.stage_due_at else "—",
    }
    data = [{"service_request_id": case.number, "service_notice": notice, "account_id": None}]
    return answer(fmt, "service_requests", data)


def _key_required(request) -> HttpResponse:
    """Creating a request needs a key even though reading does not: the door's own refusal."""
    try:
        authenticate("", SCOPE)
    except KeyRefused as refusal:
        return _refuse(request, refusal)
    raise AssertionError("an empty key is always refused")


@open311_view("requests", key_optional=True)  # GET is public (the spec's api_key is optional on reads)
def requests_view(request, fmt: str):
    try:
        if request.method == "GET":
            return _search(request, fmt)
        if request.method == "POST":
            if request.api_key is None:
                return _key_required(request)
            return _create(request, fmt)
    except Refusal as refusal:
        return errors(fmt, refusal.status, refusal.descriptions)
    return _method_not_allowed(fmt, ["GET", "POST"])


@open311_view("request", key_optional=True)
def request_view(request, number: str, fmt: str):
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    with directory_pinned():
        case = request_one(request.api_key, number)
        if case is None:
            return errors(
                fmt, 404, _("service_request_id: 编号 %(n)s 不存在或不在该密钥的授权区域内。") % {"n": number}
            )
        return answer(fmt, "service_requests", [_request_data(case)])


@open311_view("not-found", key_optional=True)
def not_found(request, path: str = "") -> HttpResponse:
    fmt = "json" if request.path.endswith(".json") else "xml"
    return errors(fmt, 404, _("没有这个接口。可用的接口见 discovery.xml（或 discovery.json）。"))
