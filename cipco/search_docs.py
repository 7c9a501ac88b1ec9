"""What the search index holds for each list (the data layer's half of search).

Each :class:`~cipco.fts.Doc` says which text of a record is searchable, and which other
tables that text comes from (a referral's prisoner, parties and follow-ups…). Search
everything (``ctrl+f``, the command palette) and each list's ``/`` filter both read it.

To make more text searchable, add a part (and, if it comes from another table, a
:class:`~cipco.fts.Watch`) to the list's doc, or a new doc with a new ``code`` (never reuse
or change a code). No migration is needed: at the next start :func:`cipco.fts.ensure`
sees the changed declaration, installs its triggers and rebuilds that list's rows.
"""

from __future__ import annotations

from cipco.fts import Doc, Watch

# alert codes are stored as JSON (["XSOC","XEL"]): indexed as words (XSOC XEL)
_ALERT_CODES = (
    "replace(replace(replace(replace(x.alert_codes, '[', ' '), ']', ' '), '\"', ' '), ',', ' ')"
)


def _joined(expression: str, source: str, where: str) -> str:
    """Every value of ``expression`` over ``source`` rows matching ``where``, space-joined."""
    return f"(SELECT group_concat({expression}, ' ') FROM {source} WHERE {where})"


def _of(alias: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The record's own ``columns`` as parts (``alias.column``)."""
    return tuple(f"{alias}.{column}" for column in columns)


def _by(table: str, column: str) -> str:
    """The ids of ``table`` whose ``column`` is the changed row's id."""
    return f"SELECT id FROM {table} WHERE {column} = {{row}}.id"


def _own(column: str) -> str:
    """The id the changed row names in ``column``."""
    return f"SELECT {{row}}.{column} AS id"


def _doc(
    log: str,
    code: int,
    record: str,
    parts: tuple[str, ...],
    columns: tuple[str, ...],
    *watches: Watch,
    joins: str = "",
) -> Doc:
    """The doc of ``log`` over its ``record`` table ("referral r": the table and its alias),
    ``joins`` adding the tables its text also comes from."""
    table, alias = record.split()
    source = f"{record} {joins}" if joins else record
    return Doc(log, code, table, f"{alias}.id", source, parts, columns, watches)


def _named(kind: str, table: str, column: str, text: tuple[str, ...]) -> Watch:
    """A change to the ``kind`` row (a prisoner, a referral) that ``table`` names in
    ``column`` re-indexes those records when its ``text`` changes."""
    return Watch(kind, _by(table, column), text)


_PRISONER_TEXT = ("nomis_number", "name", "pnc")
_NAME = ("nomis_number", "name")

_REFERRAL_TEXT = (
    "location",
    "description",
    "notes",
    "next_step",
    "adjudication_charge",
    "outcome_detail",
    "status_reason",
    "nimu_ref",
    "irs_ref",
    "pnomis_ref",
    "mercury_ref",
)

# a referral's follow-ups and papers: (table, alias, the columns searched), never contact details
_CASE_PAPERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("follow_up", "f", ("note",)),
    ("party_contact", "k", ("said", "by")),
    ("statement", "st", ("notes", "qa_note")),
    ("cps_action", "ca", ("action", "owner", "notes")),
    ("correspondence", "co", ("subject", "recipient")),
    ("case_document", "d", ("title", "filename")),
)

REFERRALS = _doc(
    "referrals",
    1,
    "referral r",
    (
        "r.reference",
        "p.nomis_number",
        "p.name",
        "r.crime_ref",
        "r.oic_name",
        "r.oic_collar",
        "c.label",
        *_of("r", _REFERRAL_TEXT),
        # people on the case: never their phone, e-mail or address
        _joined(
            "x.name || ' ' || coalesce(x.nomis_number, '') || ' ' || x.notes",
            "referral_party x",
            "x.referral_id = r.id",
        ),
        *(
            _joined(" || ' ' || ".join(_of(a, cols)), f"{table} {a}", f"{a}.referral_id = r.id")
            for table, a, cols in _CASE_PAPERS
        ),
    ),
    (
        "reference",
        "prisoner_id",
        "category_code",
        "crime_ref",
        "oic_name",
        "oic_collar",
        *_REFERRAL_TEXT,
    ),
    _named("prisoner", "referral", "prisoner_id", _NAME),
    Watch("referral_party", _own("referral_id"), ("name", "nomis_number", "notes", "referral_id")),
    *(
        Watch(table, _own("referral_id"), (*cols, "referral_id"))
        for table, _a, cols in _CASE_PAPERS
    ),
    joins="JOIN prisoner p ON p.id = r.prisoner_id "
    "LEFT JOIN crime_category c ON c.code = r.category_code",
)

_EXHIBIT_TEXT = (
    "reference",
    "description",
    "seal_number",
    "holder",
    "storage_location",
    "where_found",
    "seized_by",
    "officer",
    "camera_id",
    "system",
)

