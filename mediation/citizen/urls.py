"""申请调解 and its invitation link; included by ``mediation.urls`` (names stay ``mediation:…``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("request/", views.request_new, name="request-new"),
    path("request/mine/", views.request_mine, name="request-mine"),
    path("request/<int:pk>/", views.request_detail, name="request-detail"),
    path("request/<int:pk>/cancel/", views.request_cancel, name="request-cancel"),
    path("requests/", views.centre_request_list, name="centre-request-list"),
    path("requests/<int:pk>/", views.centre_request_confirm, name="centre-request-confirm"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
]
