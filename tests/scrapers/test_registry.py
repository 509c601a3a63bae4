"""The source registry: the shipped file loads, and mistakes fail with the file and key named."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest

from carbonpeak_core.paths import REPO_ROOT
from scrapers.families.common import family_module
from scrapers.registry import STATISTICS_FAMILIES, RegistryError, SourceConfig, load_sources

SOURCES = REPO_ROOT / "scrapers" / "sources.toml"


def test_shipped_registry_loads() -> None:
    sources = load_sources(SOURCES)
    assert set(sources) >= {"jiaxing_fgw", "haining_gov"}
    jx = sources["jiaxing_fgw"]
    assert isinstance(jx, SourceConfig)
    assert (jx.family, jx.base_url, jx.host, jx.region_code) == (
        "hanweb",
        "https://fgw.jiaxing.gov.cn",
        "fgw.jiaxing.gov.cn",
        "330400",
    )
    assert sources["haining_gov"].base_url == "https://www.haining.gov.cn"
    for source in sources.values():
        if source.family in STATISTICS_FAMILIES:  # official figures: an adapter, no keyword filter
            assert import_module(f"scrapers.statistics.{source.family}").discover
            continue
        assert family_module(source.family).discover  # every family named has an adapter
        assert "碳达峰" in source.keywords
        with pytest.raises(TypeError):
            source.params["x"] = 1  # type: ignore[index]


GOOD = """
[sources.demo]
name = "某市发展和改革委员会"
jurisdiction = "某市"
region_code = "330400"
family = "trs"
base_url = "https://www.example.gov.cn"
keywords = ["碳达峰"]
[sources.demo.params]
column_path = "/zwgk/"
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('region_code = "330400"', 'region_code = "3304"'), "region_code"),
        (('family = "trs"', 'family = "wordpress"'), "family 'wordpress'"),
        (('column_path = "/zwgk/"', 'colum_path = "/zwgk/"'), "need params"),
        (
            ('base_url = "https://www.example.gov.cn"', 'base_url = "https://www.example.gov.cn/zwgk"'),
            "no path",
        ),
        (("[sources.demo]", "[sources.Demo]"), "lower_snake_case"),
        (('keywords = ["碳达峰"]', 'keywords = "碳达峰"'), "keywords"),
        (('keywords = ["碳达峰"]', 'keywords = ["碳达峰"]\nrate_limit = 0'), "rate_limit"),
        (('keywords = ["碳达峰"]', 'keywords = ["碳达峰"]\nbaseurl = "x"'), "unknown field"),
    ],
)
def test_validation_errors_name_file_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(RegistryError, match=message) as info:
        load_sources(path)
    assert str(path) in str(info.value)


def test_good_entry_loads(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD, encoding="utf-8")
    (demo,) = load_sources(path).values()
    assert demo.param("column_path") == "/zwgk/" and demo.rate_limit is None


def test_registry_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, scrapers.registry; "
        "print(sorted(m for m in ('requests', 'bs4', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "[]"
