"""POST requests: a GeoReport form read, checked and registered as a claim on the ``api`` channel
through ``intake.services.claim_submit``, the service every channel uses (case number, the
centre responsible for the place, the acceptance clock, the tracking SMS to the contact phone).

Nothing is written unless every check passes; each refusal names the field, in Chinese.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import phone_validator
from cases.forms import TextField
from cases.services import CaseError
from intake.duplicates import claim_duplicates_record_on_commit
from intake.models import Claim
from intake.services import claim_submit
from routing.dispatch import directory_pinned
from routing.models import Channel, Region

from ..keys import region_allows
from ..models import ApiKey
from .selectors import CLAIM_LEVELS, region_from_address, service

MAX_DESCRIPTION = 4000  # the spec's limit
MAX_PEOPLE = 100000


@dataclass
class Refusal(Exception):
    """The request cannot be registered: HTTP ``status`` and one description per problem."""

    status: int
    descriptions: list[str] = field(default_factory=list)


class RequestForm(forms.Form):
    """The GeoReport fields we read (``attribute[x]`` arrives as ``attribute_x``)."""

    service_code = forms.CharField(
        max_length=40, error_messages={"required": gettext_lazy("缺少 service_code（事项类型编码）。")}
    )
    description = TextField(
        max_length=MAX_DESCRIPTION,
        error_messages={
            "required": gettext_lazy("缺少 description（诉求内容）。"),
            "max_length": gettext_lazy(
                "description（诉求内容）不能超过 %(limit_value)d 个字，当前 %(show_value)d 个字。"
            ),
        },
    )
    first_name = TextField(max_length=25, required=False)
    last_name = TextField(max_length=25, required=False)
    phone = forms.CharField(max_length=11, required=False, validators=[phone_validator])
    address_string = TextField(
        max_length=200,
        required=False,
        error_messages={"max_length": gettext_lazy("address_string 不能超过 200 个字。")},
    )
    lat = forms.DecimalField(min_value=-90, max_value=90, required=False)
    long = forms.DecimalField(min_value=-180, max_value=180, required=False)
    media_url = forms.URLField(max_length=500, required=False, assume_scheme="https")
    attribute_region = forms.CharField(max_length=40, required=False)
    address_id = forms.CharField(max_length=40, required=False)  # GeoReport's name for the region code we output
    attribute_people = forms.IntegerField(min_value=1, max_value=MAX_PEOPLE, required=False)

    LABELS = {"attribute_region": "attribute[region]", "attribute_people": "attribute[people]"}

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lat") is None) != (cleaned.get("long") is None) and not self.has_error("lat"):
            self.add_error("lat", _("lat 和 long 须同时提供。"))
        return cleaned

    def descriptions(self) -> list[str]:
        """``field: message`` for each error, fields named as the client sent them."""
        found = []
        for name, messages in self.errors.items():
            label = self.LABELS.get(name, name)
            found += [message if label in message else f"{label}: {message}" for message in messages]
        return found


def form_data(post) -> dict:
    data = {name: post.get(name, "") for name in RequestForm.base_fields if not name.startswith("attribute_")}
    data["attribute_region"] = post.get("attribute[region]", "")
    data["attribute_people"] = post.get("attribute[people]", "")
    return data


def _place(key: ApiKey, data: dict) -> Region:
    """The claim's place: ``attribute[region]`` (or GeoReport's ``address_id``, the same code),
    else a place named in ``address_string``, else — with ``lat``/``long`` only — the key's own
    region when it is a town or below. The directory has no coordinates, so ``lat``/``long``
    cannot name a place inside a larger area."""
    code, alias = data["attribute_region"].strip(), data["address_id"].strip()
    if code and alias and code != alias:
        raise Refusal(400, [_("attribute[region] 与 address_id 是同一项（区划编码），两者不一致：请只提供一个。")])
    code = code or alias
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise Refusal(400, [_("attribute[region]: 区划编码 %(code)s 不存在。") % {"code": code}])
        if region.level not in CLAIM_LEVELS:
            raise Refusal(400, [_("attribute[region]: 请提供乡镇（街道）或更具体的村（社区）、网格的编码。")])
    elif data["address_string"]:
        region, names = region_from_address(key, data["address_string"])
        if region is None:
            hint = _("（可能是：%(names)s）") % {"names": "、".join(names[:5])} if names else ""
            raise Refusal(
                400,
                [
                    _(
                        "address_string: 无法从地址中确定唯一的乡镇（街道）或村（社区）%(hint)s，请提供 attribute[region]。"
                    )
                    % {"hint": hint}
                ],
            )
    elif data.get("lat") is not None and key.region is not None and key.region.level in CLAIM_LEVELS:
        region = key.region  # the key serves one town, village or grid: the coordinates lie in it
    elif data.get("lat") is not None:
        raise Refusal(
            400,
            [
                _(
                    "仅有 lat/long 无法确定地点：本平台的区划没有坐标。请提供 attribute[region] 或 address_id（区划编码），或在 address_string 中写明乡镇（街道）、村（社区）名称。"
                )
            ],
        )
    else:
        raise Refusal(
            400,
            [
                _(
                    "缺少地点：请提供 attribute[region] 或 address_id（区划编码），或在 address_string 中写明乡镇（街道）、村（社区）名称。"
                )
            ],
        )
    if not region_allows(key, region):
        raise Refusal(
            403,
            [
                _("attribute[region]: 该接口密钥无权提交此地区的诉求（授权区域：%(area)s）。")
                % {"area": key.region.name}
            ],
        )
    return region


def _coordinate(value) -> Decimal | None:
    try:
        return None if value is None else value.quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None


def request_submit(*, key: ApiKey, post, idempotency_key: str = "") -> tuple[Claim, bool]:
    """Check the form and register the claim. Returns ``(claim, created)``; a repeated
    ``Idempotency-Key`` from the same key with the same request returns the first claim; with
    another request (service, place, description, address or people differ) it is a 409.
    Raises ``Refusal``."""
    data = form_data(post)
    form = RequestForm(data)
    if not form.is_valid():
        raise Refusal(400, form.descriptions())
    cleaned = form.cleaned_data
    with directory_pinned():
        matter = service(cleaned["service_code"].strip())
        if matter is None:
            raise Refusal(
                404, [_("service_code: 事项类型 %(code)s 不存在或已停用。") % {"code": cleaned["service_code"]}]
            )
        region = _place(key, cleaned)
        description = cleaned["description"]
        if cleaned["media_url"]:
            description += "\n" + _("附件链接：%(url)s") % {"url": cleaned["media_url"]}
        name = f"{cleaned['last_name']}{cleaned['first_name']}".strip() or _("网络用户")
        submission_key = None
        if idempotency_key:
            digest = hashlib.sha256(idempotency_key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
            submission_key = f"api-{key.pk}-{digest}"
        address, people = cleaned["address_string"] or "", cleaned["attribute_people"] or 1
        try:
            claim, created = claim_submit(
                channel=Channel.API,
                matter=matter,
                region=region,
                description=description,
                contact_name=name,
                contact_phone=cleaned["phone"] or "",
                address=address,
                people_count=people,
                latitude=_coordinate(cleaned["lat"]),
                longitude=_coordinate(cleaned["long"]),
                submission_key=submission_key,
            )
        except (CaseError, ValidationError) as exc:
            raise Refusal(400, [getattr(exc, "message", None) or str(exc)]) from exc
        if created:
            claim_duplicates_record_on_commit(claim)  # 疑似重复 for the dispatcher (issue #13)
        case = claim.case
        first = (case.matter_id, case.region_id, case.description, case.address, case.people_count)
        if not created and first != (matter.pk, region.pk, description, address, people):
            # the partner API's rule (docs/api.md): a key reused for another request is a conflict
            raise Refusal(
                409, [_("该 Idempotency-Key 已用于另一个内容不同的请求；新请求请换一个新的 Idempotency-Key。")]
            )
        return claim, created
