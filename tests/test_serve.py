"""`csc serve` as a data team deploys it: the daemon launches the scheduled refresh by itself, and
a failed run reaches a person by webhook and e-mail (local receivers, 127.0.0.1 only)."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import uuid
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import requests
from aiosmtpd.controller import Controller

from cli_processes import CscProcess, csc_env
from csc_pipeline import alerts
from csc_pipeline.settings import AlertSettings, Settings, SettingsError
from csc_pipeline.ui_check import free_port

CLA_2025 = "dfe/cla/ees_release_2025/cla_number_and_rate_per_10k_children.csv"
# A PostgreSQL server the tests may create databases on (.ci/run starts one and sets this).
TEST_PG_URL = os.environ.get("CSC_TEST_PG_URL")


class Receiver:
    """What the local webhook and SMTP servers received."""

    def __init__(self):
        self.posts: list[dict] = []
        self.mails: list[str] = []
        self.arrived = threading.Event()


@pytest.fixture
def receivers():
    received = Receiver()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            received.arrived.set()

        def log_message(self, *args):
            pass

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            # As a mail client shows it: the subject, then the body decoded (long lines travel quoted-printable).
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received.mails.append(f"Subject: {message['Subject']}\n{message.get_content()}")
            received.arrived.set()
            return "250 OK"

    http = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {"CSC_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{http.server_port}/hook",
           "CSC_ALERT_SMTP_HOST": f"127.0.0.1:{smtp.port}", "CSC_ALERT_SMTP_STARTTLS": "0",
           "CSC_ALERT_EMAIL_TO": "data-team@example.org"}
    yield received, env
    http.shutdown()
    smtp.stop()


def test_alert_settings_are_secure_by_default():
    with pytest.raises(SettingsError, match="https"):
        AlertSettings.from_env({"CSC_ALERT_WEBHOOK_URL": "http://hooks.example.org/x"})
    with pytest.raises(SettingsError, match="only allowed for a relay on this machine"):
        AlertSettings.from_env({"CSC_ALERT_SMTP_HOST": "mail.example.org", "CSC_ALERT_SMTP_STARTTLS": "0",
                                "CSC_ALERT_EMAIL_TO": "a@example.org"})
    with pytest.raises(SettingsError, match="CSC_ALERT_EMAIL_TO"):
        AlertSettings.from_env({"CSC_ALERT_SMTP_HOST": "mail.example.org"})
    remote = AlertSettings.from_env({"CSC_ALERT_SMTP_HOST": "mail.example.org", "CSC_ALERT_EMAIL_TO": "a@x.org, b@x.org"})
    assert (remote.smtp_port, remote.smtp_starttls, remote.email_to) == (587, True, ("a@x.org", "b@x.org"))
    assert not AlertSettings.from_env({}).configured
    with pytest.raises(SettingsError, match="CSC_REFRESH_CRON"):
        Settings.from_env({"CSC_REFRESH_CRON": "every day"})


def test_an_alert_reaches_both_channels_and_a_dead_channel_is_reported(receivers):
    received, env = receivers
    channels = AlertSettings.from_env(env)
    failure = alerts.RunFailure(
        "run-1", "csc_refresh", "/lake/logs/refresh.log",
        [alerts.FailedCheck("conformed/cla_number_and_rate", "contract", "required column missing in x.csv")],
    )
    assert alerts.send(failure, channels) == ["webhook", "email"]
    assert received.posts[0]["failed_checks"][0]["asset"] == "conformed/cla_number_and_rate"
    assert "required column missing in x.csv" in received.posts[0]["text"]
    assert "Subject: csc-pipeline: run failed (conformed/cla_number_and_rate)" in received.mails[0]
    assert "Log: /lake/logs/refresh.log" in received.mails[0]

    dead = AlertSettings.from_env({**env, "CSC_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/hook"})
    with pytest.raises(alerts.AlertError, match="webhook"):
        alerts.send(failure, dead)
    assert len(received.mails) == 2  # the e-mail still went


def _cron_for_next_minute(zone: str = "Europe/London") -> str:
    """A cron expression due once, at least 40 s from now (time for the daemon to start)."""
    due = datetime.now(ZoneInfo(zone)) + timedelta(seconds=40)
    due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"{due.minute} {due.hour} {due.day} {due.month} *"


def _schedule_runs():
    """The annual schedule's runs in the run history of DAGSTER_HOME."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.get() as instance:
        return instance.get_runs(filters=RunsFilter(tags={"dagster/schedule_name": "annual_refresh"}))


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(2)
    raise TimeoutError(f"{what} within {timeout} s")


