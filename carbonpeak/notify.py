"""E-mail alerts over SMTP: the one place that sends mail, for the CLI and the Airflow DAG alike.

Settings come from CARBONPEAK_SMTP_* / CARBONPEAK_MAIL_* (see settings.py). With no host or no
recipients, alerts are logged and not sent, so a developer run without SMTP still works. Every message
carries Date and Message-ID; links point where people can open them (CARBONPEAK_AIRFLOW_BASE_URL for a
task's log, CARBONPEAK_DOCS_BASE_URL for the Data Docs), never at a worker's file path when those are set.
"""

from __future__ import annotations

import email.utils
import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

from carbonpeak_core.settings import Settings, SmtpSettings

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
    # Without them some relays reject the message and clients sort it wrongly or thread it with others.
    message["Date"] = email.utils.formatdate(localtime=True)
    _, sender = email.utils.parseaddr(smtp.mail_from)
    message["Message-ID"] = email.utils.make_msgid("carbonpeak", domain=sender.rpartition("@")[2] or "localhost")
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


def data_docs_site(settings: Settings) -> Path:
    """The folder GX renders the Data Docs site into (expectations/validate.py builds it under gx_dir)."""
    return settings.gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site"


def with_docs_links(settings: Settings, text: str) -> str:
    """`text` with the Data Docs folder's local path replaced by its URL under CARBONPEAK_DOCS_BASE_URL."""
    if not settings.docs_base_url:
        return text
    return text.replace(str(data_docs_site(settings)), settings.docs_base_url)


def task_log_url(settings: Settings, dag_id: str, airflow_run_id: str, task_id: str, map_index: int | None = None,
                 try_number: int | None = None) -> str | None:
    """The Airflow UI page of one task try (its log), under CARBONPEAK_AIRFLOW_BASE_URL; None when unset.
    The same route Airflow 3's own TaskInstance.log_url builds, from the base URL people reach."""
    if not settings.airflow_base_url:
        return None
    mapped = f"/mapped/{map_index}" if map_index is not None and map_index >= 0 else ""
    attempt = f"?try_number={try_number}" if try_number else ""
    return (f"{settings.airflow_base_url}/dags/{quote(dag_id, safe='')}/runs/{quote(airflow_run_id, safe='')}"
            f"/tasks/{quote(task_id, safe='')}{mapped}{attempt}")


def failure_alert(settings: Settings, *, stage: str, error: BaseException | str, source: str | None = None,
                  run_id: str | None = None, details: str | None = None, log_url: str | None = None) -> bool:
    """Tell people a stage failed: which stage, which source, why, and where its log is. Never raises."""
    where = f" [{source}]" if source else ""
    subject = f"[carbonpeak] {stage} failed{where}"
    lines = [
        f"Stage:  {stage}",
        f"Source: {source or '-'}",
        f"Run:    {run_id or '-'}",
        "",
        f"Error:  {with_docs_links(settings, str(error))}",
    ]
    if log_url:
        lines += [f"Log:    {log_url}"]
    if details:
        lines += ["", with_docs_links(settings, details)]
    lines += ["", f"The published warehouse was left unchanged: {settings.warehouse_path}"]
    try:
        return send_mail(settings.smtp, subject, "\n".join(lines))
    except Exception:  # an alert that cannot be sent must not hide the original failure
        log.exception("could not send the failure alert %r", subject)
        return False


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def digest_mail(settings: Settings, changes: dict[str, Any], run_id: str | None = None) -> bool:
    """The nightly digest: new and changed documents since the last publish, with their new targets.

    Sent only when something changed; returns whether a message went out. Raises when the SMTP server
    fails (the caller reports it; the warehouse is already published by then).
    """
    new, changed = changes["new_documents"], changes["changed_documents"]
    reread = changes.get("reextracted_documents", [])
    if not new and not changed and not reread:
        log.info("nothing new since the last publish: no digest")
        return False
    parts = [_plural(len(new), "new document")]
    if changed:
        parts.append(f"{len(changed)} changed")
    parts.append(_plural(changes["new_targets"], "new target"))
    if changes["withdrawn_targets"]:
        parts.append(f"{changes['withdrawn_targets']} withdrawn")
    subject = "[carbonpeak] " + ", ".join(parts)

    def line(doc: dict[str, Any], what: str) -> list[str]:
        who = doc["issuer"] or doc["region_name"] or "?"
        when = f"{doc['publish_date']}, " if doc["publish_date"] else ""
        withdrawn = f", {doc['withdrawn_targets']} withdrawn" if doc["withdrawn_targets"] else ""
        return [f"  {who} {what} 《{doc['title']}》 ({when}{doc['region_name'] or '?'}): "
                f"{_plural(doc['targets'], 'target')}, {doc['new_targets']} new{withdrawn}", f"    {doc['url']}"]

    lines: list[str] = []
    if new:
        lines.append("New documents:")
        for doc in new:
            lines += line(doc, "published")
    if changed:
        lines += ["", "Changed documents (the previous version is kept):"]
        for doc in changed:
            lines += line(doc, f"revised (version {doc['version_number']})")
    if reread:
        lines += ["", "Unchanged documents with new targets (read again by a newer extractor):"]
        for doc in reread:
            lines += line(doc, "still")
    lines += ["", f"Published warehouse: {settings.warehouse_path}"]
    if run_id:
        lines += [f"Run: {run_id} (select * from fct_pipeline_runs where run_id = '{run_id}')"]
    return send_mail(settings.smtp, subject, "\n".join(lines))


