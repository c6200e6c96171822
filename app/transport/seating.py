"""Seat plans under the 2020 epidemic rules for chartered vehicles (no database here).

The rules, as the prevention guidance for point-to-point transport put them:
* at most half the seats filled (the share is configurable, TRANSPORT_SEAT_SHARE);
* the last two rows left empty as an isolation zone for anyone who falls ill on the way
  (TRANSPORT_ISOLATION_ROWS);
* people spaced: nobody sits right next to anyone (seats side by side without an aisle between
  them), and rows alternate which seat of a pair is used, so nobody sits right behind anyone
  either where the layout allows it;
* the crew on board (escort, medic) are people too: they take the first usable seats, at the
  front by the door.

A layout is the vehicle's seat rows, front to back, each a string of seat letters with '_' for
the aisle: 'AB_CD' is a coach row of four, 'ABCDE' the back bench. A seat's label is its row
number and letter ('7C').
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_SEAT_SHARE = Decimal("0.5")
DEFAULT_ISOLATION_ROWS = 2
ROW_RE = re.compile(r"^[A-Z](?:_?[A-Z])*$")
MAX_ROWS = 30
MAX_SEATS = 120


class LayoutError(ValueError):
    """A layout that does not describe seats (code: a stable error code)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Seat:
    label: str  # '7C'
    row: int  # 1 = front
    order: int  # front to back, left to right


def default_layout(seats: int) -> list[str]:
    """The usual layout for a number of seats: coach rows of four (2 + aisle + 2), a back bench
    of five, and the remainder at the front. A 19-seat minibus has rows of three (2 + 1)."""
    if seats < 5 or seats > MAX_SEATS:
        raise LayoutError("vehicle_seats_invalid")
    if seats <= 23:  # minibus (e.g. Toyota Coaster, 19 seats): 2 + aisle + 1, bench of four
        body, rest = divmod(seats - 4, 3)
        front = {0: [], 1: ["A"], 2: ["AB"]}[rest]
        return front + ["AB_C"] * body + ["ABCD"]
    body, rest = divmod(seats - 5, 4)
    front = {0: [], 1: ["A"], 2: ["CD"], 3: ["AB_C"]}[rest]
    return front + ["AB_CD"] * body + ["ABCDE"]


def parse_layout(layout: Sequence[str]) -> list[list[list[str]]]:
    """Rows → blocks (seats side by side with no aisle between) → letters."""
    if not layout or len(layout) > MAX_ROWS:
        raise LayoutError("layout_invalid")
    rows = []
    for row in layout:
        if (
            not isinstance(row, str)
            or not ROW_RE.match(row)
            or len(set(row) - {"_"}) != len(row.replace("_", ""))
        ):
            raise LayoutError("layout_invalid")
        rows.append([list(block) for block in row.split("_")])
    return rows


def seat_count(layout: Sequence[str]) -> int:
    return sum(len(row.replace("_", "")) for row in layout)


def _spaced(block: list[str], offset: int) -> list[str]:
    """Every other seat of a block: from the second seat on alternate rows (offset 1) when
    that keeps as many seats, else from the first."""
    best = block[0::2]
    if offset and len(block[1::2]) == len(best):
        return block[1::2]
    return best


@dataclass(frozen=True)
class Plan:
    """The seats a vehicle may use under the rules, crew seats first."""

    seats: int
    share: Decimal
    isolation_rows: int
    usable: tuple[Seat, ...]  # spaced seats outside the isolation rows, front to back
    limit: int  # people on board at most (crew included)
    crew_seats: tuple[Seat, ...]
    passenger_seats: tuple[Seat, ...]

    @property
    def capacity(self) -> int:
        """Passengers this vehicle may carry."""
        return len(self.passenger_seats)


def plan_vehicle(
    layout: Sequence[str],
    *,
    crew: int = 2,
    share: Decimal = DEFAULT_SEAT_SHARE,
    isolation_rows: int = DEFAULT_ISOLATION_ROWS,
) -> Plan:
    """Which seats the crew and the passengers of this vehicle may take."""
    rows = parse_layout(layout)
    total = seat_count(layout)
    last = len(rows) - isolation_rows  # rows 1..last may be used
    usable: list[Seat] = []
    order = 0
    for index, blocks in enumerate(rows[: max(last, 0)], start=1):
        for block in blocks:
            for letter in _spaced(block, (index + 1) % 2):
                order += 1
                usable.append(Seat(f"{index}{letter}", index, order))
    # At most `share` of all seats (isolation rows included: they are seats of the vehicle).
    limit = min(len(usable), math.floor(total * share))
    taken = usable[:limit]
    crew_seats = tuple(taken[:crew])
    return Plan(
        seats=total,
        share=share,
        isolation_rows=isolation_rows,
        usable=tuple(usable),
        limit=limit,
        crew_seats=crew_seats,
        passenger_seats=tuple(taken[len(crew_seats) :]),
    )


def isolation_labels(layout: Sequence[str], isolation_rows: int) -> list[str]:
    """The seats of the isolation zone (kept empty), for the seat map."""
    rows = parse_layout(layout)
    first = len(rows) - isolation_rows + 1
    return [
        f"{index}{letter}"
        for index, blocks in enumerate(rows, start=1)
        if index >= first
        for block in blocks
        for letter in block
    ]


@dataclass(frozen=True)
class VehicleSlot:
    """A vehicle offered to the planner (its key is whatever the caller uses)."""

    key: object
    layout: tuple[str, ...]
    crew: int = 2


@dataclass
class Assignment:
    vehicle: object
    seat: Seat
    passenger: object


def plan_batch(
    passengers: Sequence[object],
    vehicles: Sequence[VehicleSlot],
    *,
    share: Decimal = DEFAULT_SEAT_SHARE,
    isolation_rows: int = DEFAULT_ISOLATION_ROWS,
) -> tuple[list[Assignment], list[object]]:
    """Seat passengers (in the order given: keep families and villages together) vehicle after
    vehicle; returns the assignments and whoever did not fit."""
    out: list[Assignment] = []
    queue = list(passengers)
    at = 0
    plans: dict[tuple[tuple[str, ...], int], Plan] = {}
    for vehicle in vehicles:
        if at >= len(queue):
            break
        key = (vehicle.layout, vehicle.crew)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = plan_vehicle(
                vehicle.layout, crew=vehicle.crew, share=share, isolation_rows=isolation_rows
            )
        for seat in plan.passenger_seats:
            if at >= len(queue):
                break
            out.append(Assignment(vehicle.key, seat, queue[at]))
            at += 1
    return out, queue[at:]
