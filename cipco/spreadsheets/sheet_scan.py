"""Where a workbook's cells really are, found before any sheet is loaded.

The spreadsheet library (python-calamine) sizes a sheet from its furthest cell and
allocates every position up to it at once: a 1.6 KB .xlsx with one cell at the last column
and row asks for 512 GB, and the process aborts (a Rust abort: Python cannot catch it).
Declared sizes (``<dimension>``, a shared-string count, repeated ODS rows) can lie too.

So before a sheet is loaded, this module reads the file itself, cheaply and streaming, and
finds where the cells with values really are: every ``<c>`` of an .xlsx sheet, every
repeated row and cell of an .ods table, every cell record of each .xls sheet (its own small
reader for the Compound File container: no other library). A workbook whose cells would
take more than :data:`MAX_CELLS` positions, whose parts would unpack to more than
:data:`MAX_PART_BYTES`, or that cannot be checked at all, is refused with one sentence
(:class:`ScanError`); nothing is allocated for it.
"""

from __future__ import annotations

import operator
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

MAX_CELLS = 8_000_000  # positions from A1 to the furthest cell, over what is loaded at once
MAX_PART_BYTES = 256 * 1024 * 1024  # one XML part, unpacked (a 50,000-row sheet is ~25 MB)
MAX_SHARED_STRINGS = 4_000_000
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024  # workbook.xml, relationships
MAX_TAG_BYTES = 1024 * 1024
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
CHUNK = 1024 * 1024


class ScanError(Exception):
    """The workbook is refused; the message is one sentence naming the problem."""


@dataclass(frozen=True)
class Extent:
    """How far a sheet's cells with values reach (1-based; 0 when the sheet is empty)."""

    sheet: str
    rows: int
    columns: int

    @property
    def positions(self) -> int:
        return self.rows * self.columns

    @property
    def furthest(self) -> str:
        return column_name(self.columns) + str(self.rows) if self.rows else "none"


def column_name(number: int) -> str:
    """1 -> A, 16384 -> XFD."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _too_big(extents: list[Extent], what: str) -> None:
    total = sum(e.positions for e in extents)
    if total <= MAX_CELLS:
        return
    worst = max(extents, key=lambda e: e.positions)
    raise ScanError(
        f"{what} has cells as far as {worst.furthest} in sheet '{worst.sheet}' "
        f"({worst.rows:,} rows by {worst.columns:,} columns); cipco reads at most "
        f"{MAX_CELLS:,} cells at once. Delete stray cells far from the table, or copy the "
        "table into a new workbook"
    )


def check_workbook(path: Path) -> None:
    """Checks needed before the workbook is opened (.xls and .ods load every sheet then)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with _open_zip(path, ".xlsx") as archive:
            _check_shared_strings(archive, path)
    elif suffix == ".ods":
        _too_big(scan_ods(path), path.name)
    elif suffix == ".xls":
        _too_big(scan_xls(path), path.name)


def check_sheet(path: Path, sheet: str) -> None:
    """Checks needed before one sheet of an .xlsx is loaded."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _too_big(scan_xlsx(path, sheet), path.name)


# ---------------------------------------------------------------- .xlsx


def _open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ScanError(f"{path.name} cannot be read: not a valid {kind} file ({exc})") from None


def _stream(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator[bytes]:
    """The unpacked bytes of one part, in chunks; refused past ``limit`` whatever it says."""
    seen = 0
    try:
        with archive.open(name) as part:
            while chunk := part.read(CHUNK):
                seen += len(chunk)
                if seen > limit:
                    raise ScanError(
                        f"part {name} unpacks to more than {limit // (1024 * 1024):,} MB "
                        "(a zip bomb, or far too large to read)"
                    )
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ScanError(f"part {name} cannot be unpacked ({exc})") from None
    except RuntimeError as exc:  # encrypted member
        raise ScanError(f"part {name} cannot be read ({exc})") from None


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    return b"".join(_stream(archive, name, MAX_SMALL_PART_BYTES))


def _elements(data: bytes) -> Iterator[tuple[str, dict[str, str]]]:
    """(local name, attributes with local names) of every element of a small XML part."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attrs: dict[str, str]) -> None:
        found.append((name.rsplit(" ", 1)[-1], {k.rsplit(" ", 1)[-1]: v for k, v in attrs.items()}))

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ScanError(f"an XML part is damaged ({exc})") from None
    return iter(found)


