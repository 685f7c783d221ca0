"""Background jobs: SQLite queue by default, Redis with separate workers in production."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.utils import timezone

from hotline.core.models import JobHeartbeat


def _settings_huey(env: dict[str, str]) -> str:
    code = "import django,os; os.environ['DJANGO_SETTINGS_MODULE']='hotline.settings'; from django.conf import settings; print(settings.HUEY['huey_class'])"
    full = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    return subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_embedded_default_uses_sqlite_queue():
    assert _settings_huey({}) == "huey.SqliteHuey"


def test_redis_url_switches_to_redis_queue():
    assert _settings_huey({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == "huey.RedisHuey"


@pytest.mark.django_db
def test_heartbeat_job_records_the_runner():
    from hotline.core.tasks import heartbeat_task

    assert heartbeat_task().get() == "ok"  # immediate mode in tests
    beat = JobHeartbeat.objects.get(name="periodic")
    assert (timezone.now() - beat.beat_at).total_seconds() < 5


def _double(n: int) -> int:
    return n * 2


@pytest.mark.redis
def test_redis_queue_jobs_run_on_separate_consumers():
    """Two producers and two consumers share one Redis queue, as web and worker machines would."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running here")
    from huey import RedisHuey

    name = f"hotline-test-{uuid.uuid4().hex[:8]}"
    producer = RedisHuey(name, url=url)
    worker_a, worker_b = RedisHuey(name, url=url), RedisHuey(name, url=url)
    double = producer.task()(_double)
    for w in (worker_a, worker_b):
        w.task()(_double)
    results = [double(n) for n in range(8)]
    consumers = [
        w.create_consumer(workers=2, worker_type="thread", periodic=False) for w in (worker_a, worker_b)
    ]
    for c in consumers:
        c.start()
    try:
        values = [r.get(blocking=True, timeout=20) for r in results]
    finally:
        for c in consumers:
            c.stop(graceful=True)
        producer.storage.flush_all()
    assert values == [n * 2 for n in range(8)]
