"""Settings come from the environment; production refuses to start without its secrets and is
clean under `check --deploy`."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

PRODUCTION = {
    "MINIMENTORS_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-5s8d7f6g5h4j3k2l1qwertyuiopzxcvbnm",
    "ALLOWED_HOSTS": "minimentors.example.org",
    "REDIS_URL": "redis://127.0.0.1:6390/0",
}


def manage(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.pop("MINIMENTORS_ENV", None)
    clean["MINIMENTORS_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_passes_check_deploy_at_warning_level(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_without_a_required_variable_stops_and_names_it(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert f"needs the environment variable {missing}" in result.stderr


def test_seed_demo_refuses_to_run_in_production(tmp_path):
    result = manage("seed_demo", tmp_path=tmp_path, **PRODUCTION)
    assert result.returncode != 0
    assert "seed_demo refuses to run when MINIMENTORS_ENV=production" in result.stderr


def test_the_embedded_default_needs_no_service(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_BROKER_URL, s.PASSWORD_HASHERS[0], s.TIME_ZONE, s.OPENING_HOURS)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.update(MINIMENTORS_ENV="development", DJANGO_SETTINGS_MODULE="minimentors.settings",
                 MINIMENTORS_VAR_DIR=str(tmp_path))  # fmt: skip
    clean.pop("OPENING_HOURS", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True,
                         text=True, check=True).stdout.split()  # fmt: skip
    assert out == [
        "django.db.backends.sqlite3",
        "minimentors.layers.EmbeddedChannelLayer",
        "filesystem://",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "Europe/London",
        "08:00-20:00",
    ]


def test_database_and_redis_urls_switch_to_the_real_engines(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minimentors.settings",
        "MINIMENTORS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5999/db",
        "REDIS_URL": "redis://127.0.0.1:6399/0",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, check=True).stdout.split()  # fmt: skip
    assert out == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
        "redis://127.0.0.1:6399/0",
        "django.core.cache.backends.redis.RedisCache",
    ]
