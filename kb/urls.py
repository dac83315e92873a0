from django.urls import path

from . import views

app_name = "kb"

urlpatterns = [
    path("", views.kb_search, name="search"),
    path("<int:pk>/", views.article_detail, name="article"),
    path("panel/", views.staff_panel, name="panel"),
    path("tips/", views.citizen_tips, name="tips"),
]
