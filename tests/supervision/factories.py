"""Supervision test data in one line: officials of a village's township and county, complaints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.checkpoints.factories import make_checkpoint
from tests.factories import make_user, township_of, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde


def officials_of(village_code: str) -> dict[str, Any]:
    """An official of the village's township, one of its county, one of another county."""
    township = township_of(village_code)
    county = township[:6]
    other = "430703" if county != "430703" else "430702"
    return {
        "township": make_user(roles=("official",), region_code=township),
        "county": make_user(roles=("official",), region_code=county),
        "other": make_user(roles=("official",), region_code=other),
    }


def wuling_gate(name: str = "新民村东口卡点") -> Any:
    return make_checkpoint(name=name, village_code=village_in("430702"))


def complain(client: Any, checkpoint_id: int | None = None, **overrides: Any) -> Any:
    body: dict[str, Any] = {"kind": "refused_entry", "description": "持绿码不让进村"}
    if checkpoint_id is not None:
        body["checkpoint_id"] = checkpoint_id
    body.update(overrides)
    return client.post("/api/v1/supervision/complaints", json=body)
