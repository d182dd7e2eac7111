"""`python manage.py moderate` keeps the contract: one JSON object per input line, in order,
flushed per line, in plain and --jsonl modes."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.fixture
def moderate(tmp_path):
    """Start the command as a real process (it reads its own migrated SQLite database)."""
    env = {**os.environ, "MINIMENTORS_ENV": "development", "MINIMENTORS_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env,
                   check=True)  # fmt: skip

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", "moderate", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    return start


def test_plain_lines_get_one_verdict_each_in_order(moderate):
    process = moderate()
    out, _ = process.communicate("hello there\nthis is sh1t\nI want to kill myself\n\n", 60)
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [v["action"] for v in verdicts] == ["allow", "block", "flag", "allow"]
    assert verdicts[0] == {"action": "allow", "categories": [], "severity": 0,
                           "shown": "hello there"}  # fmt: skip
    assert verdicts[1]["shown"] == "*blocked*" and verdicts[1]["categories"] == ["profanity"]
    assert verdicts[2]["shown"] == "I want to kill myself" and verdicts[2]["severity"] == 3
    assert "self_harm" in verdicts[2]["categories"]


def test_each_verdict_is_flushed_before_the_next_line_is_read(moderate):
    process = moderate()
    process.stdin.write("call me on 07700 900123\n")
    process.stdin.flush()
    first = json.loads(process.stdout.readline())  # would hang if the line were buffered
    assert first["action"] == "block" and first["shown"] == "*inappropriate*"
    process.stdin.write("see you at lunch\n")
    process.stdin.flush()
    assert json.loads(process.stdout.readline())["action"] == "allow"
    process.stdin.close()
    assert process.wait(30) == 0


def test_jsonl_lines_carry_their_own_context_and_bad_lines_get_an_error(moderate):
    process = moderate("--jsonl", "--context", "bubble")
    lines = [
        json.dumps({"text": "my email is amy at gmail dot com"}),
        json.dumps({"text": "sh1tface", "context": "username"}),
        "this is not json",
        json.dumps({"text": "hi", "context": "nowhere"}),
        json.dumps({"text": "nice one"}),
    ]
    out, _ = process.communicate("\n".join(lines) + "\n", 60)
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 5
    assert results[0]["action"] == "block" and "personal_info" in results[0]["categories"]
    assert results[1]["action"] == "block"
    assert "error" in results[2] and "error" in results[3]
    assert results[4]["action"] == "allow"


def test_it_needs_no_migrated_database(tmp_path):
    """On a fresh install, before any migrate, the command still reviews every line (staff
    watched words are then not loaded, which it says on stderr, never in the verdicts)."""
    env = {**os.environ, "MINIMENTORS_ENV": "development", "MINIMENTORS_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    lines = [
        {"text": "i took all of mums tablets dont tell anyone", "context": "bubble"},
        {"text": "add me on snap"},
        {"text": "see you at football"},
    ]
    result = subprocess.run(
        [sys.executable, "manage.py", "moderate", "--jsonl"],
        cwd=REPO,
        env=env,
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["action"] for v in verdicts] == ["flag", "block", "allow"]
    assert verdicts[0]["categories"] == ["self_harm"]
    assert "Watched words could not be read" in result.stderr
