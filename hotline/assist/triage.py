"""110 triage (12345↔110 联动): flag requests that are police matters, with the reason (a pure engine).

Rules follow the division of work in the 110/12345 linkage guidance: crimes and public-order incidents
that are *happening now*, or that threaten life and safety, belong to 110 (transfer the call); the
same words without urgency (a past theft, a fraud to report) are flagged as "possibly police" for the
agent to judge; administrative matters at police stations (户口, 身份证, 居住证) and ordinary
nuisances stay with 12345. The model's part: when the department model's first choice is a public
security department, the request is at least "possibly police".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

POLICE, POSSIBLE, NONE = "police", "possible", "none"

# (pattern, what it is). Kept short and explicit: each hit is shown to the agent as the reason.
CRIME = [
    (r"打架|斗殴|殴打|打人|被打|持刀|砍人|行凶", "人身伤害"),
    (r"抢劫|抢夺|盗窃|被偷|小偷|偷东西|入室|撬门|撬锁", "盗抢"),
    (r"诈骗|被骗|骗子|电信诈骗|刷单", "诈骗"),
    (r"绑架|拐卖|劫持|非法拘禁", "劫持拐卖"),
    (r"杀人|命案|尸体", "命案"),
    (r"家暴|家庭暴力", "家庭暴力"),
    (r"吸毒|贩毒|毒品", "毒品"),
    (r"赌博|赌场|卖淫|嫖娼", "黄赌"),
    (r"跳楼|轻生|自杀|寻死", "自杀风险"),
    (r"走失|失踪|找不到人|孩子丢了", "人员走失"),
    (r"醉驾|酒驾|肇事逃逸|撞人后逃", "交通肇事"),
    (r"枪|爆炸物|炸弹|纵火", "危险物品/纵火"),
    (r"聚众闹事|寻衅滋事|砸车|砸店|堵路闹事", "扰乱秩序"),
    (r"报警|(?<!\d)110(?!\d)", "要求报警"),
]
# Happening now or threatening life: transfer to 110.
URGENT = r"正在|现在|刚刚|刚才|马上|快来|救命|流血|受伤|危险|有人要|拿着刀|还在打"
# Police-station administration: 12345 handles it, whatever the words.
ADMINISTRATIVE = r"户口|户籍|身份证|居住证|出入境|护照|港澳通行证|驾驶证|行驶证|车管所|办证|迁移"

_CRIME = [(re.compile(p), label) for p, label in CRIME]
_URGENT = re.compile(URGENT)
_ADMIN = re.compile(ADMINISTRATIVE)


@dataclass(frozen=True)
class Triage:
    level: str  # police | possible | none
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {POLICE: "建议转 110", POSSIBLE: "可能涉警", NONE: ""}[self.level]


def triage(text: str, *, model_department: str = "") -> Triage:
    """Police flag for a request text; `model_department` is the name of the model's first suggestion."""
    text = unicodedata.normalize("NFKC", text or "")
    reasons: list[str] = []
    for pattern, label in _CRIME:
        m = pattern.search(text)
        if m:
            reasons.append(f"{label}：“{m.group(0)}”")
    urgent = _URGENT.search(text)
    admin = _ADMIN.search(text)
    by_model = "公安" in model_department
    if reasons and urgent:
        return Triage(POLICE, [*reasons, f"紧急：“{urgent.group(0)}”"])
    if reasons:
        return Triage(POSSIBLE, reasons + (["模型首选公安部门"] if by_model else []))
    if by_model and not admin:
        return Triage(POSSIBLE, [f"模型首选：{model_department}"])
    return Triage(NONE, [])
