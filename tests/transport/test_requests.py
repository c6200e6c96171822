"""Point-to-point requests: the 50-worker rule at its edges, and approval or refusal."""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from app.extensions import db
from app.transport.models import RequestWorker, TransportEvent, TransportRequest
from tests.transport.factories import DONGGUAN, SHENZHEN, make_request, make_workers, request_body


def _count_requests() -> int:
    return db.session.scalar(select(func.count(TransportRequest.id)))


def test_49_workers_from_one_origin_are_refused_and_told_one_is_missing(client_of, employer, staff):
    workers = make_workers(employer, 49)
    response = client_of(staff).post("/api/v1/transport/requests", json=request_body(workers))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "batch_too_small"
    assert problem["missing"] == 1 and problem["count"] == 49 and problem["minimum"] == 50
    assert "还差 1 人" in problem["detail"]
    assert _count_requests() == 0


def test_50_workers_from_one_origin_make_a_submitted_batch(client_of, employer, staff):
    workers = make_workers(employer, 50)
    response = client_of(staff).post("/api/v1/transport/requests", json=request_body(workers))
    assert response.status_code == 201, response.get_json()
    (batch,) = response.get_json()["items"]
    assert batch["state"] == "submitted"
    assert batch["workers"] == 50
    assert batch["origin"]["code"] == SHENZHEN
    assert batch["review_region"]["code"] == "430702"  # Wuling's officials decide
    assert batch["destination"]["code"] == employer.region_code


