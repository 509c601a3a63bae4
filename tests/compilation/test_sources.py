"""The compilation and gov.cn sources over real loopback HTTP (the offline mirror)."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from carbonpeak_core.landing import iter_documents
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.site import CORPUS_DIR
from scrapers.compilation_splitter import split_compilation
from scrapers.families.compilation import region_for_issuer
from scrapers.registry import load_sources
from scrapers.runner import scrape_source

COMPILATION = "carbonpeak_compilation_v7"
GOVCN = "govcn_policy_library"
FILE_URL = "https://compilations.carbonpeak.example/shuangtan/003_a895838ed2e4cd84.txt"


def test_the_compilation_lands_every_compiled_document(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source(COMPILATION, mirror_settings, "run-1")
    compiled = split_compilation((CORPUS_DIR / "003_a895838ed2e4cd84.txt").read_bytes().decode("utf-8"))
    assert (summary.listed, summary.new, summary.failed) == (1, len(compiled), 0) and len(compiled) == 114
    records = sorted(iter_documents(mirror_settings.landing_dir), key=lambda r: r.document_id)
    assert [r.document_id for r in records] == [f"{COMPILATION}:shuangtan_v7-{d.index:03d}" for d in compiled]
    for record, doc in zip(records, compiled, strict=True):
        assert record.body_text == doc.text  # the exact slice
        assert (record.title, record.issuer, record.publish_date) == (doc.title, doc.issuer, doc.publish_date)
        assert record.url == (doc.source_url or f"{FILE_URL}#doc-{doc.index:03d}")
        assert record.compilation_id == "shuangtan_v7" and record.page_range == doc.page_range
        assert record.region_code is not None and record.region_code == region_for_issuer(doc.issuer)
        assert record.family == "compilation" and record.raw_path == records[0].raw_path
    by_issuer = {r.issuer: r.region_code for r in records}
    assert by_issuer["国务院"] == by_issuer["国资委"] == by_issuer["国家能源局"] == "100000"
    assert (by_issuer["浙江省"], by_issuer["广西"], by_issuer["内蒙古"]) == ("330000", "450000", "150000")
    assert (by_issuer["上海市徐汇区"], by_issuer["石家庄"], by_issuer["永城市"]) == ("310104", "130100", "411481")

    # a second run asks with the validators and lands nothing
    again = scrape_source(COMPILATION, mirror_settings, "run-2")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 1)
    # a new edition that changes one document lands that document only
    name = "003_a895838ed2e4cd84.txt"
    text = (CORPUS_DIR / name).read_bytes().decode("utf-8")
    mirror.replace_text(name, text.replace("城乡建设是碳排放的主要领域之一", "城乡建设是碳排放的主要领域", 1))
    third = scrape_source(COMPILATION, mirror_settings, "run-3")
    assert (third.new, third.changed) == (0, 1)


def test_govcn_lands_the_national_documents_through_a_paged_search(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    sources = load_sources(mirror_settings.sources_file)
    source = sources[GOVCN]
    small = replace(source, params=MappingProxyType({**source.params, "page_size": 1}))
    summary = scrape_source(GOVCN, mirror_settings, "run-1", sources={**sources, GOVCN: small})
    assert (summary.listed, summary.new, summary.failed) == (2, 2, 0)
    searches = mirror.requests("sousuo.www.gov.cn", method="GET")
    assert [r.path for r in searches if r.path != "/robots.txt"] == ["/search-gov/data"] * 2  # p=1, p=2
    records = {r.url: r for r in iter_documents(mirror_settings.landing_dir)}
    opinions = records["https://www.gov.cn/zhengce/2021-10/24/content_5644613.htm"]
    plan = records["https://www.gov.cn/zhengce/content/2021-10/26/content_5644984.htm"]
    assert opinions.title == "中共中央 国务院关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见"
    assert (opinions.issuer, opinions.publish_date) == ("中共中央 国务院", "2021-10-24")
    assert opinions.doc_number == "中发〔2021〕36号"
    assert plan.title == "国务院关于印发2030年前碳达峰行动方案的通知"
    assert (plan.issuer, plan.publish_date, plan.doc_number) == ("国务院", "2021-10-26", "国发〔2021〕23号")
    assert opinions.region_code == plan.region_code == "100000"
    assert (opinions.document_id, plan.document_id) == (f"{GOVCN}:5644613", f"{GOVCN}:5644984")

    # The same two documents come in the compilation too: both are kept, and their body hashes
    # (version_hash) are equal, which is what tells dbt they are one document.
    scrape_source(COMPILATION, mirror_settings, "run-2")
    compiled = {r.version_hash: r for r in iter_documents(mirror_settings.landing_dir) if r.source_key == COMPILATION}
    assert compiled[opinions.version_hash].document_id == f"{COMPILATION}:shuangtan_v7-001"
    assert compiled[plan.version_hash].document_id == f"{COMPILATION}:shuangtan_v7-002"
