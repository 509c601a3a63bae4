"""Hanweb columns as they vary between live sites, served by the mirror from configuration alone (sites.toml
keys `totalrecord`, `jpage_total`, `list_api`): the count in the proxy XML, only in the column page's jpage call,
nowhere; the `dataproxy.jsp` and the `morecolumndataproxy.jsp` list APIs. The registry entry (sources.toml) is the
shipped one, unchanged: the scraper finds every entry of each, asking for no group past the end but one."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbonpeak_core.settings import Settings
from mirror import running_mirror
from mirror.site import SITES_FILE
from scrapers.families.hanweb import parse_dataproxy
from scrapers.parsing import SelectorError
from scrapers.registry import load_sources
from scrapers.runner import scrape_source

HOST = "fgw.jiaxing.gov.cn"
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
MORE = "/module/web/jpage/morecolumndataproxy.jsp"


def _variant(tmp_path: Path, keys: str) -> Path:
    """A copy of the mirror's sites file whose 嘉兴 column (two documents, one per jpage page) has `keys`."""
    text = SITES_FILE.read_text(encoding="utf-8")
    header = "[sites.jiaxing_fgw]\n"
    assert text.count(header) == 1
    sites = tmp_path / "sites.toml"
    sites.write_text(text.replace(header, header + keys + "\n"), encoding="utf-8")
    return sites


@pytest.mark.parametrize(("keys", "api", "requests"), [
    ("", DATAPROXY, 2),  # <totalrecord>2</totalrecord>: two groups of one, then done
    ("totalrecord = false", DATAPROXY, 2),  # the count only in the column page's jpage call (totalRecord:2)
    ("totalrecord = false\njpage_total = false", DATAPROXY, 3),  # no count anywhere: the third group is empty
    ('list_api = "morecolumndataproxy"\ntotalrecord = false\njpage_total = false', MORE, 3),
], ids=["count in the XML", "count in the jpage call only", "no count", "morecolumndataproxy, no count"])
def test_every_entry_of_a_column_is_found_however_it_counts(keys: str, api: str, requests: int,
                                                            tmp_path: Path) -> None:
    with running_mirror(_variant(tmp_path, keys)) as mirror:
        settings = Settings(data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5,
                            max_retries=0)
        summary = scrape_source("jiaxing_fgw", settings, "run1")
        asked = [r for r in mirror.requests(HOST) if r.method == "POST"]
    assert (summary.new, summary.failed, summary.listed_total) == (2, 0, 2)
    assert {r.path for r in asked} == {api} and len(asked) == requests
    # the run log says, per list API answer, what it showed and what the keyword filter kept
    assert [(p["listed_total"], p["matched"]) for p in summary.list_pages] == [(1, 1), (1, 1)]
    assert all(p["url"].startswith(f"https://{HOST}{api}?") for p in summary.list_pages)


def test_a_proxy_answer_that_states_two_counts_is_refused() -> None:
    source = load_sources(SITES_FILE.parent.parent / "scrapers" / "sources.toml")["jiaxing_fgw"]
    xml = "<datastore><recordset></recordset><totalrecord>2</totalrecord><totalrecord>3</totalrecord></datastore>"
    with pytest.raises(SelectorError, match="totalrecord"):
        parse_dataproxy(xml, "https://fgw.jiaxing.gov.cn/x", source)
    assert parse_dataproxy("<datastore><recordset></recordset></datastore>", "u", source) == (None, [])

