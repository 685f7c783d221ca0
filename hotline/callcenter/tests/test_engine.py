"""ACD engine rules: routing, strategies, overflow, wrap-up, abandonment, missed offers, transfers,
three-way, emergency mode, after-hours, IVR, survey and tolerance of bad events. No database."""

from __future__ import annotations

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import AgentState, CallState, Engine
from hotline.callcenter.engine.commands import (
    Bridge,
    CancelOffer,
    CollectDigits,
    Hangup,
    Offer,
    Play,
    Transfer,
)
from hotline.callcenter.engine.config import (
    AgentConfig,
    BusinessHours,
    CentreConfig,
    HotlineConfig,
    QueueConfig,
    Strategy,
)
from hotline.callcenter.engine.records import Disposition

# 2026-03-02 is a Monday; 10:00 China time.
MONDAY_10H = 1772416800.0


def centre(
    *,
    queues: tuple[QueueConfig, ...] | None = None,
    agents: dict[str, dict[str, int]] | None = None,
    hotlines: tuple[HotlineConfig, ...] | None = None,
    **kw,
) -> Engine:
    queues = queues or (QueueConfig("12345", offer_timeout_s=15), QueueConfig("12315", offer_timeout_s=15))
    hotlines = hotlines or (HotlineConfig("12345", "12345"), HotlineConfig("12315", "12315"))
    agents = agents if agents is not None else {"a1": {"12345": 1}, "a2": {"12345": 1}}
    cfg = CentreConfig(
        hotlines=hotlines, queues=queues, agents=tuple(AgentConfig(k, v) for k, v in agents.items()), **kw
    )
    return Engine(cfg)


def ready(engine: Engine, *ids: str, at: float = 0.0) -> None:
    for aid in ids:
        engine.handle(ev.AgentSignedIn(at, aid, ready=True))


def offers(cmds) -> list[Offer]:
    return [c for c in cmds if isinstance(c, Offer)]


def test_call_is_offered_to_the_longest_idle_agent_and_bridged_on_answer():
    e = centre()
    ready(e, "a1", at=0)
    ready(e, "a2", at=5)
    cmds = e.handle(ev.CallArrived(10, "c1", "12345", "13800000001"))
    assert [(o.agent_id, o.ani, o.queue) for o in offers(cmds)] == [("a1", "13800000001", "12345")]
    assert e.agent_state("a1") == AgentState.RINGING
    cmds = e.handle(ev.CallAnswered(12, "c1", "a1"))
    assert cmds == [Bridge("c1", "a1")]
    e.handle(ev.CallEnded(100, "c1", "caller"))
    (rec,), log = e.drain()
    assert rec.disposition == Disposition.ANSWERED
    assert rec.wait_s == 2 and rec.talk_s == 88 and rec.agent_id == "a1"
    assert [x.event for x in log if x.event != "STATE"] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]


def test_skill_level_strategy_prefers_the_better_skilled_agent():
    q = QueueConfig("12345", strategy=Strategy.SKILL_LEVEL)
    e = centre(queues=(q,), agents={"junior": {"12345": 3}, "senior": {"12345": 1}})
    ready(e, "senior", at=0)
    ready(e, "junior", at=-1)  # idle longer, but a worse level
    e.now = 0
    assert offers(e.handle(ev.CallArrived(1, "c1", "12345")))[0].agent_id == "senior"


def test_round_robin_takes_turns():
    q = QueueConfig("12345", strategy=Strategy.ROUND_ROBIN)
    e = centre(queues=(q,), agents={"a": {"12345": 1}, "b": {"12345": 1}, "c": {"12345": 1}})
    ready(e, "a", "b", "c")
    got = []
    for i in range(6):
        cid = f"c{i}"
        got.append(offers(e.handle(ev.CallArrived(i * 10 + 1, cid, "12345")))[0].agent_id)
        e.handle(ev.CallAnswered(i * 10 + 2, cid, got[-1]))
        e.handle(ev.CallEnded(i * 10 + 3, cid))
    assert got == ["a", "b", "c", "a", "b", "c"]


def test_freed_agent_takes_the_priority_call_then_the_oldest():
    e = centre(agents={"a1": {"12345": 1}})
    ready(e, "a1")
    e.handle(ev.CallArrived(1, "busy", "12345"))
    e.handle(ev.CallAnswered(1, "busy", "a1"))
    e.handle(ev.CallArrived(2, "old", "12345"))
    e.handle(ev.CallArrived(3, "new", "12345"))
    e.handle(ev.CallArrived(4, "vip", "12345", priority=1))
    assert e.queue_position("vip") == 1 and e.queue_position("old") == 2
    cmds = e.handle(ev.CallEnded(10, "busy"))
    assert offers(cmds)[0].call_id == "vip"


