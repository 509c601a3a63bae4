"""Render the offline mirror: each site of `sites.toml` by its family's renderer into static files and
endpoints. A new family's mirror lives in its own module and is registered in RENDERERS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mirror.bjx import build_bjx
from mirror.compilation_host import build_compilation
from mirror.gkmlpt import build_gkmlpt
from mirror.govcn import build_govcn
from mirror.hanweb import build_hanweb
from mirror.site import SITE_LAST_MODIFIED, SiteBuild, StaticFile, site_documents
from mirror.statistics import STATISTICS_RENDERERS
from mirror.trs import build_trs

# family -> renderer(build, site config, documents with their text, live base URL). A new family's
# mirror lives in its own module and is added here.
Renderer = Callable[[SiteBuild, dict[str, Any], list[dict[str, Any]], str], None]


RENDERERS: dict[str, Renderer] = {"hanweb": build_hanweb, "trs": build_trs, **STATISTICS_RENDERERS,
                                  "govcn": build_govcn, "compilation": build_compilation,
                                  "gkmlpt": build_gkmlpt, "bjx": build_bjx}


def build_site(
    key: str,
    site: dict[str, Any],
    *,
    texts: dict[str, str] | None = None,
    last_modified: dict[str, str] | None = None,
) -> SiteBuild:
    """Render one site. `texts`/`last_modified` (keyed by corpus file name) override the corpus, for tests."""
    texts = texts or {}
    last_modified = last_modified or {}
    build = SiteBuild(key=key, host=site["host"], family=site["family"], config=site)
    live_base = f"https://{site['host']}"
    docs = site_documents(site, texts)
    for doc in docs:
        doc["last_modified"] = last_modified.get(doc.get("corpus", ""), doc["last_modified"])
    build.files["/robots.txt"] = StaticFile(
        site.get("robots", "").encode("utf-8"), "text/plain", SITE_LAST_MODIFIED
    )
    renderer = RENDERERS.get(site["family"])
    if renderer is None:
        raise ValueError(f"mirror: unknown family {site['family']!r} for site {key}")
    renderer(build, site, docs, live_base)
    return build
