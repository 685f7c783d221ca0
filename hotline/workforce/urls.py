from django.urls import URLPattern, URLResolver, path

from hotline.workforce import views

app_name = "workforce"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_page, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("rosters/", views.rosters_page, name="rosters"),
    path("rosters/<int:pk>/", views.roster_page, name="roster"),
    path("rosters/<int:pk>/xlsx/", views.roster_xlsx, name="roster_xlsx"),
]
