"""The site's URLs plus one bench-only view (config/settings/bench.py; never in production)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns


@login_required
@require_POST
def bare(request):
    """The same request as the window form's (session, CSRF, multipart body parsed), no work:
    what the server and Django cost before our code runs."""
    return HttpResponse(str(len(request.POST)), content_type="text/plain")


@csrf_exempt
@require_POST
def bare_json(request):
    """The partner API's request (an Authorization header, a JSON body parsed), no work: what the
    server and Django cost before the API's code runs (``make bench-api``)."""
    if not request.headers.get("Authorization"):
        return JsonResponse({}, status=401)
    return JsonResponse({"fields": len(json.loads(request.body))}, status=201)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/bare-json/", bare_json, name="bench-bare-json"),
    *site_urlpatterns,
]
