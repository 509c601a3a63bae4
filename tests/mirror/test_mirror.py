"""The offline mirror: verbatim corpus, deterministic build, HTTP semantics of each family's pages."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from carbonpeak_core.paths import REPO_ROOT
from mirror import Mirror
from mirror.attachments import PDF_DIR, corpus_pdf, docx_bytes
from mirror.build import build_site
from mirror.site import CORPUS_DIR, load_sites
from scrapers.textlayer import convert

# The project's shared corpus sits beside the checkout (../shared) on developer machines and in CI.
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def test_corpus_is_verbatim_and_listed_in_readme() -> None:
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    files = sorted(CORPUS_DIR.glob("*.txt"))
    assert [f.name for f in files] == [
        "000_c024b4ef5c96c6e7.txt",
        "001_473853afd590c8d8.txt",
        "002_c46747e1f312a09b.txt",
        "003_a895838ed2e4cd84.txt",
    ]
    for file in files:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        assert f"`{digest}`" in readme, file.name
        if SHARED_CORPUS.exists():
            assert file.read_bytes() == (SHARED_CORPUS / file.name).read_bytes()


def test_build_is_deterministic() -> None:
    sites = load_sites()
    for key, cfg in sites.items():
        first, second = build_site(key, cfg), build_site(key, cfg)
        assert {p: f.etag for p, f in first.files.items()} == {p: f.etag for p, f in second.files.items()}


def test_detail_pages_carry_the_full_gov_meta_set(mirror: Mirror) -> None:
    names = [
        "SiteName",
        "SiteDomain",
        "SiteIDCode",
        "ColumnName",
        "ColumnType",
        "ArticleTitle",
        "PubDate",
        "ContentSource",
        "Keywords",
        "Author",
        "Description",
        "Url",
    ]
    for corpus in ("000_c024b4ef5c96c6e7.txt", "002_c46747e1f312a09b.txt"):
        host, path = mirror.document_path(corpus)
        status, _, body = fetch(mirror.base_urls[host] + path)
        assert status == 200
        text = body.decode("utf-8" if host == "fgw.jiaxing.gov.cn" else "gb18030")
        for name in names:
            assert f'<meta name="{name}"' in text, (corpus, name)
        assert re.search(r'name="SiteIDCode" content="(330400|330481)\d{4}"', text)


def test_conditional_get_and_head(mirror: Mirror) -> None:
    host, path = mirror.document_path("000_c024b4ef5c96c6e7.txt")
    url = mirror.base_urls[host] + path
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"] == "Fri, 05 May 2023 08:30:00 GMT"
    assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert (
        fetch(url, headers={"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]})[0]
        == 200
    )
    head = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(head, timeout=5) as response:
        assert response.status == 200 and response.read() == b""
    assert fetch(mirror.base_urls[host] + "/no/such/page.html")[0] == 404
    mirror.replace_text("000_c024b4ef5c96c6e7.txt", "新文本")
    status, changed, _ = fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 200 and changed["ETag"] != headers["ETag"]


def test_hanweb_dataproxy_pages_like_the_real_one(mirror: Mirror) -> None:
    base = mirror.base_urls["fgw.jiaxing.gov.cn"]
    form = urllib.parse.urlencode(
        {
            "col": 1,
            "appid": 1,
            "webid": 3142,
            "path": "/",
            "columnid": 1229496556,
            "sourceContentType": 1,
            "unitid": 7452468,
            "webname": "嘉兴市发展和改革委员会",
            "permissiontype": 0,
        }
    ).encode()
    url = base + "/module/web/jpage/dataproxy.jsp?startrecord={}&endrecord={}&perpage=1"
    _, headers, first = fetch(url.format(1, 1), data=form)
    _, _, second = fetch(url.format(2, 2), data=form)
    assert headers["Content-Type"].startswith("text/xml")
    for page in (first, second):
        xml = page.decode("utf-8")
        assert "<totalrecord>2</totalrecord>" in xml
        assert xml.count("<record><![CDATA[") == 1
    assert b"/art/2024/7/16/" in first and b"/art/2023/5/5/" in second
    wrong = form.replace(b"columnid=1229496556", b"columnid=1")
    assert b"<totalrecord>0</totalrecord>" in fetch(url.format(1, 15), data=wrong)[2]


def test_trs_pages_are_gbk_without_header_charset(mirror: Mirror) -> None:
    base = mirror.base_urls["www.haining.gov.cn"]
    status, headers, body = fetch(base + "/hdjl/yjzj/index.html")
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert 'createPageHTML(2, 0, "index", "html")' in body.decode("gb18030")
    assert fetch(base + "/hdjl/yjzj/index_1.html")[0] == 200
    assert fetch(base + "/hdjl/yjzj/index_2.html")[0] == 404
    assert b"Disallow" in fetch(base + "/robots.txt")[2]


def test_fail_then_recover(mirror: Mirror) -> None:
    base = mirror.base_urls["www.haining.gov.cn"]
    mirror.fail(
        "www.haining.gov.cn", "/hdjl/yjzj/index.html", status=503, times=1, headers={"Retry-After": "1"}
    )
    status, headers, _ = fetch(base + "/hdjl/yjzj/index.html")
    assert status == 503 and headers["Retry-After"] == "1"
    assert fetch(base + "/hdjl/yjzj/index.html")[0] == 200


def test_gkmlpt_list_api_pages_like_the_real_one(mirror: Mirror) -> None:
    base = mirror.base_urls["www.gd.gov.cn"]
    index = fetch(base + "/gkmlpt/index")[2].decode("utf-8")
    assert "SID: '2'" in index and '"id": 5' in index
    api = base + "/gkmlpt/api/all/5?page={}&sid={}"
    status, headers, first = fetch(api.format(1, 2))
    page1 = json.loads(first)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert (page1["total"], page1["classify"]["post_count"], len(page1["articles"])) == (2, 2, 1)
    assert {"id", "title", "url", "post_url", "publisher", "document_number", "display_publish_time"} <= set(
        page1["articles"][0])
    assert json.loads(fetch(api.format(0, 2))[2]) == page1  # page 0 is page 1
    assert json.loads(fetch(api.format(2, 2))[2])["articles"][0]["id"] != page1["articles"][0]["id"]
    assert json.loads(fetch(api.format(3, 2))[2])["articles"] == []
    assert fetch(api.format(1, 3))[0] == 404  # another site's SID
    post = fetch(page1["articles"][0]["url"].replace("https://www.gd.gov.cn", base))[2].decode("utf-8")
    assert '<meta name="SiteIDCode" content="4400000001">' in post and '<div class="article-content">' in post
    assert "DETAIL: {" in post and "\\u003Cp\\u003E" in post  # `<` in the embedded JSON is escaped, as live
    zhanjiang = mirror.base_urls["www.zhanjiang.gov.cn"] + "/jrj/gkmlpt/api/all/1027?page={}&sid=759001"
    assert len(json.loads(fetch(zhanjiang.format(1))[2])["articles"]) == 1
    assert fetch(zhanjiang.format(2))[0] == 404  # everything on page 1, 404 after


def test_bjx_column_pages_and_article(mirror: Mirror) -> None:
    base = mirror.base_urls["guangfu.bjx.com.cn"]
    status, headers, first = fetch(base + "/zc/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert first.decode("utf-8").count("<li><a href=\"https://guangfu.bjx.com.cn/news/") == 2
    assert b"/news/20230525/1308953.shtml" in fetch(base + "/zc/2/")[2]
    assert fetch(base + "/zc/3/")[0] == 404
    article = fetch(base + "/news/20230525/1308953.shtml")[2].decode("utf-8")
    assert "<h1>浙江嘉兴：到2025年光伏装机达到470万千瓦</h1>" in article
    assert "<title>浙江嘉兴：到2025年光伏装机达到470万千瓦-北极星太阳能光伏网</title>" in article
    assert "<span>2023-05-25 10:30</span>" in article and "标题：" not in article and "链接：" not in article


def test_the_trs_page_links_its_annexes_made_from_the_corpus(mirror: Mirror) -> None:
    """海宁's page shows the plan up to its list of annexes; 附件1 and 附件2 are served as Word files generated
    from the corpus lines at build time, byte for byte the same on every build (ETags)."""
    host, path = mirror.document_path("002_c46747e1f312a09b.txt")
    base = mirror.base_urls[host]
    page = fetch(base + path)[2].decode("gb18030")
    assert page.count('oldsrc="P020230410') == 2 and '<table class="enclosure">' in page
    lines = (CORPUS_DIR / "002_c46747e1f312a09b.txt").read_text(encoding="utf-8").split("\n")
    assert "附件1" not in page.split('<div class="TRS_Editor">')[1].split("</div>")[0].split("\n")  # off the page
    served = []
    for href in re.findall(r'href="\./(P\d+\.docx)"', page):
        status, headers, body = fetch(base + path.rsplit("/", 1)[0] + "/" + href)
        assert status == 200 and headers["ETag"]
        assert headers["Content-Type"].endswith("wordprocessingml.document") and b"word/document.xml" in body
        served.append(body)
    annex1, annex2 = served
    assert convert(annex1, "docx").text == "\n".join(lines[40:97])
    assert convert(annex2, "docx").text == "\n".join(lines[101:204])
    # Deterministic without the cache: the bytes (and so the ETags) do not change between builds.
    assert docx_bytes.__wrapped__("\n".join(lines[40:97])) == annex1
    assert docx_bytes.__wrapped__("\n".join(lines[101:204])) == annex2


# -- real PDFs ---------------------------------------------------------------------------------------------


def test_mirror_pdfs_are_verbatim_copies_of_the_shared_corpus() -> None:
    readme = (PDF_DIR / "README.md").read_text(encoding="utf-8")
    files = sorted(PDF_DIR.glob("*.pdf"))
    assert [f.name for f in files] == ["dcp347.pdf", "dcp404.pdf", "dcp483.pdf", "dcp575.pdf"]
    served = {cfg_file["pdf"] for cfg in load_sites().values() for cfg_file in cfg.get("files", [])}
    served |= {att["pdf"] for cfg in load_sites().values() for doc in cfg.get("documents", [])
               for att in doc.get("attachments", []) if "pdf" in att}
    assert served == {f.name for f in files}  # each one is served, none is missing
    for file in files:
        assert f"`{hashlib.sha256(file.read_bytes()).hexdigest()}`" in readme, file.name
        if (SHARED_CORPUS / "pdf").exists():
            assert file.read_bytes() == (SHARED_CORPUS / "pdf" / file.name).read_bytes()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_hanweb_downfile_redirects_to_the_real_pdf_and_answers_html_for_a_missing_file(mirror: Mirror) -> None:
    base = mirror.base_urls["www.shandong.gov.cn"]
    article = fetch(base + "/art/2022/5/2/art_107851_119275.html")[2].decode("utf-8")
    zoom = article.split('<div id="zoom">')[1].split("</div>")[0]
    [link] = re.findall(r'href="(/module/download/downfile\.jsp\?[^"]+)"', zoom)  # inside the body, as on Hanweb
    link = link.replace("&amp;", "&")
    assert link.startswith("/module/download/downfile.jsp?classid=0&filename=") and link.endswith(".pdf")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(base + link, timeout=5)
        raise AssertionError("downfile.jsp did not redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302 and redirect.headers["Location"].startswith("/attach/0/")
    status, headers, body = fetch(base + link)  # followed
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body == corpus_pdf("dcp575.pdf")
    status, headers, body = fetch(base + "/module/download/downfile.jsp?classid=0&filename=gone.pdf")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and "文件不存在" in body.decode("utf-8")


def test_columns_list_pdf_only_entries_and_trs_pages_link_real_pdfs(mirror: Mirror) -> None:
    # Hanweb: the dataproxy record links straight to the file, with no date (the plan states none).
    base = mirror.base_urls["www.shandong.gov.cn"]
    form = urllib.parse.urlencode({"col": 1, "appid": 1, "webid": 410, "path": "/", "columnid": 107851,
                                   "sourceContentType": 1, "unitid": 492291, "webname": "山东省人民政府",
                                   "permissiontype": 0}).encode()
    xml = fetch(base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15", data=form)[2]
    [record] = [r for r in xml.decode("utf-8").split("<record>") if "山东省绿色低碳转型2022年行动计划" in r]
    [href] = re.findall(r'href="([^"]+)"', record)
    assert "downfile.jsp?classid=0&amp;filename=" in href and "bt-data-time" not in record
    assert fetch(base + href.replace("&amp;", "&"))[2] == corpus_pdf("dcp347.pdf")
    # TRS: a list item whose link is the PDF itself.
    base = mirror.base_urls["www.fujian.gov.cn"]
    listing = fetch(base + "/zwgk/ghjh/index.html")[2].decode("utf-8")
    [href] = re.findall(r'<li><a href="\./([^"]+\.pdf)" title="福建省“十四五”节能减排综合工作实施方案"', listing)
    status, headers, body = fetch(base + "/zwgk/ghjh/" + href)
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body == corpus_pdf("dcp483.pdf")
    # TRS: the notice page carries the signed notice as an oldsrc attachment.
    base = mirror.base_urls["www.fuzhou.gov.cn"]
    page = fetch(base + "/zfxxgkzl/szfwj/202102/t20210216_4031587.html")[2].decode("utf-8")
    [(href, oldsrc)] = re.findall(r'<a href="\./(P\d+\.pdf)" oldsrc="(P\d+\.pdf)"', page)
    assert href == oldsrc
    assert fetch(base + "/zfxxgkzl/szfwj/202102/" + href)[2] == corpus_pdf("dcp404.pdf")
