"""Text preparation for the target extractor: page furniture removal, script and width normalisation.

The extractor matches its rules on a *normalised* copy of the document (simplified script,
half-width digits, no "第N页" page footers) and maps every span back to the original text,
so quotes stay exact substrings of what the caller passed in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Scraped compilations carry page footers such as "第15页" that can fall inside a word
# ("新型储能装机容第15页量"); they are cut out before matching.
_PAGE_RE = re.compile(r"第\d{1,4}页")

# One-to-one width folding (NFKC would change lengths for some characters, we must not).
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FULLWIDTH.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FULLWIDTH.update({"％": "%", "．": ".", "＜": "<", "＞": ">", "＋": "+", "－": "-", "～": "~",
                   "／": "/", "\u3000": " ", "≤": "<", "≥": ">"})
_WIDTH_TABLE = str.maketrans(_FULLWIDTH)

# Share of characters that t2s must change before a text counts as traditional script.
_TRADITIONAL_RATIO = 0.01


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified, keeping the length (falls back char by char if a phrase changes length)."""
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    conv = _t2s().convert
    return "".join(c if len(c2 := conv(c)) != 1 else c2 for c in text)


def fold_width(text: str) -> str:
    return text.translate(_WIDTH_TABLE)


@dataclass(frozen=True)
class PreparedText:
    """The normalised text and the map from its offsets back to the original's."""

    original: str
    norm: str
    traditional: bool
    _cuts: tuple[int, ...]  # norm offsets where something was removed
    _shift: tuple[int, ...]  # total removed length up to and including that cut

    def orig_pos(self, i: int) -> int:
        k = bisect_right(self._cuts, i)
        return i + (self._shift[k - 1] if k else 0)

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty norm span [start, end) to the original text (inner furniture included)."""
        return self.orig_pos(start), self.orig_pos(end - 1) + 1


def prepare(text: str) -> PreparedText:
    pieces: list[str] = []
    cuts: list[int] = []
    shift: list[int] = []
    last = 0
    npos = 0
    removed = 0
    for m in _PAGE_RE.finditer(text):
        pieces.append(text[last:m.start()])
        npos += m.start() - last
        removed += m.end() - m.start()
        cuts.append(npos)
        shift.append(removed)
        last = m.end()
    pieces.append(text[last:])
    stripped = "".join(pieces)
    simp = to_simplified(stripped)
    # Judge the script on a leading sample: a whole-text character diff would be slow on big files.
    sample, simp_sample = stripped[:20000], simp[:20000]
    changed = sum(1 for a, b in zip(sample, simp_sample, strict=True) if a != b)
    traditional = changed > _TRADITIONAL_RATIO * max(1, len(sample))
    norm = fold_width(simp if traditional else stripped)
    return PreparedText(text, norm, traditional, tuple(cuts), tuple(shift))
