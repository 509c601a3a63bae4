"""A brand-new site of a known family, added by configuration alone, is ingested end to end.

The test adds 金华市科学技术局 (kjj.jinhua.gov.cn, a Hanweb 大汉 site whose list API, like some live columns', states
no `<totalrecord>`) the way an operator would: one entry
appended to a copy of the source registry, one entry appended to a copy of the mirror's sites file, serving
the real text the compilation (corpus 003) holds for that site's plan at the URL the compilation prints.
No Python changes. The pipeline then scrapes, extracts, builds, validates and publishes it. The same published
warehouse also holds the 北极星 news repost (seed 000), to check how news lands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import duckdb
import pytest

from carbonpeak import pipeline
from carbonpeak_core.paths import REPO_ROOT
from carbonpeak_core.settings import Settings
from mirror import running_mirror
from mirror.site import CORPUS_DIR, SITES_FILE
from scrapers.compilation_splitter import split_compilation

# Under pytest-xdist the tests of this module share one worker, so its module fixture is built once.
pytestmark = pytest.mark.xdist_group("new_site")

URL = "http://kjj.jinhua.gov.cn/art/2021/11/8/art_1229317784_3931074.html"  # as the compilation prints it

# The ids in the URL (column 1229317784, article 3931074) are real; webid/unitid and the SiteIDCode serial
# were not readable offline (they would be VERIFY/PLACEHOLDER in the shipped files).
NEW_SOURCE = """
[sources.jinhua_kjj]
name = "金华市科学技术局"
jurisdiction = "金华市"
region_code = "330700"
family = "hanweb"
base_url = "http://kjj.jinhua.gov.cn"
keywords = ["碳达峰", "碳中和", "双碳"]

[sources.jinhua_kjj.params]
column_id = "1229317784"
webid = "3071"       # PLACEHOLDER
unitid = "7061455"   # PLACEHOLDER
webname = "金华市科学技术局"
"""

NEW_SITE = """
[sites.jinhua_kjj]
host = "kjj.jinhua.gov.cn"
family = "hanweb"
charset = "utf-8"
site_name = "金华市科学技术局"
site_id_code = "3307000001"   # 330700 = 金华市; serial PLACEHOLDER
column_name = "通知公告"
column_type = "信息公开，通知公告"
column_id = "1229317784"
webid = "3071"
unitid = "7061455"
webname = "金华市科学技术局"
totalrecord = false   # its dataproxy.jsp XML states no <totalrecord>: the count is only in the column page's jpage call
robots = "User-agent: *\\nDisallow: /manage/\\n"

[[sites.jinhua_kjj.documents]]
corpus = "003_a895838ed2e4cd84.txt"
line = 50
start = 877590
end = 881523
path = "/art/2021/11/8/art_1229317784_3931074.html"
title = "金华市碳达峰碳中和科技创新行动方案"
issuer = "金华市科学技术局"
doc_number = ""
written_date = "2021-11-08"
pub_date = "2021-11-08 09:00"  # the day is the URL's (and the compilation's); the time is a PLACEHOLDER
keywords = "碳达峰,碳中和,科技创新"
description = "金华市碳达峰碳中和科技创新行动方案"
last_modified = "Mon, 08 Nov 2021 01:00:00 GMT"
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("new-site")
    sources = root / "sources.toml"
    sites = root / "sites.toml"
    sources.write_text((REPO_ROOT / "scrapers" / "sources.toml").read_text(encoding="utf-8") + NEW_SOURCE,
                       encoding="utf-8")
    sites.write_text(SITES_FILE.read_text(encoding="utf-8") + NEW_SITE, encoding="utf-8")
    with running_mirror(sites) as mirror:
        settings = Settings(data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
                            sources_file=sources, base_urls=mirror.base_urls, rate_limit=0, timeout=5,
                            max_retries=1)
        report = pipeline.run_all(settings, sources=["jinhua_kjj", "bjx_guangfu"])
        assert report.ok and report.published, report.summary()
        assert report.sources["jinhua_kjj"]["new"] == 1
        yield settings


def query(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_new_site_is_published_with_its_metadata(published: Settings) -> None:
    [row] = query(published, "select document_id, title, issuer, publish_date::varchar, region_code, region_name, "
                             "url, family, body_text, version_hash from dim_documents where source_key = 'jinhua_kjj'")
    document_id, title, issuer, day, code, region, url, family, body, version_hash = row
    assert (document_id, title, issuer, day) == (
        "jinhua_kjj:3931074", "金华市碳达峰碳中和科技创新行动方案", "金华市科学技术局", "2021-11-08")
    assert (code, region, url, family) == ("330700", "金华市", URL, "hanweb")
    [compiled] = [d for d in split_compilation((CORPUS_DIR / "003_a895838ed2e4cd84.txt").read_text("utf-8"))
                  if d.source_url == URL]
    assert body == compiled.text and version_hash == hashlib.sha256(body.encode()).hexdigest()
    targets = query(published, "select count(*), count(distinct region_code) from fct_targets "
                               "where document_id = 'jinhua_kjj:3931074'")
    assert targets[0][0] > 0


def test_a_news_repost_says_what_it_is_and_where_it_is_about(published: Settings) -> None:
    [row] = query(published, "select document_type, quoted_title, region_code, region_name, title, url "
                             "from dim_documents where source_key = 'bjx_guangfu'")
    assert row[:4] == ("news", "嘉兴市清洁生产推行方案（2022-2025年）", "330400", "嘉兴市")
    assert row[4:] == ("浙江嘉兴：到2025年光伏装机达到470万千瓦", "https://guangfu.bjx.com.cn/news/20230525/1308953.shtml")
    regions = query(published, "select distinct region_code from fct_targets where document_id = 'bjx_guangfu:1308953'")
    assert regions == [("330400",)]
    pv = query(published, "select value, unit, target_year from fct_targets "
                          "where document_id = 'bjx_guangfu:1308953' and indicator_code = 'solar_capacity'")
    assert (470.0, "万千瓦", 2025) in pv
    # official documents have no quoted title
    assert query(published, "select count(*) from dim_documents where document_type <> 'news' "
                            "and quoted_title is not null") == [(0,)]

