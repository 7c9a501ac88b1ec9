"""The PDF machinery every printed document uses: marking and page numbers on every page,
names in any Latin, Greek or Cyrillic spelling, other scripts that never break a document,
the page list, and the workbook twin with the same content."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cipco.content import Chart, Document, Facts, Paragraph, Section, Table
from cipco.outputs import OutputError, choose_output
from cipco.pdf import render_pdf, write_pdf
from cipco.pdf.glyphs import MISSING, Glyphs
from cipco.pdf.render import UNPRINTABLE_NOTE, _cmap
from cipco.spreadsheets.content import COVER_SHEET, document_book
from tests.pdf_helpers import MARKED, page_of, read_pages, squash

AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
NAMES = [
    "Óscar Ñúñez",
    "Łukasz Wójcik",
    "Şahin Yılmaz",
    "Ődön Kovács",
    "Αλέξανδρος Παπαδόπουλος",
    "Дмитрий Иванов",
    "Zoë Brontë-Čapek",
]


def long_document(rows: int = 90) -> Document:
    table = Table(
        ["No.", "Who", "When", "Hash"],
        [[f"E{i}", NAMES[i % len(NAMES)], AT, f"{i:064x}"] for i in range(rows)],
        widths=(6, 40, 18, 40),
        small=(3,),
    )
    return Document(
        title="Police case file REF-2026-0001",
        subject="Police case file REF-2026-0001",
        produced_at=AT,
        produced_by="jbloggs",
        cover=[Facts([("Referral", "REF-2026-0001"), ("Prison", "HMP Leeds")])],
        sections=[
            Section("People", [Facts([(f"Person {i}", name) for i, name in enumerate(NAMES)])]),
            Section("Events", [table]),
            Section("Exhibit JB/1", [Paragraph("CCTV of the wing landing")], level=1),
            Section("Trend", [Chart("By month", ["Sep", "Oct"], [("Made", [4, 7])])]),
        ],
    )


def test_every_page_says_page_n_of_m_and_the_marking_in_its_header_and_footer() -> None:
    pages = read_pages(render_pdf(long_document()))
    total = len(pages)
    assert total >= 3
    for page in pages:
        for band in (page.top, page.bottom):
            assert "OFFICIAL-SENSITIVE" in band, (page.number, band)
            assert f"page {page.number} of {total}" in band, (page.number, band)
        assert f"page {page.number} of {total} · OFFICIAL-SENSITIVE" in page.bottom
        assert [tuple(map(int, m)) for m in MARKED.findall(page.top)] == [(page.number, total)]


def test_names_with_diacritics_greek_and_cyrillic_print_as_typed() -> None:
    doc = long_document(rows=7)
    doc.cover.append(Facts([("Decomposed", "O\u0301scar")]))  # O + combining acute
    text = " ".join(page.text for page in read_pages(render_pdf(doc)))
    for name in NAMES:
        assert name in text
    assert "Óscar" in text.split("Decomposed", 1)[1]
    assert MISSING not in text
    assert UNPRINTABLE_NOTE not in text


@pytest.mark.parametrize(
    "name",
    ["王小明", "محمد علي", "דוד כהן", "राम शर्मा", "김민준", "Smith \U0001f980", "\U0010ffff"],
)
def test_other_scripts_print_a_visible_mark_and_a_warning_never_an_error(name: str) -> None:
    doc = long_document(rows=3)
    doc.cover.append(Facts([("Name", f"{name} (A1234BC)")]))
    pages = read_pages(render_pdf(doc))
    first = pages[0].text
    assert squash(UNPRINTABLE_NOTE) in first
    assert f"{MISSING} (A1234BC)" in first  # the crab of "Smith 🦀" has no glyph either
    assert not re.search("[\u0590-\u08ff\u4e00-\u9fff\uac00-\ud7af\u0900-\u097f]", first)


def test_terminal_escapes_and_direction_overrides_never_reach_the_page() -> None:
    doc = long_document(rows=2)
    doc.cover.append(Facts([("Note", "a\x1b[2Jb\u202ec\x07d")]))
    text = read_pages(render_pdf(doc))[0].text
    assert "abcd" in text
    assert "\x1b" not in text and "\u202e" not in text


def test_a_long_table_repeats_its_header_row_on_every_page_it_runs_onto() -> None:
    pages = read_pages(render_pdf(long_document(rows=120)))
    spanned = [p for p in pages if re.search(r"\bE\d+\b", p.text)]
    assert len(spanned) >= 2
    for page in spanned:
        body = page.text.replace(page.top, "")
        assert "No. Who When Hash" in body


def test_the_page_list_gives_the_page_each_section_starts_on() -> None:
    pages = read_pages(render_pdf(long_document(rows=120)))
    listing = pages[0].text.split("Pages", 1)[1]
    for title in ("People", "Events", "Exhibit JB/1", "Trend"):
        found = re.search(re.escape(title) + r" (\d+)", listing)
        assert found, (title, listing)
        assert int(found.group(1)) == page_of(pages[1:], title), title


def test_a_long_page_list_runs_onto_more_pages_and_stays_right() -> None:
    sections = [Section(f"Exhibit AB/{i}", [Paragraph(f"item {i}")]) for i in range(1, 90)]
    doc = Document("Many", "Many exhibits", AT, "jbloggs", sections=sections)
    pages = read_pages(render_pdf(doc))
    listed = " ".join(p.text for p in pages[:3])
    for i in (1, 45, 89):
        found = re.search(rf"Exhibit AB/{i} (\d+)", listed)
        assert found
        assert int(found.group(1)) == page_of(pages, f"item {i}")


def test_written_pdf_is_private_and_never_replaces_a_file(tmp_path: Path) -> None:
    out = tmp_path / "case.pdf"
    target = choose_output(out, what="case", suffix=".pdf", at=AT, default_dir=tmp_path)
    path = write_pdf(long_document(rows=2), target)
    assert path == out and out.read_bytes().startswith(b"%PDF")
    assert os.stat(out).st_mode & 0o777 == 0o600
    with pytest.raises(OutputError, match="already exists"):
        choose_output(out, what="case", suffix=".pdf", at=AT, default_dir=tmp_path)
    with pytest.raises(OutputError, match="already exists"):
        write_pdf(long_document(rows=2), target)  # appeared since it was chosen
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_glyph_runs_are_replaced_once_and_marks_on_them_dropped() -> None:
    glyphs = Glyphs(_cmap())
    assert glyphs.printable("王小明 Smith") == f"{MISSING} Smith"
    assert glyphs.printable("a\u0627\u0651b") == f"a{MISSING}b"
    assert glyphs.printable("Zoe\u0308") == "Zoë"
    assert glyphs.replaced == 2


def test_the_workbook_holds_the_same_content_with_its_print_setup(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    doc = long_document(rows=40)
    path = document_book(doc).save(tmp_path / "case.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == COVER_SHEET
    cover = [
        [c for c in row if c is not None] for row in wb[COVER_SHEET].iter_rows(values_only=True)
    ]
    assert ["Referral", "REF-2026-0001"] in cover
    people = [row for row in wb["People"].iter_rows(values_only=True)]
    assert [row[1] for row in people if row[0] and str(row[0]).startswith("Person")] == NAMES
    events = wb["Events"]
    assert [c.value for c in events[1]] == ["No.", "Who", "When", "Hash"]
    assert events.cell(2, 3).value == datetime(2026, 11, 18, 10, 0)  # London wall time
    assert events.cell(41, 4).value == f"{39:064x}"
    assert events.print_title_rows == "$1:$1"  # the header row repeats on every page
    assert wb["Exhibit JB_1"]["A1"].value == "CCTV of the wing landing"
    assert wb["Trend"]._charts
    for ws in wb.worksheets:
        assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE"
        assert "page &P of &N" in ws.oddFooter.center.text
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
