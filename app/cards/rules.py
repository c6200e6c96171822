"""The colour rules of the health card, in one place.

red    : temperature of 37.3 °C or more, any symptom, or contact with a confirmed or suspected case
yellow : Hubei exposure within the last 14 days (quarantine until exposure date + 14 days)
green  : otherwise

Colours are sticky where a person must act: a yellow card turns green only through a release
(the quarantine workflow), and a red card only through an official's clearance or an upheld
appeal. A new declaration can make a card worse, never better, on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

FEVER_THRESHOLD = Decimal("37.3")
QUARANTINE_DAYS = 14
SYMPTOMS = ("fever", "cough", "fatigue", "sore_throat", "shortness_of_breath", "diarrhoea")
SEVERITY = {"green": 0, "yellow": 1, "red": 2}


@dataclass(frozen=True)
class HealthFacts:
    """What one declaration says, reduced to what the rules read."""

    temperature: Decimal
    symptoms: tuple[str, ...]
    case_contact: bool
    hubei_exposure: date | None


@dataclass(frozen=True)
class StatusDecision:
    status: str  # green / yellow / red
    reasons: tuple[str, ...]  # machine codes, most serious first
    quarantine_until: date | None = None


def quarantine_end(exposure: date) -> date:
    """The first day free of observation: 14 full days after the exposure date."""
    return exposure + timedelta(days=QUARANTINE_DAYS)


def assess(facts: HealthFacts, today: date) -> StatusDecision:
    """The colour these facts alone deserve today."""
    reasons: list[str] = []
    if facts.temperature >= FEVER_THRESHOLD:
        reasons.append("fever")
    if any(s in SYMPTOMS for s in facts.symptoms):
        reasons.append("symptoms")
    if facts.case_contact:
        reasons.append("case_contact")
    exposure_end = quarantine_end(facts.hubei_exposure) if facts.hubei_exposure else None
    quarantined = exposure_end is not None and today < exposure_end
    if reasons:
        if quarantined:
            reasons.append("hubei_exposure")
        return StatusDecision("red", tuple(reasons), exposure_end if quarantined else None)
    if quarantined:
        return StatusDecision("yellow", ("hubei_exposure",), exposure_end)
    return StatusDecision("green", ())


def next_status(current: StatusDecision | None, assessed: StatusDecision) -> StatusDecision:
    """Combine the card someone holds with a new assessment (worse wins; better waits)."""
    if current is None or SEVERITY[assessed.status] > SEVERITY[current.status]:
        return assessed
    if SEVERITY[assessed.status] == SEVERITY[current.status]:
        # Same colour: keep the later quarantine end and the newer reasons.
        until = max(
            (d for d in (current.quarantine_until, assessed.quarantine_until) if d), default=None
        )
        reasons = assessed.reasons or current.reasons
        return StatusDecision(assessed.status, reasons, until)
    # Better than now: only a release or a clearance may lift the colour.
    pending = "awaiting_release" if current.status == "yellow" else "awaiting_clearance"
    reasons = current.reasons if pending in current.reasons else (*current.reasons, pending)
    return StatusDecision(current.status, reasons, current.quarantine_until)
