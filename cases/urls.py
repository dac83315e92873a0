from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="case-act"),
    path("<str:number>/parties/", views.case_parties, name="case-parties"),
]