# seal numbers given at a movement (never the empty events)
_SEALS = "{row}.seal_number IS NOT NULL OR {row}.new_seal_number IS NOT NULL"

EXHIBITS = _doc(
    "exhibits",
    2,
    "exhibit e",
    (
        *_of("e", _EXHIBIT_TEXT),
        "p.nomis_number",
        "p.name",
        _joined(
            "coalesce(v.seal_number, '') || ' ' || coalesce(v.new_seal_number, '')",
            "exhibit_event v",
            f"v.exhibit_id = e.id AND ({_SEALS.format(row='v')})",
        ),
        _joined(
            "k.reference",
            "exhibit_referral l JOIN referral k ON k.id = l.referral_id",
            "l.exhibit_id = e.id",
        ),
    ),
    (*_EXHIBIT_TEXT, "found_on_prisoner_id"),
    Watch("exhibit_event", _own("exhibit_id"), ("seal_number", "new_seal_number"), when=_SEALS),
    Watch("exhibit_referral", _own("exhibit_id"), ("exhibit_id", "referral_id")),
    _named("prisoner", "exhibit", "found_on_prisoner_id", _NAME),
    Watch(
        "referral",
        "SELECT exhibit_id AS id FROM exhibit_referral WHERE referral_id = {row}.id",
        ("reference",),
    ),
    joins="LEFT JOIN prisoner p ON p.id = e.found_on_prisoner_id",
)

_MG4D_TEXT = ("crime_ref", "urn", "charges", "court", "received_from", "notes")

MG4D = _doc(
    "mg4d",
    3,
    "charge_papers m",
    (
        "m.form_label",
        "p.nomis_number",
        "p.name",
        *_of("m", _MG4D_TEXT),
        "r.reference",
        _joined(
            "s.served_by || ' ' || s.witnessed_by || ' ' || s.note",
            "service_event s",
            "s.papers_id = m.id",
        ),
    ),
    ("form_label", "prisoner_id", "referral_id", *_MG4D_TEXT),
    _named("prisoner", "charge_papers", "prisoner_id", _NAME),
    _named("referral", "charge_papers", "referral_id", ("reference",)),
    Watch("service_event", _own("papers_id"), ("served_by", "witnessed_by", "note")),
    joins="JOIN prisoner p ON p.id = m.prisoner_id LEFT JOIN referral r ON r.id = m.referral_id",
)

PERSONS = _doc(
    "persons",
    4,
    "person_of_interest x",
    (
        *_of("p", _PRISONER_TEXT),
        "x.ocg_name",
        "x.reason",
        "x.notes",
        _ALERT_CODES,
        _joined(
            "coalesce(t.label, '') || ' ' || o.court || ' ' || o.conditions",
            "ancillary_order o LEFT JOIN order_type t ON t.code = o.order_type_code",
            "o.person_id = x.id",
        ),
        _joined("c.detail", "custody_event c", "c.person_id = x.id"),
    ),
    ("prisoner_id", "alert_codes", "ocg_name", "reason", "notes"),
    _named("prisoner", "person_of_interest", "prisoner_id", _PRISONER_TEXT),
    Watch(
        "ancillary_order",
        _own("person_id"),
        ("order_type_code", "court", "conditions", "person_id"),
    ),
    Watch("custody_event", _own("person_id"), ("detail", "person_id")),
    joins="JOIN prisoner p ON p.id = x.prisoner_id",
)

_ACTION_TEXT = ("text", "owner_name", "owner_org", "status_reason")

ACTIONS = _doc(
    "actions",
    5,
    "clinic_action a",
    (*_of("a", _ACTION_TEXT), "r.reference"),
    (*_ACTION_TEXT, "referral_id"),
    _named("referral", "clinic_action", "referral_id", ("reference",)),
    joins="LEFT JOIN referral r ON r.id = a.referral_id",
)

_NOTED = "{row}.note != ''"

CLINICS = _doc(
    "clinics",
    6,
    "clinic k",
    (
        "k.title",
        "strftime('%d/%m/%Y', k.held_on)",
        "k.location",
        "k.notes",
        _joined("i.note", "agenda_item i", f"i.clinic_id = k.id AND {_NOTED.format(row='i')}"),
    ),
    ("title", "held_on", "location", "notes"),
    Watch("agenda_item", _own("clinic_id"), ("note", "clinic_id"), when=_NOTED),
)

PRISONERS = _doc("prisoners", 7, "prisoner p", _of("p", _PRISONER_TEXT), _PRISONER_TEXT)

DOCS: tuple[Doc, ...] = (REFERRALS, EXHIBITS, MG4D, PERSONS, ACTIONS, CLINICS, PRISONERS)
"""Every searchable list, in the order search results group them."""

BY_LOG: dict[str, Doc] = {doc.log: doc for doc in DOCS}


def doc(log: str) -> Doc | None:
    """The index declaration of the list ``log`` (None: the list is not indexed)."""
    return BY_LOG.get(log)