def test_repeat_caller_within_the_window_jumps_ahead():
    e = centre(agents={"a1": {"12345": 1}}, repeat_window_s=3600)
    ready(e, "a1")
    e.handle(ev.CallArrived(1, "first", "12345", "139"))
    e.handle(ev.CallAbandoned(2, "first"))
    e.handle(ev.AgentNotReady(3, "a1", "培训"))
    e.handle(ev.CallArrived(4, "other", "12345", "137"))
    e.handle(ev.CallArrived(5, "again", "12345", "139"))
    assert e.queue_position("again") == 1
    e.handle(ev.CallArrived(5000, "later", "12345", "137"))  # 137 called 4996 s ago: outside the window
    assert e.queue_position("later") == 3
    records, _ = e.drain()
    assert not records[0].repeat
    cmds = e.handle(ev.AgentReady(6000, "a1"))
    assert offers(cmds)[0].call_id == "again"


def test_position_and_estimated_wait_are_announced_on_entry_and_periodically():
    q = QueueConfig("12345", announce_every_s=30, aht_s=240)
    e = centre(queues=(q,), agents={"a1": {"12345": 1}, "a2": {"12345": 1}})
    ready(e, "a1", "a2")
    for i in range(2):
        e.handle(ev.CallArrived(0, f"busy{i}", "12345"))
        e.handle(ev.CallAnswered(0, f"busy{i}", f"a{i + 1}"))
    e.handle(ev.CallArrived(1, "c1", "12345"))
    cmds = e.handle(ev.CallArrived(2, "c2", "12345"))
    plays = [c for c in cmds if isinstance(c, Play)]
    assert plays == [Play("c2", "queue_position", (("position", 2), ("wait_s", 240)))]
    later = e.advance(32)
    assert Play("c1", "queue_position", (("position", 1), ("wait_s", 120))) in later
    assert Play("c2", "queue_position", (("position", 2), ("wait_s", 240))) in later


def test_overflow_to_the_pool_after_n_seconds_keeps_the_call_in_its_own_queue():
    q15 = QueueConfig("12315", overflow_to="12345", overflow_after_s=20)
    e = centre(
        queues=(QueueConfig("12345"), q15),
        agents={"m1": {"12315": 1}, "p1": {"12345": 1}},
    )
    ready(e, "m1", "p1")
    e.handle(ev.CallArrived(0, "x", "12315"))
    e.handle(ev.CallAnswered(0, "x", "m1"))
    e.handle(ev.AgentNotReady(0, "p1", "小休"))
    e.handle(ev.CallArrived(10, "c1", "12315"))
    assert e.advance(29.9) == []
    e.handle(ev.AgentReady(29.95, "p1"))  # a pool agent free before the overflow: not for 12315 yet
    assert e.call_state("c1") == CallState.QUEUED
    cmds = e.advance(30)
    assert offers(cmds) == [Offer("c1", "p1", "", "12315", "12345", 15.0)]
    e.handle(ev.CallAnswered(31, "c1", "p1"))
    e.handle(ev.CallEnded(60, "c1"))
    records, log = e.drain()
    rec = next(r for r in records if r.call_id == "c1")
    assert rec.overflowed and rec.queue == "12315" and rec.answered_queue == "12345"
    assert any(x.event == "OVERFLOW" and x.data["waittime"] == 20 for x in log)


def test_overflow_waiting_call_still_goes_to_its_own_agent_first():
    q15 = QueueConfig("12315", overflow_to="12345", overflow_after_s=20)
    e = centre(queues=(QueueConfig("12345"), q15), agents={"m1": {"12315": 1}, "p1": {"12345": 1}})
    ready(e, "m1")
    e.handle(ev.CallArrived(0, "x", "12315"))
    e.handle(ev.CallAnswered(0, "x", "m1"))
    e.handle(ev.CallArrived(1, "c1", "12315"))
    e.advance(25)  # overflowed, but nobody in the pool is ready
    cmds = e.handle(ev.CallEnded(26, "x"))
    assert offers(cmds)[0].agent_id == "m1"


