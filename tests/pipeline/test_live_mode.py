"""`carbonpeak scrape --live` / `run --live`: the argument handling and the checks that keep an unfit
configuration away from the real sites. No test here leaves the machine: the one live scrape runs against a
registry whose "real" base URL is the loopback mirror."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from carbonpeak.cli import build_parser, main
from carbonpeak_core.settings import LiveModeError, Settings
from mirror import Mirror

CONTACT = "data-team@carbonpeak.org"


@pytest.fixture(autouse=True)
def sigpipe_restored() -> Iterator[None]:
    """main() lets SIGPIPE end the process quietly (for `carbonpeak … | head`); inside pytest that would kill
    the whole run the next time a loopback server writes to a client that has hung up."""
    before = signal.getsignal(signal.SIGPIPE)
    yield
    signal.signal(signal.SIGPIPE, before)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("CARBONPEAK_BASE_URLS", "CARBONPEAK_CONTACT", "CARBONPEAK_USER_AGENT", "CARBONPEAK_RATE_LIMIT",
                 "CARBONPEAK_SMTP_HOST", "CARBONPEAK_SOURCES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def haining_registry(tmp_path: Path, base_url: str, keywords: str = "") -> Path:
    """A one-source registry whose 海宁 "real site" is `base_url` (the loopback mirror)."""
    registry = tmp_path / "sources.toml"
    registry.write_text(f"""
[sources.haining_gov]
name = "海宁市人民政府"
jurisdiction = "海宁市"
region_code = "330481"
family = "trs"
base_url = "{base_url}"
{keywords}
[sources.haining_gov.params]
column_path = "/hdjl/yjzj/"
""", encoding="utf-8")
    return registry


@pytest.mark.parametrize("command", ["scrape", "run"])
def test_mirror_and_live_exclude_each_other(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    from mirror.__main__ import main as mirror_main

    assert mirror_main([command, "--live"]) == 2  # the mirror refuses to scrape the real sites
    assert "--live scrapes the real sites" in capsys.readouterr().err
    assert build_parser().parse_args([command, "--live"]).live is True
    with pytest.raises(SystemExit) as exit_info:  # the product has no mirror switch: the mirror is a dev tool
        build_parser().parse_args([command, "--mirror"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("command", ["scrape", "run"])
def test_live_is_refused_while_hosts_are_redirected(command: str, env: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("CARBONPEAK_CONTACT", CONTACT)
    env.setenv("CARBONPEAK_BASE_URLS", '{"www.haining.gov.cn": "http://127.0.0.1:9"}')
    assert main([command, "--live"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --live: ") and "CARBONPEAK_BASE_URLS sends www.haining.gov.cn elsewhere" in err
    assert not (Path(str(Settings.from_env().data_dir)) / "landing").exists()  # refused before any scrape


def test_live_needs_a_contact_that_reaches_someone(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    assert main(["scrape", "--live"]) == 2  # the default contact is carbonpeak@example.org
    assert "CARBONPEAK_CONTACT is 'carbonpeak@example.org'" in capsys.readouterr().err
    for placeholder in ("someone@example.com", "https://example.org/contact", "ops@carbonpeak.test", "ops", ""):
        with pytest.raises(LiveModeError, match="CARBONPEAK_CONTACT"):
            Settings(contact=placeholder).check_live()
    with pytest.raises(LiveModeError, match="does not name CARBONPEAK_CONTACT"):
        Settings(contact=CONTACT, user_agent="Mozilla/5.0").check_live()
    with pytest.raises(LiveModeError, match="CARBONPEAK_RATE_LIMIT must be above 0"):
        Settings(contact=CONTACT, rate_limit=0).check_live()
    fit = Settings(contact=CONTACT).check_live()
    assert CONTACT in fit.effective_user_agent and fit.rate_limit == 1.0


def test_live_scrapes_the_registry_base_urls(env: pytest.MonkeyPatch, mirror: Mirror, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A registry whose 海宁 entry's real site is the loopback mirror: --live scrapes it as it stands,
    attachments included (they are on the source's own host), with the contact in the User-Agent."""
    base = mirror.base_urls["www.haining.gov.cn"]
    env.setenv("CARBONPEAK_SOURCES", str(haining_registry(tmp_path, base, keywords='keywords = ["节能"]')))
    env.setenv("CARBONPEAK_CONTACT", CONTACT)
    env.setenv("CARBONPEAK_RATE_LIMIT", "50")
    assert main(["scrape", "--live"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert '"new": 1' in out and '"attachments": 2' in out
    landed = list((tmp_path / "data" / "landing" / "documents" / "haining_gov").glob("*.jsonl"))
    assert len(landed) == 1 and base + "/hdjl/yjzj/202304/t20230410_2435122.html" in landed[0].read_text()


def test_the_nightly_scrape_refuses_an_unfit_live_configuration(env: pytest.MonkeyPatch, mirror: Mirror,
                                                                tmp_path: Path) -> None:
    """The DAG's scrape task (pipeline.scrape) goes live for every source whose host is not redirected: with
    the default contact it must refuse before the first request. The registry's "real" site is the loopback mirror, so a
    request that slipped through would show up in the mirror's log instead of leaving the machine."""
    from carbonpeak import pipeline

    env.setenv("CARBONPEAK_SOURCES", str(haining_registry(tmp_path, mirror.base_urls["www.haining.gov.cn"])))
    settings = Settings.from_env()
    before = len(mirror.log)
    with pytest.raises(LiveModeError, match=r"CARBONPEAK_CONTACT is 'carbonpeak@example\.org'"):
        pipeline.scrape("haining_gov", settings, pipeline.new_run_id())
    assert len(mirror.log) == before
