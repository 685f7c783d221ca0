from django.urls import URLPattern, URLResolver, path

from hotline.metrics import views

app_name = "metrics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
