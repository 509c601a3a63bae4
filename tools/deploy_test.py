"""The deployment test (`make deploy-test`, run by .ci/run): the production stack for real, on this machine.

What README's "Deployment, step by step" describes, in the same order, as separate processes: a PostgreSQL
cluster (Debian's package) as Airflow's metadata database, `airflow db migrate`, the `duckdb_writer` pool,
api-server, scheduler, dag-processor and triggerer, the offline mirror (`python -m mirror serve`) standing in
for the government sites, a real SMTP server (aiosmtpd, a Maildir on disk) and the Data Docs served over HTTP.
Through the REST API (a JWT from SimpleAuthManager's /auth/token) it unpauses the DAG, which starts the most
recent 02:00 run at once, and waits for it to finish green; then the mirror serves a corrupted revision of a
plan (a target year of 2099), a run triggered through the API fails validation, e-mails the alert, and leaves
the published warehouse byte-identical. Then all of it again with CeleryExecutor, a Redis broker from Debian
and two `airflow celery worker` processes.

Every process runs in its own process group and is stopped (SIGTERM, then SIGKILL) on exit, on Ctrl-C and on
the global timeout. Logs, e-mails and the data of each pass stay in --logs (default data/deploy-test/<time>).
Exit code 0 when every check passed; 1 with the failed check named otherwise.

    tools/deploy_deps.sh && .venv/bin/python tools/deploy_test.py [--executors local,celery] [--timeout 1500]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import email.utils
import hashlib
import json
import mailbox
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DAG_ID = "carbonpeak_nightly"
# The bad load: the corrupted revision of a real plan, as tests/e2e/test_nightly_dag.py makes it.
BAD_CORPUS = "000_c024b4ef5c96c6e7.txt"
BAD_FROM, BAD_TO = "到2025年，全市光伏装机", "到2099年，全市光伏装机"
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
STARTED = time.monotonic()


class DeployTestFailed(Exception):
    """A check failed; the message says which and what was seen."""


class DeployTestTimeout(DeployTestFailed):
    pass


def say(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise DeployTestFailed(message)


@dataclass
class Response:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def http(method: str, url: str, *, json_body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 30) -> Response:
    """One request to a loopback service of the stack (Airflow's API, the Data Docs); HTTP errors are answers."""
    data = json.dumps(json_body).encode() if json_body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, probe: Callable[[], Any], timeout: float, every: float = 2.0) -> Any:
    """Poll `probe` until it returns something truthy; DeployTestFailed naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            if result := probe():
                return result
        except (OSError, ValueError, KeyError, subprocess.SubprocessError) as exc:  # URLError is an OSError
            last_error = exc
        time.sleep(every)
    seen = f" (last error: {last_error})" if last_error else ""
    raise DeployTestFailed(f"{what}: not within {timeout:.0f} s{seen}")


# --- processes --------------------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM


@dataclass
class Processes:
    """Every long-running process of the test, each in its own process group, stopped in reverse order."""

    logs: Path
    running: list[Proc] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], *, stop_signal: int = signal.SIGTERM,
              stdout: int | TextIO | None = None, cwd: Path = REPO) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=stdout if stdout is not None else out, stderr=out, start_new_session=True)
        proc = Proc(name, popen, log, stop_signal)
        self.running.append(proc)
        say(f"started {name} (pid {popen.pid}): {' '.join(command[:4])}{' …' if len(command) > 4 else ''}")
        return proc

    def alive(self, proc: Proc) -> None:
        if proc.popen.poll() is not None:
            tail = proc.log.read_text(errors="replace")[-3000:]
            raise DeployTestFailed(f"{proc.name} exited with {proc.popen.returncode}; its log {proc.log} ends:\n{tail}")

    def stop(self, proc: Proc, grace: float = 30.0) -> None:
        if proc in self.running:
            self.running.remove(proc)
        if proc.popen.poll() is None:
            try:
                os.killpg(proc.popen.pid, proc.stop_signal)
            except ProcessLookupError:
                pass
            try:
                proc.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                say(f"{proc.name} did not stop within {grace:.0f} s: SIGKILL")
        # Whatever it started (LocalExecutor workers, Celery children, postgres backends) goes with it.
        try:
            os.killpg(proc.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.popen.wait()

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)


def run(name: str, command: list[str], env: dict[str, str], logs: Path, timeout: float = 300) -> str:
    """A one-off command; its output goes to logs/<name>.log; DeployTestFailed with its tail on failure."""
    started = time.monotonic()
    log = logs / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.run(command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                              timeout=timeout, start_new_session=True)
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise DeployTestFailed(f"`{' '.join(command)}` exited {proc.returncode}; {log} ends:\n{text[-3000:]}")
    shown = command[command.index("--") + 1:] if "--" in command else command  # without `runuser -u postgres --`
    say(f"{name}: {' '.join([Path(shown[0]).name, *shown[1:4]])} ok ({time.monotonic() - started:.1f} s)")
    return text


# --- PostgreSQL and Redis from Debian ----------------------------------------------------------------------


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise DeployTestFailed("no PostgreSQL server binaries under /usr/lib/postgresql: run tools/deploy_deps.sh")
    return found[-1].parent


@dataclass
class Postgres:
    port: int
    password: str
    cluster: Path  # the throwaway cluster's folder (data, socket, password file), removed after a pass

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://airflow:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="airflow", password=self.password,
                               dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'create database "{name}"')
        con.close()


def start_postgres(procs: Processes) -> Postgres:
    """A throwaway cluster (initdb) owned by the `postgres` user when run as root (the server refuses root),
    listening on 127.0.0.1 only, password authentication, superuser `airflow`."""
    pg = postgres_bin()
    # In the system temp folder: the `postgres` user may not traverse the checkout's folders.
    cluster = Path(tempfile.mkdtemp(prefix="carbonpeak-pg-"))
    password = secrets.token_hex(16)
    (cluster / "pwfile").write_text(password + "\n")
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(cluster, "postgres")
        shutil.chown(cluster / "pwfile", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = cluster / "data"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    run("postgres-initdb", [*as_owner, str(pg / "initdb"), "-D", str(data), "-U", "airflow", "-E", "UTF8",
                            "--auth=scram-sha-256", f"--pwfile={cluster / 'pwfile'}"], env, procs.logs)
    port = free_port()
    proc = procs.start("postgres", [*as_owner, str(pg / "postgres"), "-D", str(data), "-p", str(port),
                                    "-k", str(cluster), "-c", "listen_addresses=127.0.0.1"], env,
                       stop_signal=signal.SIGINT)  # SIGINT: fast shutdown, not waiting for clients

    def ready() -> bool:
        procs.alive(proc)
        return subprocess.run([str(pg / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                              capture_output=True).returncode == 0

    wait_until("PostgreSQL accepting connections", ready, 60, every=0.5)
    say(f"PostgreSQL {pg.parts[-2]} on 127.0.0.1:{port}, cluster in {cluster} (removed after a pass)")
    return Postgres(port, password, cluster)


def start_redis(procs: Processes, workdir: Path) -> str:
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis).exists():
        raise DeployTestFailed("redis-server is not installed: run tools/deploy_deps.sh")
    port = free_port()
    proc = procs.start("redis", [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(workdir)], dict(os.environ))

    def ready() -> bool:
        procs.alive(proc)
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    wait_until("Redis answering PING", ready, 30, every=0.5)
    say(f"Redis on 127.0.0.1:{port}")
    return f"redis://127.0.0.1:{port}/0"


# --- one pass: one executor --------------------------------------------------------------------------------


@dataclass
class Api:
    base: str
    token: str = ""

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
             headers: dict[str, str] | None = None) -> Any:
        query = ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""
        response = http(method, f"{self.base}{path}{query}", json_body=json,
                        headers={"Authorization": f"Bearer {self.token}", **(headers or {})})
        if response.status_code >= 400:
            raise DeployTestFailed(f"{method} {path}: HTTP {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def login(self, username: str, password: str) -> None:
        # SimpleAuthManager: POST /auth/token with the user's password answers a JWT for the REST API.
        response = http("POST", f"{self.base}/auth/token", json_body={"username": username, "password": password})
        check(response.status_code == 201, f"POST /auth/token: HTTP {response.status_code} {response.text[:300]}")
        self.token = response.json()["access_token"]


@dataclass
class Pass:
    executor: str  # LocalExecutor | CeleryExecutor
    logs: Path
    procs: Processes
    postgres: Postgres
    redis_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    api: Api | None = None
    mirror: Proc | None = None
    mirror_urls: dict[str, str] = field(default_factory=dict)
    admin_password: str = ""  # written to SimpleAuthManager's passwords file before the api-server starts

    @property
    def short(self) -> str:
        return self.executor.removesuffix("Executor").lower()

    @property
    def data_dir(self) -> Path:
        return self.logs / "data"

    @property
    def warehouse(self) -> Path:
        return self.logs / "warehouse" / "carbonpeak.duckdb"

    @property
    def maildir(self) -> Path:
        return self.logs / "mail"

    def say(self, message: str) -> None:
        say(f"{self.short}: {message}")

    # -- the stack --------------------------------------------------------------------------------------

    def start_mirror(self, *extra: str) -> None:
        """`python -m mirror serve`, reading the {host: base URL} line it prints first."""
        if self.mirror is not None:
            self.procs.stop(self.mirror)
        ports = ["--ports", json.dumps(self.mirror_urls)] if self.mirror_urls else []
        self.mirror = self.procs.start(f"{self.short}-mirror", [sys.executable, "-m", "mirror", "serve", *ports,
                                                                 *extra], dict(os.environ), stdout=subprocess.PIPE)
        assert self.mirror.popen.stdout is not None
        line = self.mirror.popen.stdout.readline().decode()
        self.procs.alive(self.mirror)
        urls = json.loads(line)
        check(not self.mirror_urls or urls == self.mirror_urls, f"the mirror moved: {urls} != {self.mirror_urls}")
        self.mirror_urls = urls
        self.say(f"mirror serves {len(urls)} sites")

    def environment(self, api_port: int, docs_url: str, smtp_port: int) -> dict[str, str]:
        database = f"airflow_{self.short}"
        self.postgres.create_database(database)
        home = self.logs / "airflow"
        (home / "auth").mkdir(parents=True, exist_ok=True)
        admin_password = secrets.token_urlsafe(16)
        # SimpleAuthManager keeps a password it finds in this file; it generates only missing ones.
        (home / "auth" / "passwords.json").write_text(json.dumps({"admin": admin_password}) + "\n")
        from cryptography.fernet import Fernet

        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "auth" / "passwords.json"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.postgres.url(database),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(48),  # 96 bytes: every component signs with it
            "AIRFLOW__API_AUTH__JWT_ISSUER": "carbonpeak",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "false",
            "CARBONPEAK_DATA_DIR": str(self.data_dir),
            "CARBONPEAK_WAREHOUSE": str(self.warehouse),
            "CARBONPEAK_BASE_URLS": json.dumps(self.mirror_urls),
            "CARBONPEAK_RATE_LIMIT": "0",  # the loopback mirror, not a government site
            # Every run rechecks known pages, so the bad load's silent revision is found (as in the e2e test).
            "CARBONPEAK_RECHECK_DAYS": "0",
            "CARBONPEAK_SMTP_HOST": "127.0.0.1",
            "CARBONPEAK_SMTP_PORT": str(smtp_port),
            "CARBONPEAK_MAIL_FROM": "carbonpeak@deploy-test.carbonpeak.test",
            "CARBONPEAK_MAIL_TO": "analysts@carbonpeak.test",
            "CARBONPEAK_AIRFLOW_BASE_URL": f"http://127.0.0.1:{api_port}",
            "CARBONPEAK_DOCS_BASE_URL": docs_url,
        }
        if self.redis_url:
            env["AIRFLOW__CELERY__BROKER_URL"] = self.redis_url
            env["AIRFLOW__CELERY__RESULT_BACKEND"] = self.postgres.url(database, "db+postgresql")
        self.env = env
        self.api = Api(f"http://127.0.0.1:{api_port}")
        self.admin_password = admin_password
        return env

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        smtp_port, api_port, docs_port = free_port(), free_port(), free_port()
        # A real SMTP server on loopback keeping every message in a Maildir (kept with the logs).
        self.procs.start(f"{self.short}-smtp", [sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                                 f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Mailbox",
                                                 str(self.maildir)], dict(os.environ))
        # The Data Docs folder over HTTP, so the links in alerts open.
        docs_dir = self.data_dir / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site"
        docs_dir.mkdir(parents=True, exist_ok=True)
        self.procs.start(f"{self.short}-docs", [sys.executable, "-m", "http.server", str(docs_port), "--bind",
                                                 "127.0.0.1", "--directory", str(docs_dir)], dict(os.environ))
        self.start_mirror()
        env = self.environment(api_port, f"http://127.0.0.1:{docs_port}", smtp_port)
        airflow = str(BIN / "airflow")
        run(f"{self.short}-db-migrate", [airflow, "db", "migrate"], env, self.logs, timeout=600)
        run(f"{self.short}-pool", [airflow, "pools", "set", "duckdb_writer", "1", "one writer per DuckDB file"],
            env, self.logs)
        for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
            self.procs.start(f"{self.short}-{component}", [airflow, component], env)
        if self.executor == "CeleryExecutor":
            for n in (1, 2):  # two workers, each with its own log server port
                worker_env = env | {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
                self.procs.start(f"{self.short}-worker{n}", [airflow, "celery", "worker", "--concurrency", "2",
                                                            "--celery-hostname", f"carbonpeak-worker{n}@%h"],
                                 worker_env)
        self.wait_healthy()

    def wait_healthy(self) -> None:
        assert self.api is not None

        def healthy() -> bool:
            for proc in self.procs.running:
                self.procs.alive(proc)
            health = http("GET", f"{self.api.base}/api/v2/monitor/health", timeout=10).json()
            states = {k: (v or {}).get("status") for k, v in health.items()}
            return all(states.get(k) == "healthy" for k in ("metadatabase", "scheduler", "triggerer",
                                                             "dag_processor"))

        wait_until("api-server, scheduler, triggerer and dag-processor healthy", healthy, 240)
        self.say("healthy: metadatabase, scheduler, dag-processor, triggerer")
        self.api.login("admin", self.admin_password)
        self.say("logged in through /auth/token (JWT)")
        if self.executor == "CeleryExecutor":
            def workers() -> bool:
                inspect = subprocess.run([str(BIN / "celery"), "--app",
                                          "airflow.providers.celery.executors.celery_executor.app", "inspect",
                                          "ping", "--timeout", "5"], env=self.env, capture_output=True, text=True,
                                         timeout=120)
                return inspect.stdout.count("pong") >= 2

            wait_until("two Celery workers answering ping", workers, 180, every=3)
            self.say("two Celery workers answer ping through Redis")

    # -- runs -------------------------------------------------------------------------------------------

    def dag_runs(self) -> list[dict[str, Any]]:
        assert self.api is not None
        return self.api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns", params={"limit": 100})["dag_runs"]

    def wait_for_run(self, dag_run_id: str, timeout: float) -> dict[str, Any]:
        assert self.api is not None
        started, last = time.monotonic(), ""

        def finished() -> dict[str, Any] | None:
            nonlocal last
            for proc in self.procs.running:
                self.procs.alive(proc)
            run = self.api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{dag_run_id}")  # type: ignore[union-attr]
            tis = self.task_instances(dag_run_id)
            done = sorted(f"{t['task_id']}" + (f"[{t['rendered_map_index']}]" if t["map_index"] >= 0 else "")
                          for t in tis if t["state"] in ("success", "failed", "upstream_failed", "skipped"))
            running = sorted({t["task_id"] for t in tis if t["state"] in ("running", "queued", "scheduled")})
            progress = f"{run['state']}, {len(done)}/{len(tis)} tasks done, running: {', '.join(running) or '-'}"
            if progress != last:
                self.say(f"{dag_run_id}: {progress} ({time.monotonic() - started:.0f} s)")
                last = progress
            return run if run["state"] in ("success", "failed") else None

        return wait_until(f"DAG run {dag_run_id} finishing", finished, timeout, every=5)

    def task_instances(self, dag_run_id: str) -> list[dict[str, Any]]:
        assert self.api is not None
        return self.api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{dag_run_id}/taskInstances",
                             params={"limit": 100})["task_instances"]

    def messages(self) -> list[EmailMessage]:
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        found = [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in box.keys()]
        return sorted(found, key=lambda m: email.utils.parsedate_to_datetime(m["Date"]).timestamp() if m["Date"] else 0)

    def green_run(self) -> None:
        """Unpause: the scheduler starts the run of the most recent 02:00 at once; it must finish green."""
        assert self.api is not None
        wait_until("the DAG parsed by the dag-processor", lambda: self.api.call("GET", f"/api/v2/dags/{DAG_ID}"),  # type: ignore[union-attr]
                   180, every=3)
        errors = self.api.call("GET", "/api/v2/importErrors")
        check(errors["total_entries"] == 0, f"DAG import errors: {errors}")
        check(self.dag_runs() == [], "a run exists before the DAG was unpaused")
        self.api.call("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": False})
        self.say("unpaused through PATCH /api/v2/dags/carbonpeak_nightly")
        [scheduled] = wait_until("a run started by unpausing", self.dag_runs, 120)
        check(scheduled["run_type"] == "scheduled", f"unpausing started a {scheduled['run_type']} run")
        self.say(f"unpausing started run {scheduled['dag_run_id']} at once (logical date "
                 f"{scheduled['logical_date']}, the most recent 02:00 Asia/Shanghai)")
        started = time.monotonic()
        result = self.wait_for_run(scheduled["dag_run_id"], 900)
        tis = self.task_instances(scheduled["dag_run_id"])
        bad = [(t["task_id"], t["map_index"], t["state"]) for t in tis if t["state"] != "success"]
        check(result["state"] == "success" and not bad, f"the first run is {result['state']}; not green: {bad}")
        self.say(f"green in {time.monotonic() - started:.0f} s: {len(tis)} task instances succeeded")

        from carbonpeak.pipeline import list_sources
        from carbonpeak_core.settings import Settings

        names = sorted(t["rendered_map_index"] for t in tis if t["task_id"] == "scrape")
        check(names == sorted(list_sources(Settings())), f"mapped scrape tasks are named {names}, not by source")
        self.say(f"mapped scrapes named by source key: {', '.join(names)}")

        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            documents, targets = con.execute("select (select count(*) from dim_documents), "
                                             "(select count(*) from fct_targets)").fetchone()  # type: ignore[misc]
        check(documents > 100 and targets > 1000, f"published {documents} documents, {targets} targets")
        self.say(f"published {self.warehouse}: {documents} documents, {targets} targets")
        digests = [m for m in self.messages() if "new document" in m["Subject"]]
        check(digests, f"no digest e-mail; received: {[m['Subject'] for m in self.messages()]}")
        body = digests[-1].get_content()
        check(digests[-1]["Date"] and digests[-1]["Message-ID"], "the digest has no Date or Message-ID")
        run_ids = RUN_ID.findall(body)
        check(run_ids and (self.data_dir / "landing" / "runs" / run_ids[0]).is_dir(),
              f"the digest does not name the pipeline run: {body[-400:]}")
        self.say(f"digest e-mailed: {digests[-1]['Subject']!r}, run {run_ids[0]}")

    def bad_run(self) -> None:
        """A corrupted revision on the mirror; a run triggered through the API must fail validate, e-mail,
        and leave the published file byte-identical."""
        assert self.api is not None
        before = hashlib.sha256(self.warehouse.read_bytes()).hexdigest()
        text = (REPO / "mirror" / "corpus" / BAD_CORPUS).read_text(encoding="utf-8")
        check(BAD_FROM in text, f"{BAD_CORPUS} no longer says {BAD_FROM}")
        bad = self.logs / f"bad-{BAD_CORPUS}"
        bad.write_text(text.replace(BAD_FROM, BAD_TO, 1), encoding="utf-8")
        self.start_mirror("--text", f"{BAD_CORPUS}={bad}")
        self.say(f"the mirror now serves {BAD_CORPUS} with {BAD_TO} (a target year past 2060)")
        mails_before = len(self.messages())
        triggered = self.api.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None})
        self.say(f"triggered {triggered['dag_run_id']} through POST /api/v2/dags/{DAG_ID}/dagRuns")
        started = time.monotonic()
        result = self.wait_for_run(triggered["dag_run_id"], 900)
        states = {t["task_id"]: t["state"] for t in self.task_instances(triggered["dag_run_id"]) if t["map_index"] < 0}
        check(result["state"] == "failed" and states.get("validate") == "failed"
              and states.get("publish") == "upstream_failed", f"the bad load ended {result['state']}: {states}")
        self.say(f"failed at validate in {time.monotonic() - started:.0f} s; publish {states['publish']}")
        after = hashlib.sha256(self.warehouse.read_bytes()).hexdigest()
        check(after == before, f"the published warehouse changed: {before} -> {after}")
        self.say(f"published warehouse byte-identical (sha256 {after[:16]}…)")

        def alert() -> EmailMessage | None:
            found = [m for m in self.messages()[mails_before:] if "validate failed" in m["Subject"]]
            return found[0] if found else None

        message = wait_until("the validation alert e-mail", alert, 60)
        body = message.get_content()
        check(message["Date"] and message["Message-ID"], "the alert has no Date or Message-ID")
        check("2099" in body and "target_year" in body, f"the alert does not name the failing check:\n{body}")
        [run_line] = re.findall(r"^Run:\s+(\S+)$", body, flags=re.M) or [""]
        check(RUN_ID.fullmatch(run_line) is not None, f"the alert names run {run_line!r}, not the pipeline's")
        [log_url] = re.findall(r"^Log:\s+(\S+)$", body, flags=re.M) or [""]
        check(log_url.startswith(f"{self.api.base}/dags/{DAG_ID}/runs/"), f"no task log link: {log_url!r}")
        log = self.api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{triggered['dag_run_id']}/taskInstances/"
                                   "validate/logs/1", headers={"Accept": "application/json"})
        check("expectation" in json.dumps(log, ensure_ascii=False), "the validate task's log is not readable")
        docs = [u for u in re.findall(r"https?://\S+", body) if u.startswith(self.env["CARBONPEAK_DOCS_BASE_URL"])]
        check(docs and http("GET", docs[0], timeout=10).status_code == 200, f"Data Docs link does not open: {docs}")
        self.say(f"alert e-mailed: {message['Subject']!r}, run {run_line}, log {log_url}, Data Docs {docs[0]}")

    def workers_shared_the_work(self) -> None:
        """Under Celery, both workers ran task instances (each logs the workloads it received)."""
        received = {n: sum("execute_workload[" in line and "received" in line for line in (
            self.logs / f"{self.short}-worker{n}.log").read_text(errors="replace").splitlines()) for n in (1, 2)}
        check(all(received.values()), f"a Celery worker ran nothing: workloads logged per worker {received}")
        self.say(f"workloads received per Celery worker: {received}")

    def finish(self) -> None:
        if self.api is not None and self.api.token:
            try:
                self.api.call("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": True})
            except DeployTestFailed:
                pass
        self.procs.stop_all()


# --- main --------------------------------------------------------------------------------------------------


@contextmanager
def global_timeout(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise DeployTestTimeout(f"the deployment test took longer than {seconds} s (--timeout)")

    def interrupted(signum: int, frame: object) -> None:
        raise DeployTestFailed(f"stopped by signal {signum}")

    signal.signal(signal.SIGALRM, expire)
    signal.signal(signal.SIGTERM, interrupted)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executors", default="local,celery", help="local, celery or both (default)")
    parser.add_argument("--timeout", type=int, default=1500, help="seconds for the whole test (default 1500)")
    parser.add_argument("--logs", type=Path, help="folder for logs, e-mails and data (default data/deploy-test/<time>)")
    args = parser.parse_args(argv)
    executors = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
    chosen = [executors[e.strip()] for e in args.executors.split(",") if e.strip()]
    logs = (args.logs or REPO / "data" / "deploy-test" / time.strftime("%Y%m%dT%H%M%S")).resolve()
    logs.mkdir(parents=True, exist_ok=True)
    say(f"deployment test: {', '.join(chosen)}; logs in {logs}; timeout {args.timeout} s")
    procs = Processes(logs)
    ok = False
    postgres: Postgres | None = None
    with global_timeout(args.timeout):
        try:
            run("check-imports", [sys.executable, str(REPO / "docker" / "check_imports.py")], dict(os.environ), logs)
            postgres = start_postgres(procs)
            for executor in chosen:
                redis_url = start_redis(procs, logs) if executor == "CeleryExecutor" else None
                pass_logs = logs / executor.removesuffix("Executor").lower()
                pass_logs.mkdir(parents=True, exist_ok=True)
                one = Pass(executor, pass_logs, Processes(pass_logs), postgres, redis_url)
                started = time.monotonic()
                try:
                    one.start()
                    one.green_run()
                    one.bad_run()
                    if executor == "CeleryExecutor":
                        one.workers_shared_the_work()
                finally:
                    one.finish()
                say(f"{one.short}: passed in {time.monotonic() - started:.0f} s")
            ok = True
        except DeployTestFailed as exc:
            say(f"FAILED: {exc}")
        except KeyboardInterrupt:
            say("interrupted")
        finally:
            procs.stop_all()
    if ok and postgres is not None:  # the metadata database is throwaway; its server log stays in postgres.log
        shutil.rmtree(postgres.cluster, ignore_errors=True)
    say(("PASSED" if ok else "FAILED") + f" in {time.monotonic() - STARTED:.0f} s; logs in {logs}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