def test_mixed_origins_below_50_each_are_refused_with_the_shortfall_of_each(
    client_of, employer, staff
):
    workers = make_workers(employer, 55)
    body = request_body(workers)
    for item in body["workers"][30:]:
        item["origin_code"] = DONGGUAN
    response = client_of(staff).post("/api/v1/transport/requests", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "batch_mixed_too_small"
    assert problem["groups"] == 2
    assert problem["count"] == 30 and problem["missing"] == 20  # the largest group
    shortfalls = sorted(e["message"] for e in problem["errors"])
    assert len(shortfalls) == 2
    assert any("25 人，还差 25 人" in m for m in shortfalls)
    assert any("30 人，还差 20 人" in m for m in shortfalls)
    assert _count_requests() == 0


def test_mixed_origins_with_one_small_group_name_that_group(client_of, employer, staff):
    workers = make_workers(employer, 60)
    body = request_body(workers)
    for item in body["workers"][50:]:
        item["origin_code"] = DONGGUAN
    problem = client_of(staff).post("/api/v1/transport/requests", json=body).get_json()
    assert problem["code"] == "batch_mixed_too_small"
    assert problem["origin_code"] == DONGGUAN and problem["missing"] == 40
    assert _count_requests() == 0


def test_two_origins_of_50_each_make_two_batches(client_of, employer, staff):
    workers = make_workers(employer, 100)
    body = request_body(workers)
    for item in body["workers"][50:]:
        item["origin_code"] = DONGGUAN
    response = client_of(staff).post("/api/v1/transport/requests", json=body)
    assert response.status_code == 201
    origins = sorted(b["origin"]["code"] for b in response.get_json()["items"])
    assert origins == sorted([SHENZHEN, DONGGUAN])


def test_the_origin_must_lie_outside_changde(client_of, employer, staff):
    workers = make_workers(employer, 50)
    response = client_of(staff).post(
        "/api/v1/transport/requests", json=request_body(workers, origin="430703")
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "origin_in_changde"


def test_a_worker_off_the_roster_or_listed_twice_changes_nothing(client_of, employer, staff):
    from tests.employers.factories import make_employer

    workers = make_workers(employer, 50)
    stranger = make_workers(make_employer(), 1)[0]
    body = request_body(workers)
    body["workers"][3] = {"user_id": stranger.id}
    body["workers"].append({"user_id": workers[0].id})
    response = client_of(staff).post("/api/v1/transport/requests", json=body)
    assert response.status_code == 422
    codes = {(e.get("field"), e["code"]) for e in response.get_json()["errors"]}
    assert ("workers.3", "worker_not_on_roster") in codes
    assert ("workers.50", "worker_listed_twice") in codes
    assert _count_requests() == 0


def test_a_worker_in_a_live_batch_cannot_join_another(client_of, employer, staff):
    workers = make_workers(employer, 50)
    make_request(employer, staff, workers)
    response = client_of(staff).post("/api/v1/transport/requests", json=request_body(workers))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "worker_in_other_batch"


def _upload(workers, *, broken: set[int] = frozenset()) -> dict:
    lines = ["序号,姓名,手机号,出发地"]
    for n, worker in enumerate(workers, start=1):
        phone = "1234" if n in broken else worker.phone
        lines.append(f"{n},{worker.name},{phone},{SHENZHEN}")
    data = "\n".join(lines).encode("utf-8-sig")
    body = request_body([], filename="返岗名单.csv")
    del body["workers"]
    body["content_base64"] = base64.b64encode(data).decode()
    return body


def test_an_uploaded_list_with_errors_names_their_lines_and_changes_nothing(
    client_of, employer, staff
):
    workers = make_workers(employer, 52)
    response = client_of(staff).post(
        "/api/v1/transport/requests/upload", json=_upload(workers, broken={4, 10})
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "upload_invalid_workers"
    assert [e["line"] for e in problem["errors"]] == [5, 11]  # the header is line 1
    assert _count_requests() == 0


def test_a_valid_uploaded_list_makes_a_batch(client_of, employer, staff):
    workers = make_workers(employer, 50)
    response = client_of(staff).post("/api/v1/transport/requests/upload", json=_upload(workers))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["items"][0]["workers"] == 50


def test_the_receiving_county_approves_and_both_sides_see_it(
    client_of, employer, staff, wuling_official, app
):
    batch = make_request(employer, staff, make_workers(employer, 50))
    official = client_of(wuling_official)
    listed = official.get("/api/v1/transport/requests?state=submitted").get_json()["items"]
    assert [b["id"] for b in listed] == [batch.id] and listed[0]["may_decide"]
    response = official.post(
        f"/api/v1/transport/requests/{batch.id}/decision", json={"approve": True}
    )
    assert response.status_code == 200
    seen = client_of(staff).get(f"/api/v1/transport/requests/{batch.id}").get_json()
    assert seen["state"] == "approved" and seen["may_plan"]
    assert [e["action"] for e in seen["events"]] == ["submitted", "approved"]
    assert "已获批准" in app.extensions["sms"].last_to(employer.contact_phone)
    again = official.post(f"/api/v1/transport/requests/{batch.id}/decision", json={"approve": True})
    assert again.status_code == 409 and again.get_json()["code"] == "request_not_pending"


def test_a_refusal_needs_a_reason_and_frees_the_workers(
    client_of, employer, staff, wuling_official
):
    workers = make_workers(employer, 50)
    batch = make_request(employer, staff, workers)
    official = client_of(wuling_official)
    url = f"/api/v1/transport/requests/{batch.id}/decision"
    missing = official.post(url, json={"approve": False})
    assert missing.status_code == 422
    refused = official.post(url, json={"approve": False, "reason": "出发地近期有聚集性疫情"})
    assert refused.status_code == 200
    body = client_of(staff).get(f"/api/v1/transport/requests/{batch.id}").get_json()
    assert body["state"] == "refused" and body["decision_reason"] == "出发地近期有聚集性疫情"
    assert {w["state"] for w in body["worker_list"]} == {"released"}
    # The same workers may be listed again in a new request.
    again = client_of(staff).post("/api/v1/transport/requests", json=request_body(workers))
    assert again.status_code == 201


def test_officials_of_another_county_neither_see_nor_decide(
    client_of, employer, staff, other_official
):
    batch = make_request(employer, staff, make_workers(employer, 50))
    other = client_of(other_official)
    assert other.get(f"/api/v1/transport/requests/{batch.id}").status_code == 404
    assert other.get("/api/v1/transport/requests").get_json()["items"] == []
    decision = other.post(f"/api/v1/transport/requests/{batch.id}/decision", json={"approve": True})
    assert decision.status_code == 404


def test_another_employer_cannot_see_the_batch(client_of, employer, staff):
    from tests.employers.factories import make_employer, owner_of

    batch = make_request(employer, staff, make_workers(employer, 50))
    rival = owner_of(make_employer(name="常德另一家公司"))
    assert client_of(rival).get(f"/api/v1/transport/requests/{batch.id}").status_code == 404
    assert client_of(rival).get("/api/v1/transport/requests").get_json()["items"] == []


def test_a_worker_cannot_request_transport(client_of, employer):
    worker = make_workers(employer, 1)[0]
    response = client_of(worker).post("/api/v1/transport/requests", json=request_body([worker]))
    assert response.status_code == 403


def test_the_employer_cancels_with_a_reason_kept_with_who(
    client_of, employer, staff, wuling_official
):
    batch = make_request(employer, staff, make_workers(employer, 50), approve_by=wuling_official)
    response = client_of(staff).post(
        f"/api/v1/transport/requests/{batch.id}/cancel", json={"reason": "工厂推迟复工"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "cancelled" and body["cancel_reason"] == "工厂推迟复工"
    event = db.session.scalars(
        select(TransportEvent).where(TransportEvent.action == "cancelled")
    ).one()
    assert event.actor_id == staff.id and event.reason == "工厂推迟复工"
    live = db.session.scalar(
        select(func.count(RequestWorker.id)).where(RequestWorker.state == "listed")
    )
    assert live == 0
