"""The converter process `convert_isolated` starts: one file's bytes on stdin → its FileText as JSON on stdout.

    python -m scrapers.textlayer.worker KIND MEMORY_MB

The address-space limit (RLIMIT_AS) is set before the file is read or a PDF library is loaded, so whatever the
file makes the reader allocate — a decompression bomb's inflated content stream, a Word file's XML — stays
within MEMORY_MB. PDFium aborts the process when an allocation fails; Python code gets MemoryError, reported as
{"error": …, "memory": true}. A ConversionError is {"error": …}; success is the FileText's fields.
"""

from __future__ import annotations

import json
import resource
import sys
from dataclasses import asdict


def main(argv: list[str]) -> int:
    kind, memory_mb = argv[1], int(argv[2])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    content = sys.stdin.buffer.read()
    from scrapers.textlayer.convert import ConversionError, convert

    try:
        answer = asdict(convert(content, kind))
    except ConversionError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"error": "out of memory", "memory": True}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
