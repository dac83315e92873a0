"""What /api/v1/ accepts and answers. Input is strict: text must be a JSON string (no number
turned into text), integers JSON integers, no control characters; every message is Chinese and
sits under the field's name (docs/api.md "Errors")."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import phone_validator
from interfaces.open311.selectors import service
from routing.dispatch import directory_row
from routing.models import MatterType, Region

#: The channels a partner may file under (DESIGN.md channel codes).
PARTNER_CHANNELS = ["hotline", "grid", "api", "referral"]
EXTERNAL_ID = r"^[A-Za-z0-9][A-Za-z0-9._:/\-]{0,63}$"
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
# C0 controls and DEL; tab, newline and carriage return are ordinary in typed text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same rule as a pattern, so the schema says it (the field's own check words the error).
NO_CONTROL = RegexValidator(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
TOO_HIGH_LEVELS = ("province", "city", "district")


class TextField(serializers.CharField):
    """A JSON string only, without control characters (NUL breaks PostgreSQL)."""

    default_error_messages = {
        "invalid": _("应为文本（JSON 字符串）。"),
        "blank": _("不能为空。"),
        "required": _("必须填写。"),
        "null": _("不能为 null。"),
        "max_length": _("不能超过 {max_length} 个字。"),
        "min_length": _("至少 {min_length} 个字。"),
        "control": _("不能含有控制字符（如 NUL）。"),
    }

    def __init__(self, **kwargs):
        kwargs["validators"] = [NO_CONTROL, *kwargs.get("validators", [])]
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if CONTROL.search(data):
            self.fail("control")
        return super().to_internal_value(data)


class CountField(serializers.IntegerField):
    """A JSON integer only (not a string of digits, not a boolean, not 1.0)."""

    default_error_messages = {
        "invalid": _("应为整数。"),
        "required": _("必须填写。"),
        "null": _("不能为 null。"),
        "max_value": _("不能大于 {max_value}。"),
        "min_value": _("不能小于 {min_value}。"),
        "max_string_length": _("数值过大。"),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class CoordinateField(serializers.DecimalField):
    default_error_messages = {"invalid": _("应为数字。"), "max_value": _("超出范围。"), "min_value": _("超出范围。")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(str(data))


class StrictSerializer(serializers.Serializer):
    """A request body refusing keys it does not know: a typo (``people`` for ``people_count``)
    would otherwise be dropped silently and its default used."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name[:60]: [_("未知字段“%(f)s”，请对照接口文档检查拼写。") % {"f": name[:60]}]
                        for name in unknown[:20]
                    }
                )
        return super().to_internal_value(data)


class ClaimCreateSerializer(StrictSerializer):
    channel = serializers.ChoiceField(
        choices=PARTNER_CHANNELS,
        help_text="受理渠道：hotline（12345 热线）、grid（网格）、api（其他接口接入）、referral（部门移交）。",
        error_messages={"invalid_choice": _("“{input}”不是可用的渠道，可选：hotline、grid、api、referral。")},
    )
    external_id = TextField(
        max_length=64,
        validators=[
            RegexValidator(EXTERNAL_ID, _("只能由字母、数字和 . _ : / - 组成，以字母或数字开头，不超过 64 位。"))
        ],
        help_text="合作方自己的工单编号（同一合作方内唯一）。",
    )
    matter = TextField(max_length=60, help_text="事项类型代码，如 labor.wages。")
    region = TextField(max_length=20, help_text="发生地区划代码（乡镇/街道或更具体），如 440608102201。")
    description = TextField(min_length=5, max_length=2000, help_text="诉求内容。")
    contact_name = TextField(max_length=50, help_text="联系人姓名。")
    contact_phone = TextField(
        max_length=11, validators=[phone_validator], help_text="联系人手机号（11 位），用于短信告知查询码和进度。"
    )
    id_number = TextField(
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        validators=[RegexValidator(r"^(\d{17}[\dXx])?$", _("身份证号码应为 18 位，最后一位可以是数字或 X。"))],
        help_text="身份证号码（可选）。",
    )
    address = TextField(max_length=200, required=False, allow_blank=True, default="", help_text="详细地址（可选）。")
    people_count = CountField(min_value=1, max_value=100000, required=False, default=1, help_text="涉及人数。")
    latitude = CoordinateField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = CoordinateField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False)
    referral_authority = TextField(
        max_length=100, required=False, allow_blank=True, default="", help_text="上级交办：交办机关（可选）。"
    )
    referral_document = TextField(
        max_length=80, required=False, allow_blank=True, default="", help_text="上级交办：交办文号（可选）。"
    )
    referral_deadline = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="上级交办：要求办结的日期，如 2026-12-20（可选；三项交办信息须同时提供，仅用于 channel=referral）。",
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD，如 2026-12-20。")},
    )

    REFERRAL_FIELDS = ("referral_authority", "referral_document", "referral_deadline")

    def validate_referral_deadline(self, value):
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError(_("办理时限不能早于今天；已过期的交办请与交办机关确认新的时限。"))
        return value

    def validate(self, data):
        """上级交办: the authority, its document number and deadline come together, on a referral
        only (the clerk's 上级交办 form asks for all three too)."""
        given = [name for name in self.REFERRAL_FIELDS if data.get(name)]
        if given and data["channel"] != "referral":
            raise serializers.ValidationError(
                {name: [_("交办信息仅用于 channel=referral（上级交办）。")] for name in given}
            )
        if given and len(given) < len(self.REFERRAL_FIELDS):
            missing = [name for name in self.REFERRAL_FIELDS if name not in given]
            raise serializers.ValidationError(
                {name: [_("交办机关、交办文号和办理时限须同时提供。")] for name in missing}
            )
        return data

    def validate_matter(self, value: str) -> MatterType:
        matter = directory_row(MatterType, value)
        if matter is None or not matter.active:
            raise serializers.ValidationError(_("未知的事项类型代码“%(c)s”。") % {"c": value[:60]})
        if service(value) is None:  # an active matter without active children, as Open311 serves them
            raise serializers.ValidationError(
                _("“%(c)s”是事项分组，请填写其下具体的事项类型代码（如 labor.wages）。") % {"c": value[:60]}
            )
        return matter

    def validate_region(self, value: str) -> Region:
        region = directory_row(Region, value)
        if region is None:
            raise serializers.ValidationError(_("未知的区划代码“%(c)s”。") % {"c": value[:20]})
        if region.level in TOO_HIGH_LEVELS:
            raise serializers.ValidationError(_("发生地请选到乡镇（街道）或更具体的村（社区）。"))
        return region

    def validate_id_number(self, value: str) -> str:
        value = value.upper()
        if value and not ID_NUMBER.match(value):
            raise serializers.ValidationError(_("身份证号码应为 18 位，最后一位可以是数字或 X。"))
        return value


