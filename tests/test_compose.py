"""Static checks of the container stack: docker-compose.yml, docker/Dockerfile, .env.example, .dockerignore.

No Docker engine is needed. The files are parsed and held against the code's own contract:
carbonpeak_core.settings (ENV_VARS and the data layout), the CARBONPEAK_* names the sources read, dbt's
profiles.yml, requirements.lock and pyproject.toml. The interpolated file is validated against the
Compose Specification by the compose_spec crate (PyPI compose-spec); `docker compose config` also runs
when a compose plugin is installed, and is skipped otherwise.
"""

from __future__ import annotations

import ast
import copy
import functools
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from compose_spec import PyCompose
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from sqlalchemy.engine import make_url

from carbonpeak_core.settings import ENV_VARS, Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
CODE_DIRS = ("carbonpeak", "scrapers", "expectations", "dags")

AIRFLOW_COMMANDS = {
    "airflow-apiserver": ["airflow", "api-server"],
    "airflow-scheduler": ["airflow", "scheduler"],
    "airflow-dag-processor": ["airflow", "dag-processor"],
    "airflow-triggerer": ["airflow", "triggerer"],
}
AIRFLOW_SERVICES = {"airflow-init", *AIRFLOW_COMMANDS}
SECRETS = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY")
CARBONPEAK_NAME = re.compile(r"\bCARBONPEAK_[A-Z0-9]+(?:_[A-Z0-9]+)*\b")


# --- compose interpolation (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$) -------------------

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escape>\$)|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(text: str, env: Mapping[str, str]) -> str:
    def replace(m: re.Match[str]) -> str:
        if m["escape"]:
            return "$"
        name, op, arg = m["braced"] or m["bare"], m["op"], m["arg"]
        value = env.get(name)
        if op is None:
            return value or ""
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("-"):
            return arg if missing else value
        if op.endswith("?"):
            if missing:
                raise ValueError(f"required variable {name} is not set: {arg}")
            return value
        return "" if missing else arg  # "+"

    return _INTERPOLATION.sub(replace, text)


def references(text: str) -> Iterator[tuple[str, str | None, str | None]]:
    """(name, operator, argument) of every interpolation in `text`; `$$` escapes are not references."""
    for m in _INTERPOLATION.finditer(text):
        if not m["escape"]:
            yield m["braced"] or m["bare"], m["op"], m["arg"]


