"""Pure parsing helpers shared by every CMS family: charset decoding, counted selectors, the gov
meta-tag set, dates, region codes from SiteIDCode, and body-text cleanup. No network, no clock.
"""

from __future__ import annotations

import re
from datetime import date

import charset_normalizer
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

# The gov meta-tag convention (政府网站发展指引 网页标签): site, column and content groups.
GOV_META_NAMES = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Url",
)

_GB_FAMILY = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "csgb2312", "euc-cn"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


class SelectorError(Exception):
    """A selector matched the wrong number of elements: the page layout has probably changed."""

    def __init__(self, source: str, url: str, selector: str, found: int, expected: str) -> None:
        super().__init__(
            f"[{source}] {url}: selector {selector!r} matched {found} element(s), expected {expected}"
        )
        self.source = source
        self.url = url
        self.selector = selector
        self.found = found


# -- charset ------------------------------------------------------------------------------------


def normalize_charset(name: str | None) -> str | None:
    """Lower-case codec name; any GB2312/GBK label becomes gb18030 (a superset: traditional
    characters on pages that declare gb2312 are common, and a strict gb2312 decode fails on them)."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY or name == "gb18030":
        return "gb18030"
    return name


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return normalize_charset(match.group(1)) if match else None


def meta_charset(content: bytes) -> str | None:
    """`<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 4 KB."""
    match = _META_CHARSET.search(content[:4096])
    return normalize_charset(match.group(1).decode("ascii", "replace")) if match else None


def _try_decode(content: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return content.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Bytes → str: header charset, then the page's meta charset, then charset_normalizer.

    requests would fall back to ISO-8859-1 for `text/html` without a charset, which turns GBK
    pages into mojibake; we never do that. A charset that fails to decode strictly is skipped.
    """
    header = header_charset(content_type)
    meta = meta_charset(content)
    # Servers that add a default "charset=ISO-8859-1" to every text/* response are wrong for
    # Chinese pages; when the page itself declares a charset, the page wins.
    if header in ("iso-8859-1", "latin-1", "latin1") and meta:
        header = None
    for candidate in (header, meta):
        text = _try_decode(content, candidate)
        if text is not None:
            return text.removeprefix("\ufeff")
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and best.encoding:
        text = _try_decode(content, normalize_charset(best.encoding))
        if text is not None:
            return text.removeprefix("\ufeff")
    return content.decode(header or meta or "utf-8", errors="replace").removeprefix("\ufeff")


_HTML_START = re.compile(r"<html[\s>]", re.IGNORECASE)
_HTML_END = re.compile(r"</html\s*>", re.IGNORECASE)


def html_is_complete(text: str) -> bool:
    """False for an HTML document cut off before its `</html>` (text that never opened `<html>` is not judged:
    fragments, XML and JSON answers)."""
    start = _HTML_START.search(text)
    return start is None or _HTML_END.search(text, start.end()) is not None


# -- selection ----------------------------------------------------------------------------------


def soup_of(text: str) -> BeautifulSoup:
    """Parse decoded HTML (always a str: lxml handed GBK bytes under a gb2312 label returns an empty tree).

    bs4 normally rewrites whitespace-only strings to " " or "\n"; a line that is just a tab is
    document text in converted tables, so whitespace is preserved from <html> down and
    `clean_text` decides what is layout.
    """
    return BeautifulSoup(text, "lxml", preserve_whitespace_tags={"html", "pre", "textarea"})


def select(
    soup: BeautifulSoup | Tag,
    css: str,
    *,
    source: str,
    url: str,
    expect: int | None = None,
    min_items: int | None = None,
    max_items: int | None = None,
) -> list[Tag]:
    """`soup.select(css)` that raises SelectorError unless the count is as stated.

    Give `expect=N` for an exact count, or `min_items`/`max_items` for a range (default: at least 1).
    """
    found = soup.select(css)
    n = len(found)
    if expect is not None:
        if n != expect:
            raise SelectorError(source, url, css, n, f"exactly {expect}")
        return found
    low = 1 if min_items is None and max_items is None else (min_items or 0)
    if n < low or (max_items is not None and n > max_items):
        expected = f"{low}..{max_items}" if max_items is not None else f"at least {low}"
        raise SelectorError(source, url, css, n, expected)
    return found


def select_one(soup: BeautifulSoup | Tag, css: str, *, source: str, url: str) -> Tag:
    return select(soup, css, expect=1, source=source, url=url)[0]


# -- gov meta tags, dates, region codes ---------------------------------------------------------


def gov_meta(soup: BeautifulSoup) -> dict[str, str]:
    """The gov meta tags present on the page, by their canonical name (matching is case-insensitive)."""
    canonical = {name.lower(): name for name in GOV_META_NAMES}
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = tag.get("name")
        content = tag.get("content")
        if not isinstance(name, str) or not isinstance(content, str):
            continue
        key = canonical.get(name.strip().lower())
        if key and key not in out:
            out[key] = content.strip()
    return out


_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


def parse_date(value: str | None) -> str | None:
    """'2023-05-05 10:19', '2023/5/5', '2023年5月5日', '2023.05.05' → '2023-05-05'; anything else → None."""
    if not value:
        return None
    match = _DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def region_from_site_id(site_id_code: str | None) -> str | None:
    """Local-site SiteIDCode = 6-digit GB/T 2260 code + 4-digit serial; central ones are 'bm…'."""
    if site_id_code and re.fullmatch(r"\d{10}", site_id_code.strip()):
        return site_id_code.strip()[:6]
    return None


# -- body text ----------------------------------------------------------------------------------

BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead "
    "tfoot tr ul caption".split()
)
CELL_TAGS = frozenset({"td", "th"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object"})
# Whitespace that contains a line break comes from the HTML source layout, not from the author.
_SOURCE_WS = re.compile(r"[ \t\f\v]*[\r\n][\s]*")


def clean_text(node: Tag) -> str:
    """Visible text of `node`, one line per block element, joined with "\\n".

    Whitespace runs that span a line break in the HTML source are layout and collapse to one
    space (dropped at line edges); everything else, including tabs, non-breaking and full-width
    spaces inside a paragraph, is kept character for character. An empty `<p>` is an empty line.
    """
    lines: list[str] = []
    buffer: list[str] = []

    def flush(force: bool = False) -> None:
        text = "".join(buffer)
        buffer.clear()
        text = re.sub(r"\x00+", " ", text.strip("\x00"))
        if text or force:
            lines.append(text)

    def walk(tag: Tag) -> None:
        for child in tag.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                buffer.append(_SOURCE_WS.sub("\x00", str(child)))
                continue
            if not isinstance(child, Tag) or child.name in SKIP_TAGS:
                continue
            if child.name == "br":
                flush(force=True)
            elif child.name in BLOCK_TAGS:
                flush()
                before = len(lines)
                walk(child)
                flush(force=child.name == "p" and len(lines) == before)
            elif child.name in CELL_TAGS:
                walk(child)
                buffer.append("\t")
            else:
                walk(child)

    walk(node)
    flush()
    while lines and lines[0] == "":
        lines.pop(0)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def text_of(tag: Tag | None) -> str:
    """Short inline text (titles, table cells): all whitespace runs collapsed to one space."""
    if tag is None:
        return ""
    return re.sub(r"\s+", " ", tag.get_text(" ")).strip()
