from django.urls import path

from hotline.assist import views

app_name = "assist"
urlpatterns = [
    path("", views.assist_stats, name="stats"),
    path("hotspots/", views.assist_hotspots, name="hotspots"),
    path("hotspots/panel/", views.assist_hotspots_panel, name="hotspots_panel"),
    # Desk panels (受理台, 派单审核台)
    path("suggest/", views.assist_suggest, name="suggest"),
    path("dispatch/<str:number>/", views.assist_dispatch, name="dispatch"),
    path("duplicates/<str:number>/", views.assist_duplicates, name="duplicates"),
]