def strings(node: Any) -> Iterator[str]:
    """Every string key and value in a loaded YAML document (comments are already gone)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def deep_interpolate(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: deep_interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [deep_interpolate(item, env) for item in node]
    return node


# --- the files -----------------------------------------------------------------------------------------


@functools.cache
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # PyYAML resolves the <<: merge keys


@functools.cache
def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """(active, commented-out) KEY=value lines of .env.example."""
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"(#\s*)?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if not m:
            continue
        value = m[3].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        target = commented if m[1] else active
        assert m[2] not in target, f".env.example lists {m[2]} twice"
        target[m[2]] = value
    return active, commented


def example_env() -> dict[str, str]:
    """What `cp .env.example .env` plus filled-in secrets gives compose."""
    env = dict(env_example()[0])
    for name in SECRETS:
        env[name] = env.get(name) or "x" * 64
    return env


@functools.cache
def compose() -> dict[str, Any]:
    return deep_interpolate(raw_compose(), example_env())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def airflow_env() -> dict[str, str]:
    return environment(services()["airflow-scheduler"])


def mounts(service: dict[str, Any]) -> list[tuple[str | None, str, str]]:
    """(source, target, type) of each volume entry, short or long syntax."""
    result = []
    for entry in service.get("volumes", []):
        if isinstance(entry, str):
            parts = entry.split(":")
            source, target = (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
            kind = "bind" if source and source[0] in "./~" else "volume"
        else:
            source, target, kind = entry.get("source"), entry["target"], entry.get("type", "volume")
        result.append((source, target, kind))
    return result


def named_mounts(service: dict[str, Any]) -> dict[PurePosixPath, str]:
    return {PurePosixPath(t): s for s, t, kind in mounts(service) if kind == "volume" and s}


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (cond or {}).get("condition", "service_started") for name, cond in deps.items()}


def one_shot_services() -> set[str]:
    return {
        name
        for svc in services().values()
        for name, cond in depends_on(svc).items()
        if cond == "service_completed_successfully"
    }


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


@functools.cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    result, buffer = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not buffer):
            continue  # Docker also drops comment lines inside a continued instruction
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, args = buffer.partition(" ")
        result.append((keyword.upper(), args.strip()))
        buffer = ""
    return result


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in dockerfile():
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))
    return env


def run_segments() -> Iterator[tuple[PurePosixPath, list[str]]]:
    """(WORKDIR, argv) of each `&&`/`||`/`;`-separated command in the RUN instructions."""
    workdir = PurePosixPath("/")
    for keyword, args in dockerfile():
        if keyword == "WORKDIR":
            workdir = workdir / args
        elif keyword == "RUN":
            for segment in re.split(r"&&|\|\||;", args):
                argv = shlex.split(segment.strip(" {}"))
                if argv:
                    yield workdir, argv


def project_dir() -> PurePosixPath:
    """Where `COPY . <dest>` puts the repository in the image."""
    workdir = PurePosixPath("/")
    for keyword, args in dockerfile():
        if keyword == "WORKDIR":
            workdir = workdir / args
        elif keyword == "COPY":
            argv = [a for a in shlex.split(args) if not a.startswith("--")]
            if argv[:-1] == ["."]:
                return workdir / argv[-1]
    pytest.fail("the Dockerfile never copies the repository (COPY . <dir>)")


def pip_installs() -> list[tuple[PurePosixPath, list[str]]]:
    return [
        (workdir, argv[argv.index("install") + 1 :])
        for workdir, argv in run_segments()
        if "pip" in argv[:3] and "install" in argv
    ]


@functools.cache
def lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def dockerignored(path: str) -> bool:
    """Docker's rule: patterns are anchored at the context root, match a path or any parent, last wins."""
    excluded = False
    parts = PurePosixPath(path).parts
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        regex = _glob_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch("/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
        out += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
    return re.compile(out)


def code_env_names() -> dict[str, set[str]]:
    """CARBONPEAK_* names in string literals of the Python sources -> the files naming them."""
    found: dict[str, set[str]] = {}
    for top in CODE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for name in CARBONPEAK_NAME.findall(node.value):
                        found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def dbt_env_names() -> dict[str, set[str]]:
    """Names passed to env_var() anywhere in the dbt project."""
    found: dict[str, set[str]] = {}
    project = ROOT / "dbt_project"
    for path in sorted(project.rglob("*")):
        skip = {"target", "dbt_packages", "logs"} & set(path.relative_to(project).parts)
        if path.suffix in {".yml", ".yaml", ".sql"} and path.is_file() and not skip:
            for name in re.findall(r"env_var\(\s*['\"](\w+)['\"]", path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


# --- compose: shape ------------------------------------------------------------------------------------


def test_compose_parses_and_has_the_spec_shape():
    doc = raw_compose()
    unknown = {k for k in doc if not k.startswith("x-")} - {
        "name", "services", "volumes", "networks", "configs", "secrets", "include"
    }  # fmt: skip
    assert not unknown, f"not Compose-spec top-level keys (`version` is obsolete): {unknown}"
    assert isinstance(doc["services"], dict) and doc["services"]
    for name, svc in services().items():
        assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", name), name
        assert "image" in svc or "build" in svc, f"{name} has neither image nor build"
        build = svc.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if build:
            dockerfile_path = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
            assert dockerfile_path.is_file(), f"{name}: no {dockerfile_path}"


def _validate_against_the_spec(doc: dict[str, Any]) -> None:
    """Raises ValueError naming the offending path, as `docker compose config` would refuse the file."""
    PyCompose.from_yaml(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_compose_file_is_valid_against_the_compose_specification():
    # The file as compose reads it: merge keys resolved, .env.example interpolated.
    _validate_against_the_spec(compose())


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        (("airflow-scheduler", "restart"), "sometimes", "unknown variant"),
        (("postgres", "healthchek"), {"test": ["CMD", "true"]}, "healthchek"),
        (("airflow-init", "depends_on"), {"postgres": {"condition": "service_great"}}, "service_great"),
    ],
)
def test_the_spec_check_refuses_a_broken_file(path: tuple[str, str], value: Any, complaint: str):
    broken = copy.deepcopy(compose())
    service, key = path
    broken["services"][service][key] = value
    with pytest.raises(ValueError, match=complaint):
        _validate_against_the_spec(broken)


def test_named_volumes_are_declared_and_used():
    declared = set(compose().get("volumes") or {})
    used = {source for svc in services().values() for source in named_mounts(svc).values()}
    assert used - declared == set(), "volumes used but not declared at top level"
    assert declared - used == set(), "volumes declared but mounted nowhere"


def test_depends_on_targets_exist_and_conditions_can_be_met():
    allowed = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, svc in services().items():
        for target, condition in depends_on(svc).items():
            assert target in services(), f"{name} depends on unknown service {target}"
            assert condition in allowed, f"{name} -> {target}: {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services()[target], f"{name} waits for {target} to be healthy"
    for name in one_shot_services():
        # `restart: always` on a one-shot job reruns it forever and it never "completes".
        assert str(services()[name].get("restart", "no")) == "no", f"{name} must not restart"


def test_every_long_running_service_has_a_healthcheck():
    for name, svc in services().items():
        if name in one_shot_services():
            continue
        check = svc.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no healthcheck"
        test = check["test"]
        assert test and test != ["NONE"], f"{name}: healthcheck disabled"
        if isinstance(test, list):
            assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, f"{name}: {test}"


# --- compose: Airflow ----------------------------------------------------------------------------------


def test_airflow_components_share_one_image_and_environment():
    svcs = services()
    assert AIRFLOW_SERVICES | {"postgres", "mailpit"} <= set(svcs)
    reference = svcs["airflow-scheduler"]
    for name in AIRFLOW_SERVICES:
        svc = svcs[name]
        assert (svc.get("image"), svc.get("build")) == (reference.get("image"), reference.get("build")), name
        # JWT secret, Fernet key and the data layout must be the same in every component.
        assert environment(svc) == environment(reference), f"{name} has a different environment"
        assert mounts(svc) == mounts(reference), f"{name} mounts different volumes"
        deps = depends_on(svc)
        assert deps.get("postgres") == "service_healthy", name
        if name != "airflow-init":
            assert deps.get("airflow-init") == "service_completed_successfully", name
    for name, argv in AIRFLOW_COMMANDS.items():
        assert command(svcs[name]) == argv, name


def test_airflow_environment_is_airflow3_localexecutor_on_postgres():
    env = airflow_env()
    svcs = services()
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"

    url = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert url.get_backend_name() == "postgresql"
    pg = environment(svcs[url.host])  # the host is the postgres service
    assert (url.username, url.password, url.database) == (
        pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"]
    )  # fmt: skip

    # Airflow 3 task processes reach the api-server's Execution API by its service name.
    execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert execution.hostname == "airflow-apiserver" and execution.path == "/execution/"
    api_port = int(env.get("AIRFLOW__API__PORT", 8080))
    assert execution.port == api_port
    published = [int(str(p).rsplit(":", 1)[-1]) for p in svcs["airflow-apiserver"].get("ports", [])]
    assert api_port in published
    assert "/api/v2/monitor/health" in str(svcs["airflow-apiserver"]["healthcheck"]["test"])
    if ":8974/health" in str(svcs["airflow-scheduler"]["healthcheck"]["test"]):
        assert env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"].lower() == "true"

    # Secrets have no default: compose refuses to start rather than run with a guessable key.
    raw_env = raw_compose()["services"]["airflow-scheduler"]["environment"]
    for name in SECRETS:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]*\}}", raw_env[name]), f"{name} must be ${{{name}:?...}}"


