from django.urls import path

from . import duplicate_views, handover_views, joint_views, unreason_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("inbox/", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("duplicates/<int:pk>/", duplicate_views.pair_detail, name="duplicate-detail"),
    path("duplicates/<int:pk>/merge/", duplicate_views.pair_merge, name="duplicate-merge"),
    path("duplicates/<int:pk>/not-duplicate/", duplicate_views.pair_dismiss, name="duplicate-dismiss"),
    path("joint/<int:pk>/answer/", joint_views.task_answer, name="joint-answer"),
    path("joint/<int:pk>/withdraw/", joint_views.task_withdraw, name="joint-withdraw"),
    path("handover/<int:pk>/approve/", handover_views.request_approve, name="handover-approve"),
    path("handover/<int:pk>/refuse/", handover_views.request_refuse, name="handover-refuse"),
    path("handover/<int:pk>/withdraw/", handover_views.request_withdraw, name="handover-withdraw"),
    path("joint/files/<int:pk>/", joint_views.task_file, name="joint-file"),
    path("unreason/", unreason_views.pending_list, name="unreason-list"),
    path("unreason/<int:pk>/decide/", unreason_views.decide, name="unreason-decide"),
    path("unreason/<int:pk>/revoke/", unreason_views.revoke, name="unreason-revoke"),
    path("<str:number>/unreason/new/", unreason_views.propose, name="unreason-propose"),
    path("<str:number>/joint/new/", joint_views.task_create, name="joint-create"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="case-act"),
    path("<str:number>/parties/", views.case_parties, name="case-parties"),
]
