from django.urls import path

from . import duplicate_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("duplicates/<int:pk>/", duplicate_views.pair_detail, name="duplicate-detail"),
    path("duplicates/<int:pk>/merge/", duplicate_views.pair_merge, name="duplicate-merge"),
    path("duplicates/<int:pk>/not-duplicate/", duplicate_views.pair_dismiss, name="duplicate-dismiss"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="case-act"),
    path("<str:number>/parties/", views.case_parties, name="case-parties"),
]
