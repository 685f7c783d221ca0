"""Health check."""

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from hotline import __version__
from hotline.core.calendar import calendar_status
from hotline.core.models import JobHeartbeat
from hotline.core.tasks import HEARTBEAT


def healthz(request: HttpRequest) -> JsonResponse:
    """State of the database, the job runner and the working-day calendar, as JSON."""
    checks: dict[str, object] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer here
        checks["database"] = {"status": "error", "error": str(exc)[:200]}
        return JsonResponse({"status": "error", "version": __version__, "checks": checks}, status=503)
    beat = JobHeartbeat.objects.filter(name=HEARTBEAT).first()
    if beat is None:
        checks["jobs"] = {"status": "unknown", "message": "任务调度器尚未报到"}
    else:
        age = (timezone.now() - beat.beat_at).total_seconds()
        ok = age < timedelta(minutes=3).total_seconds()
        checks["jobs"] = {
            "status": "ok" if ok else "stale",
            "last_beat": beat.beat_at.isoformat(),
            "age_s": round(age, 1),
        }
    checks["calendar"] = calendar_status()
    worst = "ok"
    if any(c.get("status") in ("stale", "fallback") for c in checks.values() if isinstance(c, dict)):
        worst = "degraded"
    return JsonResponse({"status": worst, "version": __version__, "checks": checks})
