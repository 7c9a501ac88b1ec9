"""Builders of hostile workbooks for the adversarial tests: .xlsx and .ods parts written by
hand, and .xls files from raw BIFF records in a minimal Compound File container."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(path: Path, sheet_xml: str, shared_strings: str | None = None) -> Path:
    """A one-sheet .xlsx ("Sheet1") whose worksheet body is ``sheet_xml``."""
    overrides = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
        '.worksheet+xml"/>'
    )
    rels = f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        rels += (
            f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{sheet_xml}'
            "</worksheet>"
        ),
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def inline(ref: str, text: str) -> str:
    from xml.sax.saxutils import escape

    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def ods(path: Path, table_body: str, name: str = "Sheet1") -> Path:
    """A one-table .ods whose table body (rows) is ``table_body``."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:table="{TABLE}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{name}">{table_body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_cell(text: str, repeat: int = 1) -> str:
    from xml.sax.saxutils import escape

    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{rep}><text:p>{escape(text)}</text:p>'
        "</table:table-cell>"
    )


# ---------------------------------------------------------------- .xls from BIFF records


def record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def bof(substream: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x0206))


EOF_RECORD = record(0x000A)


def number(row: int, col: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, col, 0, value))


def label(row: int, col: int, text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    return record(0x0204, struct.pack("<HHHHB", row, col, 0, len(text), 1) + encoded)


def blank(row: int, col: int) -> bytes:
    return record(0x0201, struct.pack("<HHH", row, col, 0))


def dimensions(rows: int, cols: int) -> bytes:
    return record(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))


def sst(total: int, unique: int, strings: Sequence[str] = ()) -> bytes:
    body = struct.pack("<II", total, unique)
    for text in strings:
        body += struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")
    return record(0x00FC, body)


def _xf_records() -> bytes:
    fonts = record(
        0x0031,
        struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
        + b"\x05\x01A\x00r\x00i\x00a\x00l\x00",
    )
    xf = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    cell_xf = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    return fonts * 5 + xf * 15 + cell_xf


def xls(path: Path, sheets: Sequence[tuple[str, bytes]], globals_extra: bytes = b"") -> Path:
    """An .xls whose sheets hold the given cell records (BIFF8, in a Compound File)."""
    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200)) + _xf_records() + globals_extra
    bound_sizes = [len(record(0x0085, b"\x00" * (8 + 2 * len(name)))) for name, _ in sheets]
    offset = len(head) + sum(bound_sizes) + len(EOF_RECORD)
    bounds = b""
    bodies = b""
    for name, cells in sheets:
        body = bof(0x0010) + cells + EOF_RECORD
        bounds += record(
            0x0085,
            struct.pack("<IBBBB", offset + len(bodies), 0, 0, len(name), 1)
            + name.encode("utf-16-le"),
        )
        bodies += body
    stream = head + bounds + EOF_RECORD + bodies
    path.write_bytes(compound_file(stream))
    return path


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A version 3 Compound File (512-byte sectors) holding one stream."""
    size = 512
    stream = stream + b"\x00" * max(0, 4096 - len(stream))  # never in the mini stream
    stream += b"\x00" * (-len(stream) % size)
    stream_sectors = len(stream) // size
    # sectors: [FAT...] [directory] [stream...]
    total_guess = stream_sectors + 2
    fat_count = (total_guess + 127) // 128 + 1
    dir_sector = fat_count
    first_stream = dir_sector + 1
    total = first_stream + stream_sectors
    fat = [0xFFFFFFFD] * fat_count + [0xFFFFFFFE]
    fat += [first_stream + i + 1 for i in range(stream_sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_count * 128 - len(fat))
    assert len(fat) >= total

    def entry(label: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = label.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IQ", start, length)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(
        name, 2, 0xFFFFFFFF, first_stream, len(stream)
    )
    directory = directory.ljust(size, b"\x00")
    difat = list(range(fat_count)) + [0xFFFFFFFF] * (109 - fat_count)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, fat_count, dir_sector, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == 512
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + directory + stream
