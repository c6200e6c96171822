"""Object-level access, generated from the registered routes: every /api/v1 route that names a
record (an `<int:...>` id, a card id, a place-code token, a region code) declares whose records
it serves, and for each one the outsider (the other employer, the official of another county,
the other worker) gets a stable problem with nothing of the owner in it and changes nothing,
while the owner gets a 2xx. The lists (every GET route without arguments) are checked too: an
outsider's list holds nothing of the owner's people.

Side A is Wuling district (430702), side B Dingcheng district (430703). Every person of side A
has a name beginning with 甲, every person of side B one beginning with 乙, so "nothing of A
in B's answer" is a plain text search for A's names and phone numbers.

A route added with an id argument and no entry in SCOPES fails the first test.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

import pytest
import time_machine
from flask import Flask
from PIL import Image

from app.accounts.models import User
from app.api import API_PREFIX, OPERATIONS
from app.extensions import db
from tests.factories import make_user, table_rows, village_in

T0 = datetime(2020, 2, 20, 2, 0, tzinfo=UTC)  # 10:00 in Changde
A, B = "430702", "430703"  # 武陵区, 鼎城区
PROBLEM_KEYS = {"type", "title", "status", "code", "detail", "request_id", "errors"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")

# Whose records each id-taking route serves. The scopes:
#   employer         the staff of the employer that owns the record
#   official-region  officials whose region holds the record (a county official: their county)
#   worker           the worker the record is about (their card, application, complaint)
#   self-by-session  the id is looked up among the caller's own records only (…/mine/…)
#   crew             the escort and medic of a trip (besides its batch's sides)
#   global-admin     one city-wide list that admins keep (no owner below the city)
#   public           reference or published data any signed-in caller may read
#   capability       the URL is a signed token; holding it is the permission
# A route may serve more than one side: "worker+official-region" etc.
SCOPES: dict[tuple[str, str], str] = {
    ("/appeals/<int:appeal_id>/decisions", "POST"): "official-region",
    ("/applications/<int:application_id>/contact", "POST"): "employer",
    ("/applications/<int:application_id>/status", "POST"): "employer",
    ("/applications/<int:application_id>/withdraw", "POST"): "worker",
    ("/articles/<int:article_id>", "GET"): "public+official-region",
    ("/articles/<int:article_id>", "PATCH"): "official-region",
    ("/cards/<card_id>", "GET"): "worker+official-region",
    ("/cards/<card_id>/print.pdf", "GET"): "worker+official-region",
    ("/cards/<card_id>/print.png", "GET"): "worker+official-region",
    ("/cards/<card_id>/revoke", "POST"): "official-region",
    ("/checkpoints/<int:checkpoint_id>", "GET"): "official-region+volunteer",
    ("/checkpoints/<int:checkpoint_id>", "PATCH"): "official-region",
    ("/checkpoints/<int:checkpoint_id>/place-code", "POST"): "official-region",
    ("/checkpoints/<int:checkpoint_id>/poster.pdf", "GET"): "official-region",
    ("/checkpoints/<int:checkpoint_id>/today", "GET"): "official-region+volunteer",
    ("/checkpoints/<int:checkpoint_id>/volunteers", "POST"): "official-region",
    ("/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>", "DELETE"): "official-region",
    ("/destination-rules/<int:rule_id>/withdraw", "POST"): "official-region",
    ("/employers/<int:employer_id>", "GET"): "employer+official-region",
    ("/employers/<int:employer_id>/reject", "POST"): "official-region",
    ("/employers/<int:employer_id>/verify", "POST"): "official-region",
    ("/employers/mine/workers/<int:user_id>", "DELETE"): "self-by-session",
    ("/jobs/<int:posting_id>", "GET"): "public+employer",
    ("/jobs/<int:posting_id>/applications", "POST"): "public+employer",
    ("/labour-demand/<int:line_id>", "DELETE"): "employer",
    ("/labour-demand/<int:line_id>", "PATCH"): "employer",
    ("/ledger/people/<int:intent_id>", "GET"): "official-region",
    ("/ledger/people/<int:intent_id>/certificate", "POST"): "official-region",
    ("/ledger/people/<int:intent_id>/departure", "POST"): "official-region",
    ("/people/<int:user_id>/clearance", "POST"): "official-region",
    ("/place-codes/<path:token>", "GET"): "capability",
    ("/postings/<int:posting_id>", "GET"): "employer+official-region",
    ("/postings/<int:posting_id>", "PATCH"): "employer",
    ("/postings/<int:posting_id>/applications", "GET"): "employer",
    ("/postings/<int:posting_id>/applications/status", "POST"): "employer",
    ("/postings/<int:posting_id>/approve", "POST"): "official-region",
    ("/postings/<int:posting_id>/close", "POST"): "employer",
    ("/postings/<int:posting_id>/reject", "POST"): "official-region",
    ("/postings/<int:posting_id>/submit", "POST"): "employer",
    ("/postings/<int:posting_id>/take-down", "POST"): "official-region",
    ("/quarantine/cases/<int:case_id>", "GET"): "official-region",
    ("/quarantine/cases/<int:case_id>", "PATCH"): "official-region",
    ("/quarantine/cases/<int:case_id>/checks", "POST"): "official-region",
    ("/quarantine/cases/<int:case_id>/release", "POST"): "official-region",
    ("/quarantine/cases/<int:case_id>/transfer", "POST"): "official-region",
    ("/regions/<code>", "GET"): "public",
    ("/subsidies/applications/<int:application_id>", "GET"): "employer+official-region",
    ("/subsidies/applications/<int:application_id>/approve", "POST"): "official-region",
    ("/subsidies/applications/<int:application_id>/paid", "POST"): "official-region",
    ("/subsidies/applications/<int:application_id>/refuse", "POST"): "official-region",
    ("/subsidies/batches/<int:batch_id>", "DELETE"): "employer",
    ("/subsidies/batches/<int:batch_id>", "GET"): "employer+official-region",
    ("/subsidies/batches/<int:batch_id>/invoice", "GET"): "employer+official-region",
    ("/subsidies/batches/<int:batch_id>/invoice", "PUT"): "employer",
    ("/subsidies/budgets/<int:budget_id>/entries", "GET"): "official-region",
    ("/supervision/cases/<int:case_id>", "GET"): "official-region",
    ("/supervision/cases/<int:case_id>/assign", "POST"): "official-region",
    ("/supervision/cases/<int:case_id>/close", "POST"): "official-region",
    ("/supervision/cases/<int:case_id>/notes", "POST"): "official-region",
    ("/supervision/complaints/<int:complaint_id>", "GET"): "worker+official-region",
    ("/supervision/complaints/<int:complaint_id>/photos", "POST"): "worker",
    ("/supervision/photos/<int:photo_id>", "GET"): "worker+official-region",
    ("/transport/mine/<int:request_id>/answer", "POST"): "self-by-session",
    ("/transport/requests/<int:request_id>", "GET"): "employer+official-region",
    ("/transport/requests/<int:request_id>/cancel", "POST"): "employer",
    ("/transport/requests/<int:request_id>/decision", "POST"): "official-region",
    ("/transport/requests/<int:request_id>/trips", "POST"): "employer",
    ("/transport/timeline/<int:user_id>", "GET"): "employer+official-region",
    ("/transport/trips/<int:trip_id>", "GET"): "employer+official-region+crew",
    ("/transport/trips/<int:trip_id>", "PATCH"): "employer",
    ("/transport/trips/<int:trip_id>/boarding-list", "GET"): "crew",
    ("/transport/trips/<int:trip_id>/cancel", "POST"): "employer",
    ("/transport/trips/<int:trip_id>/depart", "POST"): "crew",
    ("/transport/trips/<int:trip_id>/handover", "POST"): "employer",
    ("/transport/trips/<int:trip_id>/manifest.csv", "GET"): "employer+official-region",
    ("/transport/trips/<int:trip_id>/manifest.pdf", "GET"): "employer+official-region",
    ("/transport/trips/<int:trip_id>/manifest.xlsx", "GET"): "employer+official-region",
    ("/transport/trips/<int:trip_id>/passengers/<int:passenger_id>", "DELETE"): "employer",
    ("/transport/trips/<int:trip_id>/seats", "POST"): "employer",
    ("/trust/issuers/<int:issuer_id>", "DELETE"): "global-admin",
}


def _names(prefix: str) -> Callable[[], str]:
    pool = "春夏秋冬梅兰竹菊松柏桃李杏梨枫柳"
    pairs = itertools.product(pool, repeat=2)
    return lambda: prefix + "".join(next(pairs))


_a_name, _b_name = _names("甲"), _names("乙")


def id_routes() -> list[tuple[str, str]]:
    """Every (rule, method) of /api/v1 that takes an argument naming a record."""
    return sorted({(op.rule, op.method) for op in OPERATIONS if "<" in op.rule})


def test_every_id_route_declares_whose_records_it_serves(app: Flask) -> None:
    registered = {
        (rule.rule.removeprefix(API_PREFIX), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX) and rule.arguments
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = sorted(registered - SCOPES.keys())
    assert missing == [], f"id routes without a declared owner scope in SCOPES: {missing}"
    stale = sorted(SCOPES.keys() - registered)
    assert stale == [], f"SCOPES names routes that no longer exist: {stale}"
    assert set(PROBES) == set(SCOPES), "every declared route has its probe"


# -- the world: records of two owners of every kind, made only when a probe asks -------------


class World:
    def __init__(self, app: Flask, login: Callable) -> None:
        self.app = app
        self._login = login
        self.a_people: list[User] = []  # whose names and phones side B must never see

    def client(self, user: User):  # noqa: ANN201
        return self._login(user, on=self.app.test_client())

    def person(self, side: str, *, roles: tuple[str, ...] = ("worker",), region: str = "") -> User:
        region = region or village_in(A if side == "a" else B)
        user = make_user(
            roles=roles, region_code=region, name=_a_name() if side == "a" else _b_name()
        )
        if side == "a":
            self.a_people.append(user)
        return user

    def green(self, side: str) -> User:
        from tests.intents.factories import declare_health

        user = self.person(side)
        declare_health(user, user.region_code)
        return user

    @property
    def secrets(self) -> list[str]:
        """Side A's people as any answer could show them: names (also masked, 甲*菊: only
        side A's names begin with 甲) and phone numbers."""
        from app.credentials.claims import mask_name

        found = []
        for user in self.a_people:
            found += [user.name, mask_name(user.name), user.phone]
        return found

    # people
    @cached_property
    def off_a(self) -> User:
        return self.person("a", roles=("official",), region=A)

    @cached_property
    def off_b(self) -> User:
        return self.person("b", roles=("official",), region=B)

    @cached_property
    def admin(self) -> User:
        return make_user(roles=("admin",), region_code="430700")

    @cached_property
    def worker_a(self) -> User:
        return self.green("a")

    @cached_property
    def worker_b(self) -> User:
        return self.green("b")

    # health cards
    @cached_property
    def card_a(self) -> Any:
        from app.cards.services import current_card

        card = current_card(self.worker_a, now=T0)
        db.session.commit()
        return card

    @cached_property
    def appeal_a(self) -> Any:
        from app.cards.models import Appeal

        appeal = Appeal(user_id=self.worker_a.id, status_at_filing="green", reason="核酸已阴性")
        db.session.add(appeal)
        db.session.commit()
        return appeal

    @cached_property
    def red_a(self) -> User:
        from app.cards.rules import StatusDecision
        from app.cards.services import set_status

        user = self.person("a")
        set_status(user, StatusDecision("red", ("fever",), None), cause="declaration", now=T0)
        db.session.commit()
        return user

    @cached_property
    def issuer(self) -> Any:
        from app.cards.trusted_issuers import add_issuer
        from app.credentials import generate_signer

        row = add_issuer(
            generate_signer("广东省健康码").certificate_pem, region_code="440000", name="广东"
        )
        db.session.commit()
        return row[0] if isinstance(row, list) else row

    # employers
    def _employer(self, side: str, *, verified: bool = True) -> tuple[Any, User]:
        from tests.employers.factories import make_employer

        owner = self.person(side, region=A if side == "a" else B)
        name = "常德甲方电子有限公司" if side == "a" else "常德乙方纺织有限公司"
        employer = make_employer(
            owner=owner, region_code=A if side == "a" else B, verified=verified, name=name
        )
        return employer, owner

    @cached_property
    def emp_a(self) -> Any:
        employer, self.staff_a = self._employer("a")
        return employer

    @cached_property
    def emp_b(self) -> Any:
        employer, self.staff_b = self._employer("b")
        return employer

    @property
    def sa(self) -> User:
        return self.emp_a and self.staff_a

    @property
    def sb(self) -> User:
        return self.emp_b and self.staff_b

    @cached_property
    def pending_emp_a(self) -> Any:
        return self._employer("a", verified=False)[0]

    @cached_property
    def roster_a(self) -> User:
        from app.employers.services import admit_worker

        admit_worker(self.emp_a, self.worker_a, on=date(2020, 2, 18), source="manual")
        db.session.commit()
        return self.worker_a

    # jobs
    def posting(self, status: str) -> Any:
        from tests.jobs.factories import make_posting

        return make_posting(self.emp_a, status=status, title="甲方电子厂普工招聘")

    @cached_property
    def application_a(self) -> Any:
        from app.jobs import services

        posting = self.posting("published")
        application = services.apply(posting, self.worker_a, share_card=True)
        db.session.commit()
        return application or posting.applications[0]

    @cached_property
    def demand_a(self) -> int:
        body = {"trade": "electronics", "headcount": 30, "start_date": "2020-03-01"}
        response = self.client(self.sa).post("/api/v1/labour-demand", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    # intents and rules
    @cached_property
    def intent_a(self) -> Any:
        from tests.intents.factories import add_intent

        return add_intent(self.worker_a)

    @cached_property
    def rule_a(self) -> Any:
        from app.intents import destination_rules

        rule = destination_rules.publish(
            self.off_a,
            destination_code="440300",
            rules_text="持绿码免隔离",
            source="深圳市防控指挥部",
            source_date=date(2020, 2, 18),
            valid_until=None,
            job_info=None,
            now=T0,
        )
        db.session.commit()
        return rule

    # publicity
    @cached_property
    def article_a(self) -> int:
        body = {
            "kind": "announcement",
            "title": "武陵区返岗通知",
            "body_md": "持绿码返岗。",
            "region_code": A,
            "roles": [],
            "publish_at": (T0 - timedelta(hours=1)).isoformat(),
        }
        response = self.client(self.off_a).post("/api/v1/articles", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    # checkpoints
    @cached_property
    def checkpoint_a(self) -> Any:
        from tests.checkpoints.factories import make_checkpoint

        return make_checkpoint(name="甲村东口卡点", village_code=village_in(A))

    @cached_property
    def checkpoint_b(self) -> Any:
        from tests.checkpoints.factories import make_checkpoint

        return make_checkpoint(name="乙村东口卡点", village_code=village_in(B))

    @cached_property
    def vol_a(self) -> User:
        from tests.checkpoints.factories import assign

        user = self.person("a", roles=("volunteer",))
        assign(user, self.checkpoint_a)
        return user

    @cached_property
    def vol_b(self) -> User:
        from tests.checkpoints.factories import assign

        user = self.person("b", roles=("volunteer",))
        assign(user, self.checkpoint_b)
        return user

    # quarantine
    @cached_property
    def qcase_a(self) -> Any:
        from tests.quarantine.factories import case_for

        person = self.person("a")
        return case_for(person, start=date(2020, 2, 5), village=person.region_code)

    # subsidies
    @cached_property
    def batch_a(self) -> Any:
        from tests.subsidies.factories import make_batch

        return make_batch(self.emp_a, people=2, cost_fen=16000, workers=[self.roster_a])

    @cached_property
    def subsidy_a(self) -> Any:
        from tests.subsidies.factories import fund, make_application, make_policy

        make_policy(A)
        self.budget_a = fund(A)
        return make_application(self.emp_a, [self.batch_a])

    @cached_property
    def approved_subsidy_a(self) -> Any:
        from app.subsidies import services

        application = self.subsidy_a
        services.approve(application.id, amount_fen=16000, actor=self.off_a)
        db.session.commit()
        return application

    # supervision
    @cached_property
    def complaint_a(self) -> dict:
        body = {
            "kind": "refused_entry",
            "description": "持绿码不让进村",
            "checkpoint_id": self.checkpoint_a.id,
        }
        response = self.client(self.worker_a).post("/api/v1/supervision/complaints", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    @cached_property
    def supervision_case_a(self) -> int:
        from app.supervision.models import Complaint

        return db.session.get(Complaint, self.complaint_a["id"]).case_id

    @cached_property
    def photo_a(self) -> int:
        url = f"/api/v1/supervision/complaints/{self.complaint_a['id']}/photos"
        response = self.client(self.worker_a).post(
            url, data=jpeg(), headers={"Content-Type": "image/jpeg"}
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    # transport
    @cached_property
    def riders_a(self) -> list[User]:
        from tests.transport.factories import make_workers

        riders = make_workers(self.emp_a, 3)
        for rider in riders:
            rider.name = _a_name()
        db.session.commit()
        self.a_people += riders
        return riders

    def transport_request(self, *, approved: bool = True) -> Any:
        from tests.transport.factories import make_request

        return make_request(
            self.emp_a, self.sa, self.riders_a, approve_by=self.off_a if approved else None
        )

    @cached_property
    def trip_a(self) -> Any:
        from tests.transport.factories import make_trip

        request = self.transport_request()
        self.escort_a = self.person("a")
        self.medic_a = self.person("a")
        return make_trip(self.sa, request, self.escort_a, self.medic_a, worker_ids=None)

    @cached_property
    def outsider_crew(self) -> User:
        """The escort of another employer's trip."""
        from tests.transport.factories import make_request, make_trip, make_workers

        riders = make_workers(self.emp_b, 1, region=B)
        request = make_request(self.emp_b, self.sb, riders, approve_by=self.off_b)
        escort = self.person("b")
        make_trip(self.sb, request, escort, None, plate="湘J54321")
        return escort

    @cached_property
    def invitation_a(self) -> int:
        from app.transport.models import RequestWorker, TransportRequest

        request = TransportRequest(
            direction="outbound",
            state="approved",
            origin_code=A,
            destination_code="440306",
            destination_address="深圳市宝安区福永街道工业园",
            review_region_code=A,
            window_start=date(2020, 2, 24),
            window_end=date(2020, 2, 27),
            created_by_id=self.off_a.id,
        )
        db.session.add(request)
        db.session.flush()
        db.session.add(
            RequestWorker(
                request_id=request.id, user_id=self.worker_a.id, origin_code=A, state="invited"
            )
        )
        db.session.commit()
        return request.id


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def pdf() -> bytes:
    from tests.subsidies.factories import pdf_bytes

    return pdf_bytes("invoice again")


# -- probes: one owner, one outsider, one request ------------------------------------------------


@dataclass
class Probe:
    """`url` asked by `outsider` must be refused; asked by `owner` (at `owner_url` when the
    owner's permission comes from another record, e.g. a published posting) it succeeds."""

    url: str
    owner: User
    outsider: User
    json: dict | None = None
    data: bytes | None = None
    content_type: str | None = None
    owner_url: str | None = None


def _pairs(w: World, url: str, *pairs: tuple[str, str], **kwargs: Any) -> list[Probe]:
    """The same request for several (owner, outsider) pairs named by World attribute."""
    return [Probe(url, getattr(w, o), getattr(w, x), **kwargs) for o, x in pairs]


STAFF = ("sa", "sb")
OFFICIALS = ("off_a", "off_b")
WORKERS = ("worker_a", "worker_b")
V = API_PREFIX


def _trip(w: World, suffix: str = "") -> str:
    return f"{V}/transport/trips/{w.trip_a.id}{suffix}"


def _new_trip(w: World) -> list[Probe]:
    from tests.transport.factories import trip_body

    request = w.transport_request()
    escort, medic = w.person("a"), w.person("a")
    body = trip_body(escort, medic, worker_ids=[request.workers[0].id])
    return _pairs(w, f"{V}/transport/requests/{request.id}/trips", STAFF, json=body)


def _travelling(w: World) -> str:
    from app.transport import trips

    trip = w.trip_a
    for passenger in trip.passengers:
        passenger.state, passenger.boarded_dt = "boarded", T0
    trips.depart(w.sa, trip)
    db.session.commit()
    return _trip(w, "/handover")


PROBES: dict[tuple[str, str], Callable[[World], list[Probe]]] = {
    ("/appeals/<int:appeal_id>/decisions", "POST"): lambda w: _pairs(
        w,
        f"{V}/appeals/{w.appeal_a.id}/decisions",
        OFFICIALS,
        json={"outcome": "comment", "comment": "已联系本人核实"},
    ),
    ("/applications/<int:application_id>/contact", "POST"): lambda w: _pairs(
        w, f"{V}/applications/{w.application_a.id}/contact", STAFF
    ),
    ("/applications/<int:application_id>/status", "POST"): lambda w: _pairs(
        w, f"{V}/applications/{w.application_a.id}/status", STAFF, json={"status": "declined"}
    ),
    ("/applications/<int:application_id>/withdraw", "POST"): lambda w: _pairs(
        w, f"{V}/applications/{w.application_a.id}/withdraw", WORKERS
    ),
    ("/articles/<int:article_id>", "GET"): lambda w: _pairs(
        w, f"{V}/articles/{w.article_a}", WORKERS, OFFICIALS
    ),
    ("/articles/<int:article_id>", "PATCH"): lambda w: _pairs(
        w, f"{V}/articles/{w.article_a}", OFFICIALS, json={"title": "武陵区返岗通知（更新）"}
    ),
    ("/cards/<card_id>", "GET"): lambda w: _pairs(
        w, f"{V}/cards/{w.card_a.card_id}", WORKERS, OFFICIALS
    ),
    ("/cards/<card_id>/print.pdf", "GET"): lambda w: _pairs(
        w, f"{V}/cards/{w.card_a.card_id}/print.pdf", WORKERS, OFFICIALS
    ),
    ("/cards/<card_id>/print.png", "GET"): lambda w: _pairs(
        w, f"{V}/cards/{w.card_a.card_id}/print.png", WORKERS, OFFICIALS
    ),
    ("/cards/<card_id>/revoke", "POST"): lambda w: _pairs(
        w, f"{V}/cards/{w.card_a.card_id}/revoke", OFFICIALS, json={"comment": "信息有误"}
    ),
    ("/checkpoints/<int:checkpoint_id>", "GET"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}", OFFICIALS, ("vol_a", "vol_b")
    ),
    ("/checkpoints/<int:checkpoint_id>", "PATCH"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}", OFFICIALS, json={"name": "甲村北口卡点"}
    ),
    ("/checkpoints/<int:checkpoint_id>/place-code", "POST"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}/place-code", OFFICIALS
    ),
    ("/checkpoints/<int:checkpoint_id>/poster.pdf", "GET"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}/poster.pdf", OFFICIALS
    ),
    ("/checkpoints/<int:checkpoint_id>/today", "GET"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}/today", OFFICIALS, ("vol_a", "vol_b")
    ),
    ("/checkpoints/<int:checkpoint_id>/volunteers", "POST"): lambda w: _pairs(
        w,
        f"{V}/checkpoints/{w.checkpoint_a.id}/volunteers",
        OFFICIALS,
        json={"phone": w.person("a").phone},
    ),
    ("/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>", "DELETE"): lambda w: _pairs(
        w, f"{V}/checkpoints/{w.checkpoint_a.id}/volunteers/{w.vol_a.id}", OFFICIALS
    ),
    ("/destination-rules/<int:rule_id>/withdraw", "POST"): lambda w: _pairs(
        w, f"{V}/destination-rules/{w.rule_a.id}/withdraw", OFFICIALS
    ),
    ("/employers/<int:employer_id>", "GET"): lambda w: _pairs(
        w, f"{V}/employers/{w.emp_a.id}", STAFF, OFFICIALS
    ),
    ("/employers/<int:employer_id>/reject", "POST"): lambda w: _pairs(
        w, f"{V}/employers/{w.pending_emp_a.id}/reject", OFFICIALS, json={"reason": "执照不清"}
    ),
    ("/employers/<int:employer_id>/verify", "POST"): lambda w: _pairs(
        w, f"{V}/employers/{w.pending_emp_a.id}/verify", OFFICIALS
    ),
    ("/employers/mine/workers/<int:user_id>", "DELETE"): lambda w: _pairs(
        w, f"{V}/employers/mine/workers/{w.roster_a.id}", STAFF
    ),
    ("/jobs/<int:posting_id>", "GET"): lambda w: [
        Probe(
            f"{V}/jobs/{w.posting('draft').id}",
            w.sa,
            outsider,
            owner_url=f"{V}/jobs/{w.posting('published').id}",
        )
        for outsider in (w.worker_b, w.sb)
    ],
    ("/jobs/<int:posting_id>/applications", "POST"): lambda w: [
        Probe(
            f"{V}/jobs/{w.posting('draft').id}/applications",
            w.worker_b,
            w.worker_b,
            json={"share_card": False},
            owner_url=f"{V}/jobs/{w.posting('published').id}/applications",
        )
    ],
    ("/labour-demand/<int:line_id>", "DELETE"): lambda w: _pairs(
        w, f"{V}/labour-demand/{w.demand_a}", STAFF
    ),
    ("/labour-demand/<int:line_id>", "PATCH"): lambda w: _pairs(
        w, f"{V}/labour-demand/{w.demand_a}", STAFF, json={"headcount": 40}
    ),
    ("/ledger/people/<int:intent_id>", "GET"): lambda w: _pairs(
        w, f"{V}/ledger/people/{w.intent_a.id}", OFFICIALS
    ),
    ("/ledger/people/<int:intent_id>/certificate", "POST"): lambda w: _pairs(
        w, f"{V}/ledger/people/{w.intent_a.id}/certificate", OFFICIALS
    ),
    ("/ledger/people/<int:intent_id>/departure", "POST"): lambda w: _pairs(
        w, f"{V}/ledger/people/{w.intent_a.id}/departure", OFFICIALS, json={"departed": True}
    ),
    ("/people/<int:user_id>/clearance", "POST"): lambda w: _pairs(
        w, f"{V}/people/{w.red_a.id}/clearance", OFFICIALS, json={"comment": "复查正常"}
    ),
    ("/place-codes/<path:token>", "GET"): lambda w: [_place_code_probe(w)],
    ("/postings/<int:posting_id>", "GET"): lambda w: _pairs(
        w, f"{V}/postings/{w.posting('draft').id}", STAFF, OFFICIALS
    ),
    ("/postings/<int:posting_id>", "PATCH"): lambda w: _pairs(
        w, f"{V}/postings/{w.posting('draft').id}", STAFF, json={"headcount": 12}
    ),
    ("/postings/<int:posting_id>/applications", "GET"): lambda w: _pairs(
        w, f"{V}/postings/{w.application_a.posting_id}/applications", STAFF
    ),
    ("/postings/<int:posting_id>/applications/status", "POST"): lambda w: _pairs(
        w,
        f"{V}/postings/{w.application_a.posting_id}/applications/status",
        STAFF,
        json={"ids": [w.application_a.id], "status": "declined"},
    ),
    ("/postings/<int:posting_id>/approve", "POST"): lambda w: _pairs(
        w, f"{V}/postings/{w.posting('pending').id}/approve", OFFICIALS
    ),
    ("/postings/<int:posting_id>/close", "POST"): lambda w: _pairs(
        w, f"{V}/postings/{w.posting('published').id}/close", STAFF
    ),
    ("/postings/<int:posting_id>/reject", "POST"): lambda w: _pairs(
        w,
        f"{V}/postings/{w.posting('pending').id}/reject",
        OFFICIALS,
        json={"reason": "工资写得不清楚"},
    ),
    ("/postings/<int:posting_id>/submit", "POST"): lambda w: _pairs(
        w, f"{V}/postings/{w.posting('draft').id}/submit", STAFF
    ),
    ("/postings/<int:posting_id>/take-down", "POST"): lambda w: _pairs(
        w,
        f"{V}/postings/{w.posting('published').id}/take-down",
        OFFICIALS,
        json={"reason": "信息不实"},
    ),
    ("/quarantine/cases/<int:case_id>", "GET"): lambda w: _pairs(
        w, f"{V}/quarantine/cases/{w.qcase_a.id}", OFFICIALS
    ),
    ("/quarantine/cases/<int:case_id>", "PATCH"): lambda w: _pairs(
        w, f"{V}/quarantine/cases/{w.qcase_a.id}", OFFICIALS, json={"address": "甲村3组12号"}
    ),
    ("/quarantine/cases/<int:case_id>/checks", "POST"): lambda w: _pairs(
        w,
        f"{V}/quarantine/cases/{w.qcase_a.id}/checks",
        OFFICIALS,
        json={"temperature": 36.5, "symptoms": ["none"]},
    ),
    ("/quarantine/cases/<int:case_id>/release", "POST"): lambda w: _pairs(
        w, f"{V}/quarantine/cases/{w.qcase_a.id}/release", OFFICIALS, json={}
    ),
    ("/quarantine/cases/<int:case_id>/transfer", "POST"): lambda w: _pairs(
        w,
        f"{V}/quarantine/cases/{w.qcase_a.id}/transfer",
        OFFICIALS,
        json={"reason": "发热，转定点医院", "hospital": "常德市第一人民医院"},
    ),
    ("/regions/<code>", "GET"): lambda w: [
        Probe(f"{V}/regions/999999", w.worker_b, w.worker_b, owner_url=f"{V}/regions/{A}")
    ],
    ("/subsidies/applications/<int:application_id>", "GET"): lambda w: _pairs(
        w, f"{V}/subsidies/applications/{w.subsidy_a.id}", STAFF, OFFICIALS
    ),
    ("/subsidies/applications/<int:application_id>/approve", "POST"): lambda w: _pairs(
        w,
        f"{V}/subsidies/applications/{w.subsidy_a.id}/approve",
        OFFICIALS,
        json={"amount_fen": 16000},
    ),
    ("/subsidies/applications/<int:application_id>/paid", "POST"): lambda w: _pairs(
        w, f"{V}/subsidies/applications/{w.approved_subsidy_a.id}/paid", OFFICIALS
    ),
    ("/subsidies/applications/<int:application_id>/refuse", "POST"): lambda w: _pairs(
        w,
        f"{V}/subsidies/applications/{w.subsidy_a.id}/refuse",
        OFFICIALS,
        json={"reason": "发票与人数不符"},
    ),
    ("/subsidies/batches/<int:batch_id>", "DELETE"): lambda w: _pairs(
        w, f"{V}/subsidies/batches/{w.batch_a.id}", STAFF
    ),
    ("/subsidies/batches/<int:batch_id>", "GET"): lambda w: _pairs(
        w, f"{V}/subsidies/batches/{w.batch_a.id}", STAFF, OFFICIALS
    ),
    ("/subsidies/batches/<int:batch_id>/invoice", "GET"): lambda w: _pairs(
        w, f"{V}/subsidies/batches/{w.batch_a.id}/invoice", STAFF, OFFICIALS
    ),
    ("/subsidies/batches/<int:batch_id>/invoice", "PUT"): lambda w: _pairs(
        w,
        f"{V}/subsidies/batches/{w.batch_a.id}/invoice",
        STAFF,
        data=pdf(),
        content_type="application/pdf",
    ),
    ("/subsidies/budgets/<int:budget_id>/entries", "GET"): lambda w: _pairs(
        w, f"{V}/subsidies/budgets/{w.subsidy_a and w.budget_a.id}/entries", OFFICIALS
    ),
    ("/supervision/cases/<int:case_id>", "GET"): lambda w: _pairs(
        w, f"{V}/supervision/cases/{w.supervision_case_a}", OFFICIALS
    ),
    ("/supervision/cases/<int:case_id>/assign", "POST"): lambda w: _pairs(
        w, f"{V}/supervision/cases/{w.supervision_case_a}/assign", OFFICIALS, json={}
    ),
    ("/supervision/cases/<int:case_id>/close", "POST"): lambda w: _pairs(
        w,
        f"{V}/supervision/cases/{w.supervision_case_a}/close",
        OFFICIALS,
        json={"outcome": "resolved", "resolution": "已协调村委放行"},
    ),
    ("/supervision/cases/<int:case_id>/notes", "POST"): lambda w: _pairs(
        w,
        f"{V}/supervision/cases/{w.supervision_case_a}/notes",
        OFFICIALS,
        json={"kind": "note", "note": "已电话联系村委"},
    ),
    ("/supervision/complaints/<int:complaint_id>", "GET"): lambda w: _pairs(
        w, f"{V}/supervision/complaints/{w.complaint_a['id']}", WORKERS, OFFICIALS
    ),
    ("/supervision/complaints/<int:complaint_id>/photos", "POST"): lambda w: _pairs(
        w,
        f"{V}/supervision/complaints/{w.complaint_a['id']}/photos",
        WORKERS,
        data=jpeg(),
        content_type="image/jpeg",
    ),
    ("/supervision/photos/<int:photo_id>", "GET"): lambda w: _pairs(
        w, f"{V}/supervision/photos/{w.photo_a}", WORKERS, OFFICIALS
    ),
    ("/transport/mine/<int:request_id>/answer", "POST"): lambda w: _pairs(
        w, f"{V}/transport/mine/{w.invitation_a}/answer", WORKERS, json={"accept": True}
    ),
    ("/transport/requests/<int:request_id>", "GET"): lambda w: _pairs(
        w, f"{V}/transport/requests/{w.transport_request().id}", STAFF, OFFICIALS
    ),
    ("/transport/requests/<int:request_id>/cancel", "POST"): lambda w: _pairs(
        w,
        f"{V}/transport/requests/{w.transport_request().id}/cancel",
        STAFF,
        json={"reason": "工厂推迟开工"},
    ),
    ("/transport/requests/<int:request_id>/decision", "POST"): lambda w: _pairs(
        w,
        f"{V}/transport/requests/{w.transport_request(approved=False).id}/decision",
        OFFICIALS,
        json={"approve": True},
    ),
    ("/transport/requests/<int:request_id>/trips", "POST"): lambda w: _new_trip(w),
    ("/transport/timeline/<int:user_id>", "GET"): lambda w: _pairs(
        w, f"{V}/transport/timeline/{w.roster_a.id}", STAFF, OFFICIALS
    ),
    ("/transport/trips/<int:trip_id>", "GET"): lambda w: _pairs(
        w, _trip(w), STAFF, OFFICIALS, ("escort_a", "outsider_crew")
    ),
    ("/transport/trips/<int:trip_id>", "PATCH"): lambda w: _pairs(
        w, _trip(w), STAFF, json={"route": "G55 二广高速"}
    ),
    ("/transport/trips/<int:trip_id>/boarding-list", "GET"): lambda w: _pairs(
        w, _trip(w, "/boarding-list"), ("escort_a", "outsider_crew")
    ),
    ("/transport/trips/<int:trip_id>/cancel", "POST"): lambda w: _pairs(
        w, _trip(w, "/cancel"), STAFF, json={"reason": "车辆故障"}
    ),
    ("/transport/trips/<int:trip_id>/depart", "POST"): lambda w: _pairs(
        w, _trip(w, "/depart"), ("escort_a", "outsider_crew"), STAFF
    )[:1],
    ("/transport/trips/<int:trip_id>/handover", "POST"): lambda w: _pairs(
        w, _travelling(w), STAFF, json={"arrived": [p.id for p in w.trip_a.passengers]}
    ),
    ("/transport/trips/<int:trip_id>/manifest.csv", "GET"): lambda w: _pairs(
        w, _trip(w, "/manifest.csv"), STAFF, OFFICIALS
    ),
    ("/transport/trips/<int:trip_id>/manifest.pdf", "GET"): lambda w: _pairs(
        w, _trip(w, "/manifest.pdf"), STAFF, OFFICIALS
    ),
    ("/transport/trips/<int:trip_id>/manifest.xlsx", "GET"): lambda w: _pairs(
        w, _trip(w, "/manifest.xlsx"), STAFF, OFFICIALS
    ),
    ("/transport/trips/<int:trip_id>/passengers/<int:passenger_id>", "DELETE"): lambda w: _pairs(
        w, _trip(w, f"/passengers/{w.trip_a.passengers[0].id}"), STAFF
    ),
    ("/transport/trips/<int:trip_id>/seats", "POST"): lambda w: _seats(w),
    ("/trust/issuers/<int:issuer_id>", "DELETE"): lambda w: [
        Probe(f"{V}/trust/issuers/{w.issuer.id}", w.admin, w.off_a)
    ],
}


