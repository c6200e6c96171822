"""Seat plans under the epidemic rules for the usual vehicles: 19, 35, 45 and 53 seats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.transport import seating


def _neighbours(layout: list[str], labels: set[str]) -> list[tuple[str, str]]:
    """Pairs of taken seats right next to each other (no aisle between)."""
    pairs = []
    for index, row in enumerate(layout, start=1):
        for block in row.split("_"):
            for a, b in zip(block, block[1:], strict=False):
                if f"{index}{a}" in labels and f"{index}{b}" in labels:
                    pairs.append((f"{index}{a}", f"{index}{b}"))
    return pairs


@pytest.mark.parametrize(
    ("seats", "rows", "people", "passengers"),
    [(19, 6, 8, 6), (35, 9, 13, 11), (45, 11, 18, 16), (53, 13, 22, 20)],
)
def test_plans_keep_half_the_seats_the_last_two_rows_and_the_spacing(
    seats, rows, people, passengers
):
    layout = seating.default_layout(seats)
    assert seating.seat_count(layout) == seats and len(layout) == rows
    plan = seating.plan_vehicle(layout, crew=2)
    taken = {s.label for s in plan.crew_seats + plan.passenger_seats}
    assert plan.limit == people and plan.capacity == passengers
    assert len(taken) <= seats // 2  # at most half the seats, crew included
    isolation = set(seating.isolation_labels(layout, 2))
    assert len(isolation) == len(layout[-1].replace("_", "")) + len(layout[-2].replace("_", ""))
    assert not taken & isolation  # the last two rows stay empty
    assert _neighbours(layout, taken) == []  # nobody side by side
    assert [s.label for s in plan.crew_seats][0] == "1A" or seats == 35  # crew up front
    assert all(s.row <= 2 for s in plan.crew_seats)


def test_rows_alternate_so_nobody_sits_right_behind_anyone_in_a_coach():
    plan = seating.plan_vehicle(seating.default_layout(53), crew=0)
    by_row: dict[int, set[str]] = {}
    for seat in plan.passenger_seats:
        by_row.setdefault(seat.row, set()).add(seat.label[-1])
    for row in range(1, 11):
        assert not by_row[row] & by_row[row + 1]


def test_the_share_is_configurable():
    layout = seating.default_layout(53)
    third = seating.plan_vehicle(layout, crew=2, share=Decimal("0.33"))
    assert third.limit == 17 and third.capacity == 15
    full = seating.plan_vehicle(layout, crew=2, share=Decimal("1"))
    assert full.limit == 22  # spacing still binds


def test_a_vehicle_without_a_medic_carries_one_more_passenger():
    layout = seating.default_layout(45)
    assert (
        seating.plan_vehicle(layout, crew=1).capacity
        == seating.plan_vehicle(layout, crew=2).capacity + 1
    )


@pytest.mark.parametrize("layout", [[], ["AB__CD"], ["ab_cd"], ["AA_CD"], ["_AB"], ["AB_"]])
def test_layouts_that_describe_no_seats_are_refused(layout):
    with pytest.raises(seating.LayoutError):
        seating.parse_layout(layout)


def test_a_batch_is_seated_vehicle_after_vehicle_and_the_rest_reported():
    vehicles = [
        seating.VehicleSlot(key=n, layout=tuple(seating.default_layout(53))) for n in range(3)
    ]
    people = list(range(70))
    assignments, left = seating.plan_batch(people, vehicles)
    assert len(assignments) == 60 and left == list(range(60, 70))
    seats = {(a.vehicle, a.seat.label) for a in assignments}
    assert len(seats) == 60  # no seat twice
    assert [a.passenger for a in assignments] == list(range(60))
