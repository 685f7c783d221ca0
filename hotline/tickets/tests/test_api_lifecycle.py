"""A client that knows only the OpenAPI document walks tickets through 接诉即办, one role's token at a time."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction

from hotline.tickets.models import Ticket
from hotline.tickets.tests.api_helpers import (  # noqa: F401 - fixtures
    ApiClient,
    _clean_login_counters,
    api_fixture,
    assert_error,
    create_body,
)
from hotline.tickets.workflow import CITIZEN, SYSTEM, TRANSITIONS

ACTION_PATH = re.compile(r"^/api/v1/tickets/\{number\}/([a-z-]+)$")
# Every lifecycle action the API must expose, by the path suffix a client would look for.
ACTION_SUFFIXES = {
    "submit",
    "answer",
    "dispatch",
    "redispatch",
    "acknowledge",
    "subdispatch",
    "assist-reply",
    "reply",
    "review",
    "visit",
    "reopen",
    "return-request",
    "return-decision",
    "extension-request",
    "extension-decision",
    "urge",
    "supervise",
    "merge",
    "unmerge",
    "invalidate",
    "archive",
}


class SchemaClient:
    """Finds endpoints and request shapes in GET /api/v1/schema, then calls them as the given user."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        r = api.client.get("/api/v1/schema")
        assert r.status_code == 200
        assert r["Content-Type"].startswith("application/json")
        self.doc: dict[str, Any] = r.json()
        self.actions: dict[str, str] = {}
        for path, ops in self.doc["paths"].items():
            m = ACTION_PATH.match(path)
            if m and "post" in ops:
                self.actions[m.group(1)] = path

    def op(self, method: str, path: str) -> dict[str, Any]:
        return self.doc["paths"][path][method]

    def path_by_summary(self, method: str, fragment: str) -> str:
        found = [
            p for p, ops in self.doc["paths"].items() if fragment in ops.get(method, {}).get("summary", "")
        ]
        assert len(found) == 1, (fragment, found)
        return found[0]

    def _schema(self, ref_or_schema: dict[str, Any]) -> dict[str, Any]:
        ref = ref_or_schema.get("$ref")
        if ref is None:
            return ref_or_schema
        name = ref.rsplit("/", 1)[-1]
        return self.doc["components"]["schemas"][name]

    def required_fields(self, method: str, path: str) -> set[str]:
        body = self.op(method, path).get("requestBody")
        if body is None:
            return set()
        schema = self._schema(body["content"]["application/json"]["schema"])
        return set(schema.get("required", []))

    def body_fields(self, method: str, path: str) -> set[str]:
        body = self.op(method, path).get("requestBody")
        if body is None:
            return set()
        return set(self._schema(body["content"]["application/json"]["schema"]).get("properties", {}))

    def act(self, suffix: str, number: str, user: Any, **body: Any) -> Any:
        """POST an action, checking the body against the document first, as a generated client would."""
        path = self.actions[suffix]
        missing = self.required_fields("post", path) - set(body)
        assert not missing, f"{suffix}: the document requires {missing}"
        unknown = set(body) - self.body_fields("post", path)
        assert not unknown, f"{suffix}: the document does not know {unknown}"
        return self.api.post(path.replace("{number}", number), body, user)

    def ok(self, suffix: str, number: str, user: Any, **body: Any) -> dict[str, Any]:
        r = self.act(suffix, number, user, **body)
        assert r.status_code == 200, (suffix, r.status_code, r.content.decode()[:500])
        return r.json()

    def create(self, user: Any, **body: Any) -> dict[str, Any]:
        path = self.path_by_summary("post", "新建工单")
        r = self.api.post(path, create_body(**body), user)
        assert r.status_code == 201, r.content
        return r.json()

    def detail(self, number: str, user: Any) -> dict[str, Any]:
        r = self.api.get(self.path_by_summary("get", "工单详情").replace("{number}", number), user)
        assert r.status_code == 200, r.content
        return r.json()

    def events(self, number: str, user: Any) -> list[dict[str, Any]]:
        r = self.api.get(self.path_by_summary("get", "工单事件").replace("{number}", number), user)
        assert r.status_code == 200, r.content
        return r.json()


@pytest.fixture
def sc(api: ApiClient) -> SchemaClient:
    return SchemaClient(api)