def _names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Lower-case part name -> part name (zip names are matched without case)."""
    return {info.filename.lower(): info.filename for info in archive.infolist()}


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name, from xl/workbook.xml and its relationships."""
    names = _names(archive)
    workbook = names.get("xl/workbook.xml")
    rels = names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        raise ScanError("the workbook's list of sheets (xl/workbook.xml) is missing")
    targets = {
        attrs.get("Id", ""): attrs.get("Target", "")
        for tag, attrs in _elements(_read_small(archive, rels))
        if tag == "Relationship"
    }
    parts = {}
    for tag, attrs in _elements(_read_small(archive, workbook)):
        if tag == "sheet":
            target = targets.get(attrs.get("id", ""), "")
            parts[attrs.get("name", "")] = _resolve("xl/workbook.xml", target) if target else ""
    return parts


def _check_shared_strings(archive: zipfile.ZipFile, path: Path) -> None:
    """The shared strings are read when the workbook opens: a declared count of billions
    makes the reader reserve memory for them all."""
    name = _names(archive).get("xl/sharedstrings.xml")
    if name is None:
        return
    head = b""
    counted = False
    for chunk in _stream(archive, name, MAX_PART_BYTES):
        if not counted:
            head += chunk
            match = re.search(rb"<(?:\w+:)?sst\b([^>]*)>", head)
            if match or len(head) > MAX_TAG_BYTES:
                counted = True
                attrs = match.group(1) if match else b""
                for key in (b"count", b"uniqueCount"):
                    found = re.search(rb"(?:^|\s)" + key + rb"\s*=\s*[\"'](\d+)", attrs)
                    if found and int(found.group(1)) > MAX_SHARED_STRINGS:
                        raise ScanError(
                            f"{path.name} declares {int(found.group(1)):,} shared strings; "
                            f"cipco reads at most {MAX_SHARED_STRINGS:,}"
                        )


