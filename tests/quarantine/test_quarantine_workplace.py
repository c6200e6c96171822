"""Enterprise daily monitoring: readings one by one or a day's list from CSV/XLSX."""

import base64
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cards.models import HealthStatus
from app.extensions import db
from app.quarantine.models import QuarantineCase, WorkplaceCheck
from tests.factories import make_user, village_in
from tests.quarantine.factories import admitted, case_for, employer_with_staff, staff_of

T0 = datetime(2020, 2, 20, 1, 0, tzinfo=UTC)  # 09:00 in Changde


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def village(app):
    return village_in()


@pytest.fixture
def employer(app):
    return employer_with_staff()


@pytest.fixture
def workers(employer, village):
    company, _ = employer
    return [
        admitted(company, name=name, region_code=village) for name in ("张伟", "李秀英", "王小明")
    ]


@pytest.fixture
def as_employer(client, login, employer):
    login(employer[1])
    return client


def rows_count():
    return db.session.scalar(select(func.count(WorkplaceCheck.id)))


def one(client, worker, temperature="36.5", symptoms=("none",), **extra):
    body = {"user_id": worker.id, "temperature": temperature, "symptoms": list(symptoms), **extra}
    return client.post("/api/v1/workplace-checks", json=body)


def upload(client, content: bytes, filename="体温.csv", **extra):
    body = {"filename": filename, "content_base64": base64.b64encode(content).decode(), **extra}
    return client.post("/api/v1/workplace-checks/uploads", json=body)


