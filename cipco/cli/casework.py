"""``cipco case …``: the people and papers around a referral from the command line.

Victims and witnesses and their contact log, statements (MG11) through quality assurance to
the police, statement meetings (release from duty), medical disclaimers, the CPS action
log, letters from templates (kept as sent, with their PDF) and case documents stored in the
database. Each write is one transaction; a refusal is one sentence naming the field (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cipco.cli import app
from cipco.cli.common import EXIT_USAGE, actor, echo, fail, open_engine_or_exit, state
from cipco.cli.options import OutOpt, OverwriteOpt

case_app = typer.Typer(
    help="People and papers of a referral: victims, witnesses, statements, CPS actions, "
    "letters, documents."
)
app.add_typer(case_app, name="case")

T = TypeVar("T")
RefArg = Annotated[str, typer.Argument(help="The referral's reference, e.g. REF-2026-0001.")]
IdArg = Annotated[int, typer.Argument(help="The record's number (shown by cipco case show).")]
PersonArg = Annotated[int, typer.Argument(help="The person's number (shown by cipco case show).")]
OnOpt = Annotated[str | None, typer.Option("--on", help="The day (DD/MM/YYYY; blank: today).")]
DueOpt = Annotated[str | None, typer.Option("--due", help="Due (DD/MM/YYYY).")]


def _day(text: str | None, option: str) -> date | None:
    from cipco.cli.exports import parse_day

    return parse_day(text, option)


def _write(ref: str | None, work: Callable[[Any, int | None], T]) -> T:
    """Run ``work(session, referral_id)`` in one write transaction; refusals in one line."""
    from cipco.db import session_scope
    from cipco.services.errors import RecordError
    from cipco.services.referrals import referral_id_for

    engine = open_engine_or_exit(write=True)
    try:
        with session_scope(engine, actor=actor(), clock=state.get_clock()) as session:
            rid = referral_id_for(session, ref) if ref is not None else None
            if ref is not None and rid is None:
                raise RecordError(f"referral: no referral {ref}", field="referral")
            return work(session, rid)
    except RecordError as exc:
        fail(str(exc))
    finally:
        engine.dispose()


def _read(work: Callable[[Any], T]) -> T:
    """Run ``work(session)`` in one read transaction; refusals in one line."""
    from cipco.db import read_scope
    from cipco.services.errors import RecordError

    engine = open_engine_or_exit(write=False)
    try:
        with read_scope(engine, clock=state.get_clock()) as session:
            return work(session)
    except RecordError as exc:
        fail(str(exc))
    finally:
        engine.dispose()


def _add(ref: str, add: Callable[..., T], model: type[Any], **values: Any) -> T:
    """``values`` checked as the input schema ``model`` (a refusal names the field, before
    the file is opened), then ``add``-ed to the referral ``ref`` in one write transaction."""
    data = _model(model, **values)
    clock = state.get_clock()
    return _write(ref, lambda s, rid: add(session=s, referral_id=rid, data=data, clock=clock))


def _step(move: Callable[..., T], on: str | None, /, **values: Any) -> T:
    """Move one paper on with ``move`` (on the ``--on`` day) in one write transaction;
    ``values`` may hold a ``step`` (receive, check…)."""
    clock = state.get_clock()
    return _write(None, lambda s, _rid: move(session=s, clock=clock, on=_day(on, "on"), **values))


def _changed(given: dict[str, Any], options: str) -> dict[str, Any]:
    """The options given (not None); none given is a usage error naming ``options``."""
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes:
        fail(f"say what changed: {options}", code=2)
    return changes


def _corrected(current: Any, schema: type[T], changes: dict[str, Any]) -> T:
    """The stored record's values with ``changes`` over them, checked as ``schema``."""
    values = {name: getattr(current, name) for name in schema.model_fields}  # type: ignore[attr-defined]
    return _model(schema, **{**values, **changes})


def _asked_on(on: str | None) -> date:
    """The day given with ``--on``, or today."""
    from cipco.clock import today

    return _day(on, "on") or today(state.get_clock())


