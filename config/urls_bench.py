"""The site's URLs plus one bench-only view (config/settings/bench.py; never in production)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns


@login_required
@require_POST
def bare(request):
    """The same request as the window form's (session, CSRF, multipart body parsed), no work:
    what the server and Django cost before our code runs."""
    return HttpResponse(str(len(request.POST)), content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
