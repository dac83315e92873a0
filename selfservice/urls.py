from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    path("posters/", views.poster_list, name="poster-list"),
    path("posters/batch/<int:pk>/", views.poster_batch, name="poster-batch"),
    path("posters/batch/<int:pk>/download/", views.poster_batch_download, name="poster-batch-download"),
    path("<str:code>/", views.place_landing, name="place"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
    path("<str:code>/posters/", views.posters, name="posters"),
]
