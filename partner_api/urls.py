from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "partner_api"

urlpatterns = [
    path("api/v1/claims", views.ClaimCreateView.as_view(), name="claims"),
    path("api/v1/cases/<path:number>", views.CaseStatusView.as_view(), name="case-status"),
    path("api/v1/events", views.EventFeedView.as_view(), name="events"),
    path("api/v1/replies/litigation", views.LitigationReplyView.as_view(), name="reply-litigation"),
    path("api/v1/replies/referral", views.ReferralReplyView.as_view(), name="reply-referral"),
    path("api/v1/<path:rest>", views.not_found, name="not-found"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs.api_docs, name="docs"),
]
