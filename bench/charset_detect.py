"""Charset detection for pages whose declared charset is missing or wrong, measured on the corpus's own text.

    python -m bench.charset_detect [--alternatives DIR]

Samples: the four corpus documents whole, and 400 slices of 12–200 characters (titles and list entries are
short; the hardest case), each encoded as GBK (gb18030) and as UTF-8, with no charset declared. A detector is
right when the bytes decoded by the charset it names give the original text back. Detectors: charset-normalizer
(in the lock), chardet and faust-cchardet when `--alternatives` is a folder they are installed in (`uv pip install
--target DIR chardet faust-cchardet`: they are not in the lock), and the scrape's own rule
(`scrapers.parsing.decode_html`: UTF-8 and GB18030 tried strictly, then charset-normalizer, each result scored by
`garbled_share`). Also: `garbled_share` of the corpus as it is and of the two kinds of mojibake. Prints figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import charset_normalizer

from carbonpeak_core.paths import REPO_ROOT
from scrapers.parsing import GarbledText, decode_html, garbled_share, normalize_charset

CORPUS = REPO_ROOT / "mirror" / "corpus"


def samples(seed: int = 15) -> list[tuple[str, bytes]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    rng = random.Random(seed)
    pieces = list(texts)
    for _ in range(400):
        text = rng.choice(texts)
        size = rng.randint(12, 200)
        start = rng.randrange(0, len(text) - size)
        pieces.append(text[start : start + size])
    return [(piece, piece.encode(codec)) for piece in pieces for codec in ("gb18030", "utf-8")]


def _by_name(name: str | None, data: bytes, text: str) -> bool:
    try:
        return bool(name) and data.decode(normalize_charset(name) or "") == text
    except (LookupError, UnicodeDecodeError):
        return False


def detectors(alternatives: Path | None) -> dict[str, Callable[[bytes, str], bool]]:
    found: dict[str, Callable[[bytes, str], bool]] = {
        "charset-normalizer": lambda data, text: _by_name(
            getattr(charset_normalizer.from_bytes(data).best(), "encoding", None), data, text),
    }
    if alternatives:
        sys.path.insert(0, str(alternatives))
        try:
            import chardet

            found[f"chardet {chardet.__version__}"] = lambda data, text: _by_name(
                chardet.detect(data)["encoding"], data, text)
        except ImportError:
            pass
        try:
            import cchardet

            found["faust-cchardet"] = lambda data, text: _by_name(cchardet.detect(data)["encoding"], data, text)
        except ImportError:
            pass

    def scrape_rule(data: bytes, text: str) -> bool:
        try:
            return decode_html(data, "text/html") == text
        except GarbledText:
            return False

    found["scrape rule (decode_html)"] = scrape_rule
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alternatives", type=Path, help="a folder with chardet / faust-cchardet installed")
    args = parser.parse_args()
    cases = samples()
    short = [(t, b) for t, b in cases if len(t) <= 200]
    print(f"{len(cases)} samples ({len(short)} of at most 200 characters), no charset declared")
    print(f"{'detector':<28} {'right':>7} {'short right':>12} {'ms/sample':>10}")
    for name, detect in detectors(args.alternatives).items():
        started = time.perf_counter()
        right = [detect(data, text) for text, data in cases]
        ms = (time.perf_counter() - started) * 1000 / len(cases)
        short_right = [r for r, (t, _) in zip(right, cases, strict=True) if len(t) <= 200]
        print(f"{name:<28} {sum(right) / len(right):>7.3f} {sum(short_right) / len(short_right):>12.3f} {ms:>10.2f}")
    print("\ngarbled_share (above 0.05 is mojibake):")
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        as_latin1 = text.encode("gb18030").decode("latin-1")
        utf8_as_gbk = text.encode("utf-8").decode("gb18030", errors="replace")
        print(f"  {path.name[:3]}: as written {garbled_share(text):.4f}, GBK read as Latin-1 "
              f"{garbled_share(as_latin1):.3f}, UTF-8 read as GBK {garbled_share(utf8_as_gbk):.3f}")


if __name__ == "__main__":
    main()
