from django.urls import path, register_converter

from . import views


class FormatConverter:
    """``json`` or ``xml``: the suffix that picks GeoReport's format."""

    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"

urlpatterns = [
    path("", views.not_found, name="root"),
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("services.<open311_format:fmt>", views.service_list, name="services"),
    path("services/<str:code>.<open311_format:fmt>", views.service_definition, name="service"),
    path("requests.<open311_format:fmt>", views.requests_view, name="requests"),
    path("requests/<str:number>.<open311_format:fmt>", views.request_view, name="request"),
    path("<path:path>", views.not_found, name="not-found"),
]
