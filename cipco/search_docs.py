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


_PRISONER_TEXT = ("nomis_number", "name", "pnc")

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

REFERRALS = Doc(
    log="referrals",
    code=1,
    table="referral",
    key="r.id",
    source=(
        "referral r JOIN prisoner p ON p.id = r.prisoner_id "
        "LEFT JOIN crime_category c ON c.code = r.category_code"
    ),
    parts=(
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
    columns=(
        "reference",
        "prisoner_id",
        "category_code",
        "crime_ref",
        "oic_name",
        "oic_collar",
        *_REFERRAL_TEXT,
    ),
    watches=(
        Watch("prisoner", _by("referral", "prisoner_id"), ("nomis_number", "name")),
        Watch(
            "referral_party", _own("referral_id"), ("name", "nomis_number", "notes", "referral_id")
        ),
        *(
            Watch(table, _own("referral_id"), (*cols, "referral_id"))
            for table, _a, cols in _CASE_PAPERS
        ),
    ),
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

EXHIBITS = Doc(
    log="exhibits",
    code=2,
    table="exhibit",
    key="e.id",
    source="exhibit e LEFT JOIN prisoner p ON p.id = e.found_on_prisoner_id",
    parts=(
        *_of("e", _EXHIBIT_TEXT),
        "p.nomis_number",
        "p.name",
        _joined(
            "coalesce(v.seal_number, '') || ' ' || coalesce(v.new_seal_number, '')",
            "exhibit_event v",
            "v.exhibit_id = e.id AND (v.seal_number IS NOT NULL OR v.new_seal_number IS NOT NULL)",
        ),
        _joined(
            "k.reference",
            "exhibit_referral l JOIN referral k ON k.id = l.referral_id",
            "l.exhibit_id = e.id",
        ),
    ),
    columns=(*_EXHIBIT_TEXT, "found_on_prisoner_id"),
    watches=(
        Watch(
            "exhibit_event",
            _own("exhibit_id"),
            ("seal_number", "new_seal_number"),
            when="{row}.seal_number IS NOT NULL OR {row}.new_seal_number IS NOT NULL",
        ),
        Watch("exhibit_referral", _own("exhibit_id"), ("exhibit_id", "referral_id")),
        Watch("prisoner", _by("exhibit", "found_on_prisoner_id"), ("nomis_number", "name")),
        Watch(
            "referral",
            "SELECT exhibit_id AS id FROM exhibit_referral WHERE referral_id = {row}.id",
            ("reference",),
        ),
    ),
)

_MG4D_TEXT = ("crime_ref", "urn", "charges", "court", "received_from", "notes")

MG4D = Doc(
    log="mg4d",
    code=3,
    table="charge_papers",
    key="m.id",
    source=(
        "charge_papers m JOIN prisoner p ON p.id = m.prisoner_id "
        "LEFT JOIN referral r ON r.id = m.referral_id"
    ),
    parts=(
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
    columns=("form_label", "prisoner_id", "referral_id", *_MG4D_TEXT),
    watches=(
        Watch("prisoner", _by("charge_papers", "prisoner_id"), ("nomis_number", "name")),
        Watch("referral", _by("charge_papers", "referral_id"), ("reference",)),
        Watch("service_event", _own("papers_id"), ("served_by", "witnessed_by", "note")),
    ),
)

PERSONS = Doc(
    log="persons",
    code=4,
    table="person_of_interest",
    key="x.id",
    source="person_of_interest x JOIN prisoner p ON p.id = x.prisoner_id",
    parts=(
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
    columns=("prisoner_id", "alert_codes", "ocg_name", "reason", "notes"),
    watches=(
        Watch("prisoner", _by("person_of_interest", "prisoner_id"), _PRISONER_TEXT),
        Watch(
            "ancillary_order",
            _own("person_id"),
            ("order_type_code", "court", "conditions", "person_id"),
        ),
        Watch("custody_event", _own("person_id"), ("detail", "person_id")),
    ),
)

_ACTION_TEXT = ("text", "owner_name", "owner_org", "status_reason")

ACTIONS = Doc(
    log="actions",
    code=5,
    table="clinic_action",
    key="a.id",
    source="clinic_action a LEFT JOIN referral r ON r.id = a.referral_id",
    parts=(*_of("a", _ACTION_TEXT), "r.reference"),
    columns=(*_ACTION_TEXT, "referral_id"),
    watches=(Watch("referral", _by("clinic_action", "referral_id"), ("reference",)),),
)

CLINICS = Doc(
    log="clinics",
    code=6,
    table="clinic",
    key="k.id",
    source="clinic k",
    parts=(
        "k.title",
        "strftime('%d/%m/%Y', k.held_on)",
        "k.location",
        "k.notes",
        _joined("i.note", "agenda_item i", "i.clinic_id = k.id AND i.note != ''"),
    ),
    columns=("title", "held_on", "location", "notes"),
    watches=(
        Watch("agenda_item", _own("clinic_id"), ("note", "clinic_id"), when="{row}.note != ''"),
    ),
)

PRISONERS = Doc(
    log="prisoners",
    code=7,
    table="prisoner",
    key="p.id",
    source="prisoner p",
    parts=_of("p", _PRISONER_TEXT),
    columns=_PRISONER_TEXT,
)

DOCS: tuple[Doc, ...] = (REFERRALS, EXHIBITS, MG4D, PERSONS, ACTIONS, CLINICS, PRISONERS)
"""Every searchable list, in the order search results group them."""

BY_LOG: dict[str, Doc] = {doc.log: doc for doc in DOCS}


def doc(log: str) -> Doc | None:
    """The index declaration of the list ``log`` (None: the list is not indexed)."""
    return BY_LOG.get(log)