def _place_code_probe(w: World) -> Probe:
    """The token is the permission: a guessed or altered one names nothing."""
    from app.checkpoints.services import place_code_token

    token = place_code_token(w.checkpoint_a)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    return Probe(
        f"{V}/place-codes/{forged}", w.worker_b, w.worker_b, owner_url=f"{V}/place-codes/{token}"
    )


def _seats(w: World) -> list[Probe]:
    """A seat given back: its worker, still in the batch, can be seated again."""
    from app.transport import trips

    trip = w.trip_a
    passenger = trip.passengers[0]
    trips.remove_passenger(w.sa, trip, passenger)
    db.session.commit()
    return _pairs(w, _trip(w, "/seats"), STAFF, json={"worker_ids": [passenger.request_worker_id]})


# -- the checks -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _one_app(_schema: None, database_url: str, instance_path: Any) -> Flask:
    from tests.conftest import ApiClient, make_test_app

    shared = make_test_app(database_url, instance_path)
    shared.test_client_class = ApiClient
    yield shared
    with shared.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_one_app: Flask) -> Flask:
    """One app for the module (create_app is half the time of a test this short), empty
    tables for each test as the shared fixture gives them."""
    from tests.conftest import empty_tables

    with _one_app.app_context():
        empty_tables()
        _one_app.extensions["sms"].sent.clear()
        yield _one_app
        db.session.remove()