def test_init_migrates_the_db_and_creates_every_pool_the_code_uses():
    init = services()["airflow-init"]
    argv = command(init)
    script = ENTRYPOINT.read_text(encoding="utf-8") if argv == ["init"] else " ".join(argv)
    assert "airflow db migrate" in script
    created = set(re.findall(r"airflow pools set (\S+) (\d+)", script))
    assert ("duckdb_writer", "1") in created, "DuckDB allows one writer per file: pool duckdb_writer, 1 slot"
    used = {
        name
        for top in CODE_DIRS
        for path in (ROOT / top).rglob("*.py")
        for name in re.findall(r"\bpool\s*=\s*['\"]([\w.-]+)['\"]", path.read_text(encoding="utf-8"))
    }
    assert used <= {name for name, _ in created}, f"pools used in code but never created: {used}"


def test_entrypoint_is_an_executable_bash_script():
    assert ENTRYPOINT.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    assert os.access(ENTRYPOINT, os.X_OK)
    subprocess.run(["bash", "-n", str(ENTRYPOINT)], check=True)
    entry = next(json_args for keyword, json_args in dockerfile() if keyword == "ENTRYPOINT")
    assert str(project_dir() / ENTRYPOINT.relative_to(ROOT)) in entry


# --- compose vs the code's environment contract --------------------------------------------------------