def test_wrapup_timer_holds_the_agent_then_frees_them():
    q = QueueConfig("12345", wrapup_s=30)
    e = centre(queues=(q,), agents={"a1": {"12345": 1}})
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.CallAnswered(1, "c1", "a1"))
    e.handle(ev.CallEnded(60, "c1", "agent"))
    assert e.agent_state("a1") == AgentState.ACW
    e.handle(ev.CallArrived(70, "c2", "12345"))
    assert e.call_state("c2") == CallState.QUEUED
    cmds = e.advance(90)
    assert e.agent_state("a1") == AgentState.RINGING and offers(cmds)[0].call_id == "c2"


def test_not_ready_requested_during_a_call_applies_after_wrapup_and_manual_acw_waits_for_ready():
    q = QueueConfig("12345", wrapup_s=10)
    e = centre(queues=(q,), agents={"a1": {"12345": 1}})
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.CallAnswered(0, "c1", "a1"))
    e.handle(ev.AgentNotReady(5, "a1", "就餐"))
    e.handle(ev.CallEnded(20, "c1"))
    e.advance(31)
    assert e.agent_state("a1") == AgentState.NOT_READY and e.agents["a1"].reason == "就餐"
    e.handle(ev.AgentReady(40, "a1"))
    e.handle(ev.CallArrived(41, "c2", "12345"))
    e.handle(ev.CallAnswered(41, "c2", "a1"))
    e.handle(ev.AgentAfterCallWork(42, "a1"))
    e.handle(ev.CallEnded(50, "c2"))
    e.advance(500)
    assert e.agent_state("a1") == AgentState.ACW  # manual wrap-up has no timer
    e.handle(ev.AgentReady(501, "a1"))
    assert e.agent_state("a1") == AgentState.READY


def test_caller_abandons_in_queue_and_in_ivr_and_while_ringing():
    flow = {"start": "m", "nodes": {"m": {"type": "menu", "prompt": "p", "options": {"1": "q"}, "default": "q"},
                                    "q": {"type": "queue", "queue": "12345"}}}  # fmt: skip
    e = centre(hotlines=(HotlineConfig("12345", "12345"), HotlineConfig("12348", "12345", ivr=flow)),
               agents={"a1": {"12345": 1}})  # fmt: skip
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "talk", "12345"))
    e.handle(ev.CallAnswered(0, "talk", "a1"))
    e.handle(ev.CallArrived(1, "q1", "12345"))
    e.handle(ev.CallArrived(2, "q2", "12345"))
    e.handle(ev.CallAbandoned(12, "q1"))
    e.handle(ev.CallArrived(13, "ivr", "12348"))
    e.handle(ev.CallEnded(15, "ivr", "caller"))
    cmds = e.handle(ev.CallEnded(20, "talk"))
    assert offers(cmds)[0].call_id == "q2"
    cmds = e.handle(ev.CallEnded(25, "q2", "caller"))
    assert CancelOffer("q2", "a1") in cmds
    assert e.agent_state("a1") == AgentState.READY and e.agents["a1"].missed_offers == 0
    records, log = e.drain()
    by_id = {r.call_id: r for r in records}
    assert by_id["q1"].disposition == Disposition.ABANDONED_QUEUE and by_id["q1"].wait_s == 11
    assert by_id["ivr"].disposition == Disposition.ABANDONED_IVR
    assert by_id["q2"].disposition == Disposition.ABANDONED_RINGING and by_id["q2"].wait_s == 23
    assert all(by_id[c].missed for c in ("q1", "ivr", "q2"))
    abandon = next(x for x in log if x.event == "ABANDON" and x.call_id == "q1")
    assert abandon.data == {"position": 1, "origposition": 1, "waittime": 11}


def test_missed_offer_requeues_the_call_at_its_place_and_marks_the_agent():
    e = centre(agents={"a1": {"12345": 1}, "a2": {"12345": 1}})
    ready(e, "a1", at=0)
    ready(e, "a2", at=1)
    e.handle(ev.CallArrived(2, "c1", "12345"))
    e.handle(ev.CallArrived(2.5, "c0", "12345"))  # goes to a2
    e.handle(ev.CallAnswered(2.6, "c0", "a2"))
    e.handle(ev.CallArrived(3, "c2", "12345"))
    assert e.agent_state("a1") == AgentState.RINGING
    cmds = e.advance(17)  # a1 rang 15 s without answering
    assert CancelOffer("c1", "a1") in cmds
    assert e.agent_state("a1") == AgentState.NOT_READY and e.agents["a1"].reason == "未接来电"
    assert e.agents["a1"].missed_offers == 1
    assert e.queue_position("c1") == 1  # back at the front, ahead of c2
    e.handle(ev.CallEnded(19, "c0"))
    assert e.call_state("c1") == CallState.OFFERING
    e.handle(ev.CallAnswered(20, "c1", "a2"))
    e.handle(ev.CallEnded(30, "c1"))
    rec = next(r for r in e.drain()[0] if r.call_id == "c1")
    assert rec.missed_offers == 1 and rec.offers == 2 and rec.wait_s == 18 and rec.agent_id == "a2"


