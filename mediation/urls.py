
from .views import agreements, core, dashboards, litigation

app_name = "mediation"

urlpatterns = [
    *core.urlpatterns,
    *agreements.urlpatterns,
    *litigation.urlpatterns,
    *dashboards.urlpatterns,
]
