"""Bad files for the fault tests, made at test time (nothing big is committed): a corrupt PDF, an encrypted PDF,
a PDF decompression bomb, a scanned PDF (a real page's pixels, no text layer) and a DOCX bomb.

Each is a real specimen of its kind, built to the format's rules, not a stub: the encrypted PDF opens with its
password and then reads as text; the bomb is a valid PDF whose one content stream inflates to `inflated_mb`
MiB of path operators; the scanned page is dcp347's first page rendered by PDFium and put back as an image.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

CORRUPT_PDF = b"%PDF-1.4 junk"  # what a broken upload looks like: a header, then nothing a reader can use


def pdf_file(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of numbered objects (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page_pdf(content: bytes, *, content_extra: bytes = b"", trailer: bytes = b"",
                 more: list[bytes] | None = None) -> bytes:
    """A one-page A4 PDF with Helvetica as /F1 and `content` as its content stream (object 4)."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content, content_extra),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(more or []),
    ], trailer)


def pdf_bomb(inflated_mb: int) -> bytes:
    """A valid one-page PDF whose content stream is `inflated_mb` MiB of path operators, FlateDecode'd to about
    1/500 of that: every `m l S` makes the reader build one more path object, so reading it takes far more
    memory than the inflated bytes themselves (0.13 MB for 64 MiB made PDFium take 1.3 GB in-process)."""
    unit = b"0 0 m 1 1 l S\n"
    chunk = unit * (1024 * 1024 // len(unit))
    deflate = zlib.compressobj(9)
    data = b"".join(deflate.compress(chunk) for _ in range(inflated_mb)) + deflate.flush()
    return one_page_pdf(data, content_extra=b"/Filter /FlateDecode ")


# -- encryption: PDF 1.4 standard security handler, revision 2 (40-bit RC4), ISO 32000-1 §7.6.3 ------------

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(text: str, user_password: str, owner_password: str = "owner") -> bytes:
    """A one-page PDF showing `text` (ASCII), encrypted so that it opens only with `user_password`."""
    padded_user = (user_password.encode("latin-1") + _PAD)[:32]
    padded_owner = (owner_password.encode("latin-1") + _PAD)[:32]
    o_value = _rc4(hashlib.md5(padded_owner).digest()[:5], padded_user)  # algorithm 3
    permissions = -44
    file_id = hashlib.md5(text.encode()).digest()
    key = hashlib.md5(padded_user + o_value + struct.pack("<i", permissions) + file_id).digest()[:5]  # algorithm 2
    u_value = _rc4(key, _PAD)  # algorithm 4
    content = b"BT /F1 24 Tf 72 720 Td (" + text.encode("ascii") + b") Tj ET"
    object_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    encrypt = (b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <" + u_value.hex().encode()
               + b"> /P %d >>" % permissions)
    return one_page_pdf(_rc4(object_key, content), more=[encrypt],
                        trailer=b"/Encrypt 6 0 R /ID [<" + file_id.hex().encode() + b"> <" + file_id.hex().encode()
                        + b">] ")


def scanned_pdf(pdf: bytes, page_index: int = 0, scale: float = 1.5) -> bytes:
    """A PDF whose one page is an image of `pdf`'s page `page_index` as PDFium renders it: the pixels show real
    text, but there is no text layer (a scanned page)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    page = source[page_index]
    width, height = page.get_size()
    bitmap = page.render(scale=scale)
    scan = pdfium.PdfDocument.new()
    image = pdfium.PdfImage.new(scan)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(width, height))
    new_page = scan.new_page(width, height)
    new_page.insert_obj(image)
    new_page.gen_content()
    out = io.BytesIO()
    scan.save(out)
    for closable in (new_page, scan, bitmap, page, source):
        closable.close()
    return out.getvalue()


def docx_bomb(inflated_mb: int) -> bytes:
    """A Word package whose word/document.xml is one paragraph of `inflated_mb` MiB of spaces: a few hundred KB
    that a reader trusting the archive would inflate in full."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.'
            b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t xml:space="preserve">')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        with archive.open("word/document.xml", "w") as member:
            member.write(head)
            spaces = b" " * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(spaces)
            member.write(tail)
    return out.getvalue()