def freshness_alert(settings: Settings, stale: list[Any]) -> bool:
    """Tell people which sources have brought nothing new for too long (a silent redesign, a block)."""
    subject = f"[carbonpeak] {_plural(len(stale), 'source')} produced nothing for {settings.freshness_days:g}+ days"
    lines = ["These sources brought no new or changed document within the freshness window:", ""]
    for s in stale:
        last = s.last_new_at or f"never (watched since {s.first_run_at})"
        lines.append(f"  {s.source_key}: last new document {last}, {s.days:g} days ago")
    lines += ["", "Check the site by hand: a redesign the selectors did not catch, a WAF block, or a quiet column.",
              "Run log: select * from fct_source_runs order by started_at desc"]
    try:
        return send_mail(settings.smtp, subject, "\n".join(lines))
    except Exception:
        log.exception("could not send the freshness alert")
        return False


def _pipeline_run_id(context: dict[str, Any]) -> str | None:
    """The pipeline's own run id (start_run's result, the run log's key), not Airflow's run id."""
    task = context.get("task")
    value = (getattr(task, "op_kwargs", None) or {}).get("pipeline_run_id")
    if isinstance(value, str):  # rendered: the task's own argument
        return value
    ti = context.get("task_instance") or context.get("ti")
    try:
        value = ti.xcom_pull(task_ids="start_run") if ti is not None else None
    except Exception:  # no XCom to read (start_run itself failed, or no Execution API): say so, do not fail
        log.warning("could not read the pipeline run id from start_run's XCom", exc_info=True)
        return None
    return value if isinstance(value, str) else None


def airflow_failure_callback(context: dict[str, Any]) -> None:
    """on_failure_callback for Airflow tasks: the same alert as the CLI's, built from the task context,
    with the pipeline run id and a link to the failed try's log."""
    settings = Settings.from_env()
    ti = context.get("task_instance") or context.get("ti")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    rendered = getattr(ti, "rendered_map_index", None)
    stage = task_id if map_index in (None, -1) else f"{task_id}[{rendered or map_index}]"
    error = context.get("exception") or "unknown error"
    source = getattr(error, "source_key", None)
    dag_id, airflow_run_id = getattr(ti, "dag_id", "?"), str(context.get("run_id") or getattr(ti, "run_id", "?"))
    try_number = getattr(ti, "try_number", None)
    details = "\n".join(filter(None, [
        getattr(error, "details", None),
        f"Airflow: DAG {dag_id}, run {airflow_run_id}, task {stage}, try {try_number or '?'}",
    ]))
    failure_alert(settings, stage=stage, error=error, source=source, run_id=_pipeline_run_id(context),
                  details=details, log_url=task_log_url(settings, dag_id, airflow_run_id, task_id, map_index,
                                                        try_number if isinstance(try_number, int) else None))
