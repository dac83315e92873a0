from django.urls import path

from . import views

app_name = "consult"

urlpatterns = [
    path("", views.consult_index, name="index"),
    path("verify/", views.letter_verify, name="verify"),
    path("mine/", views.my_letters, name="mine"),
    path("letter/<str:code>/", views.letter_detail, name="letter"),
    path("letter/<str:code>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("ask/<str:matter>/", views.questionnaire_step, name="questionnaire"),
    path("ask/<str:matter>/letter/", views.letter_create, name="letter-create"),
]
