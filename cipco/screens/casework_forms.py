"""The forms of a referral's people and papers (the ``a`` menu of the referral page): a
person on the case, a contact logged, a statement asked for and its steps, a statement
meeting arranged and updated, a medical disclaimer issued and its steps, a CPS action added
and done, a letter or e-mail sent from a template, a document attached; a statement's due
date and notes and a CPS action corrected.

Each is a :class:`FormSpec` for the one record form; each save calls one service in one
transaction and a refusal is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock, today
from cipco.models.casework import (
    CHANNEL_LABELS,
    CONTACT_LABELS,
    DOCUMENT_KIND_LABELS,
    QA_PROBLEMS,
    SUPPORT_LABELS,
    ContactIn,
    CpsActionIn,
    DisclaimerIn,
    MeetingIn,
    PersonIn,
    StatementIn,
)
from cipco.models.referral import PartyRole, ReferralParty
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services.casework import documents, letters, papers, people
from cipco.services.casework.common import CaseworkError, people_of, person_label
from cipco.widgets.fields import Field

Save = Callable[[Session, Clock, dict[str, Any], int | None], Saved]
Load = Callable[[Session, Clock], Loaded]


def _labels(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, str(key)) for key, label in labels.items()]


def _people_options(
    session: Session,
    referral_id: int,
    *,
    suspect: bool = False,
    roles: set[str] | None = None,
    kinds: set[str] | None = None,
) -> list[tuple[str, str]]:
    options = [
        (person_label(p), str(p.id))
        for p in people_of(session, referral_id)
        if (roles is None or p.role in roles) and (kinds is None or p.kind in kinds)
    ]
    if suspect:
        options.insert(0, ("The suspect (the referral's prisoner)", "suspect"))
    return options


def _person_id(values: dict[str, Any], field: str = "party_id") -> int:
    chosen = values.get(field)
    if not chosen:
        raise CaseworkError("choose a person on this referral", field=field)
    return int(chosen)


def _data(model: type[Any], values: dict[str, Any], *, suspect: bool = False) -> Any:
    """The form's ``values`` as the input schema ``model``: the person chosen as their id
    (``suspect``: "the suspect" may be chosen, given as None)."""
    given = {key: value for key, value in values.items() if key in model.model_fields}
    if "party_id" in given:
        chosen = values["party_id"]
        given["party_id"] = None if suspect and chosen == "suspect" else _person_id(values)
    return model.model_validate(given)


def _adding(
    referral_id: int, model: type[Any], add: Callable[..., Any], done: str, *, suspect: bool = False
) -> Save:
    """A save that adds the form's values (as ``model``) to the referral with ``add``."""

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        data = _data(model, values, suspect=suspect)
        record = add(session=session, referral_id=referral_id, data=data, clock=clock)
        return Saved(record.id, done)

    return save


def _moving(move: Callable[..., Any], done: Callable[[dict[str, Any]], str], **key: int) -> Save:
    """A save that moves one paper (``key``: its id, e.g. ``action_id=3``) on with ``move``,
    the form's fields as its arguments (``on``, ``step``…), at the version the form loaded;
    ``done(values)`` says what happened."""

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        move(session=session, clock=clock, expected_version=version, **key, **values)
        return Saved(next(iter(key.values())), done(values))

    return save


def _updating(
    update: Callable[..., Any], model: type[Any], done: Callable[[Any], str], **key: int
) -> Save:
    """A save that puts the form's values (as ``model``) over one paper (``key``: its id,
    e.g. ``action_id=3``) with ``update``, at the version the form loaded; ``done(record)``
    says what happened."""

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        data = _data(model, values)
        record = update(session=session, data=data, clock=clock, expected_version=version, **key)
        return Saved(record.id, done(record))

    return save


def _stored(record: Any, model: type[Any]) -> dict[str, Any]:
    """The record's values of the input schema ``model``'s fields: where an edit starts."""
    return {name: getattr(record, name) for name in model.model_fields}


STEP_FIELDS = [
    Field("step", "What happened", "select", required=True),
    Field("on", "On", "date", placeholder="blank: today"),
]
"""What every step form asks: the step taken (the choices :func:`_steps` loads), and when."""


def _steps(record: Any, options: list[tuple[str, str]], title: str = "") -> Loaded:
    """A step form's start: the steps ``record`` may take next (label, key), the first one
    chosen, at the version read."""
    first = options[0][1] if options else None
    return Loaded({"step": first}, version=record.version, options={"step": options}, title=title)