def _model(cls: type[T], **values: Any) -> T:
    from pydantic import ValidationError

    from cipco.services.errors import from_validation

    try:
        return cls.model_validate(values)  # type: ignore[attr-defined,no-any-return]
    except ValidationError as exc:
        fail(str(from_validation(exc)))


@case_app.command("show")
def show(ref: RefArg) -> None:
    """Everything on a referral's people and papers, with what is due."""
    from cipco.services.casework.summary import case_lines
    from cipco.services.referrals import referral_id_for

    def lines_of(session: Any) -> list[str]:
        rid = referral_id_for(session, ref)
        if rid is None:
            fail(f"referral: no referral {ref}")
        return case_lines(session, rid, state.get_clock())

    for line in _read(lines_of):
        echo(line)


@case_app.command("due")
def due(
    everything: Annotated[bool, typer.Option("--all", help="Also what is not due soon.")] = False,
) -> None:
    """What is due in the people and papers of every open referral (R7, MG11, MED, CPS, MEET)."""
    from cipco.services.casework.summary import due_lines

    lines = _read(lambda s: due_lines(s, state.get_clock(), everything=everything))
    for line in lines or ["Nothing due."]:
        echo(line)


@case_app.command("person")
def person(
    ref: RefArg,
    name: Annotated[str, typer.Argument(help="Their name.")],
    role: Annotated[str, typer.Option(help="victim, witness or suspect.")] = "victim",
    kind: Annotated[str, typer.Option(help="staff, prisoner or other.")] = "staff",
    nomis: Annotated[str | None, typer.Option(help="Prison number (a prisoner).")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact preference.")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    enhanced: Annotated[bool, typer.Option(help="Victims' Code enhanced rights.")] = False,
    do_not_share: Annotated[bool, typer.Option(help="Withhold them from exports.")] = False,
) -> None:
    """Put a victim, witness or further suspect on the referral."""
    from cipco.models.casework import PersonIn
    from cipco.services.casework.people import add_person

    added = _add(
        ref,
        add_person,
        PersonIn,
        role=role,
        kind=kind,
        name=name,
        nomis_number=nomis,
        contact_preference=contact,
        phone=phone,
        email=email,
        enhanced_rights=enhanced,
        do_not_share=do_not_share,
    )
    echo(f"Person {added.id} added to {ref}")


@case_app.command("contact")
def contact(
    ref: RefArg,
    person_id: PersonArg,
    said: Annotated[str, typer.Argument(help="What they were told.")],
    how: Annotated[str, typer.Option("--how", help="phone, in_person, letter, email…")] = "phone",
    when: Annotated[str | None, typer.Option(help="DD/MM/YYYY HH:MM (blank: now).")] = None,
    by: Annotated[str, typer.Option(help="Who made the contact (blank: you).")] = "",
) -> None:
    """Log a contact with a victim or witness (this is what answers R7)."""
    from cipco.models.casework import ContactIn
    from cipco.services.casework.people import log_contact

    at: datetime | str = when or state.get_clock().now()
    values = {"party_id": person_id, "happened_at": at, "method": how, "said": said, "by": by}
    _add(ref, log_contact, ContactIn, **values)
    echo(f"Contact logged on {ref}")


@case_app.command("statement")
def statement(
    ref: RefArg,
    person_id: PersonArg,
    due_on: DueOpt = None,
    on: OnOpt = None,
) -> None:
    """Ask a victim or witness for a statement (MG11)."""
    from cipco.models.casework import StatementIn
    from cipco.services.casework.papers import request_statement

    asked, due = _asked_on(on), _day(due_on, "due")
    added = _add(
        ref, request_statement, StatementIn, party_id=person_id, requested_on=asked, due_on=due
    )
    echo(f"Statement {added.id} asked for on {ref}")


@case_app.command("statement-step")
def statement_step(
    statement_id: IdArg,
    step: Annotated[str, typer.Argument(help="receive, check or send.")],
    problems: Annotated[
        list[str] | None, typer.Option("--problem", help="A problem found at the check.")
    ] = None,
    by: Annotated[str, typer.Option(help="Who checked it (blank: you).")] = "",
    note: Annotated[str, typer.Option(help="The check's note.")] = "",
    on: OnOpt = None,
) -> None:
    """Move a statement on: received, quality checked (a problem returns it), sent to police."""
    from cipco.services.casework.papers import statement_label, step_statement

    done = _step(
        lambda **values: step_statement(**values).state,  # read inside the transaction
        on,
        statement_id=statement_id,
        step=step,
        by=by,
        problems=problems or [],
        note=note,
    )
    echo(f"Statement {statement_id}: {statement_label(done).lower()}")


ReleaseAsked = Annotated[
    str | None,
    typer.Option("--release-asked", help="Day the detail office was asked for release from duty."),
]
ReleaseConfirmed = Annotated[
    str | None, typer.Option("--release-confirmed", help="Day the release was confirmed.")
]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="Where it is held.")]
OfficerOpt = Annotated[str | None, typer.Option("--officer", help="The police officer.")]


