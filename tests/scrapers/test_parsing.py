"""Pure helpers: counted selectors, gov meta tags, dates, region codes, charset, body text."""

from __future__ import annotations

import pytest

from scrapers.parsing import (
    SelectorError,
    clean_text,
    decode_html,
    gov_meta,
    parse_date,
    region_from_site_id,
    select,
    soup_of,
)

PAGE = """<html><head>
<meta name="SiteName" content="嘉兴市发展和改革委员会"><meta name="siteidcode" content="3304000001">
<meta name="PubDate" content="2023-05-05 16:30"><meta name="ContentSource" content=" 嘉兴市发展和改革委员会 ">
<meta name="viewport" content="width=device-width">
</head><body><ul class="list"><li>a</li><li>b</li></ul></body></html>"""


def test_select_counts() -> None:
    soup = soup_of(PAGE)
    assert len(select(soup, "ul.list li", expect=2, source="s", url="u")) == 2
    assert len(select(soup, "ul.list li", min_items=1, max_items=5, source="s", url="u")) == 2
    with pytest.raises(SelectorError) as info:
        url = "https://fgw.jiaxing.gov.cn/col/col1/index.html"
        select(soup, "ul.list li", expect=3, source="jiaxing_fgw", url=url)
    assert str(info.value) == (
        "[jiaxing_fgw] https://fgw.jiaxing.gov.cn/col/col1/index.html: "
        "selector 'ul.list li' matched 2 element(s), "
        "expected exactly 3"
    )
    with pytest.raises(SelectorError, match="at least 1"):
        select(soup, "div.gone", source="s", url="u")
    with pytest.raises(SelectorError, match=r"0\.\.1"):
        select(soup, "li", max_items=1, min_items=0, source="s", url="u")


def test_gov_meta_is_case_insensitive_and_ignores_other_tags() -> None:
    assert gov_meta(soup_of(PAGE)) == {
        "SiteName": "嘉兴市发展和改革委员会",
        "SiteIDCode": "3304000001",
        "PubDate": "2023-05-05 16:30",
        "ContentSource": "嘉兴市发展和改革委员会",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-05 16:30", "2023-05-05"),
        ("2026-05-18 10:19:00", "2026-05-18"),
        ("2023/5/5", "2023-05-05"),
        ("2023年5月5日", "2023-05-05"),
        ("2023.05.05", "2023-05-05"),
        ("2023-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, expected: str | None) -> None:
    assert parse_date(value) == expected


def test_region_from_site_id() -> None:
    assert region_from_site_id("3304000001") == "330400"
    assert region_from_site_id("1101070001") == "110107"
    assert region_from_site_id("bm07000001") is None
    assert region_from_site_id("330400") is None
    assert region_from_site_id(None) is None


def test_clean_text_keeps_characters_and_drops_layout() -> None:
    html = (
        "<div id='zoom'>\n  <p>\n    第一行，\n    接着写\n  </p>\n  <p>\t市发改局</p>\n<p></p>\n"
        "<p>\u3000\u3000全角缩进\u00a0保留</p><div><div><p>嵌套</p></div></div>甲<br>乙<script>x()</script></div>"
    )
    soup = soup_of(html)
    expected = "第一行， 接着写\n\t市发改局\n\n\u3000\u3000全角缩进\u00a0保留\n嵌套\n甲\n乙"
    assert clean_text(soup.select_one("#zoom")) == expected


def test_decode_html_charset_rules() -> None:
    text = '<html><head><meta charset="gb2312"></head><body>嘉興市發展和改革委員會</body></html>'
    gbk = text.encode("gbk")  # traditional characters: not valid gb2312
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("gb2312")
    assert "嘉興市發展和改革委員會" in decode_html(gbk, "text/html")
    assert "嘉興市發展和改革委員會" in decode_html(gbk, "text/html; charset=ISO-8859-1")
    assert "嘉興" in decode_html(gbk, "text/html; charset=GBK")
    utf8 = "<p>海宁市节能减排综合工作实施方案</p>".encode()
    assert decode_html(utf8, "text/html; charset=utf-8") == "<p>海宁市节能减排综合工作实施方案</p>"
    # no header, no meta: detected
    detected = "<p>海宁市“十四五”节能减排综合工作实施方案（征求意见稿）</p>".encode("gb18030")
    assert "海宁市" in decode_html(detected, None)
    # the header lies (says utf-8, bytes are GBK): the meta tag is tried next
    assert "嘉興" in decode_html(gbk, "text/html; charset=utf-8")
