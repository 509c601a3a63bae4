"""The records of the text layer: what a file reads as (FileText), a PDF page's lines, and the one error."""

from __future__ import annotations

from dataclasses import dataclass, field


class ConversionError(ValueError):
    """Bytes that are not the file they claim to be, or that could not be read (corrupt, encrypted, too big)."""


@dataclass(frozen=True)
class FileText:
    text: str  # the reading text ("" when the file has no text layer)
    kind: str  # pdf | docx | txt
    pages: int | None = None  # PDF pages
    needs_ocr: bool = False  # a PDF whose pages carry no text layer (scanned): nothing is read from it


Char = tuple[str, float, float, float, float]  # text, x0, x1, top, bottom (top-down page coordinates)


@dataclass
class Line:
    """One printed line: its cells (text runs separated by a wide gap) and where it stands on the page."""

    cells: list[str]
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float  # character height
    cell_x: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.cells)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]