@pytest.fixture
def world(app: Flask, login, tmp_path) -> World:  # noqa: ANN001
    app.config["SUBSIDY_INVOICE_DIR"] = str(tmp_path / "invoices")
    app.config["SUPERVISION_PHOTO_DIR"] = str(tmp_path / "photos")
    app.config["TRANSPORT_MIN_BATCH"] = 1  # a batch of a few people keeps the worlds small
    with time_machine.travel(T0, tick=False):
        yield World(app, login)


def _send(client, method: str, url: str, probe: Probe):  # noqa: ANN001, ANN202
    kwargs: dict[str, Any] = {}
    if probe.data is not None:
        kwargs = {"data": probe.data, "headers": {"Content-Type": probe.content_type}}
    elif probe.json is not None or method in ("POST", "PUT", "PATCH"):
        kwargs = {"json": probe.json if probe.json is not None else {}}
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


def refusal_problems(response, secrets: list[str], what: str) -> list[str]:  # noqa: ANN001
    """What is wrong with a refusal: not 403/404, not problem+json, no code, or the owner's
    data in it."""
    wrong = []
    if response.status_code not in (403, 404):
        wrong.append(f"{what}: {response.status_code}, not 403/404")
        return wrong
    if not response.content_type.startswith("application/problem+json"):
        wrong.append(f"{what}: {response.content_type}, not problem+json")
        return wrong
    body = response.get_json()
    if not isinstance(body.get("code"), str) or not body["code"]:
        wrong.append(f"{what}: no code")
    if set(body) - PROBLEM_KEYS:
        wrong.append(f"{what}: extra fields {sorted(set(body) - PROBLEM_KEYS)}")
    text = _text(response)
    wrong += [f"{what}: shows {s!r}" for s in secrets if s and s in text]
    return wrong


