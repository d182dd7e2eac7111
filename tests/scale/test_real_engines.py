"""With DATABASE_URL and REDIS_URL set (``python -m tests.services pytest -m scale`` starts a
real PostgreSQL and a real redis-server), the site runs on them."""

import os

import pytest
from asgiref.sync import async_to_sync
from celery import current_app
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction

from minimentors.models import User
from minimentors.roles import is_child

pytestmark = [pytest.mark.scale, pytest.mark.django_db]


def test_the_database_is_the_real_postgresql_server():
    assert os.environ["DATABASE_URL"].startswith("postgres://")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


def test_accounts_and_case_insensitive_usernames_hold_on_postgresql(child):
    assert is_child(User.objects.get_by_natural_key("AMY"))
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="Amy")


def test_the_channel_layer_is_redis_and_carries_group_messages():
    layer = get_channel_layer()
    assert type(layer).__module__.startswith("channels_redis")

    async def round_trip():
        channel = await layer.new_channel()
        await layer.group_add("scale-test", channel)
        await layer.group_send("scale-test", {"type": "hello", "text": "hi"})
        return await layer.receive(channel)

    assert async_to_sync(round_trip)() == {"type": "hello", "text": "hi"}


def test_the_cache_is_shared_through_redis():
    cache.set("scale-test-key", 42, 30)
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(b"scale-test-key" in key for key in client.keys("*"))
    assert cache.get("scale-test-key") == 42


def test_the_celery_broker_is_the_redis_server():
    assert current_app.conf.broker_url == os.environ["REDIS_URL"]
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport.driver_type == "redis"
