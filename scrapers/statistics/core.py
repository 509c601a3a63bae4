"""The statistics run: fetch (conditional where the site allows), save raw bytes, parse, land what changed.

State (`state/<key>.json`): `http` — validators and raw path per fetched URL, so an unchanged list or
page is answered 304 and read back from the raw store (and, for a release page, the title and date its
list entry showed when it was last checked: a release the list still shows so is not requested again
until `recheck_days` have passed); `observations` — a fingerprint per observation id
(value, unit, quote, URL, title, date), so only new or changed figures are landed; `pages` — the
observation ids each release page gave, so a page that did not change counts its figures as unchanged.
A discovery failure (catalogue, list, a missing indicator name) stops the run at once; a release that
fails is recorded, the others still land, and the run raises at the end — as for documents.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import urlencode

from carbonpeak_core.landing import StatisticRecord
from carbonpeak_core.settings import Settings
from scrapers.http import FetchError, PoliteSession, Response, SourceDeferred, Validators
from scrapers.parsing import decode_html, gov_meta, parse_date, soup_of
from scrapers.rawstore import RawStore
from scrapers.registry import SourceConfig
from scrapers.runstate import (
    ScrapeDeferred,
    ScrapeError,
    ScrapeSummary,
    Urls,
    effective_base_url,
    land_and_remember,
    listed_unchanged,
    make_session,
    mark_checked,
    now,
    source_deadline,
)

log = logging.getLogger(__name__)


class StatisticsError(ValueError):
    """A statistics page or API answer that does not say what the adapter expects; names the URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Fetched:
    url: str  # the live URL (what records and state keep)
    body: bytes
    content_type: str | None
    raw_path: str
    fetched_at: str
    modified: bool  # False: a conditional GET was answered 304 and the body came from the raw store

    @property
    def text(self) -> str:
        return decode_html(self.body, self.content_type)

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StatisticsError(self.url, f"not JSON: {exc}") from exc


@dataclass(frozen=True)
class Observation:
    """One figure as a release states it (pure parse output; the runner adds provenance of the fetch)."""

    region_code: str
    region_name: str
    indicator: str
    year: int
    value: float
    unit: str
    measure: str  # level | yoy_change (negative = 下降)
    quote: str
    source_title: str
    source_url: str
    published: str | None
    # Set where one source states one cell more than once (a communiqué column of many reposts: two
    # reports of 杭州's 2021 GDP); empty keeps the id of (source, region, indicator, year, measure).
    variant: str = ""


@dataclass(frozen=True)
class Task:
    url: str  # live URL of the release or table, for error messages
    run: Callable[[], tuple[Fetched, list[Observation]]]
    # What the list showed of a release page (title, date), so a release the list shows unchanged is not
    # requested again before the recheck period (as for documents); None for API queries, which no list
    # describes and which are asked every run.
    listed: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class ReleasePage:
    """What every statistics release page has: its title, date, source URL and the one element holding its text."""

    title: str
    published: str | None
    source_url: str
    body: Any  # a bs4 Tag


def release_page(html: str, url: str, *, list_title: str, list_date: str | None, body: str) -> ReleasePage:
    """The title (ArticleTitle meta, else the list's), date (PubDate meta, else the list's), source URL (the page's
    来源 link, naming the release as first published, else the page itself) and the one `body` element."""
    soup = soup_of(html)
    meta = gov_meta(soup)
    link = soup.select_one(".article-info a.source[href], .source a[href]")
    found = soup.select(body)
    if len(found) != 1:
        raise StatisticsError(url, f"expected one {body}, found {len(found)}")
    return ReleasePage(title=meta.get("ArticleTitle") or list_title,
                       published=parse_date(meta.get("PubDate")) or list_date,
                       source_url=str(link["href"]) if link is not None else url, body=found[0])


def observation_id(source_key: str, region_code: str, indicator: str, year: int, measure: str,
                   variant: str = "") -> str:
    key = f"{source_key}|{region_code}|{indicator}|{year}|{measure}" + (f"|{variant}" if variant else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class Client:
    """What an adapter sees of the network: GETs (conditional when state has validators) and JSON POSTs,
    every body saved to the raw store before it is returned."""

    def __init__(self, http: PoliteSession, raw: RawStore, urls: Urls, cache: dict[str, dict[str, Any]]) -> None:
        self.http = http
        self.raw = raw
        self.urls = urls
        self.cache = cache  # live URL -> {etag, last_modified, raw_path}

    def url(self, path_or_url: str, params: Mapping[str, str] | None = None) -> str:
        """The URL to fetch (on the effective base) for a live URL or a path on the site."""
        url = self.urls.to_effective(path_or_url) if "://" in path_or_url else self.urls.effective + path_or_url
        return url + ("?" + urlencode(params) if params is not None else "")

    def _keep(self, response: Response, live: str) -> Fetched:
        fetched_at = now()
        raw_path = self.raw.save(response, canonical_url=live, fetched_at=fetched_at)
        return Fetched(live, response.content, response.content_type, raw_path, fetched_at, True)

    def get(self, url: str) -> Fetched:
        live = self.urls.to_live(url)
        known = self.cache.get(live)
        validators = None
        if known and (known.get("etag") or known.get("last_modified")):
            validators = Validators(etag=known.get("etag"), last_modified=known.get("last_modified"))
        response = self.http.get(url, validators=validators)
        if response.not_modified and known:
            body, meta = self.raw.load(known["raw_path"])
            headers = meta.get("headers") or {}
            content_type = headers.get("content-type") if isinstance(headers, dict) else None
            return Fetched(live, body, content_type, known["raw_path"], str(meta.get("fetched_at")), False)
        fetched = self._keep(response, live)
        self.cache[live] = {"etag": response.headers.get("etag"),
                            "last_modified": response.headers.get("last-modified"), "raw_path": fetched.raw_path}
        return fetched

    def post_json(self, url: str, payload: Any) -> Fetched:
        return self._keep(self.http.post_json(url, payload), self.urls.to_live(url))

    def forget(self, live_url: str) -> None:
        """Drop a URL's validators, so a page whose parse failed is fetched whole next time."""
        self.cache.pop(live_url, None)


def _fingerprint(obs: Observation) -> str:
    fields = [obs.value, obs.unit, obs.quote, obs.source_url, obs.source_title, obs.published]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]