def _form(
    title: str,
    fields: list[Field],
    save: Save,
    *,
    load: Load | None = None,
    values: dict[str, Any] | None = None,
    note: str = "",
    save_label: str = "Save",
) -> RecordForm:
    return RecordForm(
        FormSpec(
            title=title,
            fields=fields,
            save=save,
            load=load,
            values=values or {},
            note=note,
            save_label=save_label,
        )
    )


# ---------------------------------------------------------------- people and contacts

PERSON_FIELDS = [
    Field("role", "Role", "select", required=True, options=_labels(PARTY_ROLE_LABELS)),
    Field(
        "kind",
        "Staff, prisoner or other",
        "select",
        required=True,
        options=_labels(PARTY_KIND_LABELS),
    ),
    Field("name", "Name", required=True),
    Field("nomis_number", "Prison number", placeholder="a prisoner's, e.g. A1234BC"),
    Field("enhanced_rights", "Enhanced rights (Victims' Code)", "check"),
    Field("do_not_share", "Do not share with police", "check"),
    Field(
        "contact_preference",
        "Contact by",
        "select",
        options=_labels(CONTACT_LABELS),
        placeholder="No preference",
        section="Contact",
    ),
    Field("phone", "Phone"),
    Field("email", "E-mail"),
    Field(
        "support",
        "Support services",
        "select",
        options=_labels(SUPPORT_LABELS),
        placeholder="Not offered",
        section="Support",
    ),
    Field("support_on", "Support offered on", "date"),
    Field("notes", "Notes", "area"),
]


def person_form(referral_id: int) -> RecordForm:
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        data = PersonIn.model_validate({k: v for k, v in values.items() if v is not None})
        person = people.add_person(session=session, referral_id=referral_id, data=data, clock=clock)
        return Saved(person.id, f"{person_label(person)} added to the case")

    return _form(
        "A victim or witness on the case",
        PERSON_FIELDS,
        save,
        values={"role": PartyRole.VICTIM.value, "kind": "staff"},
    )


CONTACT_FIELDS = [
    Field("party_id", "With", "select", required=True),
    Field("happened_at", "When", "datetime", required=True),
    Field("method", "How", "select", required=True, options=_labels(CONTACT_LABELS)),
    Field("said", "What was said", "area", required=True),
    Field("by", "By", placeholder="blank: you"),
]


def contact_form(referral_id: int) -> RecordForm:
    def load(session: Session, clock: Clock) -> Loaded:
        options = _people_options(session, referral_id, roles={"victim", "witness"})
        victims = _people_options(session, referral_id, roles={"victim"})
        first = (victims or options or [("", None)])[0][1]
        values = {"party_id": first, "happened_at": clock.now(), "method": "phone"}
        return Loaded(values, options={"party_id": options})

    save = _adding(referral_id, ContactIn, people.log_contact, "Contact logged")

    return _form(
        "Log a contact with a victim or witness",
        CONTACT_FIELDS,
        save,
        load=load,
        note="A contact logged after a police decision answers R7 for that victim.",
    )


# ---------------------------------------------------------------- statements

STATEMENT_FIELDS = [
    Field("party_id", "From", "select", required=True),
    Field("requested_on", "Asked on", "date", required=True),
    Field("due_on", "Due", "date", placeholder="blank: the usual working days"),
    Field("notes", "Notes", "area"),
]


def statement_form(referral_id: int) -> RecordForm:
    def load(session: Session, clock: Clock) -> Loaded:
        options = _people_options(session, referral_id, roles={"victim", "witness"})
        values = {"requested_on": today(clock), "party_id": options[0][1] if options else None}
        return Loaded(values, options={"party_id": options})

    save = _adding(referral_id, StatementIn, papers.request_statement, "Statement asked for")

    return _form("Ask for a statement (MG11)", STATEMENT_FIELDS, save, load=load)


RETURN = "return"
STEP_WORDS = {
    "receive": "Received",
    "check": "Quality checked: no problems",
    RETURN: "Quality checked: problems found, returned for correction",
    "send": "Sent to police",
}
STATEMENT_STEP_FIELDS = [
    *STEP_FIELDS,
    Field("by", "Checked by", placeholder="blank: you", shown_if=("step", {"check", RETURN})),
    Field(
        "problems",
        "Problems found",
        "checks",
        options=_labels(QA_PROBLEMS),
        shown_if=("step", {RETURN}),
    ),
    Field("due_on", "Corrected copy due", "date", shown_if=("step", {RETURN})),
    Field("note", "Check note", shown_if=("step", {"check", RETURN})),
]


