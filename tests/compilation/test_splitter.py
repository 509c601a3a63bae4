"""The compilation splitter: general rules on the compilation's own structure, checked on corpus 003."""

from __future__ import annotations

from itertools import pairwise

import pytest

from mirror.site import CORPUS_DIR
from scrapers.compilation_splitter import _url_dates, analyse_compilation, split_compilation

# Under pytest-xdist the tests of this module share one worker, so its module fixture is built once.
pytestmark = pytest.mark.xdist_group("splitter")

# /work/shared/gold/texts/SLICES.md: offsets into line 50 (lines[49]) of the seed file.
SLICES = {"opinions": (6841, 13662), "action_plan": (13662, 27532)}


@pytest.fixture(scope="module")
def text() -> str:
    return (CORPUS_DIR / "003_a895838ed2e4cd84.txt").read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def layout(text: str):  # type: ignore[no-untyped-def]
    return analyse_compilation(text)


def test_counts_against_the_table_of_contents_and_the_urls(layout) -> None:  # type: ignore[no-untyped-def]
    sections = {s.name: (s.count, len(s.entries)) for s in layout.toc}
    # The headings announce 2 + 13 + 58 + 40 = 113 (the appendix heading says 113 too); the 省区 section
    # lists 59 entries under its "58项" heading, so the table of contents holds 114 entries.
    assert sections["国家方案"] == (2, 2) and sections["部委方案"] == (13, 13)
    assert sections["省区方案"] == (58, 59) and sections["城市方案"] == (40, 40)
    assert layout.toc_entries == 114 and layout.toc_announced == 113
    assert layout.urls == 112
    docs = layout.documents
    assert len(docs) == layout.toc_entries == 114
    # every URL in the file is a document header, and only the two national documents print none
    assert sum(1 for d in docs if d.source_url) == layout.urls
    assert [d.index for d in docs if not d.source_url] == [1, 2]
    assert {d.section for d in docs[:2]} == {"国家方案"}
    assert [d.section for d in docs].count("部委方案") == 13


def test_the_national_documents_have_the_hand_cut_boundaries(text: str) -> None:
    line_start = sum(len(line) + 1 for line in text.split("\n")[:49])
    line = text.split("\n")[49]
    opinions, plan = split_compilation(text)[:2]
    assert (opinions.start - line_start, opinions.end - line_start) == SLICES["opinions"]
    assert (plan.start - line_start, plan.end - line_start) == SLICES["action_plan"]
    assert opinions.text == line[6841:13662] and plan.text == line[13662:27532]
    assert opinions.text.startswith("——全国统筹。") and opinions.text.endswith("第11页")
    assert plan.text.startswith("国务院2030年前碳达峰行动方案扫码查看全文") and plan.text.endswith("第29页")
    # page 2 is missing from the file: the opinions' slice starts on page 3 (the table of contents says 2)
    assert (opinions.page_range, plan.page_range) == ("3-11", "12-29")
    assert (opinions.issuer, plan.issuer) == ("中共中央国务院", "国务院")
    assert opinions.title == "关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的意见"
    assert plan.title == "2030年前碳达峰行动方案"
    assert opinions.publish_date == "2021-10-24"  # the divider table and the appendix agree


def test_every_document_is_an_exact_slice_with_issuer_title_and_place(text: str, layout) -> None:  # type: ignore[no-untyped-def]
    docs = layout.documents
    for doc in docs:
        assert text[doc.start : doc.end] == doc.text
        assert doc.issuer and doc.title
        assert doc.page_to is not None
    for before, after in pairwise(docs):
        assert before.end <= after.start  # in order, never overlapping
        gap = text[before.end : after.start]
        if gap:  # only divider pages lie between documents
            assert any(a == before.end and b == after.start for a, b in layout.dividers), gap[:60]
    for doc in docs[2:]:
        assert doc.source_url and doc.source_url.startswith(("http://", "https://"))
        # the header opens the slice: issuer《title》URL
        assert doc.text.startswith(f"{doc.issuer}《{doc.title}》{doc.source_url}")
    # a URL glued to a body that opens with digits is cut at its file extension
    moa = next(d for d in docs if d.issuer == "农业部")
    assert moa.source_url == "http://www.moa.gov.cn/govpublic/KJJYS/202206/t20220630_6403715.htm"
    # dates: the closing signature of the text, else a table row confirmed twice or by the URL
    mot = next(d for d in docs if d.issuer == "交通部")
    assert (mot.publish_date, mot.date_source) == ("2022-04-18", "signature")
    assert all(d.publish_date is None or "2021-01-01" <= d.publish_date <= "2022-12-31" for d in docs)


