"""Files → the reading text the extractor and the warehouse store: PDF (pypdfium2), DOCX, plain text.

`convert(content, kind)` is pure and in-process; `sniff` says what bytes really are. PDF text is cleaned to
reading text (`clean`): lines broken mid-sentence rejoined, layout spaces between CJK characters and digits
dropped, page footers and running headers removed, tables rebuilt row by row.
"""

from scrapers.textlayer.convert import CONVERTERS, ConversionError, FileText, convert, sniff

__all__ = ["CONVERTERS", "ConversionError", "FileText", "convert", "sniff"]
