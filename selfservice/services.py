"""Writes of 一码解纷: service points are kept in the admin; this is for the demo and imports."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.errors import ServiceError
from routing.models import Region

from . import selectors
from .models import PosterBatch, ServicePoint
from .permissions import can_print_poster
from .posters import posters_pdf

logger = logging.getLogger(__name__)

#: A batch still queued or running after this long is taken as lost (a worker killed mid-build)
#: and shown as failed, so the person can ask again.
POSTER_BATCH_STALE = timedelta(seconds=getattr(settings, "POSTER_BATCH_STALE_SECONDS", 600))


@transaction.atomic
def service_point_ensure(*, region_code: str, name: str, address: str, hours: str, phone: str = "") -> ServicePoint:
    """Create or update the service point of the region ``region_code``. Idempotent."""
    point, _created = ServicePoint.objects.update_or_create(
        region=Region.objects.get(code=region_code),
        defaults={"name": name, "address": address, "hours": hours, "phone": phone},
    )
    return point


class PosterError(ServiceError):
    """整区打印 refused; ``message`` says why, in Chinese."""


def poster_batch_request(*, user, region: Region) -> PosterBatch:
    """Queue 整区打印 for ``region`` (built by q2 after commit). A batch the same person asked for
    the same place that is still being built is returned instead of a second one. Refuses more
    places than ``selectors.MAX_POSTERS`` with the count and what to do instead."""
    if not can_print_poster(user, region):
        raise PosterError(_("您不能打印该地点的海报。"))
    total = selectors.places_below(region).count()
    if total > selectors.MAX_POSTERS:
        raise PosterError(
            _("“%(place)s”及下辖共有 %(n)d 个地点，超过一次最多生成的 %(max)d 张海报；请分别打印下一级各地的海报。")
            % {"place": region.name, "n": total, "max": selectors.MAX_POSTERS}
        )
    with transaction.atomic():
        recent = timezone.now() - POSTER_BATCH_STALE
        running = (
            PosterBatch.objects.select_for_update()
            .filter(requested_by=user, region=region, state__in=[PosterBatch.State.QUEUED, PosterBatch.State.RUNNING])
            .filter(created_at__gte=recent)
            .first()
        )
        if running is not None:
            return running
        batch = PosterBatch.objects.create(region=region, requested_by=user, total=total)
        transaction.on_commit(lambda: async_task("selfservice.tasks.poster_batch_build", batch.pk))
    return batch


def poster_batch_refresh(batch: PosterBatch, now=None) -> PosterBatch:
    """A batch left queued or running past ``POSTER_BATCH_STALE`` becomes failed (once)."""
    now = now or timezone.now()
    if batch.active and batch.created_at < now - POSTER_BATCH_STALE:
        error = _("生成超时，请重新生成。")
        if PosterBatch.objects.filter(pk=batch.pk, state__in=[batch.State.QUEUED, batch.State.RUNNING]).update(
            state=PosterBatch.State.FAILED, error=error, finished_at=now
        ):
            batch.state, batch.error, batch.finished_at = PosterBatch.State.FAILED, error, now
    return batch


def poster_batch_build(batch_id: int) -> int:
    """q2: build the batch's PDF (one A4 page per place, in tree order) and store it. A conditional
    ``UPDATE`` claims the batch, so a second run of the same task does nothing. Returns the pages."""
    if not PosterBatch.objects.filter(pk=batch_id, state=PosterBatch.State.QUEUED).update(
        state=PosterBatch.State.RUNNING
    ):
        return 0
    batch = PosterBatch.objects.select_related("region").get(pk=batch_id)
    try:
        regions = list(selectors.places_below(batch.region)[: selectors.MAX_POSTERS])
        chains = selectors.region_chains(regions)
        points = selectors.service_points_for(regions)
        content = posters_pdf([(r, chains[r.code], points.get(r.code)) for r in regions])
        batch.file.save(f"posters-{batch.region.code}-{batch.pk}.pdf", ContentFile(content), save=False)
        batch.total, batch.state, batch.finished_at = len(regions), PosterBatch.State.DONE, timezone.now()
        batch.save(update_fields=["file", "total", "state", "finished_at"])
        return len(regions)
    except Exception as exc:
        logger.exception("poster batch %s failed", batch_id)
        PosterBatch.objects.filter(pk=batch_id).update(
            state=PosterBatch.State.FAILED, error=_("生成失败，请重新生成。"), finished_at=timezone.now()
        )
        raise exc