def test_rejected_offer_is_a_missed_offer_and_late_answer_is_refused():
    e = centre(agents={"a1": {"12345": 1}})
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.OfferRejected(3, "c1", "a1"))
    assert e.call_state("c1") == CallState.QUEUED
    assert e.handle(ev.CallAnswered(4, "c1", "a1")) == []
    assert e.call_state("c1") == CallState.QUEUED and e.anomaly_count == 1


def test_transfer_to_a_queue_requeues_ahead_and_to_a_number_leaves():
    e = centre(agents={"a1": {"12345": 1}, "b1": {"12315": 1}})
    ready(e, "a1")
    e.handle(ev.AgentSignedIn(0, "b1"))  # not ready yet
    e.handle(ev.CallArrived(0, "waiting", "12315"))
    e.handle(ev.CallArrived(1, "c1", "12345"))
    e.handle(ev.CallAnswered(2, "c1", "a1"))
    e.handle(ev.CallTransferred(60, "c1", queue="12315"))
    assert e.agent_state("a1") == AgentState.READY
    assert e.queue_position("c1") == 1  # a transferred caller goes first
    cmds = e.handle(ev.AgentReady(61, "b1"))
    assert offers(cmds)[0].call_id == "c1"
    e.handle(ev.CallAnswered(62, "c1", "b1"))
    cmds = e.handle(ev.CallTransferred(90, "c1", number="12348001"))
    assert Transfer("c1", "12348001") in cmds
    rec = next(r for r in e.drain()[0] if r.call_id == "c1")
    assert rec.disposition == Disposition.TRANSFERRED_OUT and rec.transfers == 2
    assert rec.agents == ["a1", "b1"] and rec.wait_s == 1 and rec.talk_s == 58 + 28


def test_three_way_with_another_agent_keeps_both_busy_until_the_end():
    e = centre(agents={"a1": {"12345": 1}, "sup": {"12345": 5}})
    ready(e, "a1")
    e.handle(ev.AgentSignedIn(0, "sup"))
    e.handle(ev.CallArrived(1, "c1", "12345"))
    e.handle(ev.CallAnswered(2, "c1", "a1"))
    e.handle(ev.ThreeWay(10, "c1", "sup"))
    e.handle(ev.ThreeWay(11, "c1", "12345678"))
    assert e.agent_state("sup") == AgentState.BUSY
    e.handle(ev.CallEnded(50, "c1"))
    assert e.agent_state("sup") == AgentState.READY and e.agent_state("a1") == AgentState.READY
    rec = e.drain()[0][0]
    assert rec.parties == ["sup", "12345678"] and rec.agents == ["a1", "sup"]


def test_hold_time_is_recorded():
    e = centre()
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.CallAnswered(0, "c1", "a1"))
    e.handle(ev.CallHeld(10, "c1", True))
    e.handle(ev.CallHeld(11, "c1", True))  # duplicate: tolerated
    e.handle(ev.CallHeld(40, "c1", False))
    e.handle(ev.CallHeld(50, "c1", True))
    e.handle(ev.CallEnded(55, "c1"))
    rec = e.drain()[0][0]
    assert rec.hold_s == 35 and rec.hold_count == 2 and e.anomaly_count == 1


def test_max_queue_length_overflows_then_refuses():
    e = centre(
        queues=(QueueConfig("12345", max_length=1), QueueConfig("12315", max_length=1, overflow_to="12345")),
        agents={},
    )
    e.handle(ev.CallArrived(0, "a", "12315"))
    e.handle(ev.CallArrived(1, "b", "12315"))  # 12315 full → the pool
    cmds = e.handle(ev.CallArrived(2, "c", "12315"))  # both full
    assert Hangup("c", "queue_full") in cmds
    assert e.call_state("a") == e.call_state("b") == CallState.QUEUED
    rec = e.drain()[0][0]
    assert rec.disposition == Disposition.QUEUE_FULL and rec.missed


