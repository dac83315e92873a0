from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("login/sms/", views.sms_login, name="sms-login"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("elderly-mode/", views.elderly_mode, name="elderly-mode"),
]