@case_app.command("meeting")
def meeting(
    ref: RefArg,
    person_id: PersonArg,
    at: Annotated[str, typer.Argument(help="When: DD/MM/YYYY HH:MM.")],
    place: PlaceOpt = None,
    officer: OfficerOpt = None,
    release_asked: ReleaseAsked = None,
    release_confirmed: ReleaseConfirmed = None,
) -> None:
    """Arrange a meeting for a member of staff to give a statement (release from duty: MEET)."""
    from cipco.models.casework import MeetingIn
    from cipco.services.casework.papers import arrange_meeting

    added = _add(
        ref,
        arrange_meeting,
        MeetingIn,
        party_id=person_id,
        meets_at=at,
        place=place or "",
        officer=officer or "",
        release_requested_on=_day(release_asked, "release-asked"),
        release_confirmed_on=_day(release_confirmed, "release-confirmed"),
    )
    echo(f"Statement meeting {added.id} arranged on {ref}")


@case_app.command("meeting-update")
def meeting_update(
    meeting_id: IdArg,
    at: Annotated[str | None, typer.Option("--at", help="New time: DD/MM/YYYY HH:MM.")] = None,
    place: PlaceOpt = None,
    officer: OfficerOpt = None,
    release_asked: ReleaseAsked = None,
    release_confirmed: ReleaseConfirmed = None,
    held: Annotated[bool, typer.Option("--held", help="The meeting took place.")] = False,
) -> None:
    """Change a statement meeting: its time, place, officer, release from duty, or held."""
    from cipco.models.casework import MeetingIn
    from cipco.services.casework.papers import MEETINGS, update_meeting

    given = {
        "meets_at": at,
        "place": place,
        "officer": officer,
        "release_requested_on": _day(release_asked, "release-asked"),
        "release_confirmed_on": _day(release_confirmed, "release-confirmed"),
        "held": held or None,
    }
    changes = _changed(
        given, "--at, --place, --officer, --release-asked, --release-confirmed or --held"
    )
    clock = state.get_clock()

    def work(session: Any, _rid: int | None) -> bool:
        data = _corrected(MEETINGS.load(session, meeting_id), MeetingIn, changes)
        return update_meeting(session=session, meeting_id=meeting_id, data=data, clock=clock).held

    was_held = _write(None, work)
    echo(f"Statement meeting {meeting_id} {'held' if was_held else 'updated'}")


@case_app.command("disclaimer")
def disclaimer(
    ref: RefArg,
    person_id: Annotated[int | None, typer.Argument(help="To whom (blank: the suspect).")] = None,
    on: OnOpt = None,
) -> None:
    """Record a medical disclaimer (with the record access form) issued."""
    from cipco.models.casework import DisclaimerIn
    from cipco.services.casework.papers import issue_disclaimer

    added = _add(ref, issue_disclaimer, DisclaimerIn, party_id=person_id, issued_on=_asked_on(on))
    echo(f"Medical disclaimer {added.id} issued on {ref}")


