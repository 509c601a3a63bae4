"""`python -m mirror`: the offline mirror as a development tool, outside the carbonpeak product.

    python -m mirror serve                 serve until Ctrl-C, printing {live host: base URL}
        [--ports JSON]                     ... on these ports ({live host: port}, e.g. the map printed before)
        [--text CORPUS_FILE=PATH]          ... serving PATH's text for that corpus file (a revised document)
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
        return _serve(args[1:])
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


def _serve(args: list[str]) -> int:
    """`serve [--ports JSON] [--text CORPUS_FILE=PATH]…`: a restarted mirror can keep the ports the running
    pipeline was given, and serve a revision of a document (the deployment test's bad load)."""
    from pathlib import Path

    ports: dict[str, int] = {}
    texts: dict[str, str] = {}
    while args:
        flag, value, args = args[0], (args[1] if len(args) > 1 else ""), args[2:]
        if flag == "--ports" and value:
            given = json.loads(value)
            ports = {host: int(str(url).rsplit(":", 1)[-1]) for host, url in given.items()}
        elif flag == "--text" and "=" in value:
            corpus_name, path = value.split("=", 1)
            texts[corpus_name] = Path(path).read_text(encoding="utf-8")
        else:
            print(f"error: serve takes --ports JSON and --text CORPUS_FILE=PATH, not {flag!r}\n{__doc__}",
                  file=sys.stderr)
            return 2
    serve_forever(ports or None, texts=texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
