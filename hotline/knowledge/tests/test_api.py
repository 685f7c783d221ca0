"""API: search JSON, bad input as structured errors, article CRUD and workflow within roles."""

from __future__ import annotations

import json

import pytest

from hotline.knowledge.models import Article
from hotline.tickets.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def _error(r, status, code):
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code and body["message"] and isinstance(body["errors"], list)
    return body


def test_search_returns_hits_with_id_title_snippet_and_score(client, city, published) -> None:
    r = _client(client, "agent").get("/api/v1/kb/search", {"q": "租房怎么提取公积金"})
    assert r.status_code == 200
    hit = r.json()["results"][0]
    assert hit["id"] == published.pk and hit["title"] == published.title
    assert hit["score"] > 0 and "<mark>" in hit["snippet"] and hit["url"] == f"/kb/{published.pk}/"


def test_search_needs_a_signed_in_user(client, published) -> None:
    _error(client.get("/api/v1/kb/search", {"q": "公积金"}), 401, "unauthorized")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "请输入"),
        ("😀😀😀", "没有可查找的文字"),
        ("<img src=x onerror=alert(1)>", "没有找到"),
        ("1' OR '1'='1", "没有找到"),
        ("公积金" * 3000, "问题过长"),
    ],
)
def test_search_bad_input_is_a_clear_message_not_an_error(client, city, published, query, message) -> None:
    r = _client(client, "agent").get("/api/v1/kb/search", {"q": query})
    assert r.status_code == 200
    assert message in r.json()["message"]


def test_search_over_ten_thousand_characters_is_a_structured_error(client, city, published) -> None:
    body = _error(_client(client, "agent").get("/api/v1/kb/search", {"q": "公" * 10_001}), 400, "invalid")
    assert body["errors"][0]["field"] == "q"


def test_search_with_an_unknown_department_is_a_structured_error(client, city, published) -> None:
    _error(
        _client(client, "agent").get("/api/v1/kb/search", {"q": "公积金", "department": "NOPE"}),
        400,
        "invalid",
    )


def test_annotator_creates_and_reviewer_publishes_through_the_api(client, city) -> None:
    c = _client(client, "annotator")
    payload = {
        "title": "居住证办理",
        "body": "<p>持身份证到派出所办理。</p><script>x</script>",
        "qa_pairs": [{"q": "要多久？", "a": "十五个工作日。"}],
        "department": "CGJ",
        "is_public": True,
    }
    r = c.post("/api/v1/kb/articles", json.dumps(payload), content_type="application/json")
    assert r.status_code == 201, r.content
    art = r.json()
    assert art["status"] == "draft" and "script" not in art["body"] and art["actions"] == ["submit"]
    r = c.post(f"/api/v1/kb/articles/{art['id']}/actions/submit", "{}", content_type="application/json")
    assert r.json()["status"] == "submitted"
    _error(
        c.post(f"/api/v1/kb/articles/{art['id']}/actions/publish", "{}", content_type="application/json"),
        403,
        "forbidden",
    )
    client.logout()
    c = _client(client, "reviewer")
    _error(
        c.post(f"/api/v1/kb/articles/{art['id']}/actions/publish", "{}", content_type="application/json"),
        409,
        "invalid_transition",
    )
    c.post(f"/api/v1/kb/articles/{art['id']}/actions/review", "{}", content_type="application/json")
    r = c.post(f"/api/v1/kb/articles/{art['id']}/actions/publish", "{}", content_type="application/json")
    assert r.json()["status"] == "published"
    assert c.get("/api/v1/kb/search", {"q": "居住证"}).json()["results"][0]["id"] == art["id"]


def test_agents_cannot_write_articles(client, city) -> None:
    r = _client(client, "agent").post(
        "/api/v1/kb/articles", json.dumps({"title": "x"}), content_type="application/json"
    )
    _error(r, 403, "forbidden")
    assert not Article.objects.exists()


def test_patch_with_a_stale_version_is_a_conflict_and_changes_nothing(client, city) -> None:
    c = _client(client, "annotator")
    art = c.post(
        "/api/v1/kb/articles",
        json.dumps({"title": "旧标题", "body": "正文"}),
        content_type="application/json",
    ).json()
    r = c.patch(
        f"/api/v1/kb/articles/{art['id']}",
        json.dumps({"title": "新标题", "version": art["version"]}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["title"] == "新标题"
    r = c.patch(
        f"/api/v1/kb/articles/{art['id']}",
        json.dumps({"title": "又改", "version": art["version"]}),
        content_type="application/json",
    )
    _error(r, 409, "conflict")
    assert Article.objects.get().title == "新标题"


def test_bad_article_input_is_field_errors(client, city) -> None:
    c = _client(client, "annotator")
    body = _error(
        c.post("/api/v1/kb/articles", json.dumps({"title": "  "}), content_type="application/json"),
        400,
        "invalid",
    )
    assert body["errors"][0]["field"] == "title"
    body = _error(
        c.post(
            "/api/v1/kb/articles",
            json.dumps({"title": "x", "effective_from": "2026-02-01", "expires_on": "2026-01-01"}),
            content_type="application/json",
        ),
        400,
        "invalid",
    )
    assert body["errors"][0]["field"] == "expires_on"
    _error(
        c.post(
            "/api/v1/kb/articles",
            json.dumps({"title": "x", "expires_on": "明天"}),
            content_type="application/json",
        ),
        400,
        "invalid",
    )
    _error(
        c.post("/api/v1/kb/articles/999/actions/fly", "{}", content_type="application/json"), 404, "not_found"
    )


def test_department_users_see_and_change_only_their_own_drafts(client, city) -> None:
    c = _client(client, "sjj")
    art = c.post(
        "/api/v1/kb/articles",
        json.dumps({"title": "市场监管指南", "body": "正文"}),
        content_type="application/json",
    ).json()
    assert art["department"] == "SJJ"
    client.logout()
    c = _client(client, "cgj")
    _error(c.get(f"/api/v1/kb/articles/{art['id']}"), 404, "not_found")
    assert c.get("/api/v1/kb/articles").json()["count"] == 0


def test_flag_through_the_api(client, city, published) -> None:
    r = _client(client, "agent").post(
        f"/api/v1/kb/articles/{published.pk}/flags",
        json.dumps({"kind": "wrong", "note": "电话已变更"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["state"] == "open"
