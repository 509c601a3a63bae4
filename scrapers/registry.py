"""The source registry: `scrapers/sources.toml` → validated, frozen `SourceConfig`s.

Cheap to import (stdlib only). A new site on a known CMS family is a config entry, not code;
each family declares here which parameters it needs, so a typo fails at load time with the
file, the source key and the field named.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

# family -> (required params, optional params)
FAMILY_PARAMS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "hanweb": (
        frozenset({"column_id", "webid", "unitid"}),
        frozenset({"webname", "perpage", "group_size", "appid", "body_selector", "max_records", "list_api"}),
    ),
    "trs": (
        frozenset({"column_path"}),
        frozenset({"item_selector", "body_selector", "max_pages"}),
    ),
    "compilation": (frozenset({"file_path", "compilation_id"}), frozenset({"title"})),
    "govcn": (
        frozenset({"search_path", "query"}),
        frozenset({"t", "searchfield", "sort", "type", "page_size", "max_pages", "body_selector"}),
    ),
    "gkmlpt": (frozenset({"categories"}), frozenset({"site_path", "sid", "max_pages", "body_selector"})),
    "bjx": (frozenset({"columns"}), frozenset({"item_selector", "body_selector", "max_pages"})),
    # Statistics families (scrapers/statistics/): official figures, not documents.
    "nbs": (frozenset({"indicators"}), frozenset({"tree_code", "root_name", "first_year", "api_path", "regions"})),
    "nea": (frozenset({"column_path"}), frozenset({"indicators", "max_items"})),
    "communique": (frozenset({"column_path"}), frozenset({"max_items"})),
}
STATISTICS_FAMILIES = frozenset({"nbs", "nea", "communique"})
# Optional for every document family (scrapers/attachments.py): extra CSS for attachment links, the file
# types to download and read (default: every type a converter exists for), the size cap per file.
ATTACHMENT_PARAMS = frozenset({"attachment_selector", "attachment_types", "max_attachment_bytes"})
# family -> {param: (type of its items, what it is)}: list params that must be non-empty lists of that type.
LIST_PARAMS: dict[str, dict[str, tuple[type, str]]] = {
    "gkmlpt": {"categories": (int, "catIds of window._CONFIG.TREE")},
    "bjx": {"columns": (str, "column paths such as \"zc\"")},
}
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_TOP_FIELDS = frozenset(
    {
        "name",
        "jurisdiction",
        "region_code",
        "family",
        "base_url",
        "keywords",
        "rate_limit",
        "params",
        "extra_hosts",
        "notes",
    }
)


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class SourceConfig:
    key: str
    name: str  # the publishing body, e.g. 嘉兴市发展和改革委员会
    jurisdiction: str  # e.g. 嘉兴市
    region_code: str  # 6-digit GB/T 2260 code of the jurisdiction
    family: str  # CMS family: hanweb | trs | compilation | govcn | gkmlpt | bjx (or a statistics family)
    base_url: str  # the real, live site (the mirror is substituted through Settings.base_urls)
    keywords: tuple[str, ...]
    rate_limit: float | None = None  # requests/s; may only lower the global limit
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    extra_hosts: tuple[str, ...] = ()  # other hosts the site legitimately links to (e.g. a file server)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


def _fail(path: Path, key: str, message: str) -> RegistryError:
    return RegistryError(f"{path}: [{key}] {message}")


def _parse_source(path: Path, key: str, raw: Any) -> SourceConfig:
    if not _KEY.fullmatch(key):
        raise _fail(path, key, "source keys are lower_snake_case")
    if not isinstance(raw, dict):
        raise _fail(path, key, "must be a table")
    unknown = set(raw) - _TOP_FIELDS
    if unknown:
        raise _fail(path, key, f"unknown field(s) {sorted(unknown)}")
    for name in ("name", "jurisdiction", "region_code", "family", "base_url"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _fail(path, key, f"{name!r} is required and must be a non-empty string")
    if not re.fullmatch(r"\d{6}", raw["region_code"]):
        raise _fail(path, key, f"region_code {raw['region_code']!r} is not a 6-digit GB/T 2260 code")
    family = raw["family"]
    if family not in FAMILY_PARAMS:
        raise _fail(path, key, f"family {family!r} is not one of {sorted(FAMILY_PARAMS)}")
    parts = urlsplit(raw["base_url"])
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise _fail(path, key, f"base_url {raw['base_url']!r} must be scheme://host with no path")
    keywords = raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise _fail(path, key, "keywords must be a list of non-empty strings")
    rate = raw.get("rate_limit")
    if rate is not None and (not isinstance(rate, int | float) or rate <= 0):
        raise _fail(path, key, "rate_limit must be a positive number of requests per second")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise _fail(path, key, "params must be a table")
    required, optional = FAMILY_PARAMS[family]
    missing = required - set(params)
    if missing:
        raise _fail(path, key, f"{family} sources need params {sorted(missing)}")
    extra = set(params) - required - optional - (frozenset() if family in STATISTICS_FAMILIES else ATTACHMENT_PARAMS)
    if extra:
        raise _fail(path, key, f"unknown {family} param(s) {sorted(extra)}")
    types = params.get("attachment_types", [])
    if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
        raise _fail(path, key, "params.attachment_types must be a list of file types such as \"pdf\"")
    cap = params.get("max_attachment_bytes", 1)
    if type(cap) is not int or cap <= 0:
        raise _fail(path, key, "params.max_attachment_bytes must be a positive number of bytes")
    for name, (item_type, meaning) in LIST_PARAMS.get(family, {}).items():
        value = params[name]
        if not isinstance(value, list) or not value or not all(type(v) is item_type for v in value):
            raise _fail(path, key, f"params.{name} must be a non-empty list of {item_type.__name__} ({meaning})")
    hosts = raw.get("extra_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise _fail(path, key, "extra_hosts must be a list of host names")
    return SourceConfig(
        key=key,
        name=raw["name"],
        jurisdiction=raw["jurisdiction"],
        region_code=raw["region_code"],
        family=family,
        base_url=raw["base_url"].rstrip("/"),
        keywords=tuple(keywords),
        rate_limit=float(rate) if rate is not None else None,
        params=MappingProxyType(dict(params)),
        extra_hosts=tuple(hosts),
    )


def load_sources(path: Path) -> dict[str, SourceConfig]:
    """Read and validate the registry. Raises RegistryError naming the file and source key."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from exc
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise RegistryError(f"{path}: expected at least one [sources.<key>] table")
    return {key: _parse_source(Path(path), key, raw) for key, raw in sources.items()}