def test_schema_is_openapi_3_with_bearer_auth_and_every_action(sc):
    doc = sc.doc
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    assert set(sc.actions) >= ACTION_SUFFIXES
    for suffix in ACTION_SUFFIXES:
        path = sc.actions[suffix]
        op = sc.op("post", path)
        assert op["summary"], path
        assert op["security"], path
        assert {"200", "400", "401", "403", "404", "409"} <= set(op["responses"]), path
        error = op["responses"]["409"]["content"]["application/json"]["schema"]
        assert set(sc._schema(error)["required"]) == {"code", "message", "errors"}
    token_op = sc.op("post", "/api/v1/auth/token")
    assert not token_op.get("security")
    assert {"200", "401", "429"} <= set(token_op["responses"])


def test_schema_documents_upload_and_download_of_attachments(sc):
    upload = sc.op("post", "/api/v1/tickets/{number}/attachments")
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "201" in upload["responses"]
    download = sc.op("get", sc.path_by_summary("get", "下载附件"))
    content = download["responses"]["200"]["content"]
    assert content["application/octet-stream"]["schema"]["format"] == "binary"
    assert "404" in download["responses"]


def test_schema_documents_the_version_field_and_required_inputs(sc):
    assert "version" in sc.body_fields("post", sc.actions["dispatch"])
    assert sc.required_fields("post", sc.actions["dispatch"]) == {"lead"}
    assert sc.required_fields("post", sc.actions["visit"]) == {"result"}
    assert sc.required_fields("post", sc.actions["merge"]) == {"parent"}
    create = sc.path_by_summary("post", "新建工单")
    assert sc.required_fields("post", create) == {"title", "content"}
    assert "Idempotency-Key" in sc.op("post", create)["description"]


def test_ticket_goes_from_intake_to_archive_through_the_api(sc, city):
    t = sc.create(city.agent, submit=False)
    n = t["number"]
    assert t["status"] == "draft" and t["version"] == 1
    assert "dispatch" in t["allowed_actions"]

    t = sc.ok("dispatch", n, city.agent, lead="DCQ", assists=["CGJ"], note="请东城区办理", version=1)
    assert t["status"] == "dispatched" and t["lead_department"] == "DCQ"
    assert t["due_at"] is not None and t["version"] == 2
    assert {(a["department"], a["role"]) for a in t["assignments"]} == {("DCQ", "lead"), ("CGJ", "assist")}

    t = sc.ok("acknowledge", n, city.district_handler, version=t["version"])
    assert t["status"] == "acknowledged"
    t = sc.ok("subdispatch", n, city.district_handler, department="DCQ-DH", version=t["version"])
    assert ("DCQ-DH", 2) in {(a["department"], a["level"]) for a in t["assignments"]}
    t = sc.ok("assist-reply", n, city.bureau_handler, reply="已配合现场查看。", version=t["version"])
    assert t["status"] == "acknowledged"
    t = sc.ok("reply", n, city.street_handler, reply="已更换路灯灯泡，恢复照明。", version=t["version"])
    assert t["status"] == "replied" and t["completing_department"] == "DCQ"
    t = sc.ok("review", n, city.reviewer, approve=True, version=t["version"])
    assert t["status"] == "pending_visit"
    t = sc.ok("visit", n, city.visitor, result="satisfied", version=t["version"])
    assert t["status"] == "closed" and t["visit_result"] == "satisfied" and t["closed_at"]
    t = sc.ok("archive", n, city.supervisor, version=t["version"])
    assert t["status"] == "archived"

    events = sc.events(n, city.supervisor)
    assert [e["seq"] for e in events] == list(range(1, t["version"] + 1))
    assert [e["action"] for e in events] == [
        "create",
        "dispatch",
        "acknowledge",
        "subdispatch",
        "assist_reply",
        "reply",
        "review_approve",
        "visit",
        "archive",
    ]
    assert events[5]["actor_department"] == "DCQ-DH" and events[5]["actor_role"] == "dept_handler"
    assert all(e["to_status"] for e in events)


