"""The retention job as it really runs: a Celery worker and beat (as the Procfile starts them)
run the scheduled task and it deletes; on the embedded default's file broker, and on a real
redis-server (the scale run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, site_environment

BACKDATE = """
from datetime import datetime, timezone
from moderation.models import Alert
from moderation.services import raise_alert
alert = raise_alert(categories=[], severity=1, member=None, summary="retention test")
Alert.objects.filter(pk=alert.pk).update(raised_at=datetime(2001, 1, 1, tzinfo=timezone.utc))
"""
DELETED = """
from minimentors.models import DeletionRecord
from moderation.models import Alert
gone = not Alert.objects.filter(summary="retention test").exists()
recorded = DeletionRecord.objects.filter(kind="moderation.Alert", deleted__gte=1).exists()
print("DELETED" if gone and recorded else "WAITING")
"""


def run_worker_and_beat_until_deleted(env: dict[str, str], var_dir: Path) -> None:
    def manage(*args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                              check=True, capture_output=True, text=True).stdout  # fmt: skip

    manage("migrate", "--noinput", "-v", "0")
    manage("shell", "-c", BACKDATE)
    celery = [sys.executable, "-m", "celery", "-A", "minimentors"]
    logs = [open(var_dir / f"{name}.log", "w") for name in ("worker", "beat")]  # noqa: SIM115
    processes = [
        subprocess.Popen([*celery, "worker", "--concurrency=1", "--loglevel=INFO"], cwd=REPO,
                         env=env, stdout=logs[0], stderr=subprocess.STDOUT),
        subprocess.Popen([*celery, "beat", "--loglevel=INFO"], cwd=REPO, env=env,
                         stdout=logs[1], stderr=subprocess.STDOUT),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while "DELETED" not in manage("shell", "-c", DELETED):
            assert time.monotonic() < deadline, (var_dir / "worker.log").read_text()[-2000:]
            time.sleep(1)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        for log in logs:
            log.close()


@pytest.mark.server
def test_beat_and_a_worker_on_the_embedded_broker_run_the_purge_and_it_deletes(tmp_path):
    env = site_environment(tmp_path, PURGE_EVERY_SECONDS="2")
    for variable in ("DATABASE_URL", "REDIS_URL"):
        env.pop(variable, None)
    run_worker_and_beat_until_deleted(env, tmp_path)


@pytest.mark.scale
def test_beat_and_a_worker_on_redis_run_the_purge_and_it_deletes(tmp_path):
    assert os.environ.get("REDIS_URL"), "the scale run starts redis-server and sets REDIS_URL"
    env = site_environment(tmp_path, PURGE_EVERY_SECONDS="2")
    run_worker_and_beat_until_deleted(env, tmp_path)