def test_every_carbonpeak_variable_is_set_or_defaulted_and_documented():
    env = airflow_env()
    active, commented = env_example()
    code = code_env_names()
    for name in sorted(set(ENV_VARS) | set(code)):
        where = ", ".join(sorted(code.get(name, ()))) or "ENV_VARS"
        assert name in env or name in ENV_VARS, f"{name} ({where}) is neither in compose nor in ENV_VARS"
        assert name in active or name in commented, f"{name} ({where}) is missing from .env.example"
    # profiles.yml's fallbacks are relative to dbt's working directory: the stack must set them.
    for name, files in dbt_env_names().items():
        assert name in env, f"{name} (read by {', '.join(sorted(files))}) is not set in compose"
        assert name in active or name in commented, f"{name} is missing from .env.example"


def test_env_example_matches_the_compose_interpolations():
    active, commented = env_example()
    refs: dict[str, set[tuple[str | None, str | None]]] = {}
    for text in strings(raw_compose()):
        for name, op, arg in references(text):
            refs.setdefault(name, set()).add((op, arg))
    # A ${VAR} nobody documents is either a typo or a shell variable that needed $$.
    assert set(refs) - set(active) == set(), "compose reads variables .env.example does not list"
    assert set(active) - set(refs) == set(), ".env.example lists variables compose never reads"
    for name, uses in refs.items():
        for op, arg in uses:
            assert op in {":-", ":?"}, f"${{{name}}} needs a default (:-) or must be required (:?)"
            if op == ":-":
                assert arg == active[name], f"{name}: compose default {arg!r} != .env.example {active[name]!r}"
            else:
                assert active[name] == "", f"{name} is a secret: .env.example must not ship a value"
    # Commented-out entries are the fixed ones: compose sets exactly that literal value.
    raw_env = raw_compose()["x-airflow-common"]["environment"]
    for name, value in commented.items():
        assert str(raw_env.get(name)) == value, f"{name}: .env.example says {value!r}, compose {raw_env.get(name)!r}"


