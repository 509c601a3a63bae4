"""A file on disk → its reading text: the file types `carbonpeak extract PATH...` and the benchmarks read.

`file_kind` says what a file is (its extension, else its bytes). `file_text` (`content_text` for bytes in
memory) reads a PDF or DOCX through `convert`, and a plain-text file as UTF-8 (GBK and other legacy
encodings through charset_normalizer). HTML is not read here: its body text comes from scrapers.parsing,
a higher layer than this package.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.textlayer.convert import CONVERTERS, ConversionError, FileText, convert, sniff

# extension -> kind; other extensions are judged by their bytes (`sniff`).
EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".html": "html", ".htm": "html"}
READABLE = "PDF (.pdf), Word 2007+ (.docx), HTML (.html/.htm) and UTF-8 or GBK text (.txt)"
# Legacy Chinese charsets are read as their superset, as scrapers.parsing does for web pages.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}


def file_kind(path: Path, content: bytes) -> str:
    """pdf | docx | txt | html by the extension; for any other extension what the bytes are (`sniff`:
    pdf, docx, html, or a kind that is not read such as "zip", "ole (doc/xls/wps)", "unknown")."""
    return EXTENSIONS.get(path.suffix.lower()) or sniff(content)


def decode_text(content: bytes) -> str:
    """Bytes of a plain-text file → str: UTF-8 (a BOM dropped), else the encoding charset_normalizer finds
    (GBK/GB2312 read as GB18030). ConversionError when neither gives text."""
    try:
        return content.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(content).best()
    if best is None or not best.encoding:
        raise ConversionError("not text in any encoding charset_normalizer knows (a binary file?)")
    encoding = best.encoding.lower().replace("-", "").replace("_", "")
    encoding = _SUPERSETS.get(encoding, best.encoding)
    try:
        return content.decode(encoding).removeprefix("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise ConversionError(f"not UTF-8, and not readable as {best.encoding} either: {exc}") from exc


def content_text(content: bytes, kind: str) -> FileText:
    """The reading text of the bytes of a file of kind pdf, docx or txt (`file_kind`); a PDF with no text
    layer gives text "" and needs_ocr. ConversionError for any other kind (HTML included), for bytes that
    are not what the kind says, and for corrupt or encrypted files."""
    if kind == "txt":
        return FileText(decode_text(content), "txt")
    if kind in CONVERTERS:
        return convert(content, kind)
    raise ConversionError(f"{kind} file: not one of the types read here ({READABLE})")


def file_text(path: Path) -> FileText:
    """The reading text of a .pdf, .docx or .txt file (`content_text`); OSError when it cannot be read."""
    content = Path(path).read_bytes()
    return content_text(content, file_kind(Path(path), content))
