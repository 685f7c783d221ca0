from django.urls import URLPattern, URLResolver, path

from hotline.quality import views

app_name = "quality"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.desk, name="desk"),
    path("sample/", views.sample, name="sample"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.inspect, name="inspect"),
    path("<int:pk>/calibrate/", views.calibration_new, name="calibration_new"),
    path("disputes/<int:pk>/arbitrate/", views.arbitrate, name="arbitrate"),
    path("calibration/<int:pk>/", views.calibration, name="calibration"),
]
