"""Intent tests run at 10:00 in Changde on 20 February 2020 (frozen before anyone logs in)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.intents.factories import T0


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller
