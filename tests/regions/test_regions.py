"""The region tree and subtree queries."""

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.regions.models import Region
from app.regions.services import is_within, region_subtree, villages
from tests.factories import make_user


def test_changde_counties_and_zones_are_loaded(app):
    children = db.session.scalars(select(Region.name_zh).where(Region.parent_code == "430700"))
    names = set(children)
    assert {"武陵区", "鼎城区", "津市市", "常德经济技术开发区", "西洞庭管理区"} <= names
    assert len(names) == 14


def test_destinations_are_loaded_and_not_local(app):
    shenzhen = db.session.get(Region, "440300")
    assert shenzhen.name_zh == "深圳市" and shenzhen.parent_code == "440000"
    assert shenzhen.is_local is False
    assert db.session.get(Region, "430702").is_local is True


def test_subtree_selects_exactly_the_descendants(app):
    wuling_villages = villages("430702")
    assert wuling_villages and all(v.code.startswith("430702") for v in wuling_villages)
    in_city = set(
        db.session.scalars(select(Region.code).where(region_subtree(Region.code, "430700")))
    )
    assert "430702" in in_city and "430700" in in_city
    assert "440300" not in in_city and "430000" not in in_city
    assert is_within(wuling_villages[0].code, "430700")
    assert not is_within("440300", "430700")


def test_people_in_a_subtree(app):
    village = villages("430703")[0]
    make_user(region_code=village.code)
    make_user(region_code="430702")
    count = db.session.scalar(
        select(func.count(User.id)).where(region_subtree(User.region_code, "430703"))
    )
    assert count == 1


def test_region_endpoints(client, login):
    login(make_user())
    items = client.get("/api/v1/regions?parent=430700").get_json()["items"]
    assert len(items) == 14
    assert client.get("/api/v1/regions/430702").get_json()["name_zh"] == "武陵区"
    assert client.get("/api/v1/regions/999999").get_json()["code"] == "region_not_found"
