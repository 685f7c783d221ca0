from django.urls import URLPattern, URLResolver, path

from hotline.visits import views

app_name = "visits"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/attempt/", views.attempt, name="attempt"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/dial/", views.dial, name="dial"),
    path("s/<str:token>/", views.survey, name="survey"),
]
