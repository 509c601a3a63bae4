"""Statistical communiqués (统计公报) and the provincial energy-intensity bulletin: past figures read from text.

A provincial or city statistics bureau publishes its 国民经济和社会发展统计公报 as an article; NBS, NDRC and
NEA publish the 分省（区、市）万元地区生产总值能耗降低率等指标公报 as a table; news reports quote both. The
column page lists the releases (`ul.list li a` with a `span.date`); each release page states its figures
in paragraphs, one sentence or one table row each. A figure is read from the paragraph that states it,
which becomes the quote, by the same kind of rules the target extractor applies to plans, turned round:
  * the statistic is named by its head noun and modifiers (光伏发电装机, 森林覆盖率, 单位地区生产总值能耗…;
    `STATISTICS`), and only the statistics the indicator taxonomy compares targets with are read;
  * the value is the first number after the name whose unit fits (万千瓦 for a capacity, % for a share),
    skipping a target inside the sentence (到2022年7万亿元); 由A提高到B gives B; 分别 pairs names and numbers
    in order; a list of `地区(数值)` items gives one figure per place;
  * 下降/降低 makes a change negative, 上升/增长 positive (a year-on-year change, `yoy_change`);
  * the year is the sentence's own (2021年, 截至2020年底, “十三五”末 = 2020), else the title's (a
    government work report of year N reviews N − 1), else the dateline's (a report in the first half of a
    year is about the year before);
  * the place is the last one named before the statistic, else the one the title names;
  * tables: a header paragraph names the columns (a flattened table: cells separated by spaces; or cells
    separated by ` | `), each row gives one figure per column whose header names a statistic, in the
    unit the header states; a column headed 目标值 (target) is never read, a column headed YYYY年 实际值
    gives that year.
Traditional-script pages and pages with inline pinyin (統(tǒng)) are matched on a simplified copy; the
quote is the paragraph as the page shows it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

from carbonpeak_core.paths import REGIONS_CSV
from scrapers.parsing import clean_text, parse_date, soup_of
from scrapers.registry import SourceConfig
from scrapers.statistics.core import Client, Fetched, Observation, StatisticsError, Task, release_page
from scrapers.statistics.nea import simplified

_PCT = ("%",)
_CAPACITY = ("亿千瓦", "万千瓦", "千瓦")
_MONEY = ("万亿元", "亿元")
_ENERGY = ("万亿千瓦时", "亿千瓦时")


@dataclass(frozen=True)
class Statistic:
    name: str  # canonical statistic (the taxonomy's statistic_indicator)
    phrase: re.Pattern[str]  # head noun with its modifiers, over simplified text
    units: tuple[str, ...]
    change: bool  # stated as a change on the previous year (上升/下降 X%)


def _s(name: str, phrase: str, units: tuple[str, ...], change: bool = False) -> Statistic:
    return Statistic(name, re.compile(phrase), units, change)


# Most specific first: 规模以上工业单位增加值能耗 before 单位地区生产总值能耗; a sub-category
# (分布式光伏, 集中式光伏) is not the total.
STATISTICS: tuple[Statistic, ...] = (
    _s("规模以上工业单位增加值能耗", r"(?:规模以上|规上)工业单位增加值能耗", _PCT, True),
    _s("单位GDP能耗", r"(?:单位|万元)(?:地区|国内)?生产总值能耗|单位GDP能耗", _PCT, True),
    _s("非化石能源占能源消费总量比重", r"非化石能源(?:消费)?占(?:一次)?能源消费(?:总量)?的?比重", _PCT),
    _s("新能源公交车比例", r"公交车?新能源化率|新能源公交车(?:比例|占比)", _PCT),
    _s("全社会用电量", r"全社会用电量", _ENERGY),
    _s("森林覆盖率", r"森林覆盖率", _PCT),
    _s("新能源装机容量", r"新能源(?:发电)?装机(?:容量|规模)?", _CAPACITY),
    _s("清洁能源装机容量", r"清洁能源(?:发电)?装机(?:容量|规模)?", _CAPACITY),
    _s("光伏发电装机容量", r"(?<!分布式)(?<!集中式)光伏(?:发电)?(?:累计)?(?:装机|并网)?(?:容量|规模)?", _CAPACITY),
    _s("太阳能发电装机容量", r"太阳能(?:发电)?(?:装机)?(?:容量|规模)?", _CAPACITY),
    _s("风电装机容量", r"风电(?:装机)?(?:容量|规模)?", _CAPACITY),
    _s("地区生产总值", r"(?:(?:地区)?生产总值|GDP(?:总量)?)(?!能耗|电耗|核算|统一核算)", _MONEY),
)
# Head nouns a sentence may shorten to when the title has named the statistic (…能耗降低率发布: 能耗上升6.89%).
_SHORT_HEAD = {"单位GDP能耗": re.compile(r"能耗(?=上升|下降|降低|增长)")}

_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(万亿千瓦时|亿千瓦时|万千瓦时|千瓦时|万亿元|亿元|亿千瓦|万千瓦|千瓦|%)")
_SENTENCE_END = re.compile(r"[。；;]")
_YEAR = re.compile(r"(?<![比较由从到])(?<![^截]至)(20\d{2})\s*年")
_PLAN_END = re.compile(r"“?十三五”?(?:时期|期间|末)?")
_TARGET_BEFORE = re.compile(r"(?:到|至)\s*20\d{2}\s*年[^，,。；\d]{0,6}$")
_FROM = re.compile(r"(?:由|从)\s*$")
_RISE_TO = re.compile(r"^[^，,。；\d]{0,6}(?:提高|提升|增加|增长|上升)(?:到|至)\s*")
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
_COUNTING = re.compile(r"[\u4e00-\u9fff]{2,12}[、和]$")


def _clean(text: str) -> str:
    """Simplified script, inline pinyin and layout spaces inside words dropped, for matching only."""
    return _PINYIN.sub("", simplified(text)).replace("\u3000", " ")


# -- places --------------------------------------------------------------------------------------

_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|地区|省|市|县|盟)$")


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    parent: str


@cache
def _places() -> tuple[Place, ...]:
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        return tuple(Place(r["region_code"], r["region_name"], r["region_level"], r["parent_code"] or "")
                     for r in csv.DictReader(fh))


@cache
def _names() -> dict[str, Place]:
    """Full and short names of provinces and cities, and full names of counties (short county names are
    common words: 和平, 城区…; they are added per page below, under a province or city the page names)."""
    found: dict[str, list[Place]] = {}
    for place in _places():
        if place.level == "nation":
            continue
        names = {place.name}
        short = _SUFFIX.sub("", place.name)
        if place.level in ("province", "city") and len(short) >= 2:
            names.add(short)
        for name in names:
            found.setdefault(name, []).append(place)
    # A name two places share is the higher one's (吉林: the province, not 吉林市), else nobody's.
    rank = {"province": 0, "city": 1, "county": 2}
    out = {}
    for name, places in found.items():
        top = min(rank.get(p.level, 3) for p in places)
        highest = {p.code for p in places if rank.get(p.level, 3) == top}
        if len(highest) == 1:
            out[name] = next(p for p in places if p.code in highest)
    return out


def _county_shorts(under: Iterable[Place]) -> dict[str, Place]:
    codes = {p.code for p in under}
    out = {}
    for place in _places():
        if place.level == "county" and place.parent in codes:
            short = _SUFFIX.sub("", place.name)
            if len(short) >= 2:
                out[short] = place
    return out


class Places:
    """The places a page can name: provinces, cities, counties, and the short names of counties under a
    province or city its title names."""

    def __init__(self, title: str) -> None:
        self.names = dict(_names())
        named = [p for _, p in self._find(_clean(title))]
        self.names.update(_county_shorts(named))
        self.title_place = named[0] if named else None  # the compiler's (转载, 报社) notes come last

    def _find(self, text: str) -> list[tuple[int, Place]]:
        pattern = _pattern(tuple(sorted(self.names, key=len, reverse=True)))
        return [(m.start(), self.names[m.group(0)]) for m in pattern.finditer(text)]

    def last(self, text: str) -> Place | None:
        found = self._find(text)
        return found[-1][1] if found else None

    def exact(self, text: str) -> Place | None:
        return self.names.get(re.sub(r"\s+", "", text))


@cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in names))


# -- years ---------------------------------------------------------------------------------------


def _year_in(text: str) -> int | None:
    years = [int(m.group(1)) for m in _YEAR.finditer(text)]
    if years:
        return years[-1]
    if _PLAN_END.search(text):
        return 2020
    return None


def page_year(title: str, published: str | None) -> int | None:
    """The year a page's undated sentences describe: the title's (a work report reviews the year before),
    else the dateline's (first half of a year: the year before)."""
    clean = _clean(title)
    year = _year_in(clean)
    if year is not None:
        return year - 1 if "工作报告" in clean else year
    if published:
        year, month = int(published[:4]), int(published[5:7] or 1)
        return year - 1 if month <= 6 else year
    return None


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    statistic: str
    place: Place
    year: int
    value: float
    unit: str
    measure: str
    quote: str