_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(sheetData|row|c)(?=[\s/>])([^>]*)>")
_FAST_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>/]*>|<c r="[A-Z]{1,3}[0-9]{1,7}"[^>/]*/>'
)
_ANY_CELL = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")
_LETTERS_OF = operator.methodcaller("rstrip", b"0123456789")
_DIGITS_OF = operator.methodcaller("lstrip", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])(.*?)\1""")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


def scan_xlsx(path: Path, sheet: str) -> list[Extent]:
    """How far the cells of ``sheet`` reach (every sheet part if the name is not listed)."""
    with _open_zip(path, ".xlsx") as archive:
        parts = _sheet_parts(archive)
        names = _names(archive)
        part = parts.get(sheet)
        if part and part.lower() in names:
            return [_scan_sheet_xml(archive, names[part.lower()], sheet)]
        # not resolvable as the reader will: check every part that could be a sheet
        candidates = [
            real
            for lower, real in names.items()
            if lower.endswith(".xml") and lower.startswith("xl/") and "sharedstrings" not in lower
        ]
        return [_scan_sheet_xml(archive, name, sheet) for name in candidates]


def _scan_sheet_xml(archive: zipfile.ZipFile, name: str, sheet: str) -> Extent:
    """The furthest valued cell of one worksheet part.

    Files written by Excel, LibreOffice and most libraries give every cell an ``r="B7"``
    attribute first: those are read with one fast pattern per chunk. Any other cell tag in
    a chunk (no reference, a namespace prefix, odd spacing...) sends the whole part through
    the full scan, which follows rows and cells one tag at a time.
    """
    max_row = 0
    columns: set[bytes] = set()
    for data in _tag_chunks(archive, name, sheet):
        found = _FAST_CELL.findall(data)  # b"B7" per valued cell, b"" per <c r="B7" .../>
        if len(found) != len(_ANY_CELL.findall(data)) or _PREFIXED_CELL.search(data):
            return _scan_sheet_xml_fully(archive, name, sheet)
        refs = list(filter(None, found))
        if refs:
            columns.update(map(_LETTERS_OF, refs))
            max_row = max(max_row, *map(int, map(_DIGITS_OF, refs)))
    if not columns:
        return Extent(sheet, 0, 0)
    furthest = max(columns, key=lambda c: (len(c), c))
    row, column = _position(furthest + str(max_row).encode(), sheet)
    return Extent(sheet, row, column)


def _tag_chunks(archive: zipfile.ZipFile, name: str, sheet: str) -> Iterator[bytes]:
    """The part in chunks that never split a tag."""
    tail = b""
    for chunk in _stream(archive, name, MAX_PART_BYTES):
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut == -1 or data.find(b">", cut) != -1:
            cut = len(data)
        data, tail = data[:cut], data[cut:]
        if len(tail) > MAX_TAG_BYTES:
            raise ScanError(f"sheet '{sheet}' has a tag longer than a megabyte")
        yield data
    if tail:
        yield tail


def _scan_sheet_xml_fully(archive: zipfile.ZipFile, name: str, sheet: str) -> Extent:
    max_row = max_col = 0
    row = col = 0
    inside = False
    for data in _tag_chunks(archive, name, sheet):
        for closing, tag, attrs in _TAG.findall(data):
            if tag == b"sheetData":
                inside = not closing and not attrs.rstrip().endswith(b"/")
                continue
            if not inside or closing:
                continue
            found = _R_ATTR.search(attrs)
            if tag == b"row":
                row = _number(found.group(2), sheet) if found else row + 1
                col = 0
                continue
            if found:
                row, col = _position(found.group(2), sheet)
            else:
                col += 1
            if attrs.rstrip().endswith(b"/"):
                continue  # <c .../>: no value, the reader skips it
            max_row, max_col = max(max_row, row), max(max_col, col)
    return Extent(sheet, max_row, max_col)


def _number(text: bytes, sheet: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= EXCEL_ROWS:
        raise ScanError(f"sheet '{sheet}' has a row number that cannot exist ({_show(text)})")
    return int(text)


def _position(ref: bytes, sheet: str) -> tuple[int, int]:
    match = _CELL_REF.fullmatch(ref)
    if match is None:
        raise ScanError(f"sheet '{sheet}' has a cell reference that cannot exist ({_show(ref)})")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + letter - 64
    row = int(match.group(2))
    if not (1 <= row <= EXCEL_ROWS and 1 <= column <= EXCEL_COLUMNS):
        raise ScanError(f"sheet '{sheet}' has a cell beyond the last one a workbook can have")
    return row, column


def _show(raw: bytes) -> str:
    from cipco.text import clean

    return clean(raw[:20].decode("utf-8", "replace"))


# ---------------------------------------------------------------- .ods

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_PARAGRAPH = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 p"


def _repeat(attrs: dict[str, str], key: str) -> int:
    raw = attrs.get(f"{_TABLE} {key}", "1").strip()
    if not raw.isdigit():
        return 1
    return max(int(raw), 1)


def scan_ods(path: Path) -> list[Extent]:
    """How far the cells of every table reach (the reader loads them all at once)."""
    with _open_zip(path, ".ods") as archive:
        names = _names(archive)
        if "content.xml" not in names:
            raise ScanError(f"{path.name} cannot be read: not a valid .ods file (no content.xml)")
        scanner = _OdsScanner()
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = scanner.start
        parser.EndElementHandler = scanner.end
        parser.CharacterDataHandler = scanner.text
        try:
            for chunk in _stream(archive, names["content.xml"], MAX_PART_BYTES):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise ScanError(f"{path.name}: content.xml is damaged ({exc})") from None
        return scanner.extents


class _OdsScanner:
    def __init__(self) -> None:
        self.extents: list[Extent] = []
        self.table = ""
        self.depth = 0  # tables inside tables (in cells) are part of their cell
        self.cell_depth = 0
        self.row = 0  # rows before the current one
        self.row_repeat = 1
        self.col = 0
        self.cell_repeat = 1
        self.cell_valued = False
        self.max_row = 0
        self.max_col = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.cell_depth:
            self.cell_depth += 1
            if name != _PARAGRAPH:  # an empty <text:p/> gives no value; anything else may
                self.cell_valued = True
            return
        if name == f"{_TABLE} table":
            self.depth += 1
            if self.depth == 1:
                self.table = attrs.get(f"{_TABLE} name", "")
                self.row = self.max_row = self.max_col = 0
        elif not self.depth:
            return
        elif name == f"{_TABLE} table-row":
            self.row_repeat = _repeat(attrs, "number-rows-repeated")
            self.col = 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            self.cell_depth = 1
            self.cell_repeat = _repeat(attrs, "number-columns-repeated")
            self.cell_valued = f"{_OFFICE} value-type" in attrs

    def text(self, data: str) -> None:
        if self.cell_depth:
            self.cell_valued = True

    def end(self, name: str) -> None:
        if self.cell_depth:
            self.cell_depth -= 1
            if self.cell_depth:
                return
            last = self.col + self.cell_repeat
            if self.cell_valued:
                self.max_col = max(self.max_col, last)
                self.max_row = max(self.max_row, self.row + self.row_repeat)
            self.col = last
            return
        if name == f"{_TABLE} table-row" and self.depth:
            self.row += self.row_repeat
        elif name == f"{_TABLE} table":
            self.depth -= 1
            if self.depth == 0:
                self.extents.append(Extent(self.table, self.max_row, self.max_col))
                if sum(e.positions for e in self.extents) > MAX_CELLS:
                    _too_big(self.extents, "the workbook")  # stop reading at once


# ---------------------------------------------------------------- .xls

_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085
_CELL_RECORDS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}  # value cells
_MULRK = 0x00BD
_SST = 0x00FC
XLS_ROWS, XLS_COLUMNS = 65_536, 256


def scan_xls(path: Path) -> list[Extent]:
    """How far the cells of every sheet reach (the reader loads them all at once)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScanError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    stream = _workbook_stream(data, path.name)
    return _scan_biff(stream, path.name)


