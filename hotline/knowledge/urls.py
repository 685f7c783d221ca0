from django.urls import path

from hotline.knowledge.views import desk, manage

app_name = "knowledge"
urlpatterns = [
    path("", manage.kb_list, name="list"),
    path("new/", manage.kb_edit, name="new"),
    path("import/", manage.kb_import, name="import"),
    path("export/", manage.kb_export, name="export"),
    path("flags/", manage.kb_flags, name="flags"),
    path("flags/<int:pk>/handle/", manage.kb_flag_handle, name="flag_handle"),
    path("stats/", manage.kb_stats, name="stats"),
    path("<int:pk>/", manage.kb_detail, name="detail"),
    path("<int:pk>/edit/", manage.kb_edit, name="edit"),
    path("<int:pk>/diff/", manage.kb_diff, name="diff"),
    path("<int:pk>/act/<str:action>/", manage.kb_act, name="act"),
    path("<int:pk>/attach/", manage.kb_attach, name="attach"),
    path("attachments/<int:pk>/", manage.kb_attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", manage.kb_detach, name="detach"),
    # The panel on the agent desk (受理台)
    path("desk/search/", desk.desk_search, name="desk_search"),
    path("desk/cited/", desk.desk_cited, name="desk_cited"),
    path("desk/<int:pk>/flag/", desk.desk_flag, name="desk_flag"),
    path("desk/<int:pk>/flag/form/", desk.desk_flag_form, name="desk_flag_form"),
]