def statement_step_form(statement_id: int) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        statement = papers.STATEMENTS.load(session, statement_id)
        steps = [s.key for s in papers.statement_steps(statement.state)]
        if "check" in steps:
            steps.append(RETURN)
        person = session.get(ReferralParty, statement.party_id)
        who = person.name if person is not None else "?"
        title = f"Statement from {who}: {papers.statement_label(statement.state).lower()}"
        return _steps(statement, [(STEP_WORDS[key], key) for key in steps], title)

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        step = values["step"]
        problems = values.get("problems") or []
        if step == RETURN and not problems:
            raise CaseworkError("tick the problems found", field="problems")
        statement = papers.step_statement(
            session=session,
            statement_id=statement_id,
            step="check" if step == RETURN else step,
            clock=clock,
            on=values["on"],
            by=values.get("by") or "",
            problems=problems if step == RETURN else [],
            note=values.get("note") or "",
            due_on=values.get("due_on"),
            expected_version=version,
        )
        return Saved(statement.id, f"Statement: {papers.statement_label(statement.state).lower()}")

    return _form("Statement", STATEMENT_STEP_FIELDS, save, load=load, save_label="Record")


STATEMENT_EDIT_FIELDS = [
    Field("due_on", "Due", "date", placeholder="blank: no date"),
    Field("notes", "Notes", "area"),
]


def statement_edit_form(statement_id: int) -> RecordForm:
    """Correct a statement's due date or notes (its steps are recorded with their own form)."""

    def load(session: Session, _clock: Clock) -> Loaded:
        statement = papers.STATEMENTS.load(session, statement_id)
        person = session.get(ReferralParty, statement.party_id)
        who = person.name if person is not None else "?"
        values = {"due_on": statement.due_on, "notes": statement.notes}
        return Loaded(values, version=statement.version, title=f"Statement from {who}")

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        statement = papers.edit_statement(
            session=session,
            statement_id=statement_id,
            due_on=values["due_on"],
            notes=values["notes"] or "",
            clock=clock,
            expected_version=version,
        )
        return Saved(statement.id, "Statement corrected")

    return _form("Statement", STATEMENT_EDIT_FIELDS, save, load=load)


# ---------------------------------------------------------------- medical disclaimers

DISCLAIMER_FIELDS = [
    Field("party_id", "Issued to", "select", required=True),
    Field("issued_on", "Issued on", "date", required=True),
    Field("notes", "Notes", "area"),
]


def disclaimer_form(referral_id: int) -> RecordForm:
    def load(session: Session, clock: Clock) -> Loaded:
        options = _people_options(session, referral_id, suspect=True)
        return Loaded(
            {"issued_on": today(clock), "party_id": "suspect"}, options={"party_id": options}
        )

    done = "Medical disclaimer issued"
    save = _adding(referral_id, DisclaimerIn, papers.issue_disclaimer, done, suspect=True)

    return _form(
        "Medical disclaimer issued",
        DISCLAIMER_FIELDS,
        save,
        load=load,
        note="With the medical record access form; chased if not returned.",
    )


def disclaimer_step_form(disclaimer_id: int) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        disclaimer = papers.DISCLAIMERS.load(session, disclaimer_id)
        return _steps(
            disclaimer,
            [(papers.DISCLAIMER_STEPS[s], s) for s in papers.disclaimer_steps(disclaimer)],
        )

    def done(values: dict[str, Any]) -> str:
        return f"Medical disclaimer: {papers.DISCLAIMER_STEPS[values['step']].lower()}"

    save = _moving(papers.step_disclaimer, done, disclaimer_id=disclaimer_id)
    return _form("Medical disclaimer", STEP_FIELDS, save, load=load, save_label="Record")


# ---------------------------------------------------------------- CPS actions

CPS_FIELDS = [
    Field("action", "What the CPS asked for", required=True),
    Field("requested_on", "Asked on", "date", required=True),
    Field("due_on", "Due", "date"),
    Field("owner", "Owner"),
    Field("notes", "Notes", "area"),
]


def cps_form(referral_id: int) -> RecordForm:
    def load(_session: Session, clock: Clock) -> Loaded:
        return Loaded({"requested_on": today(clock)})

    save = _adding(referral_id, CpsActionIn, papers.add_cps_action, "CPS action added")

    return _form("A CPS action", CPS_FIELDS, save, load=load)


def cps_edit_form(action_id: int) -> RecordForm:
    """Correct what the CPS asked for, when, by when and who does it."""

    def load(session: Session, _clock: Clock) -> Loaded:
        action = papers.CPS_ACTIONS.load(session, action_id)
        values = _stored(action, CpsActionIn)
        return Loaded(values, version=action.version, title=f"CPS action: {action.action}")

    done = "CPS action corrected"
    save = _updating(papers.update_cps_action, CpsActionIn, lambda _a: done, action_id=action_id)
    return _form("A CPS action", CPS_FIELDS, save, load=load)


