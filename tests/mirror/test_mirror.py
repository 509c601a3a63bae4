"""The offline mirror: verbatim corpus, deterministic build, HTTP semantics of each family's pages."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.parse
import urllib.request

from carbonpeak.mirror import Mirror
from carbonpeak.mirror.build import CORPUS_DIR, build_site, load_sites
from carbonpeak.settings import REPO_ROOT

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
