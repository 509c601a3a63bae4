"""Statistics adapters: official figures (not documents) from statistics sites, one small module per family.

Each family module (nbs, nea) provides
  discover(client, source, base_url) -> list[Task]   fetch the site's catalogue or list (bytes via `client`)
and every Task's `run()` fetches one release or table and parses it, purely, into `Observation`s.
`scrapers.runner.scrape_source` hands a statistics source to `scrape_statistics` here, which turns the
observations into `StatisticRecord`s, lands the new and changed ones in
`landing/statistics/<key>/<run_id>.jsonl` and keeps the incremental state in `state/<key>.json`.
"""

from __future__ import annotations

from scrapers.statistics.core import (
    Client,
    Fetched,
    Observation,
    StatisticsError,
    Task,
    observation_id,
    scrape_statistics,
)

__all__ = ["Client", "Fetched", "Observation", "StatisticsError", "Task", "observation_id", "scrape_statistics"]
