"""Reference lists: seeded from the packaged CSVs on first run, editable afterwards."""

from __future__ import annotations

import csv
from collections.abc import Callable
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


def _category(r: dict[str, str]) -> CrimeCategory:
    flags = ("mandatory_referral", "serious_incident", "summary_only_possible")
    return CrimeCategory(code=r["code"], label=r["label"], **{f: _yes(r[f]) for f in flags})


def _order_type(r: dict[str, str]) -> OrderType:
    optional = ("min_duration", "max_duration", "nomis_alert")
    return OrderType(
        code=r["code"],
        label=r["label"],
        may_start_on_release=_yes(r["may_start_on_release"]),
        **{f: r[f] or None for f in optional},
    )


SEEDS: tuple[tuple[type[SQLModel], str, Callable[[dict[str, str]], SQLModel]], ...] = (
    (Prison, "prisons.csv", lambda r: Prison(code=r["code"], name=r["name"])),
    (Force, "police_forces.csv", lambda r: Force(id=r["id"], name=r["name"])),
    (CrimeCategory, "crime_categories.csv", _category),
    (OrderType, "ancillary_orders.csv", _order_type),
)


def seed_reference_data(session: Session) -> int:
    """Fill empty reference tables from ``cipco/reference/*.csv``. Returns rows added."""
    added = sum(
        _seed(session, model, [make(row) for row in _rows(name)]) for model, name, make in SEEDS
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
