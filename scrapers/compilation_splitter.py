"""Split a policy compilation (one text file holding ~110 documents) into its documents. Pure.

A compilation such as 《全国双碳行动方案汇编(第7版)》 is a PDF turned into text. Its structure:

  table of contents   `目录`, then entries `[issuer]《short title》.....page` (or a bare title), grouped by
                      section headings `国家方案2项 ..... 1`; an entry with no issuer inherits the one above
  page footers        `第N页` closes page N (it may fall mid-word; a page can be missing altogether)
  divider pages       a section opens with pages listing its documents (`…N项发布单位政策文件…发布日期`);
                      they run until the section's first document and belong to no document
  document header     the first page of a document opens with `issuer《full title》http(s)://…` (the URL is
                      glued to the body: it ends at the first non-URL character, or at a file extension
                      followed by digits, e.g. `….htm2030年前…`)

A document runs from its first page to the start of the next document or divider page, footers included:
the slices are exact, nothing is removed. Documents without a header (the compilation lost the page, or
printed the issuer and title without a URL) are placed by the table of contents: the entry's page, when no
header starts there. Publish dates come from the text (a signature date `YYYY年M月D日` closing the document)
or, failing that, from the divider tables and the appendix (`issuer《short title》YYYY/MM/DD`) when every
row naming that document gives the same date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_FOOTER = re.compile(r"第(\d{1,4})页")
_MAX_PAGE_GAP = 5  # a footer more than this many pages after the previous one is body text, not a footer
_TOC_START = re.compile(r"目\s*录")
_DIVIDER = re.compile(r"\S{0,30}?\d+项\)?发布单位")
_SECTION = re.compile(r"^(?P<name>\S+?)\(?(?P<count>\d+)项\)?$")
_URL = re.compile(r"https?://[!-~]+?(?=[^!-~]|$)")
_URL_EXT_DIGITS = re.compile(r"^(.*?\.(?:s?html?|aspx?|jsp|php|shtml))\d+$")
_HEADER = re.compile(r"(?P<issuer>[^《》\s。,;:、\d]{1,20}?)《(?P<title>[^《》]{2,150}?)》\s*(?=https?://)")
_LEADER = re.compile(r"\s*(?:\.\s*){2,}\s*")
_ENTRY = re.compile(r"^(?P<issuer>[^《》]*?)\s*《(?P<title>[^《》]+)》\s*$")
_TABLE_ROW = re.compile(
    r"(?P<issuer>[\u4e00-\u9fff]{2,8})?《(?P<title>[^《》]{2,80})》(?P<date>\d{4}\s*[/.\-]+\s*\d{1,2}\s*[/.\-]+\s*\d{1,2})?"
)
_SIGNATURE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*$")


@dataclass(frozen=True)
class CompiledDocument:
    index: int  # 1-based, in the order of the compilation
    issuer: str | None  # as printed: 浙江省, 国资委, 中共中央国务院 …
    title: str  # the full title of the header, else the table of contents' title
    source_url: str | None  # the document's own URL from its header (None: the compilation prints none)
    start: int  # offsets into the text given to split_compilation; text[start:end] is the document
    end: int
    page_from: int | None  # printed page numbers (page_from None: the first page is missing)
    page_to: int | None
    text: str
    section: str | None = None  # the table of contents' section: 国家方案, 部委方案, 省区方案, 城市方案
    toc_title: str | None = None  # the short title the table of contents gives
    publish_date: str | None = None  # YYYY-MM-DD
    date_source: str | None = None  # "signature" (text), "table" or "url" (the source page's date)

    @property
    def page_range(self) -> str | None:
        if self.page_from is None and self.page_to is None:
            return None
        return f"{self.page_from or '?'}-{self.page_to or '?'}"


@dataclass(frozen=True)
class TocEntry:
    section: str | None
    issuer: str | None
    title: str
    page: int | None


@dataclass(frozen=True)
class TocSection:
    name: str
    count: int  # documents the heading announces
    page: int | None
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class Footer:
    page: int
    start: int
    end: int


@dataclass(frozen=True)
class CompilationLayout:
    """What the splitter read off the compilation's own structure (for reports and tests)."""

    toc: tuple[TocSection, ...]
    footers: tuple[Footer, ...]
    dividers: tuple[tuple[int, int], ...]  # (start, end) of each run of divider pages
    urls: int  # `http(s)://` occurrences in the whole text
    documents: tuple[CompiledDocument, ...]

    @property
    def toc_entries(self) -> int:
        return sum(len(s.entries) for s in self.toc if s.entries)

    @property
    def toc_announced(self) -> int:
        return sum(s.count for s in self.toc if s.entries)


