"""RawStore: every response body saved unchanged, before anything parses it.

Layout below `Settings.raw_dir`: `<source_key>/<sha256[:2]>/<sha256><ext>` (content-addressed, so
an unchanged page is stored once) plus a sidecar `<sha256><ext>.json` with the URL, status,
headers and fetch time of the latest fetch of those bytes. Re-parsing history needs nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapers.http import Response

_EXT_BY_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/xml": ".xml",
    "application/xml": ".xml",
    "application/json": ".json",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "text/plain": ".txt",
}


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def extension_for(url: str, content_type: str | None) -> str:
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _EXT_BY_TYPE:
        return _EXT_BY_TYPE[mime]
    suffix = Path(urlsplit(url).path).suffix.lower()
    if suffix in {".html", ".htm", ".shtml", ".jsp", ".xml", ".json", ".pdf", ".docx", ".doc", ".txt"}:
        return ".html" if suffix in {".htm", ".shtml"} else suffix
    return ".bin"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RawStore:
    def __init__(self, raw_dir: Path, source_key: str) -> None:
        self.raw_dir = raw_dir
        self.source_key = source_key

    def save(
        self, response: Response, *, canonical_url: str | None = None, fetched_at: str | None = None
    ) -> str:
        """Store the body and its sidecar; return the body's path relative to `raw_dir`."""
        digest = sha256_hex(response.content)
        ext = extension_for(response.url, response.content_type)
        relative = Path(self.source_key) / digest[:2] / f"{digest}{ext}"
        path = self.raw_dir / relative
        if not path.exists():
            _atomic_write(path, response.content)
        sidecar = {
            "url": response.url,
            "canonical_url": canonical_url or response.url,
            "status": response.status,
            "headers": response.headers,
            "fetched_at": fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": digest,
            "bytes": len(response.content),
        }
        _atomic_write(
            path.with_name(path.name + ".json"),
            json.dumps(sidecar, ensure_ascii=False, indent=2).encode("utf-8"),
        )
        return relative.as_posix()

    def load(self, relative: str) -> tuple[bytes, dict[str, object]]:
        path = self.raw_dir / relative
        meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
        return path.read_bytes(), meta