class LitigationReplySerializer(StrictSerializer):
    reference = TextField(max_length=80, help_text="诉讼材料包的通道回执号（信封中的 reference）。")
    decision = serializers.ChoiceField(
        choices=["accepted", "returned"],
        help_text="accepted：已立案（须填 court_document）；returned：退回（须填 reply 说明理由）。",
        error_messages={"invalid_choice": _("“{input}”不是可用的答复，可选：accepted（已立案）、returned（退回）。")},
    )
    court_document = TextField(max_length=80, required=False, allow_blank=True, default="", help_text="法院案号。")
    reply = TextField(max_length=2000, required=False, allow_blank=True, default="", help_text="答复说明。")

    def validate(self, data):
        if data["decision"] == "accepted" and not data["court_document"]:
            raise serializers.ValidationError(
                {"court_document": [_("已立案时请填写法院案号，如（2026）粤0608民初1234号。")]}
            )
        if data["decision"] == "returned" and not data["reply"]:
            raise serializers.ValidationError({"reply": [_("退回时请说明理由，如需补充的材料。")]})
        return data


class ReferralReplySerializer(StrictSerializer):
    referral_document = TextField(max_length=80, help_text="移送时的文书号，如（2026）粤0608民诉前调1234号。")
    reply = TextField(max_length=2000, help_text="答复内容，如对调解结果的意见、司法确认的结果。")
    document = TextField(max_length=80, required=False, allow_blank=True, default="", help_text="答复文书号（可选）。")


# Answers (for the schema; the views build the same shapes) -------------------------------------


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(), help_text="字段名 → 错误说明列表（嵌套对象时为字段名 → 对象）。"
    )


class NamedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ClaimAnswerSerializer(serializers.Serializer):
    case_number = serializers.CharField(help_text="案件编号。")
    external_id = serializers.CharField()
    channel = serializers.ChoiceField(choices=PARTNER_CHANNELS)
    tracking_code = serializers.CharField(help_text="查询码（同时以短信发给联系人）。")
    status = serializers.CharField()
    status_text = serializers.CharField()
    created_at = serializers.DateTimeField()
    status_url = serializers.CharField()


class PublicEventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="动态类型，如 accept、dispatch、approve。")
    status = serializers.CharField(help_text="动态之后的案件状态代码。")
    text = serializers.CharField(help_text="写给群众的一句话说明。")
    at = serializers.DateTimeField()


class CaseStatusSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    external_id = serializers.CharField(allow_null=True, help_text="本合作方提交时的编号；非本合作方提交为 null。")
    channel = serializers.CharField()
    status = serializers.CharField()
    status_text = serializers.CharField()
    matter = NamedCodeSerializer()
    region = NamedCodeSerializer()
    handling_unit = serializers.CharField(allow_null=True)
    registered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_label = serializers.CharField(allow_null=True)
    clock_paused = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    events = PublicEventSerializer(many=True)


class FeedEventSerializer(PublicEventSerializer):
    cursor = serializers.CharField(help_text="本条之后继续读取时使用的游标。")
    case_number = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)


class FeedSerializer(serializers.Serializer):
    events = FeedEventSerializer(many=True)
    next_cursor = serializers.CharField(help_text="下次请求的 cursor（无新动态时与本次相同）。")
    has_more = serializers.BooleanField(help_text="为 true 时立即用 next_cursor 继续读取。")


class ReplyAnswerSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    kind = serializers.ChoiceField(choices=["litigation", "referral"])
    recorded_at = serializers.DateTimeField()
    state = serializers.CharField(help_text="诉讼材料包的状态（accepted / returned），或 recorded。")
