"""`python -m mirror`: the offline mirror as a development tool, outside the carbonpeak product.

    python -m mirror serve                 serve until Ctrl-C, printing {live host: base URL}
    python -m mirror run [KEY…]            `carbonpeak run` against the mirror
    python -m mirror scrape [KEY…]         `carbonpeak scrape` against the mirror
    python -m mirror dag-test              the Airflow DAG once against the mirror (what `make run` does)

The carbonpeak commands run unchanged: the mirror only adds its hosts to CARBONPEAK_BASE_URLS (and sets
CARBONPEAK_RATE_LIMIT to 0 unless it is set: politeness delays protect real sites, not our loopback).
"""

from __future__ import annotations

import json
import logging
import os
import sys

from mirror.server import running_mirror, serve_forever

COMMANDS = ("run", "scrape", "dag-test")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in ("serve", *COMMANDS):
        print(__doc__, file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    if args[0] == "serve":
        serve_forever()
        return 0
    if "--live" in args:
        print("error: --live scrapes the real sites; run it as `carbonpeak " + " ".join(args) + "`, not through "
              "the mirror", file=sys.stderr)
        return 2
    from carbonpeak.cli import main as carbonpeak_main

    with running_mirror() as mirror:
        for host, url in sorted(mirror.base_urls.items()):
            logging.getLogger("mirror").info("mirror: %s -> %s", host, url)
        before = json.loads(os.environ.get("CARBONPEAK_BASE_URLS") or "{}")
        os.environ["CARBONPEAK_BASE_URLS"] = json.dumps({**before, **mirror.base_urls})
        os.environ.setdefault("CARBONPEAK_RATE_LIMIT", "0")
        return carbonpeak_main(args)


if __name__ == "__main__":
    sys.exit(main())
