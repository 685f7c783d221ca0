"""What the engine writes down: one call detail record per call, and a queue log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Disposition:
    ANSWERED = "answered"
    ABANDONED_IVR = "abandoned_ivr"
    ABANDONED_QUEUE = "abandoned_queue"
    ABANDONED_RINGING = "abandoned_ringing"
    QUEUE_FULL = "queue_full"
    AFTER_HOURS = "after_hours"
    AFTER_HOURS_TRANSFER = "after_hours_transfer"
    DIVERTED = "diverted"  # emergency: sent to the disaster-recovery site
    IVR_COMPLETED = "ivr_completed"  # self-service: the flow ended without a person
    IVR_TRANSFER = "ivr_transfer"
    TRANSFERRED_OUT = "transferred_out"
    ORPHAN = "orphan"  # the switch reported an end for a call the engine never saw

    MISSED = frozenset({ABANDONED_IVR, ABANDONED_QUEUE, ABANDONED_RINGING, QUEUE_FULL, AFTER_HOURS})


@dataclass(slots=True)
class CallRecord:
    """One call from arrival to release (a superset of Asterisk/FreeSWITCH CDR fields)."""

    call_id: str
    hotline: str
    ani: str
    arrived_at: float
    ended_at: float = 0.0
    disposition: str = ""
    release_side: str = ""
    cause: str = ""
    queue: str = ""  # the queue the call was first placed in
    answered_queue: str = ""  # the queue it was answered from (differs after overflow)
    queued_at: float | None = None
    answered_at: float | None = None
    agent_id: str = ""
    wait_s: float = 0.0  # queue entry to answer or abandonment (ringing included)
    talk_s: float = 0.0
    hold_s: float = 0.0
    hold_count: int = 0
    offers: int = 0
    missed_offers: int = 0
    transfers: int = 0
    parties: list[str] = field(default_factory=list)
    ivr_path: list[str] = field(default_factory=list)
    overflowed: bool = False
    priority: int = 0
    repeat: bool = False
    entry_position: int = 0
    survey: str = ""
    agents: list[str] = field(default_factory=list)

    @property
    def missed(self) -> bool:
        return self.disposition in Disposition.MISSED


@dataclass(slots=True)
class LogEntry:
    """A queue-log line (Asterisk-style event names) or an agent state change (event STATE)."""

    at: float
    call_id: str
    queue: str
    agent_id: str
    event: str
    data: dict[str, Any] = field(default_factory=dict)
