from django.urls import URLPattern, URLResolver, path

from hotline.callcenter import views

app_name = "callcenter"
urlpatterns: list[URLPattern | URLResolver] = [
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/live/", views.wallboard_live, name="wallboard_live"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/record/", views.callback_record_view, name="callback_record"),
    path("softphone/", views.softphone, name="softphone"),
    path("softphone/action/", views.softphone_action, name="softphone_action"),
]