def _workbook_stream(data: bytes, name: str) -> bytes:
    """The "Workbook" (or BIFF5 "Book") stream of a Compound File, read by hand."""
    if len(data) < 512 or not data.startswith(_CFB_SIGNATURE):
        raise ScanError(f"{name} cannot be read: not an Office 97-2003 (.xls) workbook")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise ScanError(f"{name} cannot be read: a damaged .xls file (unknown sector size)")
    size = 1 << shift
    (fat_count, first_dir, _, cutoff, first_mini, mini_count, first_difat, difat_count) = (
        struct.unpack_from("<IIIIIIII", data, 0x2C)
    )
    sectors = (len(data) - size) // size + 1

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        return data[start : start + size]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < sectors]
    difat, seen = first_difat, 0
    while difat < sectors and seen < difat_count and seen <= sectors:
        entries = struct.unpack(f"<{size // 4}I", sector(difat))
        fat_sectors += [s for s in entries[:-1] if s < sectors]
        difat, seen = entries[-1], seen + 1
    fat_bytes = b"".join(sector(s) for s in fat_sectors[: max(fat_count, 0) or len(fat_sectors)])
    fat = struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes[: len(fat_bytes) // 4 * 4])

    def chain(start: int, table: tuple[int, ...], limit: int) -> list[int]:
        out: list[int] = []
        visited: set[int] = set()
        while start < limit and start < len(table) and start not in visited:
            visited.add(start)
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(s) for s in chain(first_dir, fat, sectors))
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, offset + 64)[0]
        label = directory[offset : offset + min(length, 64)].decode("utf-16-le", "replace")
        kind = directory[offset + 66]
        start, stream_size = struct.unpack_from("<IQ", directory, offset + 116)
        entries.append((label.rstrip("\x00"), kind, start, stream_size))
    if not entries:
        raise ScanError(f"{name} cannot be read: a damaged .xls file (no directory)")
    book = next((e for e in entries if e[0] in ("Workbook", "Book") and e[1] == 2), None)
    if book is None:
        raise ScanError(f"{name} cannot be read: a damaged .xls file (no workbook stream)")
    _, _, start, stream_size = book
    stream_size = min(stream_size, len(data))
    if stream_size >= cutoff:
        body = b"".join(sector(s) for s in chain(start, fat, sectors))
        return body[:stream_size]
    root = entries[0]
    mini_stream = b"".join(sector(s) for s in chain(root[2], fat, sectors))
    minifat_bytes = b"".join(sector(s) for s in chain(first_mini, fat, sectors)[:mini_count])
    minifat = struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes)
    mini_sectors = len(mini_stream) // 64
    body = b"".join(mini_stream[s * 64 : s * 64 + 64] for s in chain(start, minifat, mini_sectors))
    return body[:stream_size]


