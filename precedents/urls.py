from django.urls import path

from . import views

app_name = "precedents"

# mounted at /cases/similar/ (config/urls.py, before cases/: "similar" is not a case number)
urlpatterns = [
    path("", views.similar_search, name="search"),
    path("panel/", views.similar_panel, name="panel"),
]