def _unit(statistic: Statistic, unit: str) -> str | None:
    if statistic.units == _CAPACITY and unit.endswith("千瓦时"):
        # Reposts of the NEA provincial capacity table write 万千瓦时 (energy) for 万千瓦 (capacity).
        unit = unit[: -len("时")]
    return unit if unit in statistic.units else None


def _title_statistic(title: str) -> Statistic | None:
    named = [s for s in STATISTICS if s.phrase.search(_clean(title))]
    return named[0] if len(named) == 1 else None


def read_paragraph(text: str, *, places: Places, year: int | None, title: str) -> list[Figure]:
    """Every figure of a taxonomy statistic one prose paragraph states."""
    clean = _clean(text)
    figures: list[Figure] = []
    titled = _title_statistic(title)
    for sentence_start, sentence in _sentences(clean):
        spans: list[tuple[int, int, Statistic]] = []
        for statistic in STATISTICS:
            for m in statistic.phrase.finditer(sentence):
                if not any(a <= m.start() < b for a, b, _ in spans):
                    spans.append((m.start(), m.end(), statistic))
        if titled is not None:
            short = _SHORT_HEAD.get(titled.name)
            for m in short.finditer(sentence) if short else ():
                if not any(a <= m.start() < b for a, b, _ in spans):
                    spans.append((m.start(), m.end(), titled))
            if not spans and re.search(r"[:：]", sentence):  # 杭州:18109亿元 under a title naming GDP
                spans.append((0, 0, titled))
        for start, end, statistic in sorted(spans, key=lambda s: s[0]):
            if titled is not None and statistic is titled and not statistic.phrase.search(sentence[start:end + 8]) \
                    and places.last(sentence[:start]) is None and end > 0:
                continue  # a shortened head (能耗上升) counts only for a place its own sentence names
            figures.extend(_figures_after(sentence, start, end, statistic, clean[:sentence_start] + sentence,
                                          sentence_start, places, year, text))
    unique: dict[tuple[str, str, int], Figure] = {}
    for f in figures:
        unique.setdefault((f.statistic, f.place.code, f.year), f)
    return list(unique.values())