def csv_of(*lines: str, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# ---------------------------------------------------------------- one by one


def test_one_reading_per_worker_and_day_entering_it_again_corrects_it(as_employer, workers):
    worker = workers[0]
    first = one(as_employer, worker, "36.5")
    assert first.status_code == 200 and first.get_json()["outcome"] == "created"
    assert one(as_employer, worker, "36.5").get_json()["outcome"] == "unchanged"
    assert one(as_employer, worker, "36.7").get_json()["outcome"] == "updated"
    assert rows_count() == 1
    sheet = as_employer.get("/api/v1/workplace-checks").get_json()
    assert sheet["day"] == "2020-02-20"
    by_user = {item["user_id"]: item for item in sheet["items"]}
    assert by_user[worker.id]["reading"]["temperature"] == "36.7"
    assert by_user[workers[1].id]["reading"] is None
    assert by_user[worker.id]["name_masked"] == "张*"


def test_a_fever_at_work_turns_the_card_red_and_texts_the_community(
    app, as_employer, workers, village
):
    community = staff_of(village)
    worker = workers[2]
    assert one(as_employer, worker, "38.1").status_code == 200
    status = db.session.get(HealthStatus, worker.id)
    assert (status.status, status.reasons) == ("red", ["fever"])
    alert = app.extensions["sms"].last_to(community.phone)
    assert "王*明" in alert and "38.1℃" in alert and worker.id_masked[-4:] not in alert
    # A later normal reading neither turns it back nor texts again.
    sent = len(app.extensions["sms"].sent)
    one(as_employer, worker, "36.6")
    assert db.session.get(HealthStatus, worker.id).status == "red"
    assert len(app.extensions["sms"].sent) == sent
    assert db.session.scalars(select(WorkplaceCheck.abnormal)).all() == [True]


def test_a_fever_at_work_refers_an_open_quarantine_case(as_employer, workers, village):
    case = case_for(workers[0], start=date(2020, 2, 10), village=village)
    one(as_employer, workers[0], "36.5", ["cough"])
    assert db.session.get(QuarantineCase, case.id).referral_reasons == ["symptoms"]


def test_only_workers_on_the_roster(client, login, as_employer, workers):
    stranger = make_user()
    assert one(as_employer, stranger).status_code == 404
    other_company, other_staff = employer_with_staff()
    login(other_staff)
    assert one(client, workers[0]).status_code == 404
    assert rows_count() == 0


def test_unverified_employers_and_other_roles_cannot_record(client, login, workers):
    company, staff = employer_with_staff(verified=False)
    worker = admitted(company)
    login(staff)
    response = one(client, worker)
    assert response.status_code == 403 and response.get_json()["code"] == "employer_not_verified"
    login(make_user(roles=("worker", "official")))
    assert one(client, workers[0]).status_code == 403
    assert rows_count() == 0


@pytest.mark.parametrize("day", ["2020-02-21", "2020-02-12"])
def test_no_readings_for_tomorrow_or_more_than_a_week_back(as_employer, workers, day):
    response = one(as_employer, workers[0], date=day)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "check_date_invalid"


# ---------------------------------------------------------------- a day's list


def good_csv(workers, temperatures=("36.5", "36.7", "36.4")):
    return csv_of(
        "序号,姓名,手机号,体温,症状,部门",
        *(
            f"{i},{w.name},{w.phone},{t},无,装配"
            for i, (w, t) in enumerate(zip(workers, temperatures, strict=True), 1)
        ),
    )


def test_a_day_s_list_is_recorded_and_the_same_file_again_doubles_nothing(as_employer, workers):
    content = good_csv(workers)
    first = upload(as_employer, content)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() | {"day": "x"} == {
        "day": "x",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "abnormal": 0,
        "dry_run": False,
    }
    again = upload(as_employer, content).get_json()
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert rows_count() == 3
    corrected = upload(as_employer, good_csv(workers, ("36.5", "36.9", "36.4"))).get_json()
    assert (corrected["updated"], corrected["unchanged"]) == (1, 2)
    assert rows_count() == 3
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("quarantine.workplace_check") == 3
    assert actions.count("quarantine.workplace_check_corrected") == 1
    assert actions.count("quarantine.workplace_upload") == 3


def test_a_file_with_errors_changes_nothing_and_names_each_bad_line(app, as_employer, workers):
    stranger = make_user()
    content = csv_of(
        "姓名,手机号,体温,症状",
        f"{workers[0].name},{workers[0].phone},38.5,咳嗽",  # a fever: valid, but not applied
        f"{stranger.name},{stranger.phone},36.5,无",  # line 3: not on the roster
        f"{workers[1].name},{workers[1].phone},365,无",  # line 4: temperature
        "",  # a blank line is skipped
        f"{workers[2].name},12345,36.5,打喷嚏",  # line 6: phone and symptom
        f"{workers[0].name},{workers[0].phone},36.5,无",  # line 7: same person as line 2
        f"别人,{workers[1].phone},36.5,无",  # line 8: name differs from the phone's owner
    )
    sent = len(app.extensions["sms"].sent)
    response = upload(as_employer, content)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "upload_invalid" and body["error_count"] == 6
    assert [(e["line"], e["field"], e["code"]) for e in body["errors"]] == [
        (3, "phone", "not_on_roster"),
        (4, "temperature", "temperature_invalid"),
        (6, "phone", "phone_invalid"),
        (6, "symptoms", "symptom_unknown"),
        (7, "phone", "duplicate_worker"),
        (8, "name", "name_mismatch"),
    ]
    assert body["errors"][4]["message"] == "与第 2 行是同一人。"
    assert "打喷嚏" in body["errors"][3]["message"]
    assert rows_count() == 0
    assert db.session.get(HealthStatus, workers[0].id) is None  # the fever was not applied
    assert len(app.extensions["sms"].sent) == sent


def test_workers_without_a_phone_column_are_found_by_name_and_id_last4(as_employer, workers):
    content = csv_of(
        "姓名,身份证后四位,体温",
        *(f"{w.name},{w.id_masked[-4:]},36.5" for w in workers),
    )
    response = upload(as_employer, content)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 3


def test_a_fever_in_the_list_turns_the_card_red_once(app, as_employer, workers, village):
    community = staff_of(village)
    content = good_csv(workers, ("36.5", "37.8", "36.4"))
    assert upload(as_employer, content).get_json()["abnormal"] == 1
    assert db.session.get(HealthStatus, workers[1].id).status == "red"
    texts = [m for to, m in app.extensions["sms"].sent if to == community.phone]
    assert len(texts) == 1 and "37.8℃" in texts[0]
    upload(as_employer, content)
    assert len([m for to, m in app.extensions["sms"].sent if to == community.phone]) == 1


def test_a_dry_run_counts_but_records_nothing(as_employer, workers):
    response = upload(as_employer, good_csv(workers, ("36.5", "39.0", "36.4")), dry_run=True)
    assert response.get_json()["created"] == 3 and response.get_json()["abnormal"] == 1
    assert rows_count() == 0
    assert db.session.get(HealthStatus, workers[1].id) is None


def test_an_excel_file_with_number_cells_is_read(as_employer, workers):
    book = Workbook()
    sheet = book.active
    sheet.append(["手机号", "体温", "症状"])
    for worker in workers:
        sheet.append([int(worker.phone), 36.6, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(as_employer, buffer.getvalue(), filename="2月20日.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 3
    assert set(db.session.scalars(select(WorkplaceCheck.temperature))) == {Decimal("36.6")}


def test_a_csv_saved_by_chinese_excel_gb18030_is_read(as_employer, workers):
    response = upload(as_employer, good_csv(workers), filename="体温.csv")
    gbk = upload(
        as_employer,
        csv_of(
            "姓名,手机号,体温", *(f"{w.name},{w.phone},36.5" for w in workers), encoding="gb18030"
        ),
    )
    assert response.status_code == gbk.status_code == 200, gbk.get_json()


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"\r\n,,\r\n", "a.csv", "upload_empty"),
        ("姓名,手机号,体温\r\n".encode(), "a.csv", "upload_empty"),
        ("姓名,部门\r\n张伟,装配\r\n".encode(), "a.csv", "upload_columns_missing"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "upload_unreadable"),
        (b"\xd0\xcf\x11\xe0 old excel", "a.xls", "upload_unreadable"),
        (b"a,b\x00c\r\n", "a.csv", "upload_unreadable"),
    ],
)
def test_unreadable_files_are_refused(as_employer, workers, content, filename, code):
    response = upload(as_employer, content, filename=filename)
    assert response.status_code == 422
    assert response.get_json()["code"] == code
    assert rows_count() == 0


def test_content_that_is_not_base64_is_refused(as_employer, workers):
    response = as_employer.post(
        "/api/v1/workplace-checks/uploads", json={"filename": "a.csv", "content_base64": "@@@@"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "content_base64"


def test_a_data_url_from_the_browser_is_accepted(as_employer, workers):
    encoded = base64.b64encode(good_csv(workers)).decode()
    response = as_employer.post(
        "/api/v1/workplace-checks/uploads",
        json={"filename": "a.csv", "content_base64": f"data:text/csv;base64,{encoded}"},
    )
    assert response.status_code == 200
