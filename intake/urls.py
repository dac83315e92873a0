from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("claims/new/", views.submit_claim, name="claim-submit"),
    path("track/", views.track_claim, name="track"),
]