def _records(stream: bytes, start: int) -> Iterator[tuple[int, int, int]]:
    """(type, offset of data, length) of each BIFF record from ``start`` to the stream end."""
    position = start
    end = len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        yield kind, position + 4, min(length, end - position - 4)
        position += 4 + length


def _sheet_name(stream: bytes, offset: int, length: int, number: int) -> str:
    """A BOUNDSHEET record's sheet name (BIFF8 short string), or "sheet N"."""
    try:
        count, flags = stream[offset + 6], stream[offset + 7]
        if flags & 1:
            raw = stream[offset + 8 : offset + 8 + 2 * count].decode("utf-16-le")
        else:
            raw = stream[offset + 8 : offset + 8 + count].decode("latin-1")
    except (IndexError, UnicodeDecodeError):
        raw = ""
    from cipco.text import clean

    return clean(raw)[:31] or f"sheet {number}"


def _scan_biff(stream: bytes, name: str) -> list[Extent]:
    sheets: list[tuple[str, int]] = []
    for kind, offset, length in _records(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            position = struct.unpack_from("<I", stream, offset)[0]
            sheets.append((_sheet_name(stream, offset, length, len(sheets) + 1), position))
        elif kind == _SST and length >= 8:
            total, unique = struct.unpack_from("<II", stream, offset)
            if max(total, unique) > MAX_SHARED_STRINGS:
                raise ScanError(
                    f"{name} declares {max(total, unique):,} shared strings; cipco reads at "
                    f"most {MAX_SHARED_STRINGS:,}"
                )
        elif kind == _EOF:
            break
    extents = []
    for label, position in sheets:
        max_row = max_col = 0
        depth = 0  # a chart inside a sheet has its own BOF ... EOF
        for kind, offset, length in _records(stream, position):
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
                if depth <= 0:
                    break
            elif kind in _CELL_RECORDS and length >= 4:
                row, col = struct.unpack_from("<HH", stream, offset)
                max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
            elif kind == _MULRK and length >= 6:
                row, first = struct.unpack_from("<HH", stream, offset)
                last = struct.unpack_from("<H", stream, offset + length - 2)[0]
                max_row = max(max_row, row + 1)
                max_col = max(max_col, first + 1, last + 1)
        extents.append(Extent(label, max_row, max_col))
    return extents
