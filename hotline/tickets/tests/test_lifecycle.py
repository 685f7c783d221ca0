"""The rest of 接诉即办: answer, return and redispatch, review, visits and reopen, merge, events, attachments."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest

from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed, ServiceError
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Attachment, Ticket, TicketEvent, TicketRequest
from hotline.tickets.services.lifecycle import REOPEN_MAX, VISIT_MAX_ATTEMPTS
from hotline.tickets.tests.drive import assert_events_gapless, drive, event_actions
from hotline.tickets.tests.factories import make_ticket

S = Ticket.Status
A = Assignment.State


def _assignments(t: Ticket) -> list[tuple[str, str, int, str, bool]]:
    return list(
        Assignment.objects.filter(ticket=t)
        .order_by("id")
        .values_list("department__code", "role", "level", "state", "active")
    )


# -- answer at first contact ----------------------------------------------------------------------


def test_answer_closes_the_ticket_at_first_contact(city):
    t = drive(city, S.DRAFT)
    t = svc.ticket_answer(ticket=t, by=city.agent, answer="办理居住证请携带身份证到派出所。")
    assert t.status == S.ANSWERED
    assert t.closed_at is not None and t.due_at is None
    assert not Assignment.objects.filter(ticket=t).exists()
    event = t.events.order_by("-seq").first()
    assert (event.action, event.note) == ("answer", "办理居住证请携带身份证到派出所。")
    assert not t.is_open


def test_answer_needs_text(city):
    t = drive(city, S.PENDING_DISPATCH)
    with pytest.raises(InvalidInput):
        svc.ticket_answer(ticket=t, by=city.agent, answer="   ")
    assert Ticket.objects.get(pk=t.pk).status == S.PENDING_DISPATCH


# -- return, redispatch, first and completing department ------------------------------------------


def test_return_approved_goes_back_to_dispatch_and_redispatch_tracks_first_and_completing(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    t = svc.ticket_return_request(
        ticket=t, by=city.bureau_handler, reason="不属本单位职责", legal_basis="《食品安全法》"
    )
    req = TicketRequest.objects.get(ticket=t)
    assert (req.kind, req.state, req.legal_basis) == ("return", "pending", "《食品安全法》")
    t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=True)
    assert (t.status, t.return_count, t.lead_department, t.paused_since) == (
        S.PENDING_DISPATCH,
        1,
        None,
        None,
    )
    req.refresh_from_db()
    assert (req.state, req.decided_by) == ("approved", city.dispatcher)
    assert _assignments(t) == [("CGJ", "lead", 1, A.RETURNED, False)]

    t = svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.other_bureau)
    t = svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.district, note="属地管理")
    assert t.first_department == city.bureau
    assert _assignments(t) == [
        ("CGJ", "lead", 1, A.RETURNED, False),
        ("SJJ", "lead", 1, A.WITHDRAWN, False),
        ("DCQ", "lead", 1, A.PENDING, True),
    ]
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    t = svc.ticket_reply(ticket=t, by=city.district_handler, reply="已处理。")
    assert (t.first_department, t.lead_department, t.completing_department) == (
        city.bureau,
        city.district,
        city.district,
    )
    assert_events_gapless(t)


def test_return_request_needs_a_reason_and_only_one_request_may_be_pending(city):
    t = drive(city, S.ACKNOWLEDGED)
    with pytest.raises(InvalidInput):
        svc.ticket_return_request(ticket=t, by=city.district_handler, reason="")
    t = svc.ticket_return_request(ticket=t, by=city.district_handler, reason="不属本单位职责")
    with pytest.raises(InvalidTransition):
        svc.ticket_extension_request(ticket=t, by=city.district_handler, days=2, reason="需要")
    with pytest.raises(InvalidInput):
        svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=False, note="")


def test_redispatch_needs_a_reason(city):
    t = drive(city, S.DISPATCHED)
    with pytest.raises(InvalidInput):
        svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.bureau, note="")


# -- review ---------------------------------------------------------------------------------------


def test_review_reject_sends_the_reply_back_with_its_reason(city):
    t = drive(city, S.REPLIED)
    with pytest.raises(InvalidInput):
        svc.ticket_review(ticket=t, by=city.reviewer, approve=False, note=" ")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=False, note="未说明维修时间")
    assert (t.status, t.replied_at) == (S.ACKNOWLEDGED, None)
    event = t.events.order_by("-seq").first()
    assert (event.action, event.note, event.from_status) == ("review_reject", "未说明维修时间", S.REPLIED)
    assert Assignment.objects.get(ticket=t, active=True).state == A.ACKNOWLEDGED
    t = svc.ticket_reply(ticket=t, by=city.district_handler, reply="已于周三修复。")
    assert t.status == S.REPLIED


def test_review_approve_goes_to_the_visit(city):
    t = svc.ticket_review(ticket=drive(city, S.REPLIED), by=city.supervisor, approve=True)
    assert (t.status, t.closed_at) == (S.PENDING_VISIT, None)


def test_no_callback_closes_at_review(city):
    t = drive(city, S.REPLIED, no_callback=True)
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    assert (t.status, t.close_reason) == (S.CLOSED, "诉求人不需回访")
    assert t.closed_at is not None


def test_ticket_without_a_phone_number_closes_at_review(city):
    t = drive(city, S.REPLIED, citizen_phone="")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    assert (t.status, t.close_reason) == (S.CLOSED, "无联系电话，无法回访")


# -- visit and reopen -----------------------------------------------------------------------------


def test_satisfied_visit_closes(city):
    t = svc.ticket_visit(ticket=drive(city, S.PENDING_VISIT), by=city.visitor, result="basically_satisfied")
    assert (t.status, t.visit_result) == (S.CLOSED, "basically_satisfied")


def test_visit_result_must_be_known_and_unsatisfied_needs_a_note(city):
    t = drive(city, S.PENDING_VISIT)
    with pytest.raises(InvalidInput):
        svc.ticket_visit(ticket=t, by=city.visitor, result="happy")
    with pytest.raises(InvalidInput):
        svc.ticket_visit(ticket=t, by=city.visitor, result="unsatisfied")


def _to_visit_again(city: Any, t: Ticket) -> Ticket:
    handler = city.district_handler
    t = svc.ticket_acknowledge(ticket=t, by=handler)
    t = svc.ticket_reply(ticket=t, by=handler, reply="再次处理。")
    return svc.ticket_review(ticket=t, by=city.reviewer, approve=True)


def test_unsatisfied_visit_reopens_to_the_completing_department_until_the_limit(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    t = svc.ticket_reply(ticket=t, by=city.street_handler, reply="已修复。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    for n in range(1, REOPEN_MAX + 1):
        t = svc.ticket_visit(ticket=t, by=city.visitor, result="unsatisfied", note="路灯仍不亮")
        assert (t.status, t.reopen_count, t.visit_result) == (S.DISPATCHED, n, "")
        active = Assignment.objects.filter(ticket=t, active=True)
        assert [(a.department, a.role, a.level, a.state) for a in active] == [
            (city.district, "lead", 1, A.PENDING)
        ]
        assert t.clock_started_at is not None and t.due_at is not None
        assert t.events.order_by("-seq").first().data["reopened"] is True
        t = _to_visit_again(city, t)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unsatisfied", note="还是不亮")
    assert (t.status, t.visit_result, t.reopen_count) == (S.CLOSED, "unsatisfied", REOPEN_MAX)
    assert t.close_reason == f"不满意，已重办 {REOPEN_MAX} 次"
    assert_events_gapless(t)


def test_unreachable_three_times_closes_with_a_reason(city):
    t = drive(city, S.PENDING_VISIT)
    for attempt in range(1, VISIT_MAX_ATTEMPTS):
        t = svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
        assert (t.status, t.events.order_by("-seq").first().data["attempt"]) == (S.PENDING_VISIT, attempt)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    assert (t.status, t.visit_result) == (S.CLOSED, "unreachable")
    assert t.close_reason == f"回访 {VISIT_MAX_ATTEMPTS} 次未联系上"


def test_each_visit_round_after_a_reopen_gets_its_own_attempts(city):
    t = drive(city, S.PENDING_VISIT)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unsatisfied", note="没修好")
    t = _to_visit_again(city, t)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="unreachable")
    assert t.status == S.PENDING_VISIT
    assert t.events.order_by("-seq").first().data["attempt"] == 1


def test_reopen_of_a_closed_ticket_needs_a_reason_and_restarts_the_clock(city):
    t = drive(city, S.CLOSED, lead=city.bureau)
    with pytest.raises(InvalidInput):
        svc.ticket_reopen(ticket=t, by=city.supervisor, reason="")
    t = svc.ticket_reopen(ticket=t, by=city.supervisor, reason="市民再次来电反映")
    assert (t.status, t.reopen_count, t.closed_at, t.visit_result) == (S.DISPATCHED, 1, None, "")
    assert t.lead_department == city.bureau
    assert Assignment.objects.filter(ticket=t, active=True).count() == 1


# -- merge ----------------------------------------------------------------------------------------


def test_merge_withdraws_assignments_and_unmerge_restores_them(city):
    t = drive(city, S.DISPATCHED, lead=city.bureau, assists=[city.other_bureau])
    parent = drive(city, S.PENDING_DISPATCH, title="同一问题的首次来电")
    before = _assignments(t)
    due = t.due_at
    t = svc.ticket_merge(ticket=t, by=city.dispatcher, parent=parent, note="重复诉求")
    assert (t.status, t.parent, t.resume_status) == (S.MERGED, parent, S.DISPATCHED)
    assert all(not active and state == A.WITHDRAWN for *_, state, active in _assignments(t))
    assert list(parent.merged_children.all()) == [t]
    t = svc.ticket_unmerge(ticket=t, by=city.supervisor)
    assert (t.status, t.parent, t.resume_status, t.due_at) == (S.DISPATCHED, None, "", due)
    assert _assignments(t) == before
    assert_events_gapless(t)


def test_unmerge_restores_each_assignments_own_state(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district, assists=[city.bureau])
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    t = svc.ticket_assist_reply(ticket=t, by=city.bureau_handler, reply="已配合。")
    before = _assignments(t)
    assert before == [
        ("DCQ", "lead", 1, A.ACKNOWLEDGED, True),
        ("CGJ", "assist", 1, A.REPLIED, True),
        ("DCQ-DH", "lead", 2, A.ACKNOWLEDGED, True),
    ]
    parent = drive(city, S.PENDING_DISPATCH)
    t = svc.ticket_merge(ticket=t, by=city.dispatcher, parent=parent)
    t = svc.ticket_unmerge(ticket=t, by=city.dispatcher)
    assert t.status == S.ACKNOWLEDGED
    assert _assignments(t) == before
    t = svc.ticket_reply(ticket=t, by=city.street_handler, reply="街道已处理。")
    assert t.status == S.REPLIED


def test_unmerge_of_an_undispatched_ticket_returns_it_to_its_queue(city):
    t = drive(city, S.MERGED)
    t = svc.ticket_unmerge(ticket=t, by=city.dispatcher)
    assert (t.status, t.parent) == (S.PENDING_DISPATCH, None)


def test_merge_into_itself_a_merged_an_invalid_or_an_archived_ticket_is_refused(city):
    t = drive(city, S.PENDING_DISPATCH)
    with pytest.raises(InvalidInput):
        svc.ticket_merge(ticket=t, by=city.dispatcher, parent=t)
    for state in (S.MERGED, S.INVALID, S.ARCHIVED):
        target = drive(city, state)
        with pytest.raises(InvalidInput):
            svc.ticket_merge(ticket=t, by=city.dispatcher, parent=target)
    after = Ticket.objects.get(pk=t.pk)
    assert (after.status, after.version, after.parent) == (S.PENDING_DISPATCH, t.version, None)


def test_department_cannot_merge(city):
    t = drive(city, S.DISPATCHED)
    with pytest.raises(NotAllowed):
        svc.ticket_merge(ticket=t, by=city.district_handler, parent=drive(city, S.PENDING_DISPATCH))


# -- invalidate -----------------------------------------------------------------------------------


def test_invalidate_needs_a_reason(city):
    t = drive(city, S.DRAFT)
    with pytest.raises(InvalidInput):
        svc.ticket_invalidate(ticket=t, by=city.agent, reason="  ")
    t = svc.ticket_invalidate(ticket=t, by=city.agent, reason="无声电话")
    assert (t.status, t.close_reason) == (S.INVALID, "无声电话")
    assert t.closed_at is not None


# -- events ---------------------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted(city):
    t = drive(city, S.DISPATCHED)
    event = t.events.order_by("seq").first()
    event.note = "改写历史"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert TicketEvent.objects.get(pk=event.pk).note == ""
    assert t.events.count() == t.version == 2


def test_every_event_seq_runs_from_one_to_the_version(city):
    t = drive(city, S.ARCHIVED, lead=city.bureau, assists=[city.other_bureau])
    assert_events_gapless(t)
    assert event_actions(t) == [
        "create",
        "dispatch",
        "acknowledge",
        "reply",
        "review_approve",
        "visit",
        "archive",
    ]
    # Replaying the recorded moves gives the stored status.
    for prev, nxt in zip(t.events.order_by("seq"), t.events.order_by("seq")[1:], strict=False):
        assert nxt.from_status == prev.to_status


def test_refused_action_appends_no_event(city):
    t = drive(city, S.DISPATCHED)
    count = t.events.count()
    with pytest.raises(NotAllowed):
        svc.ticket_reply(ticket=t, by=city.reviewer, reply="x")
    with pytest.raises(InvalidTransition):
        svc.ticket_reply(ticket=t, by=city.district_handler, reply="x")
    assert t.events.count() == count


# -- attachments ----------------------------------------------------------------------------------


def _png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _attach(t: Ticket, by: Any, name: str, data: bytes, size: int | None = None) -> Attachment:
    return svc.attachment_add(
        ticket=t, by=by, name=name, stream=io.BytesIO(data), size=len(data) if size is None else size
    )


def test_small_png_is_accepted(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    data = _png()
    att = _attach(t, city.bureau_handler, "现场照片.png", data)
    assert (att.name, att.size, att.content_type) == ("现场照片.png", len(data), "image/png")
    assert att.event.action == "attach"
    assert att.file.read() == data
    assert_events_gapless(t)


def test_attachment_path_components_are_stripped_from_the_name(city):
    t = drive(city, S.DRAFT)
    att = _attach(t, city.agent, "..\\..\\etc/passwd/照片.png", _png())
    assert att.name == "照片.png"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("合同.pdf", _png()),
        ("照片.jpg", "这是一段文本，不是图片".encode()),
        ("录音.mp3", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"),
    ],
    ids=["png-named-pdf", "text-named-jpg", "pdf-named-mp3"],
)
def test_disguised_file_is_rejected(city, name, data):
    t = drive(city, S.DRAFT)
    with pytest.raises(InvalidInput) as err:
        _attach(t, city.agent, name, data)
    assert err.value.code == "disguised_file"
    assert not Attachment.objects.filter(ticket=t).exists()


@pytest.mark.parametrize("name", ["run.exe", "script.sh", "archive.zip", "noextension", "page.html"])
def test_disallowed_extension_is_rejected(city, name):
    t = drive(city, S.DRAFT)
    with pytest.raises(InvalidInput) as err:
        _attach(t, city.agent, name, _png())
    assert "file" in err.value.fields


def test_attachment_over_the_size_limit_is_rejected(city, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    t = drive(city, S.DRAFT)
    data = _png() + b"\x00" * (1024 * 1024)
    with pytest.raises(InvalidInput) as err:
        _attach(t, city.agent, "大图.png", data)
    assert err.value.code == "too_large"
    with pytest.raises(InvalidInput):
        _attach(t, city.agent, "空.png", b"")
    assert not Attachment.objects.filter(ticket=t).exists()


def test_department_cannot_attach_to_a_ticket_it_cannot_see(city):
    t = drive(city, S.DISPATCHED, lead=city.bureau)
    with pytest.raises(NotAllowed):
        _attach(t, city.other_handler, "照片.png", _png())


def test_merged_ticket_takes_no_attachments(city):
    t = drive(city, S.MERGED)
    with pytest.raises(ServiceError) as err:
        _attach(t, city.agent, "照片.png", _png())
    assert err.value.code == "invalid_transition"


def test_intake_makes_draft_with_a_create_event(city):
    t = make_ticket(by=city.agent)
    assert (t.status, t.version, event_actions(t)) == (S.DRAFT, 1, ["create"])
