"""`make run` serves the site on http://127.0.0.1:PORT with the demo logins working, and
starts the Celery worker and beat beside Daphne."""

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import DEMO_PASSWORD, REPO
from tests.services import free_port, wait_for_port

pytestmark = pytest.mark.server


def log_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    response = opener.open(request)
    assert response.url == f"{base}/chat/", "the demo login did not reach the lobby"
    return opener


def test_make_run_serves_the_site_with_working_demo_logins(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "MINIMENTORS_ENV": "development",
        "MINIMENTORS_VAR_DIR": str(tmp_path),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    env.pop("DEMO_PASSWORD", None)
    log = open(tmp_path / "make-run.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        ["make", "run"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=180)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/") as response:
            assert response.status == 200
            assert "Welcome to MiniMentors" in response.read().decode()
        opener = log_in(base, "demo-child", DEMO_PASSWORD)
        assert "<h1>Chat</h1>" in opener.open(f"{base}/chat/").read().decode()
        log_in(base, "demo-mentor", DEMO_PASSWORD)
        # The supervisor also started the Celery worker and beat.
        deadline = time.monotonic() + 60
        output = ""
        while time.monotonic() < deadline:
            output = (tmp_path / "make-run.log").read_text()
            if "worker" in output and "beat" in output and "ready" in output:
                break
            time.sleep(0.5)
        assert f"http://127.0.0.1:{port}" in output
        assert "demo-child" in output, "make run prints the demo logins"
        assert re.search(r"worker\.\d+\s+\|.*ready", output), output[-2000:]
        assert re.search(r"beat\.\d+\s+\|.*beat: Starting", output), output[-2000:]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
