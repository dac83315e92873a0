"""The schema rendered by the vendored Swagger UI (static/vendor/swagger-ui, no CDN)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def api_docs(request):
    return render(request, "partner_api/docs.html")
