"""E-mail alerts over SMTP: the one place that sends mail, for the CLI and the Airflow DAG alike.

Settings come from CARBONPEAK_SMTP_* / CARBONPEAK_MAIL_* (see settings.py). With no host or no
recipients, alerts are logged and not sent, so a developer run without SMTP still works.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from carbonpeak.settings import Settings, SmtpSettings

log = logging.getLogger(__name__)


def send_mail(smtp: SmtpSettings, subject: str, body: str) -> bool:
    """Send one plain-text message to every recipient. Returns False when e-mail is not configured."""
    if not smtp.enabled:
        log.warning("e-mail not configured (CARBONPEAK_SMTP_HOST / CARBONPEAK_MAIL_TO); not sent: %s", subject)
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.mail_from
    message["To"] = ", ".join(smtp.mail_to)
    message.set_content(body)
    assert smtp.host is not None
    if smtp.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=30, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    with client:
        if smtp.starttls and not smtp.ssl:
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message)
    log.info("sent e-mail %r to %s", subject, ", ".join(smtp.mail_to))
    return True


def failure_alert(settings: Settings, *, stage: str, error: BaseException | str, source: str | None = None,
                  run_id: str | None = None, details: str | None = None) -> bool:
    """Tell people a stage failed: which stage, which source, why. Never raises."""
    where = f" [{source}]" if source else ""
    subject = f"[carbonpeak] {stage} failed{where}"
    lines = [
        f"Stage:  {stage}",
        f"Source: {source or '-'}",
        f"Run:    {run_id or '-'}",
        "",
        f"Error:  {error}",
    ]
    if details:
        lines += ["", details]
    lines += ["", f"The published warehouse was left unchanged: {settings.warehouse_path}"]
    try:
        return send_mail(settings.smtp, subject, "\n".join(lines))
    except Exception:  # an alert that cannot be sent must not hide the original failure
        log.exception("could not send the failure alert %r", subject)
        return False


def airflow_failure_callback(context: dict[str, Any]) -> None:
    """on_failure_callback for Airflow tasks: the same alert as the CLI's, built from the task context."""
    ti = context.get("task_instance") or context.get("ti")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    stage = task_id if map_index in (None, -1) else f"{task_id}[{map_index}]"
    error = context.get("exception") or "unknown error"
    source = getattr(error, "source_key", None)
    run_id = context.get("run_id")
    details = "\n".join(filter(None, [
        getattr(error, "details", None),
        f"Airflow: DAG {getattr(ti, 'dag_id', '?')}, task {stage}, try {getattr(ti, 'try_number', '?')}",
    ]))
    failure_alert(Settings.from_env(), stage=stage, error=error, source=source, run_id=run_id, details=details)