@pytest.fixture
def postgres_run_storage(monkeypatch):
    """CSC_DAGSTER_PG_URL of a fresh database on the test PostgreSQL server (used by
    tests/test_serve_postgres.py, a file of its own so that pytest-xdist runs it beside this one,
    skipped there without a server)."""
    import psycopg2

    name = f"csc_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(TEST_PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")  # a generated identifier, not input
    url = TEST_PG_URL.rsplit("/", 1)[0] + "/" + name
    # This process reads the run history too (csc names the driver for the processes it starts).
    monkeypatch.setenv("CSC_DAGSTER_PG_URL", "postgresql+psycopg2" + url[url.index(":"):])
    yield {"CSC_DAGSTER_PG_URL": url}
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def test_serve_runs_the_schedule_once_and_a_failed_run_alerts(demo_run, receivers, tmp_path, monkeypatch):
    serve_schedule_and_alert(demo_run, receivers, {}, tmp_path, monkeypatch)  # run history in SQLite files


def serve_schedule_and_alert(demo_run, receivers, run_storage: dict[str, str], tmp_path, monkeypatch) -> None:
    """`csc serve` on a copy of the demo lake, with the run history where ``run_storage`` says: the daemon
    launches the scheduled refresh once and it succeeds; a failed backfill's alert arrives once by both channels."""
    received, alert_env = receivers
    alert_env = {**alert_env, **run_storage}
    lake = tmp_path / "lake"
    shutil.copytree(demo_run[0].data_lake, lake, ignore=shutil.ignore_patterns("dagster_home", "logs"))
    monkeypatch.setenv("DAGSTER_HOME", str(lake / "dagster_home"))  # csc_env leaves it out for csc
    port = free_port()
    env = csc_env(lake, CSC_REFRESH_CRON=_cron_for_next_minute(), **alert_env)
    # The servers' output goes to a file: a pipe nobody reads would fill and stall the run's logging.
    server_log = tmp_path / "serve.log"
    with server_log.open("w") as log:
        server = subprocess.Popen([sys.executable, "-m", "csc_pipeline.cli", "serve", "--port", str(port)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(lambda: _answers(f"http://127.0.0.1:{port}/server_info"), 120, "the webserver did not answer")
        # The daemon launches the scheduled refresh by itself, once, and it succeeds.
        finished = _wait(lambda: [r for r in _schedule_runs() if r.is_finished], 900,
                         "no scheduled run finished")
        runs = _schedule_runs()
        assert len(runs) == 1 and runs[0].status.value == "SUCCESS", [(r.run_id, r.status) for r in finished]

        # A malformed published file: the backfill of its release fails its contract check, and the
        # daemon's failure sensor tells the data team.
        path = lake / "demo_source" / CLA_2025
        pl.read_csv(path, infer_schema=False).drop("rate_per_10000").write_csv(path)
        backfill = CscProcess(["backfill", "children_looked_after_in_england_including_adoptions", "2025"],
                              csc_env(lake, **alert_env))
        code, lines, _ = backfill.finish(timeout=300)
        assert code == 1
        log_path = next(line for line in lines if "Dagster's log:" in line).split("Dagster's log: ")[1].strip()
        _wait(lambda: received.posts and received.mails, 120, "no alert arrived")
        time.sleep(45)  # longer than the sensor's interval: a second alert for the run would be here now
        assert (len(received.posts), len(received.mails)) == (1, 1)
        post, mail = received.posts[0], received.mails[0]
        assert post["failed_checks"][0]["asset"] == "conformed/cla_number_and_rate"
        assert post["failed_checks"][0]["check"] == "contract"
        for text in (post["text"], mail):
            assert "required column missing" in text and "cla_number_and_rate_per_10k_children.csv" in text
            assert f"Log: {log_path}" in text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    code = server.wait(timeout=60)
    output = server_log.read_text(errors="replace")
    assert code == 130, output[-3000:]
    assert "stopping the Dagster webserver and daemon" in output
    assert not _answers(f"http://127.0.0.1:{port}/server_info")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
