"""The referral's forms: new/edit, move status (with the police details Acknowledged records),
and a follow-up. Each is a :class:`FormSpec` for the one record form."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.people import PrisonerIn
from cipco.models.referral import (
    AGGRAVATING_FACTORS,
    EVIDENCE_ITEMS,
    AdjudicationState,
    PartyIn,
    ReferralCreate,
    ReferralUpdate,
)
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import reference
from cipco.services.errors import RecordError
from cipco.services.referrals import (
    add_follow_up,
    adjudication_label,
    allowed_moves,
    create_referral,
    get_referral,
    move_status,
    outcome_label,
    referral_detail,
    status_label,
    update_referral,
)
from cipco.services.referrals.rules import (
    OUTCOMES_FOR,
    POLICE_ASKED_ON,
    POLICE_FIELDS,
    REASON_REQUIRED,
)
from cipco.widgets.fields import Field

FLAGS = {
    "staff_victim": "Staff victim",
    "victim_wants_police": "Victim wants police",
    "terrorism_conviction": "Suspect has a terrorism conviction",
    "summary_only": "Summary-only offence (6-month limit)",
    "enhanced_victim": "Victim has enhanced rights",
}
PARTIES_HINT = (
    "One per line: role; kind; name; statement, e.g. victim; staff; Officer K. Ahmed; yes "
    "(role: victim/witness/suspect; kind: staff/prisoner/other)"
)
POLICE = [
    Field("crime_ref", "Crime reference"),
    Field("oic_name", "OIC name"),
    Field("oic_collar", "OIC collar number"),
    Field("oic_phone", "OIC phone"),
    Field("oic_email", "OIC e-mail"),
]
REFERRAL_FIELDS = [
    Field("nomis_number", "Prison number", required=True, section="Prisoner (suspect)"),
    Field("prisoner_name", "Name (SURNAME, Forename)"),
    Field("pnc", "PNC ID"),
    Field("incident_at", "Incident", "datetime", required=True, section="Incident"),
    Field("discovered_at", "Discovered", "datetime"),
    Field("location", "Location"),
    Field("category_code", "Category", "select", required=True),
    Field("description", "Description", "area"),
    Field(
        "aggravating_factors",
        "Aggravating factors",
        "checks",
        options=[(label, key) for key, label in AGGRAVATING_FACTORS.items()],
        section="Aggravating factors and victims",
    ),
    Field("flags", "Also", "checks", options=[(label, key) for key, label in FLAGS.items()]),
    Field("parties", "Victims and witnesses", "area", hint=PARTIES_HINT),
    Field("force_id", "Force", "select", placeholder="Not yet known", section="Police"),
    *POLICE,
    Field("police_contacted_at", "Police contacted", "datetime"),
    Field("adjudication_charge", "Adjudication charge no.", section="Adjudication"),
    Field(
        "adjudication_laid_at",
        "Charge laid",
        "datetime",
        placeholder="when it was laid (R5: within 48 h of discovery)",
    ),
    Field(
        "adjudication_state",
        "Adjudication state",
        "select",
        options=[(adjudication_label(s.value), s.value) for s in AdjudicationState],
        placeholder="None",
    ),
    Field("footage_requested_on", "Footage preservation asked", "date", section="Evidence"),
    Field(
        "evidence",
        "Evidence gathered",
        "checks",
        options=[(label, key) for key, label in EVIDENCE_ITEMS.items()],
    ),
    Field("victim_updated_at", "Victim last updated", "datetime", section="Next step"),
    Field("next_step", "Next step"),
    Field("next_step_due", "Next step due", "date"),
    Field("notes", "Notes", "area"),
]
# A nested prisoner's problems are shown beside the form's own fields.
PRISONER_FIELDS = {"nomis_number": "nomis_number", "name": "prisoner_name", "pnc": "pnc"}


def parse_parties(text: str) -> list[PartyIn]:
    """Victims and witnesses typed one per line; a problem names the line."""
    parties = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        bits = [b.strip() for b in line.split(";")]
        if len(bits) < 3:
            raise RecordError(f"line {number}: need role; kind; name", field="parties")
        statement = len(bits) > 3 and bits[3].lower() in {"yes", "y", "true", "1"}
        try:
            party = PartyIn.model_validate(
                {"role": bits[0].lower(), "kind": bits[1].lower(), "name": bits[2]}
                | {"statement_taken": statement}
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise RecordError(
                f"line {number}: {problem['loc'][0]} {problem['msg']}", field="parties"
            ) from None
        parties.append(party)
    return parties


def _options(session: Session) -> dict[str, list[tuple[str, str]]]:
    return {
        "category_code": [(c.label, c.code) for c in reference.categories(session)],
        "force_id": [(f.name, f.id) for f in reference.forces(session)],
    }


def _load_referral(referral_id: int | None) -> Any:
    def load(session: Session, clock: Clock) -> Loaded:
        options = _options(session)
        if referral_id is None:
            return Loaded({}, options=options)
        d = referral_detail(session, referral_id, clock)
        r = d.referral
        values: dict[str, Any] = {f.name: getattr(r, f.name, None) for f in REFERRAL_FIELDS}
        values |= {
            "nomis_number": d.prisoner.nomis_number,
            "prisoner_name": d.prisoner.name,
            "pnc": d.prisoner.pnc,
            "flags": [key for key in FLAGS if getattr(r, key)],
            "evidence": [k for k, v in (r.evidence or {}).items() if v],
            "parties": "\n".join(
                f"{p.role}; {p.kind}; {p.name}; {'yes' if p.statement_taken else 'no'}"
                for p in d.parties
            ),
        }
        return Loaded(
            values, version=r.version, options=options, title=f"Edit referral {r.reference}"
        )

    return load


def _save_referral(referral_id: int | None) -> Any:
    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        data = {k: v for k, v in values.items() if k not in ("flags", "nomis_number", "pnc")}
        data |= {key: key in values["flags"] for key in FLAGS}
        data["evidence"] = {key: key in values["evidence"] for key in EVIDENCE_ITEMS}
        data["parties"] = parse_parties(values["parties"])
        try:
            data["prisoner"] = PrisonerIn(
                nomis_number=values["nomis_number"],
                name=data.pop("prisoner_name"),
                pnc=values["pnc"] or None,
            )
        except ValidationError as exc:
            raise _prisoner_problem(exc) from None
        if referral_id is None:
            referral = create_referral(
                session=session, data=ReferralCreate.model_validate(data), clock=clock
            )
        else:
            referral = update_referral(
                session=session,
                referral_id=referral_id,
                data=ReferralUpdate.model_validate(data),
                clock=clock,
                expected_version=version,
            )
        return Saved(referral.id, f"Saved {referral.reference}")

    return save


def _prisoner_problem(exc: ValidationError) -> RecordError:
    fields = {}
    for problem in exc.errors():
        name = str(problem["loc"][-1]) if problem["loc"] else "nomis_number"
        text = str(problem["msg"]).removeprefix("Value error, ")
        fields.setdefault(PRISONER_FIELDS.get(name, "nomis_number"), text)
    return RecordError("; ".join(fields.values()), fields=fields)


def referral_form(referral_id: int | None) -> RecordForm:
    """New referral (``None``) or edit one."""
    return RecordForm(
        FormSpec(
            title="New referral" if referral_id is None else "Edit referral",
            fields=REFERRAL_FIELDS,
            load=_load_referral(referral_id),
            save=_save_referral(referral_id),
        )
    )


# ---------------------------------------------------------------- move status


def _move_fields() -> list[Field]:
    fields = [Field("to_status", "New status", "select", required=True)]
    for status, outcomes in OUTCOMES_FOR.items():
        fields.append(
            Field(
                f"outcome_{status.value}",
                "Outcome",
                "select",
                options=[(outcome_label(o), o.value) for o in outcomes],
                shown_if=("to_status", {status.value}),
            )
        )
    asked = {s.value for s in POLICE_ASKED_ON}
    for spec_field in POLICE:
        fields.append(
            Field(
                spec_field.name,
                spec_field.label,
                required=spec_field.name == "crime_ref",
                shown_if=("to_status", asked),
                section="From the police" if spec_field.name == "crime_ref" else "",
            )
        )
    needs_reason = ", ".join(status_label(s) for s in REASON_REQUIRED)
    fields += [
        Field("reason", "Reason", placeholder=f"required for {needs_reason}", section="The move"),
        Field("happened_at", "When", "datetime", placeholder="blank: now"),
    ]
    return fields


MOVE_FIELDS = _move_fields()


def _load_move(referral_id: int) -> Any:
    def load(session: Session, _clock: Clock) -> Loaded:
        referral = get_referral(session, referral_id)
        moves = [(status_label(m), m.value) for m in allowed_moves(referral.status)]
        title = f"Move {referral.reference} from {status_label(referral.status)}"
        if not moves:
            title += " (a final status: no moves)"
        values = {name: getattr(referral, name) for name in POLICE_FIELDS}
        return Loaded(values, version=referral.version, options={"to_status": moves}, title=title)

    return load


def _save_move(referral_id: int) -> Any:
    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        status = values["to_status"]
        outcome_field = f"outcome_{status}"
        police = {k: values[k] for k in POLICE_FIELDS if k in values}
        try:
            move_status(
                session=session,
                referral_id=referral_id,
                to_status=status,
                clock=clock,
                reason=values["reason"],
                outcome=values.get(outcome_field),
                happened_at=values["happened_at"],
                expected_version=version,
                police=police or None,
            )
        except RecordError as exc:
            if exc.field == "outcome":
                raise RecordError(str(exc), field=outcome_field) from None
            raise
        return Saved(referral_id, f"Moved to {status_label(status)}")

    return save


def move_form(referral_id: int) -> RecordForm:
    """Only allowed moves are offered; Acknowledged asks for the crime ref and OIC."""
    return RecordForm(
        FormSpec(
            title="Move status",
            fields=MOVE_FIELDS,
            load=_load_move(referral_id),
            save=_save_move(referral_id),
            save_label="Move",
        )
    )


# ---------------------------------------------------------------- follow-up

METHODS = [("Phone", "phone"), ("E-mail", "email"), ("Meeting", "meeting"), ("Other", "other")]
FOLLOW_UP_FIELDS = [
    Field("method", "How", "select", required=True, options=METHODS),
    Field("note", "What was done", required=True),
]


def _save_follow_up(referral_id: int) -> Any:
    def save(session: Session, clock: Clock, values: dict[str, Any], _version: int | None) -> Saved:
        add_follow_up(
            session=session,
            referral_id=referral_id,
            note=values["note"],
            method=values["method"],
            clock=clock,
        )
        return Saved(referral_id, "Follow-up logged")

    return save


def follow_up_form(referral_id: int) -> RecordForm:
    return RecordForm(
        FormSpec(
            title="Log a follow-up",
            fields=FOLLOW_UP_FIELDS,
            values={"method": "phone"},
            save=_save_follow_up(referral_id),
        )
    )