@case_app.command("disclaimer-step")
def disclaimer_step(
    disclaimer_id: IdArg,
    step: Annotated[str, typer.Argument(help="returned, declined or sent.")],
    on: OnOpt = None,
) -> None:
    """A medical disclaimer returned (or declined), then sent to police."""
    from cipco.services.casework.papers import step_disclaimer

    _step(step_disclaimer, on, disclaimer_id=disclaimer_id, step=step)
    echo(f"Medical disclaimer {disclaimer_id}: {step}")


@case_app.command("cps")
def cps(
    ref: RefArg,
    action: Annotated[str, typer.Argument(help="What the CPS asked for.")],
    due_on: DueOpt = None,
    owner: Annotated[str, typer.Option(help="Who does it.")] = "",
    on: OnOpt = None,
) -> None:
    """Add an action to the referral's CPS action log."""
    from cipco.models.casework import CpsActionIn
    from cipco.services.casework.papers import add_cps_action

    asked, due = _asked_on(on), _day(due_on, "due")
    added = _add(
        ref, add_cps_action, CpsActionIn, action=action, requested_on=asked, due_on=due, owner=owner
    )
    echo(f"CPS action {added.id} added to {ref}")


@case_app.command("cps-done")
def cps_done(action_id: IdArg, on: OnOpt = None) -> None:
    """Mark a CPS action done."""
    from cipco.services.casework.papers import complete_cps_action

    _step(complete_cps_action, on, action_id=action_id)
    echo(f"CPS action {action_id} done")


