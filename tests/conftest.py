"""Shared pytest fixtures. Scraper/mirror fixtures: a running offline mirror and Settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from carbonpeak_core.settings import Settings
from mirror import Mirror, running_mirror


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    """The offline mirror on loopback ports, fresh for each test (tests may change what it serves)."""
    with running_mirror() as running:
        yield running


@pytest.fixture
def mirror_settings(tmp_path: Path, mirror: Mirror) -> Settings:
    """Settings with data under tmp_path, live hosts mapped to the mirror, no throttling, fast failure."""
    return Settings(
        data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1
    )
