from django.urls import URLPattern, URLResolver, path

from hotline.metrics import department_views, views
from hotline.metrics.reports import views as report_views

app_name = "metrics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("departments/", department_views.department_ranking, name="departments"),
    path("departments/<str:code>/", department_views.department_detail, name="department"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<str:month>/", report_views.report_detail, name="report"),
    path("reports/<str:month>/action/", report_views.report_action, name="report_action"),
    path("reports/<str:month>/download.<str:kind>", report_views.report_download, name="report_download"),
]