def load_state(path: Any) -> dict[str, Any]:
    state = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for key in ("http", "observations", "pages"):
        state.setdefault(key, {})
    return state


def scrape_statistics(
    source: SourceConfig, settings: Settings, run_id: str, *, session: PoliteSession | None = None,
    deadline: float | None = None,
) -> ScrapeSummary:
    """One run of one statistics source. Returns the summary; raises ScrapeError (with `.summary`), ScrapeDeferred
    when its time budget runs out or the site asks for too long a wait (the figures read by then land)."""
    key = source.key
    family = import_module(f"scrapers.statistics.{source.family}")
    urls = Urls(source.base_url, effective_base_url(source, settings))
    state_path = settings.state_dir / f"{key}.json"
    summary = ScrapeSummary(source_key=key)
    try:
        state = load_state(state_path)
    except ValueError as exc:
        summary.outcome = "failed"
        raise ScrapeError(key, "", f"state file {state_path} is damaged ({exc}): restore it from a backup, or move it "
                                   "aside to read every release again (figures already landed are kept)",
                          summary=summary) from exc
    known: dict[str, str] = state["observations"]
    own_session = session is None
    http = session or make_session(source, settings, source_deadline(settings, deadline))
    deferred: SourceDeferred | None = None
    client = Client(http, RawStore(settings.raw_dir, key), urls, state["http"])
    failed: list[str] = []
    try:
        try:
            tasks: list[Task] = family.discover(client, source)
        except SourceDeferred as exc:
            summary.outcome = "deferred"
            raise ScrapeDeferred(key, urls.to_live(exc.url), f"catalogue not finished: {exc.reason}",
                                 summary=summary) from exc
        except StatisticsError as exc:  # named by the live URL, as records and state are
            raise ScrapeError(key, urls.to_live(exc.url), exc.reason) from exc
        except FetchError as exc:
            raise ScrapeError(key, urls.to_live(exc.url), f"catalogue or list failed: {exc.reason}") from exc
        records: list[StatisticRecord] = []
        for task in tasks:
            if task.listed is not None and listed_unchanged(client.cache.get(task.url), task.listed,
                                                            settings.recheck_days):
                summary.unchanged += len(state["pages"].get(task.url, []))
                continue
            try:
                fetched, observations = task.run()
            except SourceDeferred as exc:
                deferred = exc
                break
            except (FetchError, ValueError) as exc:  # StatisticsError is a ValueError
                failed.append(task.url)
                summary.errors.append(f"{task.url}: {getattr(exc, 'reason', exc)}")
                client.forget(task.url)
                log.warning("[%s] %s: %s", key, task.url, exc)
                continue
            if task.listed is not None and fetched.url in client.cache:
                mark_checked(client.cache[fetched.url], task.listed)
            if not fetched.modified:
                summary.unchanged += len(state["pages"].get(fetched.url, []))
                continue
            ids = []
            for obs in observations:
                oid = observation_id(key, obs.region_code, obs.indicator, obs.year, obs.measure, obs.variant)
                ids.append(oid)
                fingerprint = _fingerprint(obs)
                if known.get(oid) == fingerprint:
                    summary.unchanged += 1
                    continue
                if oid in known:
                    summary.changed += 1
                else:
                    summary.new += 1
                known[oid] = fingerprint
                records.append(StatisticRecord(
                    observation_id=oid, source_key=key, region_code=obs.region_code, region_name=obs.region_name,
                    indicator=obs.indicator, year=obs.year, value=obs.value, unit=obs.unit, measure=obs.measure,
                    quote=obs.quote, source_title=obs.source_title, source_url=obs.source_url,
                    published=obs.published, fetched_at=fetched.fetched_at, raw_path=fetched.raw_path,
                    run_id=run_id,
                ))
            state["pages"][fetched.url] = ids
        summary.failed = len(failed)
        summary.listed = summary.new + summary.changed + summary.unchanged
        land_and_remember(settings, "statistics", key, run_id, records, summary, state, state_path)
    finally:
        summary.requests = http.requests_made
        summary.bytes = http.bytes_received
        if own_session:
            http.close()
    if deferred is not None:
        summary.outcome = "deferred"
        raise ScrapeDeferred(key, urls.to_live(deferred.url), f"{deferred.reason} ({len(records)} figure(s) landed)",
                             summary=summary)
    if failed:
        summary.outcome = "failed"
        raise ScrapeError(key, ", ".join(failed), f"{len(failed)} release(s) failed: " + "; ".join(summary.errors),
                          summary=summary, failed_urls=tuple(failed))
    return summary
