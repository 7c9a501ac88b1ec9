"""Local-practice thresholds, stored in the data file so they travel with it.

Every default here is local practice, not law; the Settings screen says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cipco import dbread
from cipco.services.errors import RecordError

if TYPE_CHECKING:
    from sqlmodel import Session

    from cipco.models.settings import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: int | str
    help: str
    least: int = 0  # a whole-number setting outside least..most cannot be meant
    most: int = 366


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "footage_overwrite_days",
            "CCTV/BWV overwrite window (days)",
            28,
            "Footage is overwritten this many days after recording unless preserved.",
            least=1,
            most=366,
        ),
        SettingSpec(
            "footage_warn_days",
            "Warn before footage overwrite (days)",
            7,
            "Amber this many days before the overwrite date.",
            least=0,
            most=90,
        ),
        SettingSpec(
            "referral_decision_working_days",
            "Decide whether to refer within (working days)",
            2,
            "A mandatory-category draft needs a referral or a recorded reason by then.",
            least=1,
            most=60,
        ),
        SettingSpec(
            "due_soon_working_days",
            "Due soon (working days)",
            2,
            "Rows turn amber this many working days before a deadline.",
            least=0,
            most=30,
        ),
        SettingSpec(
            "victim_update_working_days",
            "Victim update after a police decision (working days)",
            5,
            "Victims' Code: 5 working days, 1 with enhanced rights.",
            least=1,
            most=60,
        ),
        SettingSpec(
            "victim_update_enhanced_working_days",
            "Victim update, enhanced rights (working days)",
            1,
            "Victims' Code enhanced rights.",
            least=1,
            most=60,
        ),
        SettingSpec(
            "acknowledgement_chase_working_days",
            "Chase police acknowledgement after (working days)",
            5,
            "A referral with no crime reference this long after referring is due a chase.",
            least=1,
            most=60,
        ),
        SettingSpec(
            "repeat_offender_count",
            "Repeat offender: referrals as suspect (N)",
            3,
            "Suggest a prisoner for the persons-of-interest list at N referrals...",
            least=2,
            most=50,
        ),
        SettingSpec(
            "repeat_offender_months",
            "Repeat offender: within months (M)",
            12,
            "...within M months.",
            least=1,
            most=120,
        ),
        SettingSpec(
            "clinic_frequency_days",
            "Crime clinic every (days)",
            14,
            "7 for weekly, 14 for fortnightly.",
            least=1,
            most=91,
        ),
        SettingSpec("export_force", "Force for exports", "", "Default police force id."),
        SettingSpec(
            "exhibit_review_days",
            "Exhibit retention review (days)",
            90,
            "Held exhibits are reviewed this many days after the last movement.",
            least=1,
            most=3660,
        ),
        SettingSpec(
            "mg4d_hearing_warn_days",
            "MG4D: warn when first hearing within (days)",
            7,
            "Unserved papers turn red this close to the first hearing.",
            least=0,
            most=90,
        ),
        SettingSpec(
            "order_expiry_warn_days",
            "Ancillary order expiry warning (days)",
            90,
            "Warn this many days before an order ends.",
            least=0,
            most=366,
        ),
        SettingSpec(
            "soc_band1_review_days",
            "SOC Band 1 review every (days)",
            91,
            "Quarterly, case-managed by the regional SOC unit.",
            least=1,
            most=366,
        ),
        SettingSpec(
            "soc_band2_review_days",
            "SOC Band 2 review every (days)",
            30,
            "Monthly, locally.",
            least=1,
            most=366,
        ),
        SettingSpec(
            "statement_due_working_days",
            "Statement (MG11) due after asking (working days)",
            5,
            "A statement asked for is due back this many working days later, unless a date "
            "is given.",
            least=1,
            most=60,
        ),
        SettingSpec(
            "disclaimer_return_days",
            "Medical disclaimer due back after issue (days)",
            7,
            "A disclaimer not returned this many days after it was issued is chased.",
            least=1,
            most=90,
        ),
        SettingSpec(
            "document_max_mb",
            "Largest case document (MB)",
            50,
            "A file larger than this is refused when attached to a referral.",
            least=1,
            most=2000,
        ),
        SettingSpec(
            "write_wait_seconds",
            "Wait for another cipco writing to the database (seconds)",
            60,
            "A save waits this long while another window or user is saving.",
            least=5,
            most=600,
        ),
    )
}


class SettingError(RecordError):
    """A setting was refused; the message names it and the sane range."""


def _row(session: Session, key: str) -> Setting | None:
    from sqlalchemy import select

    from cipco.models.settings import Setting

    # One site per SQLite file; on a regional server row-level security shows only ours.
    return session.scalars(select(Setting).where(Setting.key == key)).first()


def get(bind: Any, key: str) -> int | str:
    """One setting's value (its default when not stored); ``bind``: a session, a Core
    connection or a DB-API one (:mod:`cipco.dbread`)."""
    return all_settings(bind)[key]


def get_int(bind: Any, key: str) -> int:
    value = get(bind, key)
    assert isinstance(value, int), key
    return value


NARROWED_TO = "cipco.narrowed_to_site"
"""The key in ``Session.info`` naming the one site a regional session reads for now."""


def all_settings(bind: Any) -> dict[str, int | str]:
    """Every setting's value, stored or default, read in one statement (no models needed).
    A session narrowed to one site (:func:`cipco.services.regional.at_site`) reads that
    site's."""
    info = getattr(bind, "info", None)
    site = info.get(NARROWED_TO) if isinstance(info, dict) else None
    return values_of(dbread.settings(bind, site))


def settings_by_site(session: Session) -> dict[str, dict[str, int | str]]:
    """Every site's settings this session reads (one read), by site code; a site that has
    stored none is not listed (its settings are :func:`defaults`)."""
    from sqlalchemy import select

    from cipco.models.settings import Setting

    stored: dict[str, dict[str, str]] = {}
    for row in session.scalars(select(Setting)):
        stored.setdefault(str(row.site), {})[row.key] = row.value
    return {site: values_of(values) for site, values in stored.items()}


def defaults() -> dict[str, int | str]:
    return values_of({})


def values_of(stored: dict[str, str]) -> dict[str, int | str]:
    """The settings as typed values, from the stored text (:func:`cipco.dbread.settings`)."""
    values: dict[str, int | str] = {}
    for key, spec in SPECS.items():
        raw = stored.get(key)
        if raw is None:
            values[key] = spec.default
        else:
            values[key] = int(raw) if isinstance(spec.default, int) else raw
    return values


def set_value(session: Session, key: str, value: str | int) -> None:
    """Validate and store one setting."""
    spec = SPECS.get(key)
    if spec is None:
        raise SettingError(f"unknown setting '{key}'", field="key")
    text = " ".join(str(value).split())
    if isinstance(spec.default, int):
        try:
            number = int(text.replace(",", ""))
        except ValueError:
            raise SettingError(
                f"{spec.label}: '{text[:20]}' is not a whole number", field=key
            ) from None
        if not spec.least <= number <= spec.most:
            raise SettingError(
                f"{spec.label}: {number:,} is not a sensible value; "
                f"use {spec.least} to {spec.most:,}",
                field=key,
            )
        text = str(number)
    elif len(text) > 200:
        raise SettingError(f"{spec.label}: too long (200 characters at most)", field=key)
    row = _row(session, key)
    if row is None:
        from cipco.models.settings import Setting

        session.add(Setting(key=key, value=text))
    else:
        row.value = text
    session.flush()
