"""URLs of the 一键诉讼 screens. No namespace of their own: ``mediation/urls.py`` includes them
under ``mediation:``."""

from django.urls import path

from .views import (
    litigation_download,
    litigation_preview,
    litigation_reply,
    litigation_submit,
)

urlpatterns = [
    path("m/<str:number>/litigation/submit/", litigation_submit, name="litigation-submit"),
    path("m/<str:number>/litigation/preview/", litigation_preview, name="litigation-preview"),
    path("litigation/<int:pk>/download/", litigation_download, name="litigation-download"),
    path("litigation/<int:pk>/reply/", litigation_reply, name="litigation-reply"),
]
