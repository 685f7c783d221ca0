from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from hotline.api import api
from hotline.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("hotline.accounts.urls")),
    path("portal/", include("hotline.intake.urls")),
    path("kb/", include("hotline.knowledge.urls")),
    path("callcenter/", include("hotline.callcenter.urls")),
    path("workforce/", include("hotline.workforce.urls")),
    path("metrics/", include("hotline.metrics.urls")),
    path("assist/", include("hotline.assist.urls")),
    path("visits/", include("hotline.visits.urls")),
    path("quality/", include("hotline.quality.urls")),
    path("", include("hotline.exchange.urls")),  # /open311/v2/, webhooks, switchboard
    path("", include("hotline.tickets.urls")),
    path("", include("hotline.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
