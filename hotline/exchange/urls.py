from django.urls import URLPattern, URLResolver, path, register_converter

from hotline.exchange.views import open311, police, province, switchboard, wechat


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "o311fmt")

app_name = "exchange"
urlpatterns: list[URLPattern | URLResolver] = [
    path("open311/v2/discovery.<o311fmt:fmt>", open311.discovery, name="open311_discovery"),
    path("open311/v2/services.<o311fmt:fmt>", open311.services, name="open311_services"),
    path("open311/v2/services/<str:code>.<o311fmt:fmt>", open311.service_definition, name="open311_service"),
    path("open311/v2/requests.<o311fmt:fmt>", open311.requests_, name="open311_requests"),
    path("open311/v2/requests/<str:rid>.<o311fmt:fmt>", open311.request_detail, name="open311_request"),
    path(
        "open311/v2/request/<str:rid>.<o311fmt:fmt>", open311.request_detail, name="open311_request_singular"
    ),
    path("open311/v2/servicerequestupdates.<o311fmt:fmt>", open311.updates, name="open311_updates"),
    path("open311/v2/tokens/<str:token>.<o311fmt:fmt>", open311.token_detail, name="open311_token"),
    path("open311/v2/<path:rest>", open311.not_found, name="open311_not_found"),
    path("switchboard/", switchboard.directory, name="switchboard"),
    path("switchboard/search/", switchboard.search, name="switchboard_search"),
    path("switchboard/transfer/", switchboard.transfer, name="switchboard_transfer"),
    path("switchboard/import/", switchboard.import_offices, name="switchboard_import"),
    path("police/", police.desk, name="police"),
    path("police/out/", police.transfer_out, name="police_out"),
    path("police/in/", police.transfer_in, name="police_in"),
    path("police/<int:pk>/answer/", police.answer, name="police_answer"),
    path("police/<int:pk>/rule/", police.rule, name="police_rule"),
    path("police/<int:pk>/call/", police.call, name="police_call"),
    path("wechat/callback/", wechat.webhook, name="wechat_webhook"),
    path("province/", province.desk, name="province"),
    path("province/pull/", province.pull, name="province_pull"),
    path("province/reconcile/", province.reconcile, name="province_reconcile"),
    path("province/outbox/<int:pk>/retry/", province.retry, name="province_retry"),
    path("switchboard/import/template.xlsx", switchboard.import_template, name="switchboard_template"),
]
