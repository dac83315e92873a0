"""/api/v1/: thin views — parse, call a service or selector, answer (docs/api.md)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from routing.dispatch import directory_pinned

from . import selectors, services
from .auth import PartnerView
from .problems import PROBLEM_TYPE, problem
from .serializers import (
    CaseStatusSerializer,
    ClaimAnswerSerializer,
    ClaimCreateSerializer,
    FeedSerializer,
    LitigationReplySerializer,
    ProblemSerializer,
    ReferralReplySerializer,
    ReplyAnswerSerializer,
)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")  # printable ASCII, no spaces


def _problems(*codes: int) -> dict:
    texts = {
        400: "请求有误：errors 按字段列出原因",
        401: "缺少接口密钥，或密钥无效、已吊销",
        403: "密钥未获授权，或发生地不在授权区域内",
        404: "未找到，或不在本密钥的授权区域内",
        409: "冲突：Idempotency-Key 已用于另一请求，或合作方编号已提交过",
        413: "请求体过大",
        415: "请求体不是 application/json",
        429: "调用过于频繁（响应头 Retry-After）",
    }
    return {(code, PROBLEM_TYPE): OpenApiResponse(ProblemSerializer, description=texts[code]) for code in codes}


AUTH_PROBLEMS = (401, 403, 429)
IDEMPOTENCY_SCHEMA = {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern, "minLength": 1, "maxLength": 100}
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    IDEMPOTENCY_SCHEMA,
    OpenApiParameter.HEADER,
    required=True,
    description="每个新请求一个新值（可打印 ASCII，1–100 位，如 UUID）；网络重试时原样再发，返回首次的结果。",
)


def _idempotency_key(request, *, required: bool) -> str | None:
    value = request.headers.get("Idempotency-Key", "")
    if not value:
        if required:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("请在请求头 Idempotency-Key 中为每个新请求提供一个唯一值（如 UUID）。")]}
            )
        return None
    if not IDEMPOTENCY_KEY.match(value):
        raise exceptions.ValidationError(
            {"Idempotency-Key": [_("Idempotency-Key 应为 1–100 位可打印 ASCII 字符，不含空格。")]}
        )
    return value


def _body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
    return data


def _answer(status: int, answer: dict, replayed: bool) -> Response:
    response = Response(answer, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class ClaimCreateView(PartnerView):
    api_endpoint = "api/v1/claims"

    @extend_schema(
        operation_id="claims_create",
        summary="提交诉求",
        description="登记一件诉求（与窗口、热线、网格相同的受理流程：按发生地进入受理中心的待受理队列，开始受理计时，向联系人发送查询码短信）。"
        "external_id 为合作方自己的编号，同一合作方内唯一；Idempotency-Key 相同的重试返回首次的结果，内容不同则 409。",
        parameters=[IDEMPOTENCY_HEADER],
        request=ClaimCreateSerializer,
        responses={
            201: OpenApiResponse(ClaimAnswerSerializer, description="已登记（重试时返回首次登记的结果）"),
            **_problems(400, *AUTH_PROBLEMS, 409, 413, 415),
        },
    )
    def post(self, request):
        key = _idempotency_key(request, required=True)
        body = _body(request)
        # one directory snapshot for the codes checked and the claim routed (as the window form)
        with directory_pinned():
            serializer = ClaimCreateSerializer(data=body)
            serializer.is_valid(raise_exception=True)

            def write():
                record = services.partner_claim_create(
                    api_key=request.auth, data=serializer.validated_data, idempotency_key=key
                )
                return 201, services.claim_answer(record)

            return _answer(
                *services.idempotent(api_key=request.auth, key=key, endpoint=self.api_endpoint, body=body, write=write)
            )


class CaseStatusView(PartnerView):
    api_endpoint = "api/v1/cases"

    @extend_schema(
        operation_id="cases_status",
        summary="查询案件的公开办理状态",
        description="状态、期限和写给群众的动态说明；不含姓名、电话、证件号码和诉求原文。仅限密钥授权区域内的案件。",
        responses={200: CaseStatusSerializer, **_problems(400, *AUTH_PROBLEMS, 404)},
    )
    def get(self, request, number: str):
        found = selectors.public_case(request.auth, number)
        if found is None:
            return problem(404, _("未找到编号为“%(n)s”的案件，或其不在本密钥的授权区域内。") % {"n": number[:40]})
        return Response(found)


class FeedQuery(serializers.Serializer):
    cursor = serializers.RegexField(
        r"^\d{1,18}$",
        required=False,
        default="0",
        help_text="上次返回的 next_cursor；首次读取省略（从头开始）。",
        error_messages={"invalid": _("cursor 应为上次返回的 next_cursor（一串数字）。")},
    )
    limit = serializers.IntegerField(
        required=False,
        default=100,
        min_value=1,
        max_value=selectors.MAX_FEED_PAGE,
        help_text="每页条数，1–200。",
        error_messages={"invalid": _("limit 应为 1–200 的整数。")},
    )


class EventFeedView(PartnerView):
    api_endpoint = "api/v1/events"
    allowed_query = frozenset({"cursor", "limit"})

    @extend_schema(
        operation_id="events_feed",
        summary="公开动态（按游标增量同步）",
        description="授权区域内案件的公开动态，按发生顺序；用上次的 next_cursor 继续读取，has_more 为 true 时立即再读。"
        "最近几秒内的动态留待下次读取，保证不漏。",
        parameters=[FeedQuery],
        responses={200: FeedSerializer, **_problems(400, *AUTH_PROBLEMS)},
    )
    def get(self, request):
        query = FeedQuery(data=request.query_params.dict())  # a plain dict: an empty cursor is refused
        query.is_valid(raise_exception=True)
        after = int(query.validated_data["cursor"])
        return Response(selectors.event_feed(request.auth, after=after, limit=query.validated_data["limit"]))


class _ReplyView(PartnerView):
    api_scope = "court_replies"
    serializer_class: type[serializers.Serializer]

    def record(self, request, data: dict) -> dict:
        raise NotImplementedError

    def post(self, request):
        key = _idempotency_key(request, required=False)
        body = _body(request)
        serializer = self.serializer_class(data=body)
        serializer.is_valid(raise_exception=True)

        def write():
            return 201, self.record(request, serializer.validated_data)

        if key is None:
            return _answer(*write(), False)
        return _answer(
            *services.idempotent(api_key=request.auth, key=key, endpoint=self.api_endpoint, body=body, write=write)
        )


REPLY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    IDEMPOTENCY_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description="可选；提供时网络重试返回首次的结果，内容不同则 409。",
)


class LitigationReplyView(_ReplyView):
    api_endpoint = "api/v1/replies/litigation"
    serializer_class = LitigationReplySerializer

    @extend_schema(
        operation_id="replies_litigation",
        summary="法院对诉讼材料包的答复（立案 / 退回）",
        description="按通道回执号找到诉讼材料包（案件须在密钥授权区域内），登记立案或退回，写入案件动态并通知调解员。每个材料包只答复一次。",
        parameters=[REPLY_HEADER],
        request=LitigationReplySerializer,
        responses={201: ReplyAnswerSerializer, **_problems(400, *AUTH_PROBLEMS, 404, 409, 413, 415)},
    )
    def post(self, request):
        return super().post(request)

    def record(self, request, data: dict) -> dict:
        return services.partner_litigation_reply(api_key=request.auth, **data)


class ReferralReplyView(_ReplyView):
    api_endpoint = "api/v1/replies/referral"
    serializer_class = ReferralReplySerializer

    @extend_schema(
        operation_id="replies_referral",
        summary="移送单位（法院、信访部门等）对移送调解案件的答复",
        description="按移送文书号找到移送调解的案件（移送单位须在密钥授权区域内），答复写入案件动态（内部可见）并通知调解员。",
        parameters=[REPLY_HEADER],
        request=ReferralReplySerializer,
        responses={201: ReplyAnswerSerializer, **_problems(400, *AUTH_PROBLEMS, 404, 409, 413, 415)},
    )
    def post(self, request):
        return super().post(request)

    def record(self, request, data: dict) -> dict:
        return services.partner_referral_reply(api_key=request.auth, **data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request, rest: str):
    """Any other path under /api/v1/: a problem body, not the site's HTML page."""
    return problem(404, _("没有这个接口，请查阅 /api/docs/。"))
