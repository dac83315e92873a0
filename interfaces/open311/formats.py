"""GeoReport v2's two formats from one structure.

An answer is a list of dicts (or one dict, for discovery and a service definition). JSON is that
structure as it is (the spec's "Spark convention"); XML is a root element holding one element
per item, each key an element, each list a container whose children are named by ``ITEM_TAGS``
(``attributes`` → ``attribute``…). Text goes through ElementTree, which escapes it, after the
characters XML 1.0 cannot carry are dropped: nothing partner- or citizen-typed reaches the output
unescaped.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

#: The element each item of a list is wrapped in, by the list's own name (and the roots').
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c(value: datetime | None) -> str | None:
    """``2026-12-07T16:40:00+08:00``: W3C date-time with the offset, as the spec requires."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_TAGS[tag], item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    element = ET.Element(root)
    if isinstance(data, dict):
        for key, value in data.items():
            _append(element, key, value)
    else:
        for item in data:
            _append(element, ITEM_TAGS[root], item)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def answer(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """``data`` in ``fmt`` (``json`` or ``xml``), ``root`` naming the XML root element."""
    body = json.dumps(data, ensure_ascii=False, default=_json_default) if fmt == "json" else to_xml(root, data)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str] | str, *, code: int | None = None) -> HttpResponse:
    """The spec's error answer: ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``,
    one entry per description, the HTTP status ``status``."""
    if isinstance(descriptions, str):
        descriptions = [descriptions]
    data = [{"code": code or status, "description": text} for text in descriptions]
    return answer(fmt if fmt in FORMATS else "xml", "errors", data, status=status)
