from django.urls import path

from . import views
from .models import SupplementKind

app_name = "feedback"

urlpatterns = [
    # the SMS rating link: short, no login
    path("r/<str:token>/", views.rating_link, name="rating-link"),
    # the citizen's voice, logged in (by the claim's code) or after a tracking lookup
    path(
        "feedback/claims/<str:code>/material/",
        views.supplement,
        {"kind": SupplementKind.MATERIAL},
        name="claim-material",
    ),
    path(
        "feedback/claims/<str:code>/message/", views.supplement, {"kind": SupplementKind.MESSAGE}, name="claim-message"
    ),
    path("feedback/claims/<str:code>/press/", views.press, name="claim-press"),
    path("feedback/track/material/", views.supplement, {"kind": SupplementKind.MATERIAL}, name="track-material"),
    path("feedback/track/message/", views.supplement, {"kind": SupplementKind.MESSAGE}, name="track-message"),
    path("feedback/track/press/", views.press, name="track-press"),
    # 回访工作台 (clerks)
    path("feedback/callbacks/", views.workbench, name="workbench"),
    path("feedback/callbacks/<str:number>/", views.callback, name="callback"),
    path("feedback/callbacks/<str:number>/close/", views.close_unreached, name="close-unreached"),
]
