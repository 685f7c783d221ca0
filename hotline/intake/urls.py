from django.urls import path

from hotline.intake import kb_views, views

app_name = "intake"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", views.ticket_page, name="ticket"),
    path("track/<str:number>/rate/", views.rate, name="rate"),
    path("track/<str:number>/forget/", views.forget, name="forget"),
    path("kb/", kb_views.kb_index, name="kb"),
    path("kb/<int:pk>/", kb_views.kb_article, name="kb_article"),
]