@case_app.command("cps-edit")
def cps_edit(
    action_id: IdArg,
    action: Annotated[str | None, typer.Option(help="What the CPS asked for.")] = None,
    asked: Annotated[str | None, typer.Option(help="Asked on (DD/MM/YYYY).")] = None,
    due_on: DueOpt = None,
    owner: Annotated[str | None, typer.Option(help="Who does it.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
) -> None:
    """Correct a CPS action: what was asked, when, by when, who does it, notes."""
    from cipco.models.casework import CpsActionIn
    from cipco.services.casework.papers import CPS_ACTIONS, update_cps_action

    given = {"action": action, "owner": owner, "notes": notes}
    given |= {"requested_on": _day(asked, "asked"), "due_on": _day(due_on, "due")}
    changes = _changed(given, "--action, --asked, --due, --owner or --notes")
    clock = state.get_clock()

    def work(session: Any, _rid: int | None) -> None:
        data = _corrected(CPS_ACTIONS.load(session, action_id), CpsActionIn, changes)
        update_cps_action(session=session, action_id=action_id, data=data, clock=clock)

    _write(None, work)
    echo(f"CPS action {action_id} corrected")


@case_app.command("cps-reopen")
def cps_reopen(action_id: IdArg) -> None:
    """Reopen a CPS action marked done by mistake."""
    from cipco.services.casework.papers import reopen_cps_action

    clock = state.get_clock()
    _write(None, lambda s, _rid: reopen_cps_action(session=s, action_id=action_id, clock=clock))
    echo(f"CPS action {action_id} reopened")


@case_app.command("statement-edit")
def statement_edit(
    statement_id: IdArg,
    due_on: DueOpt = None,
    notes: Annotated[str | None, typer.Option(help="Notes.")] = None,
) -> None:
    """Correct a statement's due date or notes (its steps: cipco case statement-step)."""
    from cipco.services.casework.papers import STATEMENTS, edit_statement

    changes = _changed({"due_on": _day(due_on, "due"), "notes": notes}, "--due or --notes")
    clock = state.get_clock()

    def work(session: Any, _rid: int | None) -> None:
        current = STATEMENTS.load(session, statement_id)
        values = {"due_on": current.due_on, "notes": current.notes} | changes
        edit_statement(session=session, statement_id=statement_id, clock=clock, **values)

    _write(None, work)
    echo(f"Statement {statement_id} corrected")


@case_app.command("remove")
def remove(
    kind: Annotated[str, typer.Argument(help="statement, meeting or disclaimer.")],
    record_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask first.")] = False,
) -> None:
    """Remove a statement, meeting or disclaimer added in error (asks first).

    Refused for a statement once received, a meeting held or a disclaimer returned."""
    from cipco.services.casework.papers import REMOVABLE, remove_paper

    if kind not in REMOVABLE:
        fail(
            f"kind: '{kind}' is not a paper that can be removed ({', '.join(REMOVABLE)})",
            EXIT_USAGE,
        )
    if not yes and not typer.confirm(f"Remove {kind} {record_id}? It was added in error."):
        fail("nothing was removed", code=1)
    _write(None, lambda s, _rid: remove_paper(session=s, kind=kind, record_id=record_id))
    echo(f"Removed: {kind} {record_id}")


@case_app.command("letter")
def letter(
    ref: RefArg,
    template: Annotated[
        str, typer.Argument(help="crime_reference, police_decision, outcome or free.")
    ],
    to: Annotated[
        int | None, typer.Option("--to", help="The person's number (blank: the suspect).")
    ] = None,
    email: Annotated[bool, typer.Option(help="Sent by e-mail (default: a letter).")] = False,
    body: Annotated[str | None, typer.Option(help="The text (blank: the template's).")] = None,
) -> None:
    """Send a letter from a template: its text and PDF are kept as sent on the referral."""
    from cipco.documents.letters import send_letter
    from cipco.models.casework import Channel
    from cipco.services.casework.letters import draft_letter

    clock = state.get_clock()

    def work(session: Any, rid: int | None) -> Any:
        assert rid is not None
        draft = draft_letter(session, rid, to, template, clock)
        return send_letter(
            session=session,
            referral_id=rid,
            party_id=to,
            recipient=draft.recipient,
            subject=draft.subject,
            body=body or draft.body,
            clock=clock,
            channel=Channel.EMAIL if email else Channel.LETTER,
            template=template,
        )

    sent = _write(ref, work)
    echo(f"Sent to {sent.recipient}: {sent.subject} (PDF kept as document {sent.document_id})")


@case_app.command("attach")
def attach(
    ref: RefArg,
    file: Annotated[Path, typer.Argument(help="The file (PDF, image, Word…).")],
    title: Annotated[str, typer.Option(help="Its title (blank: the file's name).")] = "",
    kind: Annotated[
        str,
        typer.Option(
            help="pcis, statement, use_of_force, case_notes, adjudication, medical, photo or other."
        ),
    ] = "other",
    replaces: Annotated[
        int | None, typer.Option(help="The document it is a new version of.")
    ] = None,
) -> None:
    """Store a file in the data file as a document of the referral (never changed after)."""
    from cipco.services.casework.documents import Upload, attach

    doc = _write(
        ref,
        lambda s, rid: attach(
            session=s,
            referral_id=rid,
            upload=Upload.file(file),
            clock=state.get_clock(),
            title=title,
            kind=kind,
            supersedes_id=replaces,
        ),
    )
    echo(f"Document {doc.id} attached to {ref}: {doc.filename}, SHA-256 {doc.sha256}")


@case_app.command("document")
def document_out(document_id: IdArg, out: OutOpt = None, overwrite: OverwriteOpt = False) -> None:
    """Write a stored document to a file (its SHA-256 checked as it is read)."""
    from cipco.cli.exports import write_file
    from cipco.db import read_scope
    from cipco.services.casework.documents import DOCUMENTS, DocumentError, save_document

    suffix = _read(lambda s: Path(DOCUMENTS.load(s, document_id).filename).suffix or ".bin")

    def write(engine: Any, target: Any, clock: Any, _who: str) -> Path:
        with read_scope(engine, clock=clock) as session:
            return save_document(session, document_id, target)

    written = write_file(
        f"document-{document_id}", out, overwrite, write, suffix=suffix, refusals=(DocumentError,)
    )
    echo(f"Document {document_id} written to {written}")
