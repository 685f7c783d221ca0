from django.urls import path

from hotline.core import pages

app_name = "core"
urlpatterns = [path("", pages.home, name="home")]
