"""The ACD/queue engine: plain Python, no Django. Events in, commands out, records kept.

Time is injected: every event carries `at` (seconds on the caller's clock, e.g. epoch seconds or
simulation seconds); the engine never reads a wall clock. The same engine runs in the live
service, the simulator, tests and benchmarks.
"""

from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.engine.adapter import SimulatedAdapter, TelephonyAdapter
from hotline.callcenter.engine.config import (
    AgentConfig,
    BusinessHours,
    CentreConfig,
    HotlineConfig,
    QueueConfig,
    Strategy,
)
from hotline.callcenter.engine.records import CallRecord, LogEntry

__all__ = [
    "AgentConfig",
    "BusinessHours",
    "CallRecord",
    "CentreConfig",
    "Engine",
    "HotlineConfig",
    "LogEntry",
    "QueueConfig",
    "SimulatedAdapter",
    "Strategy",
    "TelephonyAdapter",
]
