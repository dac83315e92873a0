from .views import agreements, core, dashboards, litigation

app_name = "mediation"

# core last: its ``m/<number>/`` patterns must not shadow the fixed paths of the others.
urlpatterns = [
    *agreements.urlpatterns,
    *litigation.urlpatterns,
    *dashboards.urlpatterns,
    *core.urlpatterns,
]