def _neighbours(url: str) -> list[str]:
    """The URL with its first id one lower and one higher (someone else's, or nobody's)."""
    match = re.search(r"/(\d+)(?=/|$)", url)
    if not match:
        return []
    number = int(match.group(1))
    return [url[: match.start(1)] + str(n) + url[match.end(1) :] for n in (number - 1, number + 1)]


@pytest.mark.parametrize(("rule", "method"), sorted(PROBES), ids=lambda v: v)
def test_outsiders_are_refused_and_owners_served(world: World, rule: str, method: str) -> None:
    probes = PROBES[(rule, method)](world)
    wrong: list[str] = []
    for probe in probes:
        outsider = world.client(probe.outsider)
        secrets = world.secrets
        before = table_rows() if method in UNSAFE else None
        response = _send(outsider, method, probe.url, probe)
        who = f"{method} {probe.url} as user {probe.outsider.id}"
        wrong += refusal_problems(response, secrets, who)
        if before is not None:
            changed = [t for t, rows in table_rows().items() if rows != before[t]]
            if changed:
                wrong.append(f"{who}: changed {changed}")
        if method == "GET":
            for url in _neighbours(probe.url):
                near = _send(outsider, method, url, probe)
                text = _text(near)
                wrong += [f"GET {url} (a neighbour): shows {s!r}" for s in secrets if s in text]
        owner = _send(world.client(probe.owner), method, probe.owner_url or probe.url, probe)
        if not 200 <= owner.status_code < 300:
            wrong.append(
                f"{method} {probe.owner_url or probe.url} as its owner: {owner.status_code} "
                f"{(owner.get_json(silent=True) or {}).get('code')} "
                f"{(owner.get_json(silent=True) or {}).get('errors', '')}"
            )
    assert wrong == [], "\n".join(wrong)


