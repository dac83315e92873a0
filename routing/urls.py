from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("simulator/", views.rule_simulator, name="simulator"),
    path("directory/import/", views.directory_import_page, name="directory-import"),
    path("regions/children/", views.region_children, name="region-children"),
]
