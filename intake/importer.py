"""The historical import (``manage.py import_cases FILE.jsonl``, issue #12; format: docs/import.md).

Every line is checked first (JSON, keys, codes, channel, phone, dates, status) and planned in
memory by ``cases.imports.case_import_plan`` (the routing its status needs); only then, and only
if no line is bad (or ``skip_bad``), are the cases and their claims written in one transaction,
in bulk, with ``notifications_silenced``: no SMS, no in-app message, no outbox row.

Idempotent by ``(source, external_id)``: a line whose case was imported before answers with that
case's number and writes nothing, so a re-run prints the same mapping.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import phone_validator
from cases.forms import TextField
from cases.imports import (
    IMPORTABLE_STATUSES,
    ImportContext,
    ImportedCase,
    ImportPlan,
    case_import_plan,
    cases_import_write,
)
from cases.models import Case, PartyRole, Status
from cases.services import CaseError, CaseOrigin, PartyData
from core.bulk import rows_insert
from core.request_log import mask_personal_numbers
from notifications.services import notifications_silenced
from routing.dispatch import directory_pinned, directory_row
from routing.models import Channel, MatterType, Region

from .models import Claim
from .services import _title, _tracking_code

logger = logging.getLogger("yikouban.import")

REQUIRED = (
    "external_id", "channel", "matter", "region", "description",
    "contact_name", "contact_phone", "people", "created_at",
)  # fmt: skip
OPTIONAL = ("status", "result", "closed_at")
_WITH_RESULT = (Status.REVIEWING, Status.FEEDBACK, Status.CLOSED)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
DESCRIPTION_MAX = 5000
DEFAULT_SOURCE = "legacy"


@dataclass
class Line:
    number: int
    external_id: str = ""
    error: str = ""
    case_number: str = ""
    plan: ImportPlan | None = None
    phone: str = ""

    def output(self) -> dict:
        if self.error:
            return {"line": self.number, "error": self.error}
        return {"line": self.number, "external_id": self.external_id, "case": self.case_number}


def cases_import(*, lines: Iterable[str], source: str = DEFAULT_SOURCE, skip_bad: bool = False, now=None):
    """Import the JSON lines; returns ``(results, imported)``: one output dict per non-blank line,
    in order, and whether anything was written (False when a bad line stopped the whole file)."""
    now = now or timezone.now()
    with directory_pinned() as index:
        checked = _check_all(lines, source=source, now=now, index=index)
    bad = [line for line in checked if line.error]
    for line in bad:
        logger.warning("import_cases %s line %s: %s", source, line.number, mask_personal_numbers(line.error))
    if bad and not skip_bad:
        numbers = "、".join(str(line.number) for line in bad[:20]) + ("…" if len(bad) > 20 else "")
        refused = _("未导入：文件第 %(n)s 行有错误，整个文件均未导入（改正后重新导入，或用 --skip-bad 跳过错误行）。")
        for line in checked:
            line.error = line.error or refused % {"n": numbers}
        return [line.output() for line in checked], False
    new = [line for line in checked if line.plan is not None]
    if new:
        with transaction.atomic(), notifications_silenced():
            cases_import_write(plans=[line.plan for line in new])
            _write_claims(new)
    for line in new:
        line.case_number = line.plan.case.number
    logger.info(
        "import_cases %s: %s imported, %s already there, %s bad lines skipped",
        source,
        len(new),
        sum(1 for line in checked if not line.error and line.plan is None),
        len(bad),
    )
    return [line.output() for line in checked], True


def _check_all(lines: Iterable[str], *, source: str, now: datetime, index) -> list[Line]:
    checked: list[Line] = []
    good: list[tuple[Line, ImportedCase]] = []  # planned below, once the existing cases are known
    first_line: dict[str, int] = {}
    rows: dict = {}  # matter types and regions by code: one shared instance each
    for number, text in enumerate(lines, start=1):
        if number == 1:
            text = text.removeprefix("\ufeff")  # a UTF-8 BOM (Excel, Notepad) is no part of line 1
        if not text.strip():
            continue  # a blank line is no record (as ``manage.py route``)
        line, item = _check_line(number, text, now=now, rows=rows)
        checked.append(line)
        if line.error:
            continue
        if line.external_id in first_line:
            line.error = _("external_id “%(id)s”与第 %(n)s 行重复。") % {
                "id": _safe(line.external_id, 64),
                "n": first_line[line.external_id],
            }
            continue
        first_line[line.external_id] = number
        good.append((line, item))
    existing = _existing_numbers(source, [line.external_id for line, _item in good])
    citizens = _citizens([line.phone for line, _item in good if line.phone])
    context = ImportContext(index=index, now=now)
    for line, item in good:
        if line.external_id in existing:
            line.case_number = existing[line.external_id]
            continue
        item.origin.import_source = source
        item.parties[0].user_id = citizens.get(line.phone)
        try:
            line.plan = case_import_plan(item=item, context=context)
        except CaseError as exc:
            line.error = exc.message
    return checked


def _existing_numbers(source: str, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = Case.objects.filter(import_source=source, external_id__in=ids[start : start + 500]).exclude(
            external_id=""
        )
        found.update(rows.values_list("external_id", "number"))
    return found


def _citizens(phones: list[str]) -> dict[str, int]:
    """The citizen account of each phone (a case with their number joins their account, as a
    window or hotline registration does)."""
    users: dict[str, int] = {}
    unique = sorted(set(phones))
    for start in range(0, len(unique), 500):
        rows = get_user_model().objects.filter(phone__in=unique[start : start + 500], is_citizen=True)
        users.update(rows.values_list("phone", "pk"))
    return users


def _check_line(number: int, text: str, *, now: datetime, rows: dict) -> tuple[Line, ImportedCase | None]:
    line = Line(number=number)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        line.error = _("不是有效的 JSON（第 %(c)s 列：%(m)s）。") % {"c": exc.colno, "m": exc.msg}
        return line, None
    if not isinstance(data, dict):
        line.error = _("每行应为一个 JSON 对象。")
        return line, None
    errors = _key_errors(data)
    if not errors:
        item = _fields(data, errors, line, now=now, rows=rows)
        if not errors:
            return line, item
    line.error = "；".join(errors)
    return line, None


def _key_errors(data: dict) -> list[str]:
    errors = []
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        errors.append(_("缺少字段：%(k)s。") % {"k": "、".join(missing)})
    unknown = [key for key in data if key not in REQUIRED and key not in OPTIONAL]
    if unknown:
        names = "、".join(_safe(key, 40) for key in unknown[:5])
        errors.append(_("未知字段：%(k)s（只允许 docs/import.md 所列字段）。") % {"k": names})
    return errors


def _safe(value, limit: int) -> str:
    """Untrusted text for an error line: no control characters, bounded, no phone or ID number."""
    text = re.sub(r"[\x00-\x1f\x7f]", "", str(value))[:limit]
    return mask_personal_numbers(text)


@functools.cache
def _text_field(max_length: int, required: bool) -> TextField:
    """The staff forms' text cleaning (control and zero-width characters dropped, bounded)."""
    return TextField(max_length=max_length, required=required)