# -- lists: an outsider's every list holds nothing of side A's people --------------------------


def _full_world(w: World) -> None:
    """Side A with something in every domain (and side B's outsiders present)."""
    for name in (
        "card_a",
        "appeal_a",
        "red_a",
        "vol_a",
        "intent_a",
        "application_a",
        "qcase_a",
        "subsidy_a",
        "supervision_case_a",
        "trip_a",
        "invitation_a",
        "roster_a",
        "photo_a",
        "rule_a",
        "article_a",
        "demand_a",
        "off_b",
        "worker_b",
        "vol_b",
        "emp_b",
    ):
        getattr(w, name)
    w.posting("draft")
    _scan_and_checkin(w)


def _scan_and_checkin(w: World) -> None:
    from app.checkpoints.services import place_code_token
    from tests.checkpoints.factories import checkin_item, decision_item, scan_item, verdict

    sync = f"{V}/checkpoints/sync"
    scan = scan_item(w.checkpoint_a.id, verdict=verdict(card_id=w.card_a.card_id))
    items = [scan, decision_item(scan["uuid"])]
    assert w.client(w.vol_a).post(sync, json={"items": items}).status_code == 200
    token = place_code_token(w.checkpoint_a)
    response = w.client(w.worker_a).post(sync, json={"items": [checkin_item(token)]})
    assert response.status_code == 200


