"""CMS-family adapters: one small module per vendor platform shared by many government sites.

Each family module provides
  discover(fetch, source, base_url) -> list[ListEntry]   fetch list pages (bytes only) and parse them
  parse_detail(text, url, source) -> ParsedDetail         pure: one detail page → one record
  article_key(url) -> str                                 the stable id of an article in its URL
and may set LIST_SHOWS_REVISIONS = False when its list cannot show that a page changed (the runner then
asks for every page on every run instead of trusting the list; see runner.listed_unchanged).
The shared pieces live in common.py: the records, list paging, the keyword filter and the detail heuristics
(gov meta tags first, then h1/<title>, the 政务公开 info table and 发布时间 text).
"""

from scrapers.families.common import FAMILIES, family_module

__all__ = ["FAMILIES", "family_module"]
