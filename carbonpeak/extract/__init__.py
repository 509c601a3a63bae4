"""Rule-first extractor of quantified carbon-peak targets from Chinese policy text.

Public interface: ``EXTRACTOR_VERSION``, ``ExtractedTarget`` and ``extract_targets``, and for reading a
false negative ``SkippedMention`` and ``explain_skips`` (which named exclusion rule dropped each number).
The rules live in ``rules`` (running text, and the registry of exclusion rules) and ``tables`` (indicator
tables); ``textprep`` normalises the text and maps offsets back so every quote is an exact substring of
the text passed in.
"""

from carbonpeak.extract.extractor import (
    EXTRACTOR_VERSION,
    ExtractedTarget,
    SkippedMention,
    explain_skips,
    extract_targets,
)

__all__ = ["EXTRACTOR_VERSION", "ExtractedTarget", "SkippedMention", "explain_skips", "extract_targets"]
