"""API schemas of the quality app: per-agent inspection results of a month."""

from __future__ import annotations

from ninja import Field, Schema


class ScoresQuery(Schema):
    month: str = Field("", description="YYYY-MM；默认本月")


class AgentScoreOut(Schema):
    agent_id: int
    username: str
    name: str
    inspected: int
    passed: int
    pass_rate: float | None
    mean_score: float | None
    meets_target: bool | None


class ScoresOut(Schema):
    month: str
    target: float
    scope: str = Field(description="all 全部话务员；own 仅本人")
    results: list[AgentScoreOut]
