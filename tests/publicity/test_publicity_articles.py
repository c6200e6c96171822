"""Officials write articles in Markdown for a region and roles, with publish and unpublish
dates; workers see those aimed at them; hostile Markdown renders inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.publicity.rendering import ATTRIBUTES, TAGS, render_markdown, sanitise
from tests.factories import make_user, village_in

WULING, DINGCHENG = "430702", "430703"


class Elements(HTMLParser):
    """Every tag and attribute of a piece of HTML, as a browser's parser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Elements(html).found:
        assert tag in TAGS, tag
        for name, value in attrs.items():
            assert name in ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            assert not name.startswith("on")
            if name == "href":
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto", "tel") or (
                    ":" not in value
                ), value


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(document.cookie))",
    "[点我](  javascript:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[点我](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">点我</a>',
    "<img src=x onerror=alert(1)>",
    '<p onclick="alert(1)" onmouseover=alert(2)>文字</p>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=5 /></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    '[a](https://ok.example "t" onmouseover=alert(1))',
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_renders_inert(markdown):
    html = render_markdown(markdown)
    assert_inert(html)
    lowered = html.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    # What is left of the attack is text: escaped, shown as typed, never parsed as markup.
    assert all(tag in ("p", "a") for tag, _ in Elements(html).found)


@pytest.mark.parametrize("html", HOSTILE)
def test_the_sanitiser_alone_also_disarms_raw_html(html):
    """The second layer, for HTML the Markdown layer never lets through."""
    cleaned = sanitise(html)
    assert_inert(cleaned)
    assert "<script" not in cleaned.lower() and "alert(1)</script" not in cleaned.lower()


def test_ordinary_markdown_keeps_its_shape():
    html = render_markdown(
        "## 返岗须知\n\n1. **戴口罩**\n2. 保持 *一米* 距离\n\n"
        "[常德市卫健委](https://wjw.changde.gov.cn)\n\n"
        "| 项目 | 说明 |\n|---|---|\n| 体温 | 37.3 |\n"
    )
    assert "<h2>返岗须知</h2>" in html
    assert "<strong>戴口罩</strong>" in html
    assert '<a href="https://wjw.changde.gov.cn" rel="noopener noreferrer nofollow">' in html
    assert "<td>37.3</td>" in html


def article_body(**overrides):
    body = {
        "kind": "protection",
        "title": "返岗途中如何做好个人防护",
        "body_md": "**全程佩戴口罩**，<script>alert(1)</script>",
        "region_code": "430700",
        "roles": ["worker"],
        "publish_at": "2020-02-20T00:00:00+08:00",
        "unpublish_at": "2020-03-20T00:00:00+08:00",
    }
    body.update(overrides)
    return body


@pytest.fixture
def city_official(app, client_of):
    return client_of(make_user(roles=("official",), region_code="430700"))


def test_an_article_is_shown_sanitised_to_the_workers_it_is_aimed_at(city_official, client_of):
    created = city_official.post("/api/v1/articles", json=article_body())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["state"] == "published"
    worker = client_of(make_user(roles=("worker",), region_code=village_in(WULING)))
    items = worker.get("/api/v1/articles").get_json()["items"]
    assert [a["title"] for a in items] == ["返岗途中如何做好个人防护"]
    html = items[0]["body_html"]
    assert "<strong>全程佩戴口罩</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert worker.get(f"/api/v1/articles/{items[0]['id']}").status_code == 200


def test_targeting_by_region_and_role(city_official, client_of):
    county = client_of(make_user(roles=("official",), region_code=WULING))
    county.post(
        "/api/v1/articles",
        json=article_body(title="武陵区企业须知", region_code=WULING, roles=["employer"]),
    )
    city_official.post("/api/v1/articles", json=article_body(title="全市通告", roles=[]))
    wuling_employer = client_of(make_user(roles=("employer",), region_code=WULING))
    dingcheng_employer = client_of(make_user(roles=("employer",), region_code=DINGCHENG))
    wuling_worker = client_of(make_user(roles=("worker",), region_code=village_in(WULING)))

    def titles(client):
        return {a["title"] for a in client.get("/api/v1/articles").get_json()["items"]}

    assert titles(wuling_employer) == {"武陵区企业须知", "全市通告"}
    assert titles(dingcheng_employer) == {"全市通告"}
    assert titles(wuling_worker) == {"全市通告"}


def test_an_article_shows_only_between_its_publish_and_unpublish_dates(
    city_official, client_of, clock
):
    city_official.post(
        "/api/v1/articles",
        json=article_body(
            publish_at="2020-02-21T08:00:00+08:00", unpublish_at="2020-02-22T08:00:00+08:00"
        ),
    )
    worker_user = make_user(roles=("worker",))

    def count():
        return len(client_of(worker_user).get("/api/v1/articles").get_json()["items"])

    assert count() == 0  # scheduled
    clock.move_to("2020-02-21T00:00:00Z")  # 08:00 in Changde
    assert count() == 1
    clock.move_to("2020-02-22T00:00:00Z")
    assert count() == 0  # taken down


def test_unpublishing_takes_an_article_down_now(city_official, client_of):
    article_id = city_official.post("/api/v1/articles", json=article_body()).get_json()["id"]
    response = city_official.patch(
        f"/api/v1/articles/{article_id}", json={"unpublish_at": "2020-02-20T10:00:00+08:00"}
    )
    assert response.status_code == 200
    assert response.get_json()["state"] == "unpublished"
    worker = client_of(make_user(roles=("worker",)))
    assert worker.get("/api/v1/articles").get_json()["items"] == []
    assert worker.get(f"/api/v1/articles/{article_id}").status_code == 404


@pytest.mark.parametrize(
    "overrides",
    [
        {"unpublish_at": "2020-02-19T00:00:00+08:00"},  # before it is published
        {"roles": ["mayor"]},
        {"publish_at": "2020-02-20T00:00:00"},  # no time zone
        {"kind": "advert"},
        {"region_code": "999999"},
    ],
)
def test_bad_articles_change_nothing(city_official, overrides):
    assert city_official.post("/api/v1/articles", json=article_body(**overrides)).status_code == 422
    assert city_official.get("/api/v1/articles/managed").get_json()["items"] == []


def test_only_officials_write_and_only_for_their_region(app, client_of):
    county = client_of(make_user(roles=("official",), region_code=WULING))
    assert (
        county.post("/api/v1/articles", json=article_body(region_code=DINGCHENG)).status_code == 403
    )
    assert (
        county.post("/api/v1/articles", json=article_body(region_code="430700")).status_code == 403
    )
    worker = client_of(make_user(roles=("worker",)))
    assert worker.post("/api/v1/articles", json=article_body()).status_code == 403


def test_preview_renders_like_the_article(city_official):
    response = city_official.post("/api/v1/articles/preview", json={"body_md": "[x](javascript:y)"})
    assert "href" not in response.get_json()["body_html"]