def _text(data: dict, key: str, errors: list, *, max_length: int, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        errors.append(_("%(k)s 应为文字。") % {"k": key})
        return ""
    try:
        return _text_field(max_length, required).clean(value) or ""
    except ValidationError:
        reason = _("不能为空") if len(value) <= max_length else _("不超过 %(n)s 个字") % {"n": max_length}
        errors.append(_("%(k)s %(r)s。") % {"k": key, "r": reason})
        return ""


def _when(data: dict, key: str, errors: list, *, now: datetime) -> datetime | None:
    value = data.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or not 2000 <= moment.year <= now.year:
        errors.append(_("%(k)s 不是有效的 ISO 8601 时间（如 2025-03-01T09:30:00+08:00）。") % {"k": key})
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    if moment > now:
        errors.append(_("%(k)s 晚于现在。") % {"k": key})
        return None
    return moment


def _phone(data: dict, errors: list) -> str:
    value = data.get("contact_phone")
    phone = value.strip() if isinstance(value, str) else None
    if phone is None:
        errors.append(_("contact_phone 应为文字（无电话时为空字符串）。"))
        return ""
    if phone and not _LANDLINE.match(phone):
        try:
            phone_validator(phone)
        except ValidationError:
            errors.append(_("contact_phone 不是有效的电话号码（11 位手机号或 0757-88886666 式固定电话）。"))
    return phone


def _row(model, code, rows: dict):
    """The directory row with this code (None for an unknown code or a value that is no text)."""
    if not isinstance(code, str):
        return None
    key = (model, code)
    if key not in rows:
        rows[key] = directory_row(model, code)
    return rows[key]


TOO_HIGH_LEVELS = ("province", "city", "district")  # as the live channels: a town or below


def _leaf(matter: MatterType, rows: dict) -> bool:
    """An active matter type without active children (Open311's services, the partner API)."""
    key = ("leaf", matter.pk)
    if key not in rows:
        rows[key] = not MatterType.objects.filter(parent_id=matter.pk, active=True).exists()
    return rows[key]


def _fields(data: dict, errors: list, line: Line, *, now: datetime, rows: dict) -> ImportedCase | None:
    line.external_id = external_id = _text(data, "external_id", errors, max_length=64)
    channel = data.get("channel")
    if channel not in Channel.values:
        errors.append(_("channel 应为 %(c)s 之一。") % {"c": "、".join(Channel.values)})
    matter = _row(MatterType, data["matter"], rows)
    if matter is None:
        errors.append(_("matter 不是已有的事项类型编码。"))
    elif not matter.active:
        errors.append(_("matter 事项类型 %(c)s 已停用，请改用在用的事项类型。") % {"c": matter.code})
    elif not _leaf(matter, rows):
        errors.append(_("matter %(c)s 是事项分组，请填写其下具体的事项类型编码。") % {"c": matter.code})
    region = _row(Region, data["region"], rows)
    if region is None:
        errors.append(_("region 不是已有的区划编码。"))
    elif region.level in TOO_HIGH_LEVELS:
        errors.append(_("region 应为乡镇（街道）或更具体的村（社区）、网格的编码，不能是区县及以上。"))
    description = _text(data, "description", errors, max_length=DESCRIPTION_MAX)
    contact_name = _text(data, "contact_name", errors, max_length=50)
    line.phone = phone = _phone(data, errors)
    people = data.get("people")
    if not isinstance(people, int) or isinstance(people, bool) or not 1 <= people <= 100000:
        errors.append(_("people 应为 1 到 100000 之间的整数。"))
    created_at = _when(data, "created_at", errors, now=now)
    status, result, closed_at = _outcome(data, errors, created_at, now=now)
    if errors:
        return None
    return ImportedCase(
        channel=channel,
        matter=matter,
        region=region,
        title=_title(matter, description),
        description=description,
        people_count=people,
        created_at=created_at,
        parties=[PartyData(name=contact_name, phone=phone, role=PartyRole.APPLICANT, notify=bool(phone))],
        origin=CaseOrigin(external_id=external_id),
        status=status,
        result=result,
        closed_at=closed_at,
    )


def _outcome(data: dict, errors: list, created_at, *, now: datetime):
    """``status`` (default submitted), ``result`` and ``closed_at``, checked together."""
    status = data.get("status", Status.SUBMITTED)
    if status not in IMPORTABLE_STATUSES:
        errors.append(_("status 应为 closed 或在办状态 %(s)s 之一。") % {"s": "、".join(IMPORTABLE_STATUSES[:-1])})
        status = None
    result = _text(data, "result", errors, max_length=DESCRIPTION_MAX, required=False)
    if result and status is not None and status not in _WITH_RESULT:
        errors.append(
            _("状态为 %(s)s 的案件还没有办理结果，result 只用于 reviewing、feedback、closed。") % {"s": status}
        )
    closed_at = None
    if status == Status.CLOSED:
        if data.get("closed_at") is None:
            errors.append(_("status 为 closed 时必须有 closed_at。"))
        else:
            closed_at = _when(data, "closed_at", errors, now=now)
            if closed_at and created_at and closed_at < created_at:
                errors.append(_("closed_at 早于 created_at。"))
    elif data.get("closed_at") is not None and status is not None:
        errors.append(_("未办结的案件（status 为 %(s)s）不应有 closed_at。") % {"s": status})
    return status, result, closed_at


def _write_claims(lines: list[Line]) -> None:
    """One claim per imported case: the submission as the old system recorded it."""
    claims = []
    for line in lines:
        case, party = line.plan.case, line.plan.parties[0]
        claims.append(
            Claim(
                tracking_code=_tracking_code(),
                channel=case.channel,
                case=case,
                submitter_id=party.user_id,
                contact_name=party.name,
                contact_phone=party.phone,
                description=case.description,
                matter=case.matter,
                region=case.region,
                people_count=case.people_count,
                created_at=case.created_at,
            )
        )
    rows_insert(Claim, claims)
