"""URLs of the agreement screens (调解协议书, 群体纠纷批量, the public 核验 page). No namespace of
their own: ``mediation/urls.py`` includes them under ``mediation:``."""

from django.urls import path

from .views import (
    agreement_batch,
    agreement_batch_create,
    agreement_batch_progress,
    agreement_code_send,
    agreement_confirm,
    agreement_create,
    agreement_detail,
    agreement_document,
    agreement_edit,
    agreement_judicial_application,
    agreement_judicial_apply,
    agreement_judicial_decide,
    agreement_judicial_package,
    agreement_performance,
    agreement_preview,
    agreement_sign,
    agreement_verify,
    agreement_void,
)

urlpatterns = [
    path("verify/", agreement_verify, name="agreement-verify"),
    path("m/<str:number>/agreements/new/", agreement_create, name="agreement-create"),
    path("m/<str:number>/agreements/batch/", agreement_batch_create, name="agreement-batch-create"),
    path("agreements/<int:pk>/", agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/sign/", agreement_sign, name="agreement-sign"),
    path("agreements/<int:pk>/void/", agreement_void, name="agreement-void"),
    path("agreements/<int:pk>/preview.pdf", agreement_preview, name="agreement-preview"),
    path("agreements/<int:pk>/document.pdf", agreement_document, name="agreement-document"),
    path("agreements/<int:pk>/judicial/apply/", agreement_judicial_apply, name="agreement-judicial-apply"),
    path("agreements/<int:pk>/judicial/decide/", agreement_judicial_decide, name="agreement-judicial-decide"),
    path(
        "agreements/<int:pk>/judicial/application.pdf",
        agreement_judicial_application,
        name="agreement-judicial-application",
    ),
    path("agreements/<int:pk>/judicial/package.zip", agreement_judicial_package, name="agreement-judicial-package"),
    path("agreements/<int:pk>/performance/", agreement_performance, name="agreement-performance"),
    path("agreements/confirmations/<int:pk>/send/", agreement_code_send, name="agreement-code-send"),
    path("agreements/confirmations/<int:pk>/confirm/", agreement_confirm, name="agreement-confirm"),
    path("agreements/batches/<int:pk>/", agreement_batch, name="agreement-batch"),
    path("agreements/batches/<int:pk>/progress/", agreement_batch_progress, name="agreement-batch-progress"),
]
