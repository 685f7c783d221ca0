"""A small call centre in the database: two queues, agents with skills, prompts, one hotline each."""

from __future__ import annotations

import pytest

from hotline.callcenter.models import Agent, AgentSkill, Hotline, Prompt, Queue
from hotline.tickets.tests.conftest import city  # noqa: F401  (the shared `city` fixture)


@pytest.fixture
def centre(db):
    pool = Queue.objects.create(key="12345", name="12345 综合")
    market = Queue.objects.create(key="12315", name="12315 市场监管")
    a1 = Agent.objects.create(code="0001", name="王芳")
    a2 = Agent.objects.create(code="0002", name="李强")
    AgentSkill.objects.create(agent=a1, queue=pool, level=1)
    AgentSkill.objects.create(agent=a2, queue=market, level=1)
    AgentSkill.objects.create(agent=a2, queue=pool, level=3)
    for key in ("welcome", "menu", "survey"):
        Prompt.objects.create(key=key, name=key)
    Hotline.objects.create(number="12345", name="12345 热线", queue=pool)
    Hotline.objects.create(number="12315", name="12315 热线", queue=market)
    return {"pool": pool, "market": market, "a1": a1, "a2": a2}


@pytest.fixture
def floor_city(city):  # noqa: F811 (city is the shared fixture)
    """The demo's call centre (agent 0001 is the `agent` account) on the test city."""
    from hotline.callcenter.demo import load_demo

    load_demo(history=False)
    return city
