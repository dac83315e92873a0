from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("", views.topic_list, name="topic-list"),
    path("<int:pk>/", views.topic_detail, name="topic-detail"),
    path("manage/", views.manage_list, name="manage-list"),
    path("manage/new/", views.manage_new, name="manage-new"),
    path("manage/<int:pk>/", views.manage_topic, name="manage-topic"),
    path("manage/s/<int:pk>/reply/", views.manage_reply, name="manage-reply"),
    path("manage/s/<int:pk>/hide/", views.manage_hide, name="manage-hide"),
    path("manage/s/<int:pk>/unhide/", views.manage_unhide, name="manage-unhide"),
]
