"""Reference lists: seeded from the packaged CSVs on first run, editable afterwards."""

from __future__ import annotations

import csv
from importlib import resources

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from cipco.models.reference import CrimeCategory, Force, OrderType, Prison


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "y", "true", "1"}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("cipco.reference").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _seed(session: Session, model: type[SQLModel], objects: list[SQLModel]) -> int:
    if session.scalar(select(func.count()).select_from(model)):
        return 0
    session.add_all(objects)
    return len(objects)


def seed_reference_data(session: Session) -> int:
    """Fill empty reference tables from ``cipco/reference/*.csv``. Returns rows added."""
    added = _seed(
        session, Prison, [Prison(code=r["code"], name=r["name"]) for r in _rows("prisons.csv")]
    )
    added += _seed(
        session,
        Force,
        [Force(id=r["id"], name=r["name"]) for r in _rows("police_forces.csv")],
    )
    added += _seed(
        session,
        CrimeCategory,
        [
            CrimeCategory(
                code=r["code"],
                label=r["label"],
                mandatory_referral=_yes(r["mandatory_referral"]),
                serious_incident=_yes(r["serious_incident"]),
                summary_only_possible=_yes(r["summary_only_possible"]),
            )
            for r in _rows("crime_categories.csv")
        ],
    )
    added += _seed(
        session,
        OrderType,
        [
            OrderType(
                code=r["code"],
                label=r["label"],
                min_duration=r["min_duration"] or None,
                max_duration=r["max_duration"] or None,
                may_start_on_release=_yes(r["may_start_on_release"]),
                nomis_alert=r["nomis_alert"] or None,
            )
            for r in _rows("ancillary_orders.csv")
        ],
    )
    session.flush()
    return added


def categories(session: Session, *, include_retired: bool = False) -> list[CrimeCategory]:
    statement = select(CrimeCategory).order_by(CrimeCategory.label)
    if not include_retired:
        statement = statement.where(CrimeCategory.active == True)  # noqa: E712
    return list(session.scalars(statement))


def forces(session: Session, *, include_retired: bool = False) -> list[Force]:
    statement = select(Force).order_by(Force.name)
    if not include_retired:
        statement = statement.where(Force.active == True)  # noqa: E712
    return list(session.scalars(statement))


def prisons(session: Session) -> list[Prison]:
    return list(session.scalars(select(Prison).order_by(Prison.name)))


def order_types(session: Session) -> list[OrderType]:
    return list(session.scalars(select(OrderType).order_by(OrderType.label)))