def _text(response) -> str:  # noqa: ANN001
    """What a response says, also inside a spreadsheet (its sheets and shared strings)."""
    import json
    import zipfile

    data = response.get_data()
    if response.is_json:  # jsonify writes \\u7532 for 甲: compare the characters
        return json.dumps(response.get_json(), ensure_ascii=False)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return data.decode("utf-8", errors="replace")


def _list_routes(role: str) -> list[str]:
    return sorted(
        API_PREFIX + op.rule
        for op in OPERATIONS
        if op.method == "GET" and "<" not in op.rule and (not op.roles or role in op.roles)
    )


@pytest.mark.parametrize(
    ("outsider", "role", "insider"),
    [("off_b", "official", "off_a"), ("sb", "employer", "sa"), ("worker_b", "worker", None)],
)
def test_no_list_shows_an_outsider_the_owner_s_people(
    world: World, outsider: str, role: str, insider: str | None
) -> None:
    """Every GET list an official of B, B's employer or worker B may call: none of A's
    names or phone numbers. The same lists for A's own side show them (the data is there)."""
    _full_world(world)
    user = getattr(world, outsider)
    secrets = [s for s in world.secrets]
    client = world.client(user)
    wrong, seen = [], set()
    for url in _list_routes(role):
        response = _send(client, "GET", url, Probe(url, user, user))
        if response.status_code >= 500:
            wrong.append(f"GET {url}: {response.status_code}")
        text = _text(response)
        wrong += [f"GET {url} as {outsider}: shows {s!r}" for s in secrets if s in text]
    if insider:
        own = world.client(getattr(world, insider))
        for url in _list_routes(role):
            text = _text(_send(own, "GET", url, Probe(url, user, user)))
            seen |= {s for s in secrets if s in text}
        assert seen, f"{insider}'s lists show none of side A: the check proves nothing"
    assert wrong == [], "\n".join(wrong)