CPS_DONE_FIELDS = [Field("on", "Done on", "date", placeholder="blank: today")]


def cps_done_form(action_id: int, what: str) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        action = papers.CPS_ACTIONS.load(session, action_id)
        return Loaded({}, version=action.version, title=f"Done: {action.action}")

    save = _moving(
        papers.complete_cps_action, lambda _values: "CPS action done", action_id=action_id
    )

    return _form(f"Done: {what}", CPS_DONE_FIELDS, save, load=load, save_label="Done")


# ---------------------------------------------------------------- case documents

DOCUMENT_FIELDS = [
    Field("path", "File", required=True, placeholder="the file's full path"),
    Field("title", "Title", placeholder="blank: the file's name"),
    Field("kind", "Kind", "select", required=True, options=_labels(DOCUMENT_KIND_LABELS)),
]


def document_form(referral_id: int) -> RecordForm:
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        document = documents.attach(
            session=session,
            referral_id=referral_id,
            upload=documents.Upload.file(values["path"]),
            clock=clock,
            title=values["title"] or "",
            kind=values["kind"],
        )
        return Saved(document.id, f"Attached: {document.title}")

    return _form(
        "Attach a document",
        DOCUMENT_FIELDS,
        save,
        values={"kind": "other"},
        note="Stored in the database with its SHA-256; never changed once added.",
        save_label="Attach",
    )


# ---------------------------------------------------------------- statement meetings

MEETING_FIELDS = [
    Field("party_id", "With", "select", required=True),
    Field("meets_at", "When", "datetime", required=True),
    Field("place", "Where"),
    Field("officer", "Police officer"),
    Field(
        "release_requested_on",
        "Detail office asked on",
        "date",
        section="Release from duty (staff)",
    ),
    Field("release_confirmed_on", "Release confirmed on", "date"),
    Field("held", "Held", "check", section="Afterwards"),
    Field("notes", "Notes", "area"),
]
MEETING_NOTE = "A member of staff giving a statement needs release from duty: ask early."


def meeting_form(referral_id: int) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        staff = _people_options(session, referral_id, kinds={"staff"})
        options = _people_options(session, referral_id)
        first = (staff or options or [("", None)])[0][1]
        return Loaded({"party_id": first}, options={"party_id": options})

    save = _adding(referral_id, MeetingIn, papers.arrange_meeting, "Statement meeting arranged")
    return _form("A statement meeting", MEETING_FIELDS, save, load=load, note=MEETING_NOTE)


def meeting_update_form(meeting_id: int) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        meeting = papers.MEETINGS.load(session, meeting_id)
        values = _stored(meeting, MeetingIn) | {"party_id": str(meeting.party_id)}
        options = _people_options(session, meeting.referral_id)
        return Loaded(values, version=meeting.version, options={"party_id": options})

    def done(meeting: Any) -> str:
        return "Statement meeting held" if meeting.held else "Meeting updated"

    save = _updating(papers.update_meeting, MeetingIn, done, meeting_id=meeting_id)
    return _form("A statement meeting", MEETING_FIELDS, save, load=load, note=MEETING_NOTE)


# ---------------------------------------------------------------- letters and e-mails

LETTER_FIELDS = [
    Field("channel", "How", "select", required=True, options=_labels(CHANNEL_LABELS)),
    Field("recipient", "To", required=True),
    Field("subject", "Subject", required=True),
    Field("body", "Text", "area", required=True, lines=12),
]


def letter_form(referral_id: int, template: str, party_id: int | None) -> RecordForm:
    """The template's text drafted for the person (None: the suspect), to read and edit
    before sending; what was sent is kept with its PDF and never changed."""
    from cipco.documents.letters import send_letter  # loads the PDF library: only when used

    label = letters.TEMPLATES[template].label if template in letters.TEMPLATES else template

    def load(session: Session, clock: Clock) -> Loaded:
        draft = letters.draft_letter(session, referral_id, party_id, template, clock)
        values = {"recipient": draft.recipient, "subject": draft.subject, "body": draft.body}
        return Loaded({"channel": "letter", **values})

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        sent = send_letter(
            session=session,
            referral_id=referral_id,
            party_id=party_id,
            recipient=values["recipient"],
            subject=values["subject"],
            body=values["body"],
            clock=clock,
            channel=values["channel"],
            template=template,
        )
        return Saved(sent.id, f"Sent to {sent.recipient}: {sent.subject}")

    return _form(
        f"Letter: {label}",
        LETTER_FIELDS,
        save,
        load=load,
        note="Read and edit the text first: it is kept as sent, with its PDF, never changed.",
        save_label="Send",
    )
