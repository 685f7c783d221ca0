"""Demo data for data exchange: an Open311 key with a documented secret, and a switchboard directory."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.exchange.models import Office, Open311Key, _key_hash

# Known on purpose (docs/exchange.md), so the demo can be tried with curl; demo installs only.
DEMO_OPEN311_KEY = "o311_demo-key-for-local-testing-only"

OFFICES = [
    # (unit, name, phone, extension, hours, duties, department code)
    ("市人民政府", "总值班室", "0571-87051234", "", "24 小时", "政府系统应急值守、重要情况报告", ""),
    ("市人民政府", "办公厅秘书处", "0571-87051000", "2101", "工作日 8:30-17:30", "政府公文、会议", ""),
    (
        "市公安局",
        "110 指挥中心（非警情联动）",
        "0571-87280110",
        "",
        "24 小时",
        "非警务求助转 12345、警情联动",
        "",
    ),
    ("市公安局", "出入境管理局", "0571-87280345", "", "工作日 9:00-17:00", "护照、港澳通行证办理咨询", ""),
    ("市市场监督管理局", "办公室", "0571-85171000", "8001", "工作日 8:30-17:30", "综合协调", ""),
    ("市市场监督管理局", "消费者权益保护处", "0571-85171315", "", "工作日 8:30-17:30", "消费投诉、举报", ""),
    (
        "市住房保障和房产管理局",
        "住房保障处",
        "0571-85150123",
        "12",
        "工作日 9:00-17:00",
        "公租房、廉租房申请",
        "",
    ),
    (
        "市住房保障和房产管理局",
        "物业管理处",
        "0571-85150456",
        "",
        "工作日 9:00-17:00",
        "物业服务纠纷、维修资金",
        "",
    ),
    (
        "市人力资源和社会保障局",
        "市民服务中心",
        "0571-12333",
        "",
        "工作日 9:00-17:00",
        "社保、就业、人才政策",
        "",
    ),
    (
        "市人力资源和社会保障局",
        "劳动保障监察支队",
        "0571-85100777",
        "",
        "工作日 8:30-17:30",
        "欠薪投诉、劳动用工",
        "",
    ),
    ("市城市管理局", "数字城管指挥中心", "0571-85102319", "", "24 小时", "市容环境、占道经营、路灯", ""),
    ("市城市管理局", "市政设施管理处", "0571-85102400", "", "工作日 8:30-17:30", "道路、桥梁、排水设施", ""),
    ("市交通运输局", "出租车管理处", "0571-12328", "1", "24 小时", "出租车、网约车投诉", ""),
    ("市卫生健康委员会", "医政医管处", "0571-87061234", "", "工作日 8:30-17:30", "医疗服务投诉", ""),
    ("市教育局", "基础教育处", "0571-87061500", "", "工作日 8:30-17:30", "入学、学籍、课后服务", ""),
    ("市民政局", "社会救助处", "0571-85253300", "", "工作日 8:30-17:30", "低保、特困救助、临时救助", ""),
    ("市生态环境局", "环境监察支队", "0571-12369", "", "24 小时", "环境污染举报", ""),
    ("市医疗保障局", "待遇保障处", "0571-12393", "", "工作日 9:00-17:00", "医保报销、异地就医", ""),
]


@dataclass
class ExchangeDemoSummary:
    offices: int
    open311_key: str


def load_demo() -> ExchangeDemoSummary:
    """Create the demo key and directory if missing; running it twice changes nothing."""
    if not Open311Key.objects.filter(key_hash=_key_hash(DEMO_OPEN311_KEY)).exists():
        Open311Key.objects.create(
            name="演示客户端",
            contact="仅用于演示",
            key_hash=_key_hash(DEMO_OPEN311_KEY),
            prefix=DEMO_OPEN311_KEY[5:13],
        )
    for unit, name, phone, ext, hours, duties, _dept in OFFICES:
        Office.objects.get_or_create(
            unit=unit,
            name=name,
            defaults={"phone": phone, "extension": ext, "hours": hours, "duties": duties},
        )
    return ExchangeDemoSummary(offices=Office.objects.count(), open311_key=DEMO_OPEN311_KEY)
