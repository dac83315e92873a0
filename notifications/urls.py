from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.inbox_read_all, name="inbox-read-all"),
    path("<int:pk>/open/", views.message_open, name="message-open"),
    path("<int:pk>/read/", views.message_read, name="message-read"),
]
