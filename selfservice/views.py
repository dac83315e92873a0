"""一码解纷: the phone page a place's QR code opens, and the posters staff print (docs/selfservice.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.views import service_call

from . import selectors, services
from .models import PosterBatch
from .permissions import can_print_any_poster, can_print_poster
from .posters import place_url, posters_pdf

PLACES_PER_PAGE = 50


def _doors(region) -> list[dict]:
    code = region.code
    return [
        {
            "label": _("我要反映"),
            "hint": _("反映问题、投诉求助，限时办理"),
            "url": f"{reverse('intake:claim-submit')}?region={code}",
            "testid": "door-claim",
        },
        {
            "label": _("我要咨询"),
            "hint": _("法律、政策问题，先问一问"),
            "url": f"{reverse('consult:index')}?region={code}",
            "testid": "door-consult",
        },
        {
            "label": _("申请调解"),
            "hint": _("邻里、家庭、合同纠纷，请调解员帮忙"),
            "url": f"{reverse('mediation:request-new')}?region={code}",
            "testid": "door-mediation",
        },
        {
            "label": _("查询进度"),
            "hint": _("凭查询码和手机号后四位查看办理情况"),
            "url": reverse("intake:track"),
            "testid": "door-track",
        },
    ]


@require_GET
def place_landing(request, code: str):
    """``/q/<region code>/``: public, a phone page with the place preset and four doors."""
    region = selectors.qr_place(code)
    if region is None:
        raise Http404
    chain = selectors.region_chains([region])[region.code]
    point = selectors.service_points_for([region]).get(region.code)
    context = {"region": region, "chain": chain, "point": point, "doors": _doors(region)}
    return render(request, "selfservice/landing.html", context)


def _refused(request):
    return render(
        request,
        "selfservice/refused.html",
        {"message": _("打印二维码海报仅限系统管理员和诉求服务中心、综治中心的工作人员，且只能打印本辖区的服务点。")},
        status=403,
    )


def _pdf(places, filename: str) -> HttpResponse:
    regions = list(places)
    chains = selectors.region_chains(regions)
    points = selectors.service_points_for(regions)
    content = posters_pdf([(r, chains[r.code], points.get(r.code)) for r in regions])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def poster(request, code: str):
    """One place's poster (A4 PDF). A place outside the user's area is a 404, like an unknown one."""
    region = selectors.qr_place(code)
    if not can_print_any_poster(request.user):
        return _refused(request)
    if region is None or not can_print_poster(request.user, region):
        raise Http404
    return _pdf([region], f"poster-{region.code}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def posters(request, code: str):
    """整区打印: the place and every place below it, one page each, in one PDF built by q2. GET says
    how many pages (or that the area is too large, and what to print instead) and lists this
    person's earlier batches for the place; POST queues a batch and goes to its page."""
    region = selectors.qr_place(code)
    if not can_print_any_poster(request.user):
        return _refused(request)
    if region is None or not can_print_poster(request.user, region):
        raise Http404
    total = selectors.places_below(region).count()
    too_many = total > selectors.MAX_POSTERS
    if request.method == "POST":
        with service_call(None, request=request) as call:
            batch = services.poster_batch_request(user=request.user, region=region)
        if call.response:
            return call.response
        if call.ok:
            return redirect("selfservice:poster-batch", pk=batch.pk)
    context = {
        "region": region,
        "total": total,
        "max": selectors.MAX_POSTERS,
        "too_many": too_many,
        "below": list(selectors.places_one_level_down(region)[:PLACES_PER_PAGE]) if too_many else [],
        "batches": [services.poster_batch_refresh(b) for b in selectors.own_poster_batches(request.user, region)[:5]],
    }
    return render(request, "selfservice/posters.html", context, status=400 if request.method == "POST" else 200)


def _own_batch(request, pk: int):
    if not can_print_any_poster(request.user):
        return None
    batch = PosterBatch.objects.select_related("region").filter(pk=pk, requested_by=request.user).first()
    if batch is None or not can_print_poster(request.user, batch.region):
        raise Http404
    return services.poster_batch_refresh(batch)


@login_required
@require_GET
def poster_batch(request, pk: int):
    """One 整区打印 batch: still being built (with the page count and a refresh link), ready (the
    download), or failed (ask again). Only the person who asked sees it; anyone else: 404."""
    batch = _own_batch(request, pk)
    if batch is None:
        return _refused(request)
    return render(request, "selfservice/poster_batch.html", {"batch": batch})


@login_required
@require_GET
def poster_batch_download(request, pk: int):
    batch = _own_batch(request, pk)
    if batch is None:
        return _refused(request)
    if batch.state != PosterBatch.State.DONE or not batch.file:
        raise Http404
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=f"posters-{batch.region.code}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def poster_list(request):
    """The places the user may print, with the link each QR code opens."""
    if not can_print_any_poster(request.user):
        return _refused(request)
    page = Paginator(selectors.poster_places(request.user), PLACES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"region": r, "url": place_url(r), "bulk": r.level != "village"} for r in page.object_list]
    return render(request, "selfservice/poster_list.html", {"page": page, "rows": rows})
