"""Commands the engine emits; a telephony adapter carries them out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    call_id: str


@dataclass(frozen=True, slots=True)
class Play(Command):
    """Play a prompt; `params` fill its blanks (e.g. position and estimated wait)."""

    prompt: str
    params: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class CollectDigits(Command):
    prompt: str
    max_digits: int = 1
    timeout_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Enqueue(Command):
    """Hold the caller in a queue (music on hold)."""

    queue: str


@dataclass(frozen=True, slots=True)
class Offer(Command):
    """Ring the agent's phone; the screen pop goes with it."""

    agent_id: str
    ani: str = ""
    hotline: str = ""
    queue: str = ""
    timeout_s: float = 0.0


@dataclass(frozen=True, slots=True)
class CancelOffer(Command):
    agent_id: str


@dataclass(frozen=True, slots=True)
class Bridge(Command):
    agent_id: str


@dataclass(frozen=True, slots=True)
class Transfer(Command):
    """Send the call to an outside number (after-hours partner, disaster-recovery site)."""

    number: str


@dataclass(frozen=True, slots=True)
class Hangup(Command):
    reason: str = ""