def _sentences(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((start, text[start:m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _figures_after(sentence: str, start: int, end: int, statistic: Statistic, upto: str, offset: int,
                   places: Places, year: int | None, quote: str) -> list[Figure]:
    before = sentence[:start]
    place = places.last(upto[: offset + start]) or places.title_place
    own_year = _year_in(before) or _year_in(upto[: offset + start]) or year
    numbers = [(m, u) for m in _NUMBER.finditer(sentence, end)
               if (u := _unit(statistic, m.group(2))) is not None
               and not _TARGET_BEFORE.search(sentence[end:m.start()])]
    if not numbers:
        return []
    between = sentence[end:numbers[0][0].start()]
    index = 0
    if "分别" in between:  # 电源总装机和清洁能源装机分别达到5497.08万千瓦、5107.94万千瓦
        rest = before
        while (m := _COUNTING.search(rest)) is not None:
            index += 1
            rest = rest[: m.start()]
    if index >= len(numbers):
        return []
    match, unit = numbers[index]
    if _FROM.search(sentence[end:match.start()]) and index + 1 < len(numbers):
        later, later_unit = numbers[index + 1]
        if _RISE_TO.search(sentence[match.end():later.start()]):  # 由44.3%提高到45.2%
            match, unit = later, later_unit
    items = [(match, unit)]
    # 前三的为山东(3343.4万千瓦)、河北(2921.3万千瓦时)、江苏(1916万千瓦时): one figure per place.
    listed = _listed_place(sentence, match, places)
    if listed is not None:
        place = listed
        for m, u in numbers[index + 1:]:
            if _listed_place(sentence, m, places) is None:
                break
            items.append((m, u))
    figures = []
    for m, u in items:
        where = _listed_place(sentence, m, places) if len(items) > 1 else place
        if where is None or own_year is None:
            continue
        value = float(m.group(1))
        measure = "level"
        if statistic.change:
            measure = "yoy_change"
            if re.search(r"(?:下降|降低|减少)[^，,。；\d]{0,4}$", sentence[end:m.start()]):
                value = -abs(value)
        figures.append(Figure(statistic.name, where, own_year, value, u, measure, quote))
    return figures


def _listed_place(sentence: str, match: re.Match[str], places: Places) -> Place | None:
    lead = re.search(r"([\u4e00-\u9fff]{2,12})\s*[(（:：]\s*$", sentence[: match.start()])
    if lead is None:
        return None
    words = lead.group(1)
    return next((p for k in range(len(words) - 1) if (p := places.exact(words[k:])) is not None), None)


_FLAT_ROW = re.compile(r"^([\u4e00-\u9fff][\u4e00-\u9fff ]{0,8}?)\s+((?:[-+]?\d+(?:\.\d+)?\s*){2,})$")


def _header_columns(cells: list[str]) -> list[tuple[Statistic, str] | None]:
    """Per header cell: the statistic it names and the unit it states, or None."""
    out: list[tuple[Statistic, str] | None] = []
    for cell in cells:
        clean = _clean(cell)
        statistic = next((s for s in STATISTICS if s.phrase.search(clean)), None)
        unit = re.search(r"[(（][±]?(%|万千瓦|亿元|亿千瓦时)[)）]", clean)
        out.append((statistic, unit.group(1)) if statistic and unit and unit.group(1) in statistic.units else None)
    return out


def read_table_row(text: str, header: list[str], *, places: Places, year: int | None) -> list[Figure]:
    """A row of a flattened table (地区 v1 v2 …, under a header of the same columns) or of a ` | ` table
    (指标 | 单位 | 2020年 实际值 | 2025年 目标值 | …)."""
    if " | " in text:
        cells = [c.strip() for c in text.split(" | ")]
        if len(cells) != len(header) or len(cells) < 3:
            return []
        statistic = next((s for s in STATISTICS if s.phrase.search(_clean(cells[0]))), None)
        unit = cells[1]
        if statistic is None or unit not in statistic.units or places.title_place is None:
            return []
        figures = []
        for cell, head in zip(cells[2:], header[2:], strict=True):
            head_clean = _clean(head)
            column_year = _year_in(head_clean)
            if "实际" not in head_clean or column_year is None or not re.fullmatch(r"-?\d+(?:\.\d+)?", cell):
                continue  # a 目标值 (target) column, a change column, or no number
            figures.append(Figure(statistic.name, places.title_place, column_year, float(cell), unit, "level", text))
        return figures
    row = _FLAT_ROW.match(text.strip())
    if row is None or year is None:
        return []
    place = places.exact(row.group(1))
    values = row.group(2).split()
    columns = _header_columns(header[1:])
    if place is None or len(values) != len(columns):
        return []
    return [Figure(col[0].name, place, year, float(v), col[1], "yoy_change" if col[0].change else "level", text)
            for v, col in zip(values, columns, strict=True) if col is not None]


def _is_header(text: str) -> list[str] | None:
    cells = [c.strip() for c in text.split(" | ")] if " | " in text else text.split()
    if len(cells) >= 3 and not any(re.fullmatch(r"[-+]?\d+(?:\.\d+)?", c) for c in cells) \
            and sum(bool(col) for col in _header_columns(cells)) + sum("实际" in c for c in cells) >= 1:
        return cells
    return None


def read_release(paragraphs: list[str], *, title: str, published: str | None) -> list[Figure]:
    """Every figure of a release's paragraphs. A paragraph without a year of its own takes the year the page
    last stated (浙江11市GDP: 2021年,浙江全省… then 杭州:18109亿元), else the page's year."""
    places = Places(title)
    page = page_year(title, published)
    year = page
    figures: list[Figure] = []
    header: list[str] | None = None
    for text in paragraphs:
        cells = _is_header(text)
        if cells is not None:
            header = cells
            continue
        if header is not None:
            row = read_table_row(text, header, places=places, year=year)
            if row or _FLAT_ROW.match(text.strip()) or " | " in text:
                figures.extend(row)
                continue
        found = read_paragraph(text, places=places, year=year, title=title)
        figures.extend(found)
        stated = _year_in(_clean(text))
        if found and stated is not None:
            year = max(f.year for f in found)
    return figures


# -- pages ---------------------------------------------------------------------------------------


def parse_list(html: str, url: str) -> list[tuple[str, str, str | None]]:
    """(absolute URL, title, YYYY-MM-DD or None) per release of a column page."""
    items = soup_of(html).select("ul.list li")
    releases = []
    for item in items:
        link = item.select_one("a[href]")
        if link is None:
            raise StatisticsError(url, f"a list item has no link: {str(item)[:120]}")
        date = item.select_one("span.date")
        releases.append((urljoin(url, str(link["href"])), link.get_text().strip(),
                         parse_date(date.get_text()) if date is not None else None))
    if not releases:
        raise StatisticsError(url, "no ul.list li entries on the column page")
    return releases


def parse_release(html: str, url: str, *, list_title: str, list_date: str | None) -> list[Observation]:
    page = release_page(html, url, list_title=list_title, list_date=list_date, body=".article-content")
    paragraphs = [clean_text(p).strip() for p in page.body.find_all("p")]
    figures = read_release([p for p in paragraphs if p], title=page.title, published=page.published)
    return [Observation(region_code=f.place.code, region_name=f.place.name, indicator=f.statistic, year=f.year,
                        value=f.value, unit=f.unit, measure=f.measure, quote=f.quote, source_title=page.title,
                        source_url=page.source_url, published=page.published, variant=page.source_url)
            for f in figures]


def discover(client: Client, source: SourceConfig) -> list[Task]:
    column = client.url("/" + str(source.param("column_path")).strip("/") + "/")
    page = client.get(column)
    releases = parse_list(page.text, page.url)[: int(source.param("max_items", 500))]
    tasks = []
    for live_url, title, day in releases:
        fetch_url = client.url(live_url)
        if not fetch_url.startswith(client.urls.effective + "/"):
            continue  # off-site link
        tasks.append(Task(live_url, _runner(client, fetch_url, title, day), listed=(title, day)))
    return tasks


def _runner(client: Client, url: str, title: str, day: str | None) -> Callable[[], tuple[Fetched, list[Observation]]]:
    def run() -> tuple[Fetched, list[Observation]]:
        fetched = client.get(url)
        if not fetched.modified:
            return fetched, []
        return fetched, parse_release(fetched.text, fetched.url, list_title=title, list_date=day)

    return run
