"""Mirror of a compilation file host: the compilation served as a plain-text download, byte for byte.

The compilation has no public web site of its own; the team hosts the file (sites.toml says so), and the
mirror serves the corpus file verbatim at the site's `path` with `text/plain; charset=utf-8`, ETag and
Last-Modified like every other mirrored file.
"""

from __future__ import annotations

from typing import Any

from mirror.site import SiteBuild, StaticFile


def build_compilation(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    for doc in docs:
        build.files[doc["path"]] = StaticFile(
            doc["text"].encode("utf-8"), "text/plain; charset=utf-8", doc["last_modified"]
        )
