"""Pure parsing helpers shared by every CMS family: charset decoding, counted selectors, the gov
meta-tag set, dates, region codes from SiteIDCode, and body-text cleanup. No network, no clock.
"""

from __future__ import annotations

import collections
import functools
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
        self.what = f"selector {selector!r} matched {found} element(s), expected {expected}"
        super().__init__(f"[{source}] {url}: {self.what}")
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


class GarbledText(ValueError):
    """Bytes that read as mojibake under every charset tried; the message names the charsets and the score."""


# Characters a Chinese government page is made of: ASCII, CJK in GB2312 (simplified) or Big5 (traditional),
# CJK and full-width punctuation, general punctuation and the few Latin-1 signs such pages use (· × ° ± ²…).
_PLAIN_LATIN1 = frozenset("\u00a0\u00b7\u00d7\u00b0\u00b1\u00b2\u00b3\u00a7\u00a9\u00ae\u00f7\u00bd\u00bc\u00be")
# A text needs this many non-ASCII characters before it is judged (a short English page is not).
GARBLE_MIN_CHARS = 20
# More than this share of odd characters among the non-ASCII ones is mojibake. Measured (bench/charset_detect.py):
# the corpus texts score 0.000–0.004 (traditional 001 included), GBK read as Latin-1 1.000, UTF-8 read as GBK 0.5+.
GARBLE_MAX_SHARE = 0.05


@functools.lru_cache(maxsize=65536)
def _plain(char: str) -> bool:
    code = ord(char)
    if code < 0x80 or char in _PLAIN_LATIN1:
        return True
    if 0x2000 <= code <= 0x206F or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2460 <= code <= 0x24FF:
        return True  # general and CJK punctuation, full-width forms, circled numbers ①
    if 0x2150 <= code <= 0x218F or 0x25A0 <= code <= 0x25FF or 0x2190 <= code <= 0x21FF or 0x2200 <= code <= 0x22FF:
        return True  # Roman numerals Ⅰ, shapes ■, arrows, maths ≥ ≤
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        for codec in ("gb2312", "big5"):
            try:
                char.encode(codec)
                return True
            except UnicodeEncodeError:
                pass
    return False


def garbled_share(text: str) -> float:
    """The share of non-ASCII characters that a Chinese page would not contain: U+FFFD, Latin-1 letters and C1
    controls (GBK read as ISO-8859-1), CJK outside GB2312 and Big5 (UTF-8 read as GBK), private use, other
    scripts. 0.0 for a text with fewer than GARBLE_MIN_CHARS non-ASCII characters."""
    counts = collections.Counter(c for c in text if ord(c) >= 0x80)
    total = sum(counts.values())
    if total < GARBLE_MIN_CHARS:
        return 0.0
    return sum(n for c, n in counts.items() if not _plain(c)) / total


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Bytes → str: the declared charset (header, then the page's meta tag), verified; when that text reads as
    mojibake (`garbled_share`), UTF-8, then GB18030 (the two charsets Chinese sites use), then charset_normalizer's
    guess, each decoded strictly and verified; the first plausible one wins.

    requests would fall back to ISO-8859-1 for `text/html` without a charset, which turns GBK
    pages into mojibake; we never do that. When no charset decodes strictly into plausible text, the least
    garbled decoding with replacement characters (UTF-8 with a few stray bytes) is taken if it passes; else
    GarbledText, naming every charset tried and its score.
    """
    header = header_charset(content_type)
    meta = meta_charset(content)
    # Servers that add a default "charset=ISO-8859-1" to every text/* response are wrong for
    # Chinese pages; when the page itself declares a charset, the page wins.
    if header in ("iso-8859-1", "latin-1", "latin1") and meta:
        header = None
    scored: list[tuple[float, str, str]] = []
    tried: set[str] = set()

    def attempt(charset: str | None) -> str | None:
        if not charset or charset in tried:
            return None
        tried.add(charset)
        text = _try_decode(content, charset)
        if text is None:
            return None
        share = garbled_share(text)
        scored.append((share, charset, text))
        return text if share <= GARBLE_MAX_SHARE else None

    for charset in (header, meta, "utf-8", "gb18030"):
        if (text := attempt(charset)) is not None:
            return text.removeprefix("\ufeff")
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and (text := attempt(normalize_charset(best.encoding))) is not None:
        return text.removeprefix("\ufeff")
    replaced = content.decode("utf-8", errors="replace")
    share = garbled_share(replaced)
    if share <= GARBLE_MAX_SHARE:
        return replaced.removeprefix("\ufeff")
    scored.append((share, "utf-8 with replacement characters", replaced))
    declared = ", ".join(f"{k} {v}" for k, v in (("header", header), ("meta", meta)) if v) or "no charset declared"
    scores = ", ".join(f"{c} {s:.2f}" for s, c, _ in scored)
    raise GarbledText(f"the text reads as mojibake under every charset tried ({declared}; share of odd "
                      f"characters: {scores}; at most {GARBLE_MAX_SHARE} passes): the page is not landed; open it "
                      "in a browser, and if it is garbled there too, tell the site's operators")


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
