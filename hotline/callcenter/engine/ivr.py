"""IVR flows as data, and their validation.

A flow is `{"start": node_id, "nodes": {node_id: node}}`. Node types:

- `play`     {prompt, next}                       play a prompt, go on
- `menu`     {prompt, options: {digit: node}, default, timeout_s, retries}
                                                  collect one digit; after `retries` wrong or missing
                                                  answers go to `default`
- `hours`    {open, closed}                       branch on the hotline's business hours
- `queue`    {queue}                              to a human (terminal)
- `transfer` {number}                             to an outside number (terminal)
- `hangup`   {prompt?, missed?}                   end; `missed: false` marks self-service (terminal)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TERMINAL = {"queue", "transfer", "hangup"}
KINDS = {"play", "menu", "hours", *TERMINAL}


def _successors(node: dict[str, Any]) -> list[str]:
    kind = node.get("type")
    if kind == "play":
        return [node["next"]] if node.get("next") else []
    if kind == "menu":
        out = [str(v) for v in (node.get("options") or {}).values() if v]
        if node.get("default"):
            out.append(str(node["default"]))
        return out
    if kind == "hours":
        return [str(node[k]) for k in ("open", "closed") if node.get(k)]
    return []


def validate_flow(
    flow: Any, *, queues: Iterable[str] | None = None, prompts: Iterable[str] | None = None
) -> list[str]:
    """Every reason (in Chinese) the flow cannot be used; empty when it is sound.

    Refused: a missing start, unknown node types, links to missing nodes, dead ends (a node that
    cannot lead to a queue, transfer or hang-up), loops that never wait for the caller, missing
    prompts, unknown queues, unreachable nodes.
    """
    if not isinstance(flow, dict) or not isinstance(flow.get("nodes"), dict) or not flow["nodes"]:
        return ["流程必须包含 nodes（节点表），且至少有一个节点。"]
    nodes: dict[str, Any] = flow["nodes"]
    errors: list[str] = []
    start = flow.get("start")
    if not start or start not in nodes:
        errors.append(f"起始节点“{start or ''}”不存在。")
    known_queues = set(queues) if queues is not None else None
    known_prompts = set(prompts) if prompts is not None else None
    for nid, node in nodes.items():
        if not isinstance(node, dict):
            errors.append(f"节点“{nid}”格式错误。")
            continue
        kind = node.get("type")
        if kind not in KINDS:
            errors.append(f"节点“{nid}”的类型“{kind}”未知（可用：{'、'.join(sorted(KINDS))}）。")
            continue
        if kind in ("play", "menu") or (kind == "hangup" and node.get("prompt")):
            prompt = node.get("prompt")
            if not prompt:
                errors.append(f"节点“{nid}”缺少提示音。")
            elif known_prompts is not None and prompt not in known_prompts:
                errors.append(f"节点“{nid}”的提示音“{prompt}”不存在，请先上传或录制。")
        if kind == "play" and not node.get("next"):
            errors.append(f"节点“{nid}”播放后没有下一步（死路）。")
        if kind == "menu":
            if not node.get("options"):
                errors.append(f"菜单节点“{nid}”没有任何按键选项。")
            if not node.get("default"):
                errors.append(f"菜单节点“{nid}”缺少超时或按错键后的默认去向（死路）。")
            for digit in node.get("options") or {}:
                if str(digit) not in set("0123456789*#"):
                    errors.append(f"菜单节点“{nid}”的按键“{digit}”无效。")
        if kind == "hours" and not (node.get("open") and node.get("closed")):
            errors.append(f"节点“{nid}”必须同时指定工作时间内和工作时间外的去向。")
        if kind == "queue":
            queue = node.get("queue")
            if not queue:
                errors.append(f"节点“{nid}”没有指定队列。")
            elif known_queues is not None and queue not in known_queues:
                errors.append(f"节点“{nid}”指向的队列“{queue}”不存在或未启用。")
        if kind == "transfer" and not node.get("number"):
            errors.append(f"转接节点“{nid}”没有号码。")
        for nxt in _successors(node):
            if nxt not in nodes:
                errors.append(f"节点“{nid}”的下一步“{nxt}”不存在。")
    if errors:
        return errors
    errors.extend(_reachability(nodes, str(start)))
    return errors


def _reachability(nodes: dict[str, Any], start: str) -> list[str]:
    errors: list[str] = []
    seen: set[str] = set()
    stack = [start]
    while stack:
        nid = stack.pop()
        if nid in seen:
            continue
        seen.add(nid)
        stack.extend(_successors(nodes[nid]))
    for nid in nodes:
        if nid not in seen:
            errors.append(f"节点“{nid}”从起始节点无法到达。")
    # Dead ends: nodes from which no terminal node can be reached.
    can_end = {nid for nid, n in nodes.items() if n["type"] in TERMINAL}
    changed = True
    while changed:
        changed = False
        for nid, n in nodes.items():
            if nid not in can_end and any(s in can_end for s in _successors(n)):
                can_end.add(nid)
                changed = True
    for nid in sorted(seen - can_end):
        errors.append(f"节点“{nid}”之后无法到达排队、转接或挂机（死路）。")
    # Loops that never wait for a digit would spin forever.
    errors.extend(_silent_loops(nodes))
    return errors


def _silent_loops(nodes: dict[str, Any]) -> list[str]:
    graph = {nid: _successors(n) for nid, n in nodes.items() if n["type"] in ("play", "hours")}
    state: dict[str, int] = {}
    found: list[str] = []

    def visit(nid: str, path: list[str]) -> None:
        state[nid] = 1
        for nxt in graph.get(nid, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [nid, nxt]
                found.append(f"节点 {' → '.join(cycle)} 构成不等待按键的循环。")
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[nid] = 2

    for nid in graph:
        if nid not in state:
            visit(nid, [nid])
    return found


def flow_queues(flow: dict[str, Any]) -> set[str]:
    """The queues a (valid) flow can send callers to."""
    return {str(n["queue"]) for n in flow.get("nodes", {}).values() if n.get("type") == "queue"}


def flow_prompts(flow: dict[str, Any]) -> set[str]:
    return {str(n["prompt"]) for n in flow.get("nodes", {}).values() if n.get("prompt")}
