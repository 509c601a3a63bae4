"""The offline mirror: real corpus documents laid out as each CMS family's real pages and APIs,
served over HTTP on 127.0.0.1 so the scrapers run unchanged without the internet.

    with running_mirror() as mirror:
        # base_urls: {"fgw.jiaxing.gov.cn": "http://127.0.0.1:PORT", …}
        settings = settings.with_(base_urls=mirror.base_urls)
"""

from mirror.server import LoggedRequest, Mirror, running_mirror, serve_forever

__all__ = ["LoggedRequest", "Mirror", "running_mirror", "serve_forever"]
