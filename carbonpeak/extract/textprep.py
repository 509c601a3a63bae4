"""Text preparation for the target extractor: layout and page furniture removal, script and width folding.

The extractor matches its rules on a *normalised* copy of the document and maps every span back to the
original text, so quotes stay exact substrings of what the caller passed in (with any layout they span).
What the normalised copy leaves out, whatever the text came from (a PDF text layer, an HTML page):
  - page footers: "第15页", and whole lines such as "— 9 —", "- 9 -", "—8—", form feeds;
  - layout spaces next to a CJK character ("到 2025 年", "下降 14.5%"); spaces between Latin words stay;
  - line breaks inside a paragraph, where the text has a wrap width (most lines end at one length):
    a line that reaches it and does not end a sentence continues on the next ("煤炭消\n\n费量下降 10%").
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
# A whole line that is a printed page number, with the line break before it; form feeds.
_FOOTER_LINE = re.compile(
    r"\n[ \t\u3000]*(?:[—\-－–─]{1,2}[ \t\u3000]*\d{1,4}[ \t\u3000]*[—\-－–─]{1,2})[ \t\u3000]*(?=\n|$)|\f"
)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’"
# Horizontal space with a CJK character on either side (never a tab: tabs mark table cells).
_CJK_SPACE = re.compile(
    rf"(?<=[{_CJK}])[ \u3000\xa0]+(?![ \u3000\xa0|])|(?<![ \u3000\xa0|])[ \u3000\xa0]+(?=[{_CJK}])"
)
# Where a paragraph cannot end: no sentence end before the break, and the next line starts no new item.
_SENTENCE_END = "。；！？：;!?:|"
_ITEM_START = re.compile(
    r"[ \t\u3000]*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)"
    r"|\d{1,2}[.．、]|第[一二三四五六七八九十\d]+[章节条]|附件|表\s*\d|专栏|\t|[-—•●■◆]|$)"
)
_BREAK = re.compile(r"[ \t\u3000]*\n(?:[ \t\u3000]*\n)*")


def _wrap_width(text: str) -> int | None:
    """The length most lines of a hard-wrapped text end at (PDF text layers wrap at the right margin),
    or None when the text has no such width (one paragraph per line, as HTML pages give)."""
    lengths = [len(line.replace(" ", "")) for line in text.split("\n")]
    long_lines = [n for n in lengths if n >= 12]
    if len(long_lines) < 8:
        return None
    counts: dict[int, int] = {}
    for n in long_lines:
        counts[n] = counts.get(n, 0) + 1
    width = max(counts, key=lambda w: (sum(counts.get(w - d, 0) for d in range(3)), w))
    near = sum(counts.get(width - d, 0) for d in range(3))
    return width if near >= 0.3 * len(long_lines) and width <= 80 else None


def _layout_cuts(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are layout, not content (see the module docstring)."""
    spans = [(m.start(), m.end()) for m in _PAGE_RE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _FOOTER_LINE.finditer(text)]
    spans += [(m.start(), m.end()) for m in _CJK_SPACE.finditer(text)]
    width = _wrap_width(text)
    if width is not None:
        line_start = 0
        for m in _BREAK.finditer(text):
            line = text[line_start:m.start()]
            line_start = m.end()
            body = line.replace(" ", "").rstrip("\f")
            if len(body) < width - 2 or not body or body[-1] in _SENTENCE_END or line.startswith("\t"):
                continue
            if _ITEM_START.match(text, m.end()) or _FOOTER_LINE.match(text, m.start()):
                continue
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged

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
    for a, b in _layout_cuts(text):
        pieces.append(text[last:a])
        npos += a - last
        removed += b - a
        cuts.append(npos)
        shift.append(removed)
        last = b
    pieces.append(text[last:])
    stripped = "".join(pieces)
    simp = to_simplified(stripped)
    # Judge the script on a leading sample: a whole-text character diff would be slow on big files.
    sample, simp_sample = stripped[:20000], simp[:20000]
    changed = sum(1 for a, b in zip(sample, simp_sample, strict=True) if a != b)
    traditional = changed > _TRADITIONAL_RATIO * max(1, len(sample))
    norm = fold_width(simp if traditional else stripped)
    return PreparedText(text, norm, traditional, tuple(cuts), tuple(shift))
