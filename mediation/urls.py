"""The map of the mediation screens. The two sub-packages bring their own URL lists (without a
namespace of their own, so every name stays ``mediation:<name>``); the core's come last, because
its ``m/<number>/`` patterns must not shadow the fixed paths of the others."""

from django.urls import include, path

from .views import core, dashboards

app_name = "mediation"

urlpatterns = [
    # 调解协议书, confirmations, group batches, judicial confirmation, the public 核验 page
    path("", include("mediation.agreements.urls")),
    # 一键诉讼: the package for the court and its reply
    path("", include("mediation.litigation.urls")),
    # 申请调解: the citizen's request, the centre's confirmation, the other party's link
    path("", include("mediation.citizen.urls")),
    # 调解统计 and the mediator directory
    path("kpi/", dashboards.mediation_kpi, name="mediation-kpi"),
    path("kpi/export/", dashboards.mediation_kpi_export, name="mediation-kpi-export"),
    path("stats/", dashboards.mediator_stats, name="mediator-stats"),
    path("stats/<int:pk>/", dashboards.mediator_stats, name="mediator-stats"),
    path("mediators/", dashboards.mediator_directory, name="mediator-directory"),
    # the workbench: list, referral, the mediation page, assignment, actions, sessions
    path("", core.mediation_list, name="mediation-list"),
    path("referrals/new/", core.referral_new, name="referral-new"),
    path("refer/<str:case_number>/", core.case_refer, name="case-refer"),
    path("m/<str:number>/", core.mediation_detail, name="mediation-detail"),
    path("m/<str:number>/assign/", core.mediation_assign, name="mediation-assign"),
    path("m/<str:number>/act/<str:action>/", core.mediation_act, name="mediation-act"),
    path("m/<str:number>/sessions/new/", core.session_new, name="session-new"),
    path("m/<str:number>/sessions/<int:pk>/record/", core.session_record, name="session-record"),
    path("m/<str:number>/sessions/<int:pk>/cancel/", core.session_cancel, name="session-cancel"),
]