def test_general_rules_on_a_small_compilation() -> None:
    """No corpus-specific case: a made-up compilation with the same structure splits the same way."""
    text = (
        "某汇编目录甲部2项.......1甲文件...........02乙省《乙方案》..........4"
        "甲部2项发布单位政策文件发布日期甲委《甲文件》2021-01-02第1页"
        "正文一失页第3页"
        "乙省《乙省乙方案》https://example.gov.cn/a/t20210101_1.htm2030年前完成第4页"
        "目标第5页"
    )
    docs = split_compilation(text)
    assert [(d.issuer, d.title, d.source_url, d.page_range) for d in docs] == [
        ("甲委", "甲文件", None, "3-3"),
        ("乙省", "乙省乙方案", "https://example.gov.cn/a/t20210101_1.htm", "4-5"),
    ]
    assert docs[0].text == "正文一失页第3页" and docs[1].text.endswith("目标第5页")


def test_a_remark_glued_to_a_url_is_not_part_of_it(layout) -> None:  # type: ignore[no-untyped-def]
    # 江苏省《江苏省碳达峰实施方案》https://news.bjx.com.cn/html/20221017/1261324.shtml(非官网)为深入贯彻…
    urls = [d.source_url for d in layout.documents if d.source_url]
    assert "https://news.bjx.com.cn/html/20221017/1261324.shtml" in urls
    assert [u for u in urls if not u[-1].isalnum() and u[-1] not in "/_-=#"] == []


@pytest.mark.parametrize(
    ("url", "dates"),
    [
        ("http://www.qinghai.gov.cn/xxgk/xxgk/fd/zfwj/202212/t20221219_191524.html", {"2022-12-19"}),  # not 2022-01-02
        ("http://sthjt.jiangsu.gov.cn/art/2022/3/18/art_83554_10383055.html", {"2022-03-18"}),
        ("http://www.gov.cn/xinwen/2021-10/24/content_5644613.htm", {"2021-10-24"}),
        ("http://nm.people.com.cn/n2/2022/0627/c196689-40012184.html", {"2022-06-27"}),
        ("https://www.shanghai.gov.cn/nw12344/20220728/75468067a4a848139d2a2eed16ce9e11.html", {"2022-07-28"}),
        ("https://www.sc.gov.cn/10462/10464/10797/2021/12/8/74e1f8013f874f5c9e2f2a2aafd4141b.shtml", {"2021-12-08"}),
        ("http://www.henan.gov.cn/2022/02-22/2402738.html", {"2022-02-22"}),
        ("http://www.hebei.gov.cn/hebei/14462058/14471802/14471750/15298032/index.html", set()),
        ("https://gxt.guizhou.gov.cn/opinion/202211/tOpinion_12809.html", set()),
    ],
)
def test_the_publication_date_a_url_carries(url: str, dates: set[str]) -> None:
    assert _url_dates(url) == dates


def test_documents_without_a_date_in_their_text_take_their_pages_date(layout) -> None:  # type: ignore[no-untyped-def]
    docs = layout.documents
    by_source = {source: [d for d in docs if d.date_source == source] for source in ("signature", "table", "url")}
    # the text and the tables come first; the page's own date fills in only what they leave open
    assert all(d.publish_date in _url_dates(d.source_url) for d in by_source["url"])
    assert sum(1 for d in docs if d.publish_date) >= 80
    jiangsu = next(d for d in docs if d.source_url == "https://news.bjx.com.cn/html/20221017/1261324.shtml")
    assert (jiangsu.publish_date, jiangsu.date_source) == ("2022-10-17", "url")
