from django.urls import URLPattern, URLResolver, path

from hotline.workforce import views, views_me, views_plan

app_name = "workforce"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_page, name="staff"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("forecast/", views_plan.forecast_page, name="forecast"),
    path("rosters/", views.rosters_page, name="rosters"),
    path("rosters/<int:pk>/", views.roster_page, name="roster"),
    path("rosters/<int:pk>/xlsx/", views.roster_xlsx, name="roster_xlsx"),
    path("swaps/", views_me.swaps_page, name="swaps"),
    path("attendance/", views_plan.attendance_page, name="attendance"),
    path("attendance/xlsx/", views_plan.attendance_xlsx, name="attendance_xlsx"),
    path("performance/", views_plan.performance_page, name="performance"),
    path("performance/pay.xlsx", views_plan.pay_xlsx, name="pay_xlsx"),
    path("me/", views_me.me_page, name="me"),
]
