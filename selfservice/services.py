"""Writes of 一码解纷: service points are kept in the admin; this is for the demo and imports."""

from __future__ import annotations

from django.db import transaction

from routing.models import Region

from .models import ServicePoint


@transaction.atomic
def service_point_ensure(*, region_code: str, name: str, address: str, hours: str, phone: str = "") -> ServicePoint:
    """Create or update the service point of the region ``region_code``. Idempotent."""
    point, _created = ServicePoint.objects.update_or_create(
        region=Region.objects.get(code=region_code),
        defaults={"name": name, "address": address, "hours": hours, "phone": phone},
    )
    return point
