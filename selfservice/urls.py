from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    path("posters/", views.poster_list, name="poster-list"),
    path("<str:code>/", views.place_landing, name="place"),
    path("<str:code>/poster.pdf", views.poster, name="poster"),
    path("<str:code>/posters.pdf", views.posters, name="posters"),
]
