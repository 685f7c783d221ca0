"""Bad input, wrong people and wrong moments: a structured refusal every time, and nothing changed."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.tickets import services as svc
from hotline.tickets.models import Attachment, Ticket
from hotline.tickets.tests.api_helpers import (  # noqa: F401 - fixtures
    _clean_login_counters,
    api_fixture,
    assert_error,
    create_body,
    dispatched_ticket,
    png_bytes,
    unchanged,
)
from hotline.tickets.tests.factories import make_ticket


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _field_errors(body: dict[str, Any]) -> dict[str, str]:
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert all(_chinese(m) for m in errors.values()), errors
    return errors


# --- Creating a ticket -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "路灯不亮"}, "title"),
        ({"title": "路灯不亮"}, "content"),
        (create_body(title=12345), "title"),
        (create_body(title=["路灯", "不亮"]), "title"),
        (create_body(content={"text": "x"}), "content"),
        (create_body(submit="maybe"), "submit"),
        (create_body(citizen="13912345678"), "citizen"),
        (create_body(citizen={"phone": 13912345678}), "citizen.phone"),
        (create_body(external_refs=["SJ1"]), "external_refs"),
        (create_body(latitude="north"), "latitude"),
    ],
)
def test_create_with_missing_or_mistyped_fields_is_400_per_field(api, city, body, field):
    with unchanged():
        r = api.post("/tickets", body, city.agent)

    errors = _field_errors(assert_error(r, 400, "invalid"))
    assert field in errors


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"content": "长" * 100_000}, "content"),
        ({"title": "标" * 201}, "title"),
        ({"title": "   "}, "title"),
        ({"type": "rant"}, "type"),
        ({"urgency": "asap"}, "urgency"),
        ({"hotline": "10086"}, "hotline"),
        ({"channel": "pigeon"}, "channel"),
        ({"citizen": {"phone": "call me"}}, "citizen_phone"),
        ({"citizen": {"id_number": "12345"}}, "citizen_id_number"),
        ({"latitude": 91}, "latitude"),
        ({"external_refs": {"mars": "X1"}}, "external_refs"),
        ({"category": "NO-SUCH-CATEGORY"}, "category"),
        ({"district": "NO-SUCH-DEPT"}, "district"),
        ({"street": "NO-SUCH-DEPT"}, "street"),
    ],
)
def test_create_with_invalid_values_is_400_with_a_chinese_field_message(api, city, override, field):
    with unchanged():
        r = api.post("/tickets", create_body(**override), city.agent)

    errors = _field_errors(assert_error(r, 400, "invalid"))
    assert field in errors


def test_over_long_content_names_the_limit_and_the_actual_length(api, city):
    r = api.post("/tickets", create_body(content="长" * 100_000), city.agent)

    message = _field_errors(r.json())["content"]
    assert "10000" in message and "100000" in message


@pytest.mark.parametrize("raw", ["{not json", '{"title": "x",}', "\x00\x01", '{"title": "路灯'])
def test_malformed_json_is_400_structured(api, city, raw):
    with unchanged():
        r = api.post("/tickets", raw=raw, user=city.agent)

    body = assert_error(r, 400, "invalid")
    assert body["errors"] and body["errors"][0]["field"] == "body"


@pytest.mark.parametrize("raw", ["[]", '"a string"', "42", "null"])
def test_json_that_is_not_an_object_is_400(api, city, raw):
    with unchanged():
        r = api.post("/tickets", raw=raw, user=city.agent)

    assert_error(r, 400, "invalid")


def test_body_above_the_upload_limit_is_413_structured(api, city, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000

    with unchanged():
        r = api.post("/tickets", create_body(content="长" * 3_000), city.agent)

    assert_error(r, 413, "too_large")


def test_action_body_above_the_upload_limit_is_413_and_changes_nothing(api, city, settings):
    t = dispatched_ticket(city)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000

    with unchanged():
        r = api.post(f"/tickets/{t.number}/urge", {"note": "催" * 3_000}, city.dispatcher)

    assert_error(r, 413, "too_large")


@pytest.mark.parametrize("role", ["analyst", "qa", "hr", "admin", "reviewer", "visitor", "district_handler"])
def test_roles_that_do_not_take_requests_in_cannot_create_tickets(api, city, role):
    with unchanged():
        r = api.post("/tickets", create_body(), getattr(city, role))

    assert_error(r, 403, "forbidden")


# --- Lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=1000", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("created_from=yesterday", "created_from"),
        ("created_to=2026-02-30", "created_to"),
        ("overdue=perhaps", "overdue"),
        ("status=nonsense", "status"),
        ("department=NO-SUCH-DEPT", "department"),
    ],
)
def test_list_with_bad_query_is_400_per_field(api, city, query, field):
    r = api.get(f"/tickets?{query}", city.agent)

    errors = _field_errors(assert_error(r, 400, "invalid"))
    assert field in errors


# --- Actions: unknown, forbidden, wrong state, stale ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "/events"), ("get", "/citizen"), ("post", "/urge"), ("post", "/dispatch")],
)
def test_unknown_ticket_number_is_404_structured(api, city, method, suffix):
    path = f"/tickets/2099010199999{suffix}"
    with unchanged():
        r = (
            api.get(path, city.supervisor)
            if method == "get"
            else api.post(path, {"lead": "DCQ"}, city.supervisor)
        )

    assert_error(r, 404, "not_found")


@pytest.mark.parametrize(
    ("user", "suffix", "body"),
    [
        ("agent", "answer", {"answer": "已答复"}),  # agents may answer, but not once it is dispatched
        ("agent", "dispatch", {"lead": "CGJ"}),
        ("agent", "invalidate", {"reason": "测试"}),
        ("supervisor", "archive", {}),
        ("district_handler", "reply", {"reply": "已办结"}),  # must sign for it first
        ("district_handler", "extension-request", {"days": 2, "reason": "需要时间"}),
        ("reviewer", "review", {"approve": True}),
        ("visitor", "visit", {"result": "satisfied"}),
        ("dispatcher", "return-decision", {"approve": True}),
        ("dispatcher", "unmerge", {}),
    ],
)
def test_action_not_allowed_in_the_current_state_is_409(api, city, user, suffix, body):
    t = dispatched_ticket(city)

    with unchanged():
        r = api.post(f"/tickets/{t.number}/{suffix}", body, getattr(city, user))

    assert_error(r, 409, "invalid_transition")


@pytest.mark.parametrize(
    ("user", "suffix", "body"),
    [
        ("agent", "redispatch", {"lead": "CGJ", "note": "改派"}),
        ("agent", "urge", {}),
        ("analyst", "urge", {}),
        ("qa", "supervise", {"on": True, "note": "督办"}),
        ("dispatcher", "supervise", {"on": True, "note": "督办"}),
        ("reviewer", "acknowledge", {}),
        ("visitor", "redispatch", {"lead": "CGJ", "note": "改派"}),
        ("hr", "return-request", {"reason": "x"}),
        ("district_handler", "urge", {}),
        ("district_handler", "redispatch", {"lead": "CGJ", "note": "改派"}),
    ],
)
def test_action_by_a_role_without_the_right_is_403(api, city, user, suffix, body):
    t = dispatched_ticket(city)

    with unchanged():
        r = api.post(f"/tickets/{t.number}/{suffix}", body, getattr(city, user))

    assert_error(r, 403, "forbidden")


def test_assisting_department_cannot_take_the_lead_departments_actions(api, city):
    t = make_ticket(by=city.agent, submit=True)
    t = svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.district, assists=[city.bureau])

    with unchanged():
        r = api.post(f"/tickets/{t.number}/acknowledge", {}, city.bureau_handler)

    assert_error(r, 403, "forbidden")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("get", "/events", None),
        ("get", "/citizen", None),
        ("post", "/acknowledge", {}),
        ("post", "/return-request", {"reason": "不是我们的"}),
        ("post", "/assist-reply", {"reply": "x"}),
    ],
)
def test_department_cannot_see_other_departments_tickets(api, city, method, suffix, body):
    t = dispatched_ticket(city, lead=city.bureau)

    for user in (city.other_handler, city.district_handler, city.street_handler):
        path = f"/tickets/{t.number}{suffix}"
        with unchanged():
            r = api.get(path, user) if method == "get" else api.post(path, body, user)
        body_out = assert_error(r, 404, "not_found")
        assert body_out == api.get("/tickets/2099010199999", user).json() | {
            "message": body_out["message"]
        }  # same shape as a number that does not exist
    listed = api.get("/tickets", city.other_handler).json()
    assert listed["count"] == 0 and listed["results"] == []


def test_street_does_not_see_district_work_until_passed_down(api, city):
    t = dispatched_ticket(city)

    assert_error(api.get(f"/tickets/{t.number}", city.street_handler), 404, "not_found")
    svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)

    assert api.get(f"/tickets/{t.number}", city.street_handler).status_code == 200
    assert_error(api.get(f"/tickets/{t.number}", city.other_street_handler), 404, "not_found")


def test_stale_version_is_409_conflict(api, city):
    t = dispatched_ticket(city)
    seen = t.version
    svc.ticket_urge(ticket=t, by=city.dispatcher, note="先催一次")

    with unchanged():
        r = api.post(f"/tickets/{t.number}/acknowledge", {"version": seen}, city.district_handler)

    assert_error(r, 409, "conflict")
    r = api.post(f"/tickets/{t.number}/acknowledge", {"version": seen + 1}, city.district_handler)
    assert r.status_code == 200 and r.json()["version"] == seen + 2


@pytest.mark.parametrize(
    ("user", "suffix", "body", "field"),
    [
        ("dispatcher", "redispatch", {"lead": "NO-SUCH"}, "lead"),
        ("dispatcher", "redispatch", {"lead": "CGJ", "assists": ["NO-SUCH"], "note": "x"}, "assists"),
        ("dispatcher", "redispatch", {"lead": "CENTRE", "note": "x"}, "lead"),
        ("dispatcher", "redispatch", {"lead": "CGJ", "assists": ["CGJ"], "note": "x"}, "assists"),
        ("dispatcher", "redispatch", {"lead": "CGJ"}, "note"),
        ("dispatcher", "urge", {"note": "催" * 5001}, "note"),
        ("dispatcher", "urge", {"version": "latest"}, "version"),
        ("supervisor", "supervise", {"on": "yes please", "note": "x"}, "on"),
        ("supervisor", "supervise", {"on": True}, "note"),
        ("district_handler", "return-request", {"reason": ""}, "reason"),
        ("district_handler", "return-request", {}, "reason"),
    ],
)
def test_action_with_bad_input_is_400_and_changes_nothing(api, city, user, suffix, body, field):
    t = dispatched_ticket(city)

    with unchanged():
        r = api.post(f"/tickets/{t.number}/{suffix}", body, getattr(city, user))

    errors = _field_errors(assert_error(r, 400, "invalid"))
    assert field in errors


def test_bad_input_on_acknowledged_ticket_changes_nothing(api, city):
    t = dispatched_ticket(city)
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    cases = [
        ("extension-request", {"days": 0, "reason": "x"}, "days"),
        ("extension-request", {"days": 31, "reason": "x"}, "days"),
        ("extension-request", {"days": "two", "reason": "x"}, "days"),
        ("subdispatch", {"department": "CGJ"}, "department"),  # not below the district
        ("subdispatch", {"department": "DCQ"}, "department"),  # itself
        ("subdispatch", {"department": "NO-SUCH"}, "department"),
        ("reply", {"reply": "   "}, "reply"),
    ]
    for suffix, body, field in cases:
        with unchanged():
            r = api.post(f"/tickets/{t.number}/{suffix}", body, city.district_handler)
        assert field in _field_errors(assert_error(r, 400, "invalid")), (suffix, body)


def test_visit_with_unknown_result_is_400(api, city):
    t = dispatched_ticket(city)
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    t = svc.ticket_reply(ticket=t, by=city.district_handler, reply="已修复")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)

    with unchanged():
        r = api.post(f"/tickets/{t.number}/visit", {"result": "meh"}, city.visitor)
        r2 = api.post(f"/tickets/{t.number}/visit", {"result": "unsatisfied"}, city.visitor)  # needs a note

    assert "result" in _field_errors(assert_error(r, 400, "invalid"))
    assert "note" in _field_errors(assert_error(r2, 400, "invalid"))


def test_merge_into_itself_or_an_unknown_ticket_is_refused(api, city):
    t = make_ticket(by=city.agent, submit=True)

    with unchanged():
        itself = api.post(f"/tickets/{t.number}/merge", {"parent": t.number}, city.agent)
        unknown = api.post(f"/tickets/{t.number}/merge", {"parent": "2099010199999"}, city.agent)

    assert "parent" in _field_errors(assert_error(itself, 400, "invalid"))
    assert_error(unknown, 404, "not_found")


# --- Attachments ---------------------------------------------------------------------------------


def _upload(api, number: str, user, name: str, data: bytes):
    return api.upload(f"/tickets/{number}/attachments", {"file": SimpleUploadedFile(name, data)}, user)


def _media_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files] if os.path.isdir(root) else []


def test_real_png_is_stored_and_downloadable_by_permitted_users_only(api, city, settings):
    t = dispatched_ticket(city)
    data = png_bytes(4, 3)

    r = _upload(api, t.number, city.district_handler, "现场照片.png", data)

    assert r.status_code == 201, r.content
    att = r.json()
    assert att["name"] == "现场照片.png" and att["size"] == len(data)
    assert att["content_type"] == "image/png" and len(att["sha256"]) == 64
    t.refresh_from_db()
    assert t.events.order_by("-seq").first().action == "attach"
    url = f"/tickets/{t.number}/attachments/{att['id']}"
    for user in (city.district_handler, city.agent, city.supervisor):
        got = api.get(url, user)
        assert got.status_code == 200
        assert b"".join(got.streaming_content) == data
        assert got["Content-Type"] == "image/png"
        assert "attachment" in got["Content-Disposition"]
    for user in (city.other_handler, city.bureau_handler, city.street_handler):
        assert_error(api.get(url, user), 404, "not_found")
    other = dispatched_ticket(city)
    assert_error(api.get(f"/tickets/{other.number}/attachments/{att['id']}", city.agent), 404, "not_found")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("photo.jpg", b"just some text, not a photo at all", "disguised_file"),
        ("x.pdf", png_bytes(), "disguised_file"),
        ("scan.png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "disguised_file"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "invalid"),
        ("photo.jpg.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "invalid"),
        ("noextension", png_bytes(), "invalid"),
        ("archive.zip", b"PK\x03\x04\x14\x00\x00\x00", "invalid"),
        ("empty.png", b"", "invalid"),
    ],
)
def test_disguised_or_forbidden_files_are_refused(api, city, settings, name, data, code):
    t = dispatched_ticket(city)

    with unchanged():
        r = _upload(api, t.number, city.district_handler, name, data)

    assert "file" in _field_errors(assert_error(r, 400, code))
    assert _media_files(settings) == []


def test_oversized_attachment_is_refused(api, city, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    t = dispatched_ticket(city)
    big = png_bytes() + b"\x00" * (1024 * 1024)

    with unchanged():
        r = _upload(api, t.number, city.agent, "big.png", big)

    body = assert_error(r, 400, "too_large")
    assert "1 MB" in body["message"]
    assert _media_files(settings) == []


def test_attachment_to_another_departments_ticket_is_404(api, city, settings):
    t = dispatched_ticket(city, lead=city.bureau)

    with unchanged():
        r = _upload(api, t.number, city.other_handler, "p.png", png_bytes())

    assert_error(r, 404, "not_found")
    assert not Attachment.objects.exists()


def test_attachment_to_an_archived_ticket_is_409(api, city):
    t = make_ticket(by=city.agent)
    t = svc.ticket_answer(ticket=t, by=city.agent, answer="已答复")
    t = svc.ticket_archive(ticket=t, by=city.supervisor)

    with unchanged():
        r = _upload(api, t.number, city.agent, "p.png", png_bytes())

    assert_error(r, 409, "invalid_transition")


def test_upload_without_a_file_is_400(api, city):
    t = dispatched_ticket(city)

    with unchanged():
        r = api.upload(f"/tickets/{t.number}/attachments", {"other": "x"}, city.agent)

    assert "file" in _field_errors(assert_error(r, 400, "invalid"))


def test_refusals_never_touch_the_ticket(api, city):
    """A sweep: many refused requests in a row leave the ticket exactly as it was."""
    t = dispatched_ticket(city)
    before = Ticket.objects.get(pk=t.pk)
    attempts = [
        (city.agent, "answer", {"answer": "x"}),
        (city.analyst, "urge", {}),
        (city.other_handler, "acknowledge", {}),
        (city.district_handler, "acknowledge", {"version": 1}),
        (city.district_handler, "reply", {"reply": "x"}),
        (city.dispatcher, "redispatch", {"lead": "NOPE", "note": "x"}),
    ]
    with unchanged():
        for user, suffix, body in attempts:
            assert api.post(f"/tickets/{t.number}/{suffix}", body, user).status_code >= 400
    after = Ticket.objects.get(pk=t.pk)
    assert (after.version, after.status, after.due_at, after.urge_count, after.updated_at) == (
        before.version,
        before.status,
        before.due_at,
        before.urge_count,
        before.updated_at,
    )


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/tickets/2026/extra/path"])
def test_unknown_api_path_is_a_structured_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert "接口不存在" in response.json()["message"]


def test_wrong_method_is_a_structured_405(client):
    response = client.delete("/api/v1/categories")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
