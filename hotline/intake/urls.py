from django.urls import path

from hotline.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.ticket_page, name="ticket"),
    path("track/<str:number>/rate/", views.rate, name="rate"),
    path("track/<str:number>/forget/", views.forget, name="forget"),
]