def _norm(title: str) -> str:
    return re.sub(r"[\s《》〈〉<>()（）“”\"'、,，.。·—\-]", "", title)


def _same_title(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x in y or y in x)


def _iso(raw: str) -> str | None:
    parts = [p for p in re.split(r"[^\d]+", raw) if p]
    if len(parts) != 3:
        return None
    y, m, d = (int(p) for p in parts)
    if not (1949 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


# -- page footers ------------------------------------------------------------------------------------


def find_footers(text: str, start: int = 0) -> list[Footer]:
    """Page footers: `第N页` whose numbers rise from 1 with gaps of at most _MAX_PAGE_GAP."""
    footers: list[Footer] = []
    last = 0
    for m in _FOOTER.finditer(text, start):
        n = int(m.group(1))
        if last < n <= last + _MAX_PAGE_GAP:
            footers.append(Footer(n, m.start(), m.end()))
            last = n
    return footers


# -- table of contents -------------------------------------------------------------------------------


def _toc_span(text: str, first_footer: int) -> tuple[int, int]:
    """(start, end) of the table of contents: from the last `目录` before the first footer to the first
    divider page (or the first footer)."""
    starts = [m.end() for m in _TOC_START.finditer(text, 0, first_footer)]
    if not starts:
        return first_footer, first_footer
    start = starts[-1]
    divider = re.search(r"\d+项\)?发布单位", text[start:first_footer])
    end = first_footer if divider is None else start + divider.start()
    # back up to the start of the divider heading (e.g. 顶层设计2项…), which follows the last page number
    tail = re.search(r"\.\s*\d+(?=\D*$)", text[start:end])
    if tail is not None:
        end = start + tail.end()
    return start, end


def parse_toc(toc: str) -> list[TocSection]:
    """Sections and entries from the table of contents' text (dotted leaders between title and page)."""
    pieces = _LEADER.split(toc)
    items: list[tuple[str, int | None]] = []
    label = pieces[0]
    for chunk in pieces[1:]:
        m = re.match(r"(\d+)", chunk)
        digits = m.group(1) if m else ""
        rest = chunk[len(digits) :]
        # A page number glued to a title that starts with a year (….022030年前…): the year is the title's.
        if rest.startswith("年") and len(digits) > 4:
            digits, rest = digits[:-4], digits[-4:] + rest
        items.append((label.strip(), int(digits) if digits else None))
        label = rest
    sections: list[TocSection] = []
    name, count, page = "", 0, None
    entries: list[TocEntry] = []
    issuer: str | None = None
    for raw, number in items:
        heading = _SECTION.match(re.sub(r"[:：]", "", raw))
        if heading and "《" not in raw:
            if name or entries:
                sections.append(TocSection(name, count, page, tuple(entries)))
            name, count, page, entries, issuer = heading.group("name"), int(heading.group("count")), number, [], None
            continue
        m = _ENTRY.match(raw)
        if m:
            issuer = m.group("issuer").strip() or issuer
            entries.append(TocEntry(name or None, issuer, m.group("title").strip(), number))
        elif raw:
            entries.append(TocEntry(name or None, None, raw, number))
    if name or entries:
        sections.append(TocSection(name, count, page, tuple(entries)))
    return sections


# -- headers, dividers, tables -----------------------------------------------------------------------


def _header_at(text: str, pos: int) -> tuple[str, str, str] | None:
    """(issuer, title, url) when a document header opens at `pos`."""
    m = _HEADER.match(text, pos)
    if m is None:
        return None
    url_match = _URL.match(text, m.end())
    if url_match is None:
        return None
    url = url_match.group(0)
    glued = _URL_EXT_DIGITS.match(url)
    if glued:  # ….htm2030年前… : the digits open the body
        url = glued.group(1)
    # `….shtml(非官网)`: the compiler's remark that the URL is a repost, not the issuer's own site, follows
    # the URL without a space, and its ASCII "(" would otherwise end the URL.
    url = url.rstrip("([")
    return m.group("issuer"), m.group("title").strip(), url


_TABLE_WORDS = re.compile(r"发布单位|政策文件(?:\((?:简写|简称)\))?|发布日期|省级")


def _table_rows(text: str) -> Iterable[tuple[str | None, str, str]]:
    """(issuer or None, short title, date) rows of a divider table: `issuer《title》date`, date required."""
    text = _TABLE_WORDS.sub(" ", text)
    for m in _TABLE_ROW.finditer(text):
        date = _iso(m.group("date")) if m.group("date") else None
        if date:
            yield m.group("issuer"), m.group("title"), date


def _signature_date(body: str) -> str | None:
    """A date closing the document (`…交通运输部…2022年4月18日第67页`), footers stripped."""
    tail = _FOOTER.sub("", body[-200:]).rstrip()
    m = _SIGNATURE.search(tail)
    return _iso("-".join(m.groups())) if m else None


# -- the splitter ------------------------------------------------------------------------------------


@dataclass
class _Start:
    offset: int
    page: int | None
    issuer: str | None
    title: str | None
    url: str | None
    toc: TocEntry | None = None


def analyse_compilation(text: str) -> CompilationLayout:
    """Split `text` (the whole compilation file) and say what structure the split was read from."""
    footers = find_footers(text)
    if not footers:
        return CompilationLayout((), (), (), len(re.findall(r"https?://", text)), ())
    toc_start, toc_end = _toc_span(text, footers[0].start)
    toc = parse_toc(text[toc_start:toc_end])
    # page n's text runs from the end of the footer before it to the end of its own footer
    pages: list[tuple[int, int, int]] = []  # (page number, start, end)
    previous_end = toc_end
    for f in footers:
        pages.append((f.page, previous_end, f.end))
        previous_end = f.end

    # headers open documents; divider pages (`…N项发布单位…`) open sections
    starts: list[_Start] = []
    divider_pages: list[int] = []
    page_start = {number: p_start for number, p_start, _ in pages}
    for number, p_start, p_end in pages:
        header = _header_at(text, p_start)
        if header is not None:
            starts.append(_Start(p_start, number, *header))
        elif _DIVIDER.match(text, p_start, p_end):
            divider_pages.append(number)

    # table-of-contents entries ↔ headers (aligned in order); an entry no header answers starts a document
    # on its page, when that page begins inside no header's document (a wrong page number in the table
    # of contents then falls inside another document and is ignored)
    entries = [e for s in toc if s.entries for e in s.entries]
    for entry_index, start_index in _align(entries, starts):
        starts[start_index].toc = entries[entry_index]
    matched = {id(s.toc) for s in starts if s.toc is not None}
    header_pages = sorted(s.page for s in starts if s.page is not None)
    for entry in entries:
        if id(entry) in matched or entry.page is None:
            continue
        before = [f for f in footers if f.page < entry.page]
        if not before or any(s.page == entry.page for s in starts):
            continue
        # inside a header document: the header before it and no divider page between
        previous_header = max((p for p in header_pages if p < entry.page), default=None)
        if previous_header is not None and not any(
            previous_header < page <= entry.page for page in divider_pages
        ):
            continue
        offset = before[-1].end
        issuer, title = _issuer_title_at(text, offset, entry)
        starts.append(_Start(offset, _page_at(footers, offset), issuer, title, None, entry))
    starts.sort(key=lambda s: s.offset)
    # a run of divider pages lasts from its first page to the next document
    divider_runs: list[tuple[int, int]] = []
    for page in divider_pages:
        begin = page_start[page]
        if any(a <= begin < b for a, b in divider_runs):
            continue
        nxt = [s.offset for s in starts if s.offset > begin]
        divider_runs.append((begin, min(nxt) if nxt else footers[-1].end))

    # ends: the next start, or the next divider run, or the last footer
    boundaries = sorted({s.offset for s in starts} | {a for a, _ in divider_runs})
    tables = [(a, b) for a, b in divider_runs]
    rows = [(n, *row) for n, (a, b) in enumerate(tables) for row in _table_rows(text[a:b])]
    documents: list[CompiledDocument] = []
    for index, s in enumerate(starts, start=1):
        later = [b for b in boundaries if b > s.offset]
        end = later[0] if later else footers[-1].end
        body = text[s.offset : end]
        page_to = next((f.page for f in reversed(footers) if s.offset < f.end <= end), None)
        issuer = s.issuer or (s.toc.issuer if s.toc else None) or _issuer_from_tables(rows, s)
        title = s.title or (s.toc.title if s.toc else "")
        date, date_source = _signature_date(body), "signature"
        if date is None:
            date, date_source = _table_date(rows, issuer, title, s.toc, s.url), "table"
        if date is None and len(from_url := _url_dates(s.url)) == 1:
            date, date_source = from_url.pop(), "url"  # the day the source site published its page
        documents.append(
            CompiledDocument(
                index=index,
                issuer=issuer,
                title=title,
                source_url=s.url,
                start=s.offset,
                end=end,
                page_from=s.page,
                page_to=page_to,
                text=body,
                section=s.toc.section if s.toc else _section_of(toc, s.page),
                toc_title=s.toc.title if s.toc else None,
                publish_date=date,
                date_source=date_source if date else None,
            )
        )
    return CompilationLayout(
        toc=tuple(toc),
        footers=tuple(footers),
        dividers=tuple(divider_runs),
        urls=len(re.findall(r"https?://", text)),
        documents=tuple(documents),
    )


def split_compilation(text: str) -> list[CompiledDocument]:
    """The documents of a compilation, in order; `text[d.start:d.end] == d.text` for each."""
    return list(analyse_compilation(text).documents)


# -- helpers of the splitter -------------------------------------------------------------------------


def _same_place(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return x.startswith(y) or y.startswith(x)


def _place_key(name: str) -> str:
    return re.sub(r"(省|市|自治区|壮族|回族|维吾尔)", "", _norm(name))


def _same_issuer(a: str, b: str) -> bool:
    """中央国务院 = 中共中央国务院, 上海 = 上海市; 上海市 ≠ 上海市徐汇区."""
    x, y = _place_key(a), _place_key(b)
    return bool(x and y) and (x.endswith(y) or y.endswith(x))


def _page_at(footers: list[Footer], offset: int) -> int | None:
    """The printed number of the page `offset` lies on (a missing page is skipped: the next one)."""
    return next((f.page for f in footers if f.end > offset), None)


def _match_score(entry: TocEntry, start: _Start) -> int:
    score = 0
    if entry.page is not None and entry.page == start.page:
        score += 3
    if start.title and _same_title(_abbreviated(start.title), _abbreviated(entry.title)):
        score += 2
    if entry.issuer and start.issuer and _same_place(entry.issuer, start.issuer):
        score += 1
    return score


def _align(entries: list[TocEntry], starts: list[_Start]) -> list[tuple[int, int]]:
    """Pairs (entry index, start index) of the best order-preserving alignment (pairs need score ≥ 2)."""
    n, m = len(entries), len(starts)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = _match_score(entries[i], starts[j])
            pair = best[i + 1][j + 1] + score if score >= 2 else -1
            best[i][j] = max(best[i + 1][j], best[i][j + 1], pair)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        score = _match_score(entries[i], starts[j])
        if score >= 2 and best[i][j] == best[i + 1][j + 1] + score:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _abbreviated(title: str) -> str:
    """The table of contents abbreviates 碳达峰碳中和 as 双碳."""
    return re.sub(r"碳达峰[、]?碳中和", "双碳", title)


def _issuer_title_at(text: str, offset: int, entry: TocEntry) -> tuple[str | None, str]:
    """A page that opens with `issuer + title` but no URL (国务院2030年前碳达峰行动方案扫码…)."""
    window = text[offset : offset + 80]
    at = window.find(entry.title)
    if 0 < at <= 20:
        return window[:at], entry.title
    return entry.issuer, entry.title


def _issuer_from_tables(rows: list[tuple[int, str | None, str, str]], s: _Start) -> str | None:
    """The issuer the tables name most often beside the document's title (ties: the longest name)."""
    if s.toc is None:
        return None
    found = [issuer for _, issuer, title, _ in rows if issuer and _same_title(title, s.toc.title)]
    if not found:
        return None
    return max(set(found), key=lambda name: (found.count(name), len(name)))


# Where the CMS families put a page's publication date in its URL: TRS WCM …/t20220801_8528190.html,
# Hanweb …/art/2022/6/21/art_…, gov.cn and Xinhua …/2022-10/09/c_… or content_…, People's Daily
# …/2022/0627/c196689-…, and date folders (…/20220728/…, …/2022/3/31/…, …/2022/02-22/…, …/2022-11-21/…).
# A loose YYYYMMDD search would also read 202212/t2022… as 2022-01-02.
_URL_DATES = (
    re.compile(r"/t(20\d\d)(\d\d)(\d\d)_\d+\.\w+$"),
    re.compile(r"/art/(20\d\d)/(\d{1,2})/(\d{1,2})/art_"),
    re.compile(r"/(20\d\d)-(\d\d)/(\d\d)/c(?:ontent)?_"),
    re.compile(r"/(20\d\d)/(\d\d)(\d\d)/c\d"),
    re.compile(r"/(20\d\d)(\d\d)(\d\d)/"),
    re.compile(r"/(20\d\d)/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/(20\d\d)/(\d\d)-(\d\d)/"),
    re.compile(r"/(20\d\d)-(\d\d)-(\d\d)/"),
)


def _url_dates(url: str | None) -> set[str]:
    """The publication date a URL path carries, by the first CMS convention that matches (empty: none)."""
    path = urlsplit(url or "").path
    for pattern in _URL_DATES:
        found = {iso for m in pattern.finditer(path) if (iso := _iso("-".join(m.groups())))}
        if found:
            return found
    return set()


def _table_date(
    rows: list[tuple[int, str | None, str, str]],
    issuer: str | None,
    title: str,
    toc: TocEntry | None,
    url: str | None,
) -> str | None:
    """The date the divider tables and the appendix give. Rows name their issuer (the tables are scrambled
    by the PDF conversion, so a bare `《title》date` is not trusted), and a date counts only when two
    tables agree on it or the document's own URL carries it."""
    names = [n for n in (toc.title if toc else None, title) if n]
    seen: dict[str, set[int]] = {}
    for table, row_issuer, row_title, date in rows:
        if not any(_norm(n).endswith(_norm(row_title)) or _norm(row_title).startswith(_norm(n)) for n in names):
            continue
        if not (row_issuer and issuer and _same_issuer(row_issuer, issuer)):
            continue
        seen.setdefault(date, set()).add(table)
    confirmed = {d for d, tables in seen.items() if len(tables) >= 2 or d in _url_dates(url)}
    return confirmed.pop() if len(confirmed) == 1 else None


def _section_of(toc: list[TocSection], page: int | None) -> str | None:
    if page is None:
        return None
    name = None
    for s in toc:
        if s.page is not None and s.page <= page:
            name = s.name
    return name
