"""Rate limits as stated, on an atomic counter, locking out no real user
(issue 13, finding 7)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from xinfang.accounts import ratelimit
from xinfang.accounts.models import AttemptCounter
from xinfang.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_FAILURES = 10


def test_the_window_lasts_its_full_length_after_the_last_hit(freezer_at):
    start = timezone.now()
    freezer_at(start)
    assert ratelimit.hit("t", "x", limit=3, window_seconds=900)
    freezer_at(start + timedelta(minutes=4))
    assert ratelimit.hit("t", "x", limit=3, window_seconds=900)
    # The database cache forgot the count five minutes after the last hit.
    freezer_at(start + timedelta(minutes=10))
    assert ratelimit.count("t", "x", window_seconds=900) == 2
    assert ratelimit.hit("t", "x", limit=3, window_seconds=900)
    assert not ratelimit.hit("t", "x", limit=3, window_seconds=900)
    freezer_at(start + timedelta(minutes=14, seconds=59))
    assert ratelimit.blocked("t", "x", limit=3, window_seconds=900)
    freezer_at(start + timedelta(minutes=15, seconds=1))
    assert not ratelimit.blocked("t", "x", limit=3, window_seconds=900)
    assert ratelimit.hit("t", "x", limit=3, window_seconds=900)
    assert ratelimit.count("t", "x", window_seconds=900) == 1


def test_an_hour_window_lasts_an_hour(freezer_at):
    start = timezone.now()
    freezer_at(start)
    for _ in range(5):
        ratelimit.hit("portal-submit-ip", "10.0.0.1", limit=5, window_seconds=3600)
    freezer_at(start + timedelta(minutes=59))
    assert not ratelimit.hit("portal-submit-ip", "10.0.0.1", limit=5, window_seconds=3600)


def test_counters_store_no_raw_identifier():
    ratelimit.hit("login-user", "zhangsan@example.cn", limit=5, window_seconds=900)
    (row,) = AttemptCounter.objects.all()
    assert "zhangsan" not in row.key and len(row.key) == 64


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and threads: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_all_counted():
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                ratelimit.hit("race", "one", limit=10**6, window_seconds=900)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert ratelimit.count("race", "one", window_seconds=900) == threads * per_thread


def login(client, user, password, ip):
    return client.post("/login/", {"username": user.username, "password": password}, REMOTE_ADDR=ip)


def test_failed_logins_lock_neither_other_accounts_on_the_address_nor_the_user_elsewhere(world, client):
    for _ in range(LOGIN_FAILURES):
        assert login(Client(), world.registrar, "wrong-password", "10.0.0.66").status_code == 200
    # The guesser's own pair is refused, even with the right password.
    refused = login(Client(), world.registrar, PASSWORD, "10.0.0.66")
    assert refused.status_code == 200 and "登录尝试次数过多" in refused.content.decode()
    # A colleague behind the same address signs in.
    assert login(Client(), world.handler_a, PASSWORD, "10.0.0.66").status_code == 302
    # The real user elsewhere meets a short delay at most, never a lock.
    elsewhere = login(Client(), world.registrar, PASSWORD, "10.0.0.7")
    assert elsewhere.status_code == 200 and "秒后再试" in elsewhere.content.decode()
    AttemptCounter.objects.update(last_at=timezone.now() - timedelta(seconds=61))
    assert login(Client(), world.registrar, PASSWORD, "10.0.0.7").status_code == 302


def test_the_delay_grows_and_is_capped():
    for _ in range(10):
        ratelimit.hit("login-user", "u", limit=10, window_seconds=900)
    assert 1 <= ratelimit.wait_seconds("login-user", "u", free=10, window_seconds=900) <= 2
    for _ in range(3):
        ratelimit.hit("login-user", "u", limit=10, window_seconds=900)
    assert 9 <= ratelimit.wait_seconds("login-user", "u", free=10, window_seconds=900) <= 16
    for _ in range(20):
        ratelimit.hit("login-user", "u", limit=10, window_seconds=900)
    assert ratelimit.wait_seconds("login-user", "u", free=10, window_seconds=900) == 60
