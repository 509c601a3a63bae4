"""`python -m mirror serve --ports … --text …`: the deployment test restarts the mirror on the ports the running
Airflow was given, serving a revision of a document (its bad load)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from carbonpeak_core.paths import REPO_ROOT

CORPUS = "000_c024b4ef5c96c6e7.txt"
PAGE = "/art/2023/5/5/art_1229496556_59023456.html"  # the 嘉兴 notice made from it (mirror/sites.toml)


def _serve(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "mirror", "serve", *args], cwd=REPO_ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _stop(proc: subprocess.Popen[str]) -> int:
    os.killpg(proc.pid, signal.SIGTERM)
    return proc.wait(timeout=30)


def test_a_restarted_mirror_keeps_its_ports_and_serves_the_revised_text(tmp_path: Path) -> None:
    first, urls = _serve()
    try:
        original = urllib.request.urlopen(urls["fgw.jiaxing.gov.cn"] + PAGE, timeout=10).read().decode()
    finally:
        assert _stop(first) == 0  # SIGTERM closes the ports and exits cleanly
    assert "到2025年，全市光伏装机" in original

    text = (REPO_ROOT / "mirror" / "corpus" / CORPUS).read_text(encoding="utf-8")
    revised = tmp_path / CORPUS
    revised.write_text(text.replace("到2025年，全市光伏装机", "到2099年，全市光伏装机", 1), encoding="utf-8")
    second, again = _serve("--ports", json.dumps(urls), "--text", f"{CORPUS}={revised}")
    try:
        page = urllib.request.urlopen(again["fgw.jiaxing.gov.cn"] + PAGE, timeout=10).read().decode()
    finally:
        _stop(second)
    assert again == urls
    assert "到2099年，全市光伏装机" in page and "到2099年" not in original


def test_serve_refuses_an_unknown_option() -> None:
    proc = subprocess.run([sys.executable, "-m", "mirror", "serve", "--port", "80"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--ports JSON" in proc.stderr
