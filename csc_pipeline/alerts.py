"""Failure alerts: one message per failed run, sent to a webhook and/or by e-mail.

Plain Python (the Dagster run-failure sensor in ``defs/sensors.py`` gathers the facts and calls
``send``). Channels come from the environment through ``settings.AlertSettings``; TLS is used
for every channel unless the operator switches it off for a server on this machine.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import requests

from csc_pipeline.settings import AlertSettings

WEBHOOK_TIMEOUT_SECONDS = 10
SMTP_TIMEOUT_SECONDS = 10


class AlertError(RuntimeError):
    """A configured channel could not deliver the alert."""


@dataclass(frozen=True)
class FailedCheck:
    asset: str  # e.g. conformed/cla_number_and_rate
    check: str  # e.g. contract
    message: str  # the check's description: file, row, column and value


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job: str
    log: str  # where the run's log is: csc's log file, or the run's page and compute logs
    checks: list[FailedCheck] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # "step_key: first line of the error"
    reason: str = ""  # Dagster's failure message for the run

    @property
    def subject(self) -> str:
        what = ", ".join(sorted({c.asset for c in self.checks})) or ", ".join(s.split(":")[0] for s in self.steps) or self.job
        return f"csc-pipeline: run failed ({what})"

    @property
    def body(self) -> str:
        lines = [f"Run {self.run_id} of {self.job} failed. The published warehouse was not changed.", ""]
        for check in self.checks:
            lines += [f"FAILED CHECK {check.asset}:{check.check}", check.message.strip(), ""]
        lines += [f"FAILED STEP {step}" for step in self.steps]
        if not self.checks and not self.steps and self.reason:
            lines.append(self.reason)
        lines += ["", f"Log: {self.log}"]
        return "\n".join(lines).strip() + "\n"

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id, "job": self.job, "log": self.log, "subject": self.subject, "text": self.body,
            "failed_checks": [{"asset": c.asset, "check": c.check, "message": c.message} for c in self.checks],
            "failed_steps": self.steps,
        }


def step_error(error):
    """A failed step's own error below Dagster's wrappers (SerializableErrorInfo in and out).

    Not the innermost cause: an error raised ``from`` another already says what went wrong with the
    cause's detail (e.g. the catalog entry, URL and HTTP status; the cause alone lacks the entry, or is
    the HTTP library's timeout text)."""
    while error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    return error


def step_error_line(error) -> str:
    """The first line of a failed step's own error (``step_error``)."""
    error = step_error(error)
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    return lines[0] if lines else error.cls_name


def send(failure: RunFailure, channels: AlertSettings) -> list[str]:
    """Deliver ``failure`` on every configured channel; return the channels used. A channel that
    fails does not stop the others; the first error is raised after all were tried."""
    used, errors = [], []
    if channels.webhook_url:
        try:
            _post_webhook(channels.webhook_url, failure)
            used.append("webhook")
        except (requests.RequestException, AlertError) as err:
            errors.append(f"webhook {channels.webhook_url}: {err}")
    if channels.smtp_host:
        try:
            _send_email(channels, failure)
            used.append("email")
        except (OSError, smtplib.SMTPException) as err:
            errors.append(f"e-mail via {channels.smtp_host}:{channels.smtp_port}: {err}")
    if errors:
        raise AlertError("; ".join(errors))
    return used


def _post_webhook(url: str, failure: RunFailure) -> None:
    # A JSON body any chat or incident tool's incoming webhook accepts ("text") plus the details.
    response = requests.post(url, json=failure.as_json(), timeout=WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
    if not 200 <= response.status_code < 300:
        raise AlertError(f"HTTP {response.status_code}")


def _send_email(channels: AlertSettings, failure: RunFailure) -> None:
    message = EmailMessage()
    message["Subject"] = failure.subject
    message["From"] = channels.email_from
    message["To"] = ", ".join(channels.email_to)
    message.set_content(failure.body)
    with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if channels.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if channels.smtp_user:
            smtp.login(channels.smtp_user, channels.smtp_password or "")
        smtp.send_message(message)