def test_after_hours_routes_to_the_partner_or_hangs_up_as_missed():
    hours = BusinessHours.daily(9, 17)
    e = centre(
        hotlines=(
            HotlineConfig("12348", "12345", hours=hours, after_hours_number="4008000348"),
            HotlineConfig("12319", "12345", hours=hours),
        )
    )
    ready(e, "a1")
    evening = MONDAY_10H + 9 * 3600  # 19:00
    assert e.handle(ev.CallArrived(evening, "x", "12348")) == [Transfer("x", "4008000348")]
    cmds = e.handle(ev.CallArrived(evening + 1, "y", "12319"))
    assert Play("y", "after_hours") in cmds and Hangup("y", "after_hours") in cmds
    assert offers(e.handle(ev.CallArrived(MONDAY_10H + 86400, "z", "12348")))  # Tuesday 10:00: open
    recs = {r.call_id: r for r in e.drain()[0]}
    assert recs["x"].disposition == Disposition.AFTER_HOURS_TRANSFER and not recs["x"].missed
    assert recs["y"].disposition == Disposition.AFTER_HOURS and recs["y"].missed


def test_business_hours_know_weekends_holidays_and_makeup_days():
    hours = BusinessHours.daily(9, 17)
    saturday = MONDAY_10H + 5 * 86400
    assert hours.is_open(MONDAY_10H) and not hours.is_open(saturday)
    day = int((saturday + 8 * 3600) // 86400)
    assert BusinessHours(hours.windows, open_days=frozenset({day})).is_open(saturday)
    monday = int((MONDAY_10H + 8 * 3600) // 86400)
    assert not BusinessHours(hours.windows, closed_days=frozenset({monday})).is_open(MONDAY_10H)


def test_emergency_mode_keeps_n_lines_and_diverts_the_rest_to_the_dr_site():
    e = centre(emergency_lines=2, dr_site_number="0571-DR")
    e.handle(ev.EmergencyMode(0, True))
    e.handle(ev.CallArrived(1, "c1", "12345"))
    cmds = e.handle(ev.CallArrived(2, "c2", "12345"))
    assert Play("c2", "emergency_notice") in cmds
    assert e.handle(ev.CallArrived(3, "c3", "12345")) == [Transfer("c3", "0571-DR")]
    e.handle(ev.EmergencyMode(4, True, divert_all=True))
    e.handle(ev.CallAbandoned(5, "c1"))
    assert e.handle(ev.CallArrived(6, "c4", "12345")) == [Transfer("c4", "0571-DR")]
    e.handle(ev.EmergencyMode(7, False))
    assert e.call_state(e.handle(ev.CallArrived(8, "c5", "12345"))[0].call_id) == CallState.QUEUED
    recs = {r.call_id: r.disposition for r in e.drain()[0]}
    assert recs["c3"] == recs["c4"] == Disposition.DIVERTED


def test_ivr_menu_with_retries_default_and_english_branch():
    flow = {
        "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "menu"},
            "menu": {"type": "menu", "prompt": "menu", "options": {"1": "law", "9": "en"}, "default": "law",
                     "retries": 1, "timeout_s": 4},
            "law": {"type": "queue", "queue": "12345"},
            "en": {"type": "queue", "queue": "english"},
        },
    }  # fmt: skip
    e = centre(
        queues=(QueueConfig("12345"), QueueConfig("english")),
        hotlines=(HotlineConfig("12348", "12345", ivr=flow),),
        agents={"en1": {"english": 1}},
    )
    ready(e, "en1")
    cmds = e.handle(ev.CallArrived(0, "c1", "12348"))
    assert cmds == [Play("c1", "welcome"), CollectDigits("c1", "menu", 1, 4.0)]
    assert e.handle(ev.DigitsCollected(4, "c1", "")) == [CollectDigits("c1", "menu", 1, 4.0)]
    cmds = e.handle(ev.DigitsCollected(6, "c1", "9"))
    assert offers(cmds)[0].agent_id == "en1"
    e.handle(ev.CallArrived(7, "c2", "12348"))
    e.handle(ev.DigitsCollected(8, "c2", "7"))
    e.handle(ev.DigitsCollected(9, "c2", "7"))  # second wrong key: default
    assert e.call_state("c2") == CallState.QUEUED
    e.handle(ev.CallEnded(10, "c1"))
    e.handle(ev.CallEnded(10, "c2"))
    recs = {r.call_id: r for r in e.drain()[0]}
    assert recs["c1"].ivr_path == ["welcome", "menu", "#-", "#9", "en"]
    assert recs["c2"].queue == "12345"


def test_survey_after_agent_hangup_records_the_score():
    e = centre(hotlines=(HotlineConfig("12345", "12345", survey=True),))
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.CallAnswered(1, "c1", "a1"))
    cmds = e.handle(ev.CallEnded(60, "c1", "agent"))
    assert CollectDigits("c1", "survey", 1, 10.0) in cmds
    assert e.agent_state("a1") == AgentState.READY  # the agent is free during the survey
    e.handle(ev.DigitsCollected(63, "c1", "2"))
    e.handle(ev.CallArrived(70, "c2", "12345"))
    e.handle(ev.CallAnswered(71, "c2", "a1"))
    e.handle(ev.CallEnded(80, "c2", "agent"))
    e.advance(200)  # nobody pressed anything
    recs = {r.call_id: r for r in e.drain()[0]}
    assert recs["c1"].survey == "2" and recs["c1"].talk_s == 59
    assert recs["c2"].survey == "" and recs["c2"].disposition == Disposition.ANSWERED