def test_data_volumes_sit_where_the_settings_put_the_data(monkeypatch):
    env = airflow_env()
    for name in list(os.environ):
        if name.startswith("CARBONPEAK_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("CARBONPEAK_"):
            monkeypatch.setenv(name, value)
    s = Settings.from_env()

    folders = {PurePosixPath(p) for p in (s.raw_dir, s.landing_dir, s.state_dir, s.build_path.parent, s.gx_dir)}
    warehouse = PurePosixPath(s.warehouse_path.parent)
    mounted = named_mounts(services()["airflow-scheduler"])  # LocalExecutor: tasks run in the scheduler
    for path in (*folders, warehouse):
        assert path in mounted, f"{path} is not on a named volume; its data would die with the container"
    data_dir = PurePosixPath(s.data_dir)
    stray = {t for t in mounted if data_dir in t.parents and t not in folders}
    assert not stray, f"mounted under CARBONPEAK_DATA_DIR but not a Settings folder: {stray}"
    # dbt reads these two; they must name the files the pipeline reads and publishes.
    assert env["CARBONPEAK_BUILD_PATH"] == str(s.build_path)
    assert env["CARBONPEAK_LANDING_DIR"] == str(s.landing_dir)

    # The image creates each mount point (named volumes take their owner from it on first use).
    created = {workdir / arg for workdir, argv in run_segments() if argv[0] == "mkdir" for arg in argv[1:]}
    assert {*folders, warehouse} <= created


def test_dags_folder_is_where_the_image_puts_dags():
    dags = project_dir() / "dags"
    assert airflow_env()["AIRFLOW__CORE__DAGS_FOLDER"] == str(dags)
    assert (ROOT / "dags").is_dir() and not dockerignored("dags/carbonpeak_nightly.py")
    # Values the image and compose both set must agree (the image is also run without compose).
    image_env = dockerfile_env()
    for name, value in airflow_env().items():
        if name in image_env:
            assert image_env[name] == value, f"{name}: Dockerfile {image_env[name]!r} != compose {value!r}"


# --- the image -----------------------------------------------------------------------------------------


def test_dockerfile_base_is_python_slim_matching_requires_python():
    bases = [args.split()[0] for keyword, args in dockerfile() if keyword == "FROM"]
    assert len(bases) == 1, bases
    image, _, tag = bases[0].partition(":")
    assert image == "python" and tag.endswith("-slim-bookworm"), bases[0]
    requires = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
    assert requires.contains(tag.split("-")[0] + ".0"), f"{tag} vs requires-python {requires}"


def test_dockerfile_installs_exactly_the_lock_then_the_project():
    installs = pip_installs()
    kinds = []
    for workdir, args in installs:
        assert not {"-i", "--index-url", "--extra-index-url", "-f", "--find-links"} & set(args), args
        if "-r" in args:
            assert PurePosixPath(args[args.index("-r") + 1]).name == "requirements.lock", args
            kinds.append("lock")
        else:
            # Anything else would add packages the lock does not pin.
            assert "--no-deps" in args, f"pip install without the lock or --no-deps: {args}"
            # Editable: carbonpeak_core.paths.REPO_ROOT is the package's parent, where dbt_project/ must be found.
            assert args[-2:] == ["-e", "."] and workdir == project_dir(), args
            kinds.append("project")
    assert kinds == ["lock", "project"]
    lock_copies = [args for keyword, args in dockerfile() if keyword == "COPY" and "requirements.lock" in args]
    assert lock_copies, "requirements.lock is never copied in before it is installed"
    assert dockerfile_env().get("PIP_INDEX_URL", "https://pypi.org/simple") == "https://pypi.org/simple"
    users = [args for keyword, args in dockerfile() if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "run as a non-root user"


def test_pyproject_and_requirements_in_pins_are_the_locked_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
    direct = [*project["dependencies"], *(ln.split("#")[0].strip() for ln in lines)]
    for spec in filter(None, direct):
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in lock(), f"{req.name} is not in requirements.lock"
        assert req.specifier.contains(lock()[name], prereleases=True), f"{spec} vs locked {lock()[name]}"
        pins = [s.version for s in req.specifier if s.operator == "=="]
        if pins:
            assert pins == [lock()[name]], f"{spec} vs locked {lock()[name]}"


def test_lock_has_the_postgres_driver_the_compose_url_names():
    drivers = {
        "psycopg2": {"psycopg2", "psycopg2-binary"},
        "psycopg": {"psycopg", "psycopg-binary"},
        "pg8000": {"pg8000"},
    }
    url = make_url(airflow_env()["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    driver = url.get_driver_name()  # SQLAlchemy's default for postgresql:// is psycopg2
    assert drivers[driver] & set(lock()), (
        f"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN uses {driver}, which requirements.lock does not install: "
        "add psycopg2-binary to requirements.in and recompile the lock"
    )


def test_dockerignore_keeps_build_inputs_and_drops_local_state():
    keep = [
        "pyproject.toml", "README.md", "requirements.lock", "docker/entrypoint.sh", "carbonpeak_core/settings.py",
        "carbonpeak/data/gbt2260.csv", "scrapers/sources.toml", "expectations/__init__.py",
        "dags/carbonpeak_nightly.py", "dbt_project/dbt_project.yml", "dbt_project/profiles.yml",
        "dbt_project/seeds/gbt2260_regions.csv",
    ]  # fmt: skip
    drop = [
        ".env", ".git/config", ".venv/bin/python", "data/raw/page.html", "warehouse/carbonpeak.duckdb",
        "carbonpeak/__pycache__/settings.cpython-311.pyc", "dbt_project/target/manifest.json",
        # development tools stay out of the production image
        "mirror/server.py", "mirror/pdf/dcp347.pdf", "tests/conftest.py", "bench/scrape_mirror.py",
    ]  # fmt: skip
    assert [p for p in keep if dockerignored(p)] == []
    assert [p for p in drop if not dockerignored(p)] == []


# --- with a real compose binary, when there is one -----------------------------------------------------


def _compose_binary() -> list[str] | None:
    if docker := shutil.which("docker"):
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    if legacy := shutil.which("docker-compose"):
        return [legacy]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path):
    binary = _compose_binary()
    if binary is None:
        pytest.skip("no docker compose plugin or docker-compose binary")
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in example_env().items()), encoding="utf-8")
    base = [*binary, "--project-directory", str(ROOT), "-f", str(COMPOSE), "--env-file", str(env_file)]
    clean_env = {k: v for k, v in os.environ.items() if k not in example_env()}
    done = subprocess.run([*base, "config", "--quiet"], capture_output=True, text=True, env=clean_env)
    assert done.returncode == 0, done.stderr