def test_return_request_then_decision(sc, city):
    n = sc.create(city.agent, submit=True)["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="CGJ")

    t = sc.ok("return-request", n, city.bureau_handler, reason="不属于本单位职责", legal_basis="三定方案")
    assert t["status"] == "return_pending" and t["paused"] is True
    t = sc.ok("return-decision", n, city.dispatcher, approve=False, note="属于城管职责，请继续办理")
    assert t["status"] == "dispatched" and t["paused"] is False and t["return_count"] == 0

    sc.ok("return-request", n, city.bureau_handler, reason="确属区级事权")
    t = sc.ok("return-decision", n, city.dispatcher, approve=True)
    assert t["status"] == "pending_dispatch" and t["return_count"] == 1
    assert t["lead_department"] is None
    assert not any(a["active"] for a in t["assignments"])
    assert "reply" not in sc.detail(n, city.bureau_handler)["allowed_actions"]  # history stays visible
    assert_error(sc.act("reply", n, city.bureau_handler, reply="x"), 409, "invalid_transition")
    t = sc.ok("dispatch", n, city.dispatcher, lead="DCQ")
    assert t["status"] == "dispatched" and t["first_department"] == "CGJ"


def test_extension_request_then_decision_moves_the_deadline(sc, city):
    n = sc.create(city.agent, submit=True, type="complaint")["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="CGJ")
    t = sc.ok("acknowledge", n, city.bureau_handler)
    due_before = datetime.fromisoformat(t["due_at"])
    budget_before = t["budget"]

    t = sc.ok("extension-request", n, city.bureau_handler, days=5, reason="需协调管线单位施工")
    assert t["status"] == "extension_pending" and t["paused"] is True
    t = sc.ok("extension-decision", n, city.reviewer, approve=True, note="同意延期")

    assert t["status"] == "acknowledged" and t["paused"] is False
    assert t["budget"] == budget_before + 5
    assert datetime.fromisoformat(t["due_at"]) > due_before
    decided = sc.events(n, city.reviewer)[-1]
    assert decided["action"] == "extension_approve" and decided["data"]["days"] == 5
    assert decided["data"]["old_due_at"] != decided["data"]["due_at"]

    sc.ok("extension-request", n, city.bureau_handler, days=3, reason="再次申请")
    t = sc.ok("extension-decision", n, city.reviewer, approve=False, note="理由不充分")
    assert t["budget"] == budget_before + 5


def test_urge_and_supervise(sc, city):
    n = sc.create(city.agent, submit=True)["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="CGJ")

    t = sc.ok("urge", n, city.dispatcher, note="请尽快签收")
    assert t["urge_count"] == 1
    t = sc.ok("supervise", n, city.supervisor, on=True, note="市领导关注")
    assert t["supervised"] is True
    t = sc.ok("supervise", n, city.supervisor, on=False)
    assert t["supervised"] is False
    assert [e["action"] for e in sc.events(n, city.supervisor)][-3:] == ["urge", "supervise", "supervise"]


def test_merge_and_unmerge(sc, city):
    parent = sc.create(city.agent, submit=True, title="幸福路路灯不亮")["number"]
    child = sc.create(city.agent, submit=True, title="幸福路路灯坏了")["number"]

    t = sc.ok("merge", child, city.agent, parent=parent, note="同一路灯")
    assert t["status"] == "merged" and t["parent"] == parent
    assert sc.detail(parent, city.agent)["merged_children"] == [child]
    assert "unmerge" not in t["allowed_actions"]  # agents may merge, not undo
    assert_error(sc.act("unmerge", child, city.agent), 403, "forbidden")

    t = sc.ok("unmerge", child, city.dispatcher, note="并错了")
    assert t["status"] == "pending_dispatch" and t["parent"] is None
    assert sc.detail(parent, city.agent)["merged_children"] == []


def test_invalidate_and_answer(sc, city):
    junk = sc.create(city.agent)["number"]
    t = sc.ok("invalidate", junk, city.agent, reason="骚扰电话")
    assert t["status"] == "invalid" and t["close_reason"] == "骚扰电话"

    asked = sc.create(city.agent, type="consultation")["number"]
    t = sc.ok("answer", asked, city.agent, answer="公积金提取可在线办理，详见热线百科。")
    assert t["status"] == "answered" and t["closed_at"]
    assert sc.ok("archive", asked, city.supervisor)["status"] == "archived"


def test_unsatisfied_visit_reopens_to_the_completing_department(sc, city):
    n = sc.create(city.agent, submit=True)["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="CGJ")
    sc.ok("acknowledge", n, city.bureau_handler)
    sc.ok("reply", n, city.bureau_handler, reply="已处理")
    sc.ok("review", n, city.reviewer, approve=True)

    t = sc.ok("visit", n, city.visitor, result="unsatisfied", note="路灯仍不亮")

    assert t["status"] == "dispatched" and t["reopen_count"] == 1 and t["lead_department"] == "CGJ"


# Which endpoint and body exercise each row of the transition table.
def _calls(other: str) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "submit": ("submit", {}),
        "answer": ("answer", {"answer": "已答复"}),
        "dispatch": ("dispatch", {"lead": "CGJ"}),
        "redispatch": ("redispatch", {"lead": "SJJ", "note": "改派市场监管"}),
        "acknowledge": ("acknowledge", {}),
        "subdispatch": ("subdispatch", {"department": "DCQ-DH"}),
        "assist_reply": ("assist-reply", {"reply": "协办意见"}),
        "reply": ("reply", {"reply": "已办结"}),
        "return_request": ("return-request", {"reason": "非本单位职责"}),
        "return_approve": ("return-decision", {"approve": True}),
        "return_reject": ("return-decision", {"approve": False, "note": "驳回"}),
        "extension_request": ("extension-request", {"days": 2, "reason": "需要时间"}),
        "extension_approve": ("extension-decision", {"approve": True}),
        "extension_reject": ("extension-decision", {"approve": False, "note": "驳回"}),
        "review_approve": ("review", {"approve": True}),
        "review_reject": ("review", {"approve": False, "note": "请补充"}),
        "visit": ("visit", {"result": "satisfied"}),
        "reopen": ("reopen", {"reason": "不满意"}),
        "urge": ("urge", {}),
        "supervise": ("supervise", {"on": True, "note": "督办"}),
        "merge": ("merge", {"parent": other}),
        "unmerge": ("unmerge", {}),
        "invalidate": ("invalidate", {"reason": "测试"}),
        "archive": ("archive", {}),
    }


def _check_allowed_actions_match(sc: SchemaClient, number: str, other: str, users: list[Any]) -> None:
    """For each user: every action listed in allowed_actions succeeds, every other one is refused."""
    calls = _calls(other)
    # Every move staff can make has an endpoint here; the rest belong to the portal or the job runner.
    for action in set(TRANSITIONS) - set(calls):
        assert TRANSITIONS[action].roles <= {CITIZEN, SYSTEM}, action
    for user in users:
        allowed = set(sc.detail(number, user)["allowed_actions"])
        assert allowed <= set(TRANSITIONS)
        for action, (suffix, body) in calls.items():
            with transaction.atomic():
                r = sc.act(suffix, number, user, **body)
                transaction.set_rollback(True)
            if action in allowed:
                assert r.status_code == 200, (user.username, action, r.content.decode()[:300])
            elif action == "merge" and user.is_department_user:
                # The parent named in the body lies outside the department's scope: it "does not exist".
                assert r.status_code == 404, (user.username, r.content)
            else:
                assert r.status_code in (403, 409), (user.username, action, r.status_code, r.content)


def test_allowed_actions_match_what_each_user_may_do_when_dispatched(sc, city):
    other = sc.create(city.agent, submit=True)["number"]
    n = sc.create(city.agent, submit=True)["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="DCQ", assists=["CGJ"])

    assert set(sc.detail(n, city.district_handler)["allowed_actions"]) == {"acknowledge", "return_request"}
    assert set(sc.detail(n, city.bureau_handler)["allowed_actions"]) == {"assist_reply"}
    assert sc.detail(n, city.analyst)["allowed_actions"] == []
    _check_allowed_actions_match(
        sc,
        n,
        other,
        [
            city.agent,
            city.dispatcher,
            city.supervisor,
            city.district_handler,
            city.bureau_handler,
            city.analyst,
        ],
    )
    assert Ticket.objects.get(number=n).status == "dispatched"


def test_allowed_actions_match_what_each_user_may_do_when_acknowledged(sc, city):
    other = sc.create(city.agent, submit=True)["number"]
    n = sc.create(city.agent, submit=True, type="complaint")["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="DCQ")
    sc.ok("acknowledge", n, city.district_handler)

    assert {"reply", "subdispatch", "extension_request", "return_request"} <= set(
        sc.detail(n, city.district_handler)["allowed_actions"]
    )
    _check_allowed_actions_match(sc, n, other, [city.reviewer, city.visitor, city.district_handler])


def test_users_outside_the_assigned_tree_do_not_see_the_ticket(sc, city):
    n = sc.create(city.agent, submit=True)["number"]
    sc.ok("dispatch", n, city.dispatcher, lead="DCQ")

    for user in (city.street_handler, city.other_street_handler, city.other_handler):
        r = sc.api.get(f"/tickets/{n}", user)
        assert_error(r, 404, "not_found")
