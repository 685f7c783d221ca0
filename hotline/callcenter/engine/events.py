"""Events the engine accepts: from the switch (calls) and from agents' softphones (states).

Every event carries `at`, the injected clock value. Events are immutable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    at: float


# --- calls -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallArrived(Event):
    call_id: str
    hotline: str
    ani: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class DigitsCollected(Event):
    """Digits for the engine-run IVR or the survey; "" means the collection timed out."""

    call_id: str
    digits: str = ""


@dataclass(frozen=True, slots=True)
class IvrFinished(Event):
    """An IVR run by the media server finished; the caller goes to `queue` (or the hotline's)."""

    call_id: str
    queue: str | None = None
    digits: str = ""


@dataclass(frozen=True, slots=True)
class CallQueued(Event):
    """The switch confirms the caller is on hold in a queue (informational)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CallOffered(Event):
    """The switch confirms the agent's phone is ringing (informational)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallAnswered(Event):
    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferRejected(Event):
    """The agent's phone did not pick up (declined, busy, unreachable)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallAbandoned(Event):
    call_id: str


@dataclass(frozen=True, slots=True)
class CallTransferred(Event):
    """The agent transferred the call: to a queue (re-queued) or to an outside number (leaves us)."""

    call_id: str
    queue: str | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class ThreeWay(Event):
    """The agent added a third party (an outside number or another agent) to the call."""

    call_id: str
    party: str


@dataclass(frozen=True, slots=True)
class CallHeld(Event):
    call_id: str
    held: bool = True


@dataclass(frozen=True, slots=True)
class CallEnded(Event):
    call_id: str
    side: str = "caller"  # caller | agent | system
    cause: str = ""


# --- agents ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentSignedIn(Event):
    agent_id: str
    ready: bool = False
    skills: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True, slots=True)
class AgentReady(Event):
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentNotReady(Event):
    agent_id: str
    reason: str = "示忙"


@dataclass(frozen=True, slots=True)
class AgentAfterCallWork(Event):
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentSignedOut(Event):
    agent_id: str


# --- centre ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyMode(Event):
    """Emergency: skip IVR menus, keep at most `emergency_lines` calls here, divert the rest
    (or all, with `divert_all`) to the disaster-recovery site."""

    on: bool
    divert_all: bool = False


@dataclass(frozen=True, slots=True)
class Tick(Event):
    """Nothing happened; only lets timers up to `at` fire."""
