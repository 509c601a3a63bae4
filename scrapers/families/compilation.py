"""Compilations: one downloadable text file that holds many documents (e.g. 《全国双碳行动方案汇编(第7版)》).

What the source looks like:
  list      nothing to list: the file itself (params.file_path on the source's host) is the only entry
  file      plain text, UTF-8; scrapers.compilation.split_compilation cuts it into its documents
  document  each lands as its own DocumentRecord: the header's issuer, title and URL, the page range as
            printed, the exact text slice; region from the issuer's place name (GB/T 2260), 100000 for
            central bodies
What breaks: a new edition with another layout (the splitter reads the table of contents, page footers,
divider pages and headers; see its module docstring). A document that prints no URL of its own gets the
file's URL with a `#doc-NNN` fragment, so every record still points somewhere real.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from carbonpeak_core.paths import REGIONS_CSV
from scrapers.compilation_splitter import CompiledDocument, split_compilation
from scrapers.families.common import Fetch, ListEntry, ParsedDetail
from scrapers.registry import SourceConfig

NATIONAL = "100000"
# Central bodies as compilations print them: 国务院, 中共中央, 国资委, 教育部, 国家能源局, 市场监管总局 …
_CENTRAL = re.compile(r"(中共中央|国务院|中央|[部委局署院办行]|总局)$")
_FRAGMENT = re.compile(r"#doc-(\d+)$")


@dataclass(frozen=True)
class ParsedPart:
    """One document of a multi-document file (the runner lands one DocumentRecord per part)."""

    key: str  # article key, stable across runs: "<compilation_id>-<index:03d>"
    url: str  # the document's own URL (its header), else the file's URL + "#doc-NNN"
    detail: ParsedDetail
    region_code: str | None
    compilation_id: str
    page_range: str | None


# The "list" is the configured file itself, so it cannot show a new edition: the runner asks for the file
# (a conditional GET) on every run.
LIST_SHOWS_REVISIONS = False


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    """The file is the list: one entry, nothing fetched here."""
    path = "/" + str(source.param("file_path")).lstrip("/")
    return [ListEntry(url=base_url + path, title=str(source.param("title", source.name)), date=None)]


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    raise ValueError(f"{url}: a compilation holds many documents; the runner calls parse_parts")


def parse_parts(text: str, url: str, source: SourceConfig) -> list[ParsedPart]:
    """Pure: the compilation file's text → one part per compiled document."""
    compilation_id = str(source.param("compilation_id"))
    file_url = url.split("#", 1)[0]
    parts = []
    for doc in split_compilation(text):
        parts.append(
            ParsedPart(
                key=f"{compilation_id}-{doc.index:03d}",
                url=doc.source_url or f"{file_url}#doc-{doc.index:03d}",
                detail=_detail(doc, source),
                region_code=region_for_issuer(doc.issuer),
                compilation_id=compilation_id,
                page_range=doc.page_range,
            )
        )
    return parts


def _detail(doc: CompiledDocument, source: SourceConfig) -> ParsedDetail:
    meta = {"section": doc.section or "", "toc_title": doc.toc_title or "", "date_source": doc.date_source or ""}
    return ParsedDetail(
        title=doc.title,
        issuer=doc.issuer,
        doc_number=None,
        publish_date=doc.publish_date,
        site_id_code=None,
        site_name=source.name,
        column_name=doc.section,
        body_text=doc.text,
        meta=meta,
    )


def article_key(url: str) -> str:
    """The file's URL with `#doc-NNN` → "doc-NNN"; parts carry their own key (ParsedPart.key)."""
    match = _FRAGMENT.search(url)
    return f"doc-{match.group(1)}" if match else url.rstrip("/").rsplit("/", 1)[-1]


# -- region of an issuer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    code: str
    name: str
    level: str
    parent: str


_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|地区|省|市|区|县|盟|旗)$")


def _short(name: str) -> str:
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


@cache
def _regions(path: Path = REGIONS_CSV) -> tuple[_Region, ...]:
    with path.open(encoding="utf-8") as fh:
        return tuple(
            _Region(r["region_code"], r["region_name"], r["region_level"], r["parent_code"] or "")
            for r in csv.DictReader(fh)
        )


def _prefix_match(text: str, candidates: list[_Region]) -> list[tuple[_Region, str]]:
    """Regions whose full or short name opens `text`, with the rest of `text` (longest name first)."""
    found = []
    for region in candidates:
        for name in (region.name, _short(region.name)):
            if text.startswith(name):
                found.append((region, text[len(name) :]))
                break
    return sorted(found, key=lambda pair: len(pair[1]))


def _descendants(code: str, regions: tuple[_Region, ...]) -> list[_Region]:
    children = {code}
    out = []
    for _ in range(2):  # province → city → county
        level = [r for r in regions if r.parent in children and r.code not in {o.code for o in out}]
        out.extend(level)
        children = {r.code for r in level}
    return out


def region_for_issuer(issuer: str | None, path: Path = REGIONS_CSV) -> str | None:
    """GB/T 2260 code of the place an issuer names (浙江省 → 330000, 上海市徐汇区 → 310104, 石家庄 → 130100,
    广西 → 450000); 100000 for a central body (国务院, 中共中央国务院, 教育部, 国家能源局 …); None otherwise."""
    if not issuer:
        return None
    name = re.sub(r"\s+", "", issuer)
    regions = _regions(path)
    provinces = [r for r in regions if r.level == "province"]
    hits = _prefix_match(name, provinces)
    if hits:
        province, rest = hits[0]
        if not rest:
            return province.code
        below = _prefix_match(rest, _descendants(province.code, regions))
        return below[0][0].code if below and not below[0][1] else province.code
    # no province named: a city or county name on its own, when it is unambiguous
    for level in ("city", "county"):
        exact = [r for r, rest in _prefix_match(name, [r for r in regions if r.level == level]) if not rest]
        if len(exact) == 1:
            return exact[0].code
    if _CENTRAL.search(name):
        return NATIONAL
    return None
