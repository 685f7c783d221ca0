from django.urls import URLPattern, URLResolver, path

from hotline.callcenter import ivr_views, views

app_name = "callcenter"
urlpatterns: list[URLPattern | URLResolver] = [
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/live/", views.wallboard_live, name="wallboard_live"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/record/", views.callback_record_view, name="callback_record"),
    path("softphone/", views.softphone, name="softphone"),
    path("softphone/action/", views.softphone_action, name="softphone_action"),
    path("softphone/offices/", views.softphone_offices, name="softphone_offices"),
    path("calls/<str:call_id>/", views.call_page, name="call"),
    path("recordings/<int:pk>/", views.recording_audio, name="recording"),
    path("ivr/", ivr_views.ivr_list, name="ivr_list"),
    path("ivr/new/", ivr_views.ivr_edit, name="ivr_new"),
    path("ivr/<int:pk>/", ivr_views.ivr_edit, name="ivr_edit"),
]
