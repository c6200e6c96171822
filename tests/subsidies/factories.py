"""Subsidy test data in one line: terms, budgets, batches with invoices, applications."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from app.employers.models import Employer
from app.employers.services import admit_worker
from app.extensions import db
from app.subsidies import services
from app.subsidies.models import SubsidyPolicy
from tests.factories import make_user

WULING = "430702"
DINGCHENG = "430703"
RATE = 8000  # 80 yuan a person
CAP = 500000  # 5,000 yuan an employer per period


def png_bytes(colour: str = "white", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes(text: str = "invoice") -> bytes:
    """A small real PDF (reportlab), different for every text."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 750, text)
    page.save()
    return buffer.getvalue()


def official(region_code: str = WULING):
    return make_user(roles=("official",), region_code=region_code)


def make_policy(
    region_code: str = WULING,
    *,
    rate_fen: int = RATE,
    cap_fen: int = CAP,
    starts_on: date = date(2020, 2, 1),
    ends_on: date = date(2020, 3, 31),
) -> SubsidyPolicy:
    policy = services.set_policy(
        region_code=region_code,
        starts_on=starts_on,
        ends_on=ends_on,
        rate_fen=rate_fen,
        cap_fen=cap_fen,
        actor=make_user(roles=("admin",), region_code="430700"),
    )
    db.session.commit()
    return policy


def fund(region_code: str = WULING, amount_fen: int = 10_000_000):
    """Put money in a budget (the region's own funds)."""
    budget = services.allocate(
        region_code, amount_fen, actor=make_user(roles=("admin",), region_code="430700")
    )
    db.session.commit()
    return budget


def roster_workers(employer: Employer, count: int) -> list:
    workers = [make_user(roles=("worker",)) for _ in range(count)]
    for worker in workers:
        admit_worker(employer, worker, on=date(2020, 2, 10), source="manual")
    db.session.commit()
    return workers


def make_batch(
    employer: Employer,
    *,
    people: int = 10,
    cost_fen: int = 100000,
    tested_on: date = date(2020, 2, 18),
    institution: str = "常德市第一人民医院",
    workers: list | None = None,
    invoice: bytes | None = None,
):
    """A batch: `workers` linked from the roster, the rest of `people` counted only."""
    from app.employers.services import staff_of

    actor = staff_of(employer)[0].user
    linked = [w.id for w in workers or []]
    batch = services.record_batch(
        employer,
        tested_on=tested_on,
        institution=institution,
        roster_user_ids=linked,
        counted_only=people - len(linked),
        cost_fen=cost_fen,
        actor=actor,
    )
    services.attach_invoice(
        employer,
        batch.id,
        invoice if invoice is not None else pdf_bytes(f"b{batch.id}"),
        actor=actor,
    )
    db.session.commit()
    return batch


def make_application(employer: Employer, batches: list):
    from app.employers.services import staff_of

    application = services.apply(
        employer, [b.id for b in batches], actor=staff_of(employer)[0].user
    )
    db.session.commit()
    return application