def test_duplicate_late_and_unknown_events_are_logged_and_never_lose_a_record():
    e = centre()
    ready(e, "a1")
    e.handle(ev.CallArrived(10, "c1", "12345"))
    e.handle(ev.CallArrived(10, "c1", "12345"))  # duplicate
    e.handle(ev.CallAnswered(11, "c1", "a1"))
    e.handle(ev.CallAnswered(11, "c1", "a1"))  # duplicate
    e.handle(ev.CallOffered(10.5, "c1", "a1"))  # late confirmation
    e.handle(ev.CallEnded(20, "c1"))
    e.handle(ev.CallEnded(20, "c1"))  # duplicate
    e.handle(ev.CallEnded(21, "ghost", "caller"))  # the switch knew a call we never saw
    e.handle(ev.CallHeld(22, "ghost2"))
    e.handle(ev.AgentReady(23, "nobody"))
    e.handle(ev.CallArrived(24, "c9", "99999"))  # unconfigured number: routed as the first hotline
    assert e.anomaly_count == 8
    recs = {r.call_id: r for r in e.drain()[0]}
    assert recs["c1"].disposition == Disposition.ANSWERED
    assert recs["ghost"].disposition == Disposition.ORPHAN
    assert e.call_state("c9") == CallState.OFFERING or e.call_state("c9") == CallState.QUEUED


def test_signing_out_while_ringing_returns_the_call_and_busy_sign_out_waits_for_the_end():
    e = centre(agents={"a1": {"12345": 1}, "a2": {"12345": 1}})
    ready(e, "a1", at=0)
    e.handle(ev.CallArrived(1, "c1", "12345"))
    e.handle(ev.AgentSignedOut(2, "a1"))
    assert e.call_state("c1") == CallState.QUEUED and e.agents["a1"].missed_offers == 0
    ready(e, "a2", at=3)
    e.handle(ev.CallAnswered(4, "c1", "a2"))
    e.handle(ev.AgentSignedOut(5, "a2"))
    assert e.agent_state("a2") == AgentState.BUSY
    e.handle(ev.CallEnded(9, "c1"))
    assert e.agent_state("a2") == AgentState.SIGNED_OUT


def test_wallboard_snapshot_counts_waiting_longest_wait_and_agents():
    e = centre(agents={"a1": {"12345": 1}})
    ready(e, "a1")
    e.handle(ev.CallArrived(0, "c1", "12345"))
    e.handle(ev.CallAnswered(5, "c1", "a1"))
    e.handle(ev.CallArrived(10, "c2", "12345"))
    e.handle(ev.CallArrived(20, "c3", "12345"))
    e.handle(ev.CallAbandoned(25, "c3"))
    e.handle(ev.Tick(40))
    snap = e.snapshot()
    q = snap["queues"]["12345"]
    assert (q["waiting"], q["longest_wait_s"], q["offered"], q["answered"], q["abandoned"]) == (
        1,
        30,
        3,
        1,
        1,
    )
    assert q["sl30"] == 0.5
    assert snap["agents_by_state"]["busy"] == 1
