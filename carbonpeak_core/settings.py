"""Runtime settings: every environment variable carbonpeak reads, with its default, in one place.

`Settings.from_env()` is called by the CLI and inside Airflow tasks (never at DAG import time);
library functions take a `Settings` argument instead of reading the environment themselves.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from carbonpeak_core import paths

# name -> (default, meaning). The compose test and .env.example are checked against this table.
ENV_VARS: dict[str, tuple[str, str]] = {
    "CARBONPEAK_DATA_DIR": ("<repo>/data", "raw pages, landing files, scrape state, build files"),
    "CARBONPEAK_WAREHOUSE": ("<repo>/warehouse/carbonpeak.duckdb", "the published DuckDB file"),
    "CARBONPEAK_SOURCES": ("<repo>/scrapers/sources.toml", "the source registry"),
    # Read by dbt (profiles.yml, sources); the build stage sets both from the two above.
    "CARBONPEAK_BUILD_PATH": ("<data>/build/carbonpeak.duckdb", "the DuckDB file dbt writes"),
    "CARBONPEAK_LANDING_DIR": ("<data>/landing", "the landing files dbt reads"),
    "CARBONPEAK_BASE_URLS": ("", "JSON {host: base URL}: serve a host from elsewhere (the offline mirror)"),
    "CARBONPEAK_USER_AGENT": ("carbonpeak/0.1 (+https://github.com/carbonpeak/carbonpeak; {contact})", ""),
    "CARBONPEAK_CONTACT": ("carbonpeak@example.org", "contact address named in the User-Agent"),
    "CARBONPEAK_RATE_LIMIT": ("1.0", "requests per second per host (a source may ask for less)"),
    "CARBONPEAK_TIMEOUT": ("30", "seconds to connect, and to wait for the next bytes of an answer"),
    "CARBONPEAK_REQUEST_DEADLINE": ("300", "seconds one request may take whole: connect, headers and body"),
    "CARBONPEAK_SOURCE_BUDGET": ("1800", "seconds one source's scrape may take; then it is deferred to the next run"),
    "CARBONPEAK_RUN_BUDGET": ("10800", "seconds the scrape of one run may take; sources still running are deferred"),
    "CARBONPEAK_MAX_WAIT": ("60", "longest Crawl-delay or Retry-After honoured; a site asking more is deferred"),
    "CARBONPEAK_SCRAPE_WORKERS": ("4", "sources on different hosts scraped at once (one host: one at a time)"),
    "CARBONPEAK_PROXY": ("", "HTTP(S) proxy for scrape requests; HTTP(S)_PROXY and ~/.netrc are ignored"),
    "CARBONPEAK_MAX_RETRIES": ("4", "retries on connection errors, 429 and 5xx"),
    "CARBONPEAK_MAX_BODY_BYTES": ("52428800", "larger responses are refused"),
    "CARBONPEAK_MAX_ROW_DROP": ("0.2", "refuse a load whose row count falls more than this below the published one"),
    "CARBONPEAK_FRESHNESS_DAYS": ("14", "alert when a source has brought nothing new for this many days"),
    "CARBONPEAK_RECHECK_DAYS": ("7", "re-request a page its list shows unchanged after this many days (0: every run)"),
    "CARBONPEAK_CONVERT_MEMORY_MB": ("1024", "memory limit (MiB) of the process reading one PDF or Word file"),
    "CARBONPEAK_CONVERT_TIMEOUT": ("60", "seconds the process reading one PDF or Word file may take"),
    "CARBONPEAK_SMTP_HOST": ("", "SMTP server for alerts; empty disables e-mail"),
    "CARBONPEAK_SMTP_PORT": ("25", ""),
    "CARBONPEAK_SMTP_USER": ("", ""),
    "CARBONPEAK_SMTP_PASSWORD": ("", ""),
    "CARBONPEAK_SMTP_STARTTLS": ("false", "upgrade the connection with STARTTLS"),
    "CARBONPEAK_SMTP_SSL": ("false", "connect with implicit TLS (port 465)"),
    "CARBONPEAK_MAIL_FROM": ("carbonpeak@localhost", ""),
    "CARBONPEAK_MAIL_TO": ("", "comma-separated alert recipients"),
    "CARBONPEAK_AIRFLOW_BASE_URL": ("", "the Airflow UI as people reach it: alerts link the failed task's log there"),
    "CARBONPEAK_DOCS_BASE_URL": ("", "where the Data Docs folder is served: alerts link it instead of a worker's path"),
}


# Domains that reach nobody (RFC 2606/6761): the default contact's, and the reserved test names.
_PLACEHOLDER_DOMAIN = re.compile(r"(^|\.)example\.(org|com|net)$|(^|\.)(example|invalid|test|localhost)$", re.I)


def _contact_domain(contact: str) -> str:
    """The domain of an e-mail address or URL (`Name <a@b.cn>`, `mailto:a@b.cn`, `https://b.cn/contact`)."""
    if "://" in contact:
        return (urlsplit(contact.strip()).hostname or "").lower()
    return contact.rsplit("@", 1)[-1].strip(" <>").lower()


class LiveModeError(ValueError):
    """Settings that must not be used against the real government sites; the message lists every problem."""


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else None


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    mail_from: str = "carbonpeak@localhost"
    mail_to: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.mail_to)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = paths.DEFAULT_DATA_DIR
    warehouse_path: Path = paths.DEFAULT_WAREHOUSE
    sources_file: Path = paths.DEFAULT_SOURCES
    base_urls: dict[str, str] = field(default_factory=dict)
    contact: str = "carbonpeak@example.org"
    user_agent: str | None = None
    rate_limit: float = 1.0
    timeout: float = 30.0
    request_deadline: float = 300.0
    source_budget: float = 1800.0
    run_budget: float = 10800.0
    max_wait: float = 60.0
    scrape_workers: int = 4
    proxy: str | None = None
    max_retries: int = 4
    max_body_bytes: int = 50 * 1024 * 1024
    max_row_drop: float = 0.2
    freshness_days: float = 14.0
    recheck_days: float = 7.0
    # Each attachment or PDF-only document is read in a child process with these limits
    # (scrapers/textlayer/isolate.py): a decompression bomb fails that file, not the scrape.
    convert_memory_mb: int = 1024
    convert_timeout: float = 60.0
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    # Links in e-mails: the Airflow UI (task logs) and the web root serving gx_dir's Data Docs site folder.
    airflow_base_url: str | None = None
    docs_base_url: str | None = None

    # Fixed layout below data_dir; see README "Where things live".
    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def build_path(self) -> Path:
        return self.data_dir / "build" / "carbonpeak.duckdb"

    @property
    def gx_dir(self) -> Path:
        return self.data_dir / "gx"

    @property
    def logs_dir(self) -> Path:
        """Full logs of command-line runs, and each run's progress events (events/<run_id>.jsonl)."""
        return self.data_dir / "logs"

    @property
    def dbt_project_dir(self) -> Path:
        return paths.DBT_PROJECT

    @property
    def regions_csv(self) -> Path:
        return paths.REGIONS_CSV

    @property
    def effective_user_agent(self) -> str:
        if self.user_agent:
            return self.user_agent
        return f"carbonpeak/0.1 (+https://github.com/carbonpeak/carbonpeak; {self.contact})"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    def politeness_problems(self) -> list[str]:
        """What keeps these settings from being used against a real site: the User-Agent must name a contact
        that reaches someone (CARBONPEAK_CONTACT), and the politeness delay must be on (CARBONPEAK_RATE_LIMIT)."""
        problems = []
        contact = self.contact.strip()
        domain = _contact_domain(contact)
        if "." not in domain or _PLACEHOLDER_DOMAIN.search(domain):
            problems.append(f"CARBONPEAK_CONTACT is {contact or 'empty'!r}: set an e-mail address or URL where the "
                            "sites' operators can reach you (it goes in the User-Agent)")
        elif contact not in self.effective_user_agent:
            problems.append(f"CARBONPEAK_USER_AGENT {self.effective_user_agent!r} does not name CARBONPEAK_CONTACT")
        if self.rate_limit <= 0:
            problems.append("CARBONPEAK_RATE_LIMIT must be above 0 against live sites (at most 1 request/s is polite)")
        return problems

    def check_live(self) -> Settings:
        """These settings, if they are fit for the real sites (`--live`); else LiveModeError saying why:
        no host may be redirected (CARBONPEAK_BASE_URLS), and `politeness_problems` must find nothing."""
        problems = []
        if self.base_urls:
            problems.append(f"CARBONPEAK_BASE_URLS sends {', '.join(sorted(self.base_urls))} elsewhere; "
                            "unset it to scrape the real sites")
        problems += self.politeness_problems()
        if problems:
            raise LiveModeError("not fit for the live sites: " + "; ".join(problems))
        return self

    def check_real_site(self, host: str) -> None:
        """Before a scrape of `host`: when CARBONPEAK_BASE_URLS does not redirect it, the request goes to the
        real site, so `politeness_problems` must find nothing (LiveModeError otherwise)."""
        if host not in self.base_urls and (problems := self.politeness_problems()):
            raise LiveModeError(f"{host} is a real site and these settings are not fit for it: " + "; ".join(problems))

    @classmethod
    def from_env(cls) -> Settings:
        base_urls_raw = _env("CARBONPEAK_BASE_URLS")
        base_urls = json.loads(base_urls_raw) if base_urls_raw else {}
        if not isinstance(base_urls, dict):
            raise ValueError("CARBONPEAK_BASE_URLS must be a JSON object {host: base URL}")
        mail_to = tuple(a.strip() for a in (_env("CARBONPEAK_MAIL_TO") or "").split(",") if a.strip())
        return cls(
            data_dir=Path(_env("CARBONPEAK_DATA_DIR") or paths.DEFAULT_DATA_DIR),
            warehouse_path=Path(_env("CARBONPEAK_WAREHOUSE") or paths.DEFAULT_WAREHOUSE),
            sources_file=Path(_env("CARBONPEAK_SOURCES") or paths.DEFAULT_SOURCES),
            base_urls={str(k): str(v).rstrip("/") for k, v in base_urls.items()},
            contact=_env("CARBONPEAK_CONTACT") or "carbonpeak@example.org",
            user_agent=_env("CARBONPEAK_USER_AGENT"),
            rate_limit=float(_env("CARBONPEAK_RATE_LIMIT") or 1.0),
            timeout=float(_env("CARBONPEAK_TIMEOUT") or 30),
            request_deadline=float(_env("CARBONPEAK_REQUEST_DEADLINE") or 300),
            source_budget=float(_env("CARBONPEAK_SOURCE_BUDGET") or 1800),
            run_budget=float(_env("CARBONPEAK_RUN_BUDGET") or 10800),
            max_wait=float(_env("CARBONPEAK_MAX_WAIT") or 60),
            scrape_workers=int(_env("CARBONPEAK_SCRAPE_WORKERS") or 4),
            proxy=_env("CARBONPEAK_PROXY"),
            max_retries=int(_env("CARBONPEAK_MAX_RETRIES") or 4),
            max_body_bytes=int(_env("CARBONPEAK_MAX_BODY_BYTES") or 50 * 1024 * 1024),
            max_row_drop=float(_env("CARBONPEAK_MAX_ROW_DROP") or 0.2),
            freshness_days=float(_env("CARBONPEAK_FRESHNESS_DAYS") or 14),
            recheck_days=float(_env("CARBONPEAK_RECHECK_DAYS") or 7),
            convert_memory_mb=int(_env("CARBONPEAK_CONVERT_MEMORY_MB") or 1024),
            convert_timeout=float(_env("CARBONPEAK_CONVERT_TIMEOUT") or 60),
            smtp=SmtpSettings(
                host=_env("CARBONPEAK_SMTP_HOST"),
                port=int(_env("CARBONPEAK_SMTP_PORT") or 25),
                user=_env("CARBONPEAK_SMTP_USER"),
                password=_env("CARBONPEAK_SMTP_PASSWORD"),
                starttls=_flag("CARBONPEAK_SMTP_STARTTLS", False),
                ssl=_flag("CARBONPEAK_SMTP_SSL", False),
                mail_from=_env("CARBONPEAK_MAIL_FROM") or "carbonpeak@localhost",
                mail_to=mail_to,
            ),
            airflow_base_url=(_env("CARBONPEAK_AIRFLOW_BASE_URL") or "").rstrip("/") or None,
            docs_base_url=(_env("CARBONPEAK_DOCS_BASE_URL") or "").rstrip("/") or None,
        )
