from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from accounts.forms import AdminLoginForm
from config import health

admin.site.site_header = _("一口办 · 系统管理")
admin.site.site_title = _("一口办管理")
admin.site.index_title = _("目录与账号维护")
admin.site.login_form = AdminLoginForm  # says "locked, wait N minutes" in Chinese (accounts/lockout.py)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("routing/", include("routing.urls")),
    path("cases/similar/", include("precedents.urls")),  # 类案推荐 (issue #13), before the case numbers
    path("cases/", include("cases.urls")),
    path("supervision/", include("supervision.urls")),
    path("mediation/", include("mediation.urls")),
    path("", include("intake.urls")),
    path("messages/", include("notifications.urls")),
    path("", include("feedback.urls")),
    path("open311/v2/", include("interfaces.open311.urls")),
    path("", include("partner_api.urls")),
    path("consult/", include("consult.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("kb/", include("kb.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("q/", include("selfservice.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
