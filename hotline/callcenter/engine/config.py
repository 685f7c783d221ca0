"""Configuration the engine routes by: queues, hotlines, agents, business hours, emergency mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DAY = 86_400.0
WEEK = 7 * DAY


class Strategy(StrEnum):
    """How an idle agent is chosen when several could take a call."""

    LONGEST_IDLE = "longest_idle"
    SKILL_LEVEL = "skill_level"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Weekly open windows in local time: (weekday 0=Monday, start second, end second) triples.

    `utc_offset_s` turns the engine's epoch clock into local time (China: +8 h, no DST).
    `closed_days` are local dates (days since 1970-01-01) closed all day, e.g. public holidays;
    `open_days` are extra working days (调休) that follow the Monday windows.
    """

    windows: tuple[tuple[int, int, int], ...] = ()
    utc_offset_s: int = 8 * 3600
    closed_days: frozenset[int] = frozenset()
    open_days: frozenset[int] = frozenset()

    def is_open(self, at: float) -> bool:
        local = at + self.utc_offset_s
        day = int(local // DAY)
        second = local - day * DAY
        if day in self.closed_days:
            return False
        weekday = 0 if day in self.open_days else (day + 3) % 7  # 1970-01-01 was a Thursday
        return any(w == weekday and start <= second < end for w, start, end in self.windows)

    @classmethod
    def daily(cls, start_h: float, end_h: float, days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> BusinessHours:
        return cls(windows=tuple((d, int(start_h * 3600), int(end_h * 3600)) for d in days))


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """A queue / skill group. Times in seconds; 0 disables the feature."""

    key: str
    name: str = ""
    strategy: Strategy = Strategy.LONGEST_IDLE
    max_length: int = 0
    overflow_to: str | None = None
    overflow_after_s: float = 0.0
    wrapup_s: float = 0.0
    offer_timeout_s: float = 15.0
    announce_every_s: float = 0.0
    announce_on_entry: bool = True
    aht_s: float = 240.0


@dataclass(frozen=True, slots=True)
class HotlineConfig:
    """A dialled number (DNIS): its IVR flow or default queue, business hours and after-hours route."""

    number: str
    queue: str
    name: str = ""
    ivr: dict[str, Any] | None = None
    hours: BusinessHours | None = None
    after_hours_number: str = ""
    survey: bool = False


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """An agent and their skills: queue key -> level (1 = best; lower levels are offered first)."""

    agent_id: str
    skills: dict[str, int] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True, slots=True)
class CentreConfig:
    hotlines: tuple[HotlineConfig, ...]
    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentConfig, ...] = ()
    repeat_window_s: float = 0.0
    emergency_lines: int = 30
    dr_site_number: str = ""
    survey_timeout_s: float = 10.0
    missed_offer_reason: str = "未接来电"
