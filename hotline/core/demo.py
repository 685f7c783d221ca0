"""Demo data: a plausible city, its categories, a user for every role and a few hundred tickets.

All text is written by the project. Tickets are driven through the real services under a movable
clock, so their histories, deadlines and events are what the platform itself would have recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import Department, Role, User
from hotline.core.clock import Clock, clock_at
from hotline.core.errors import ServiceError
from hotline.tickets import services as svc
from hotline.tickets.models import Category, Ticket

DEMO_PASSWORD = "Hotline@2026"
K = Department.Kind

BUREAUS = [
    ("ZJJ", "市住房和城乡建设局"), ("CGJ", "市城市管理局"), ("SJJ", "市市场监督管理局"), ("RSJ", "市人力资源和社会保障局"),
    ("JTJ", "市交通运输局"), ("HBJ", "市生态环境局"), ("JYJ", "市教育局"), ("WJW", "市卫生健康委员会"),
    ("GAJ", "市公安局"), ("ZRJ", "市自然资源和规划局"), ("SWJ", "市水务局"), ("YBJ", "市医疗保障局"),
    ("GJJ", "市住房公积金管理中心"), ("SFJ", "市司法局"),
]  # fmt: skip
ENTERPRISES = [("GS", "江州水务集团"), ("GD", "国网江州供电公司"), ("RQ", "江州燃气有限公司")]
DISTRICTS = {
    "DCQ": ("东城区", ["东华街道", "朝阳街道", "临江街道"]),
    "XCQ": ("西城区", ["西湖街道", "金桥街道", "白沙街道"]),
    "NHQ": ("南湖区", ["南湖街道", "月湖街道", "青山镇"]),
    "BSQ": ("北山区", ["北山街道", "枫林街道", "石门镇"]),
}
ZONES = {"GXQ": ("江州高新区", ["创新街道", "科技城街道"])}
CENTRE_TEAMS = [
    ("HL", "市12345热线中心"),
    ("HL-HW", "话务一组"),
    ("HL-PD", "派单审核组"),
    ("HL-HF", "回访组"),
    ("HL-ZJ", "质检组"),
]

# (level-1, level-2, level-3 names, department code that handles it, type weights)
CATEGORY_TREE = [
    ("城乡建设", "物业管理", ["物业服务", "维修资金", "电梯故障"], "ZJJ"),
    ("城乡建设", "房屋安全", ["房屋漏水", "违章搭建"], "ZJJ"),
    ("城市管理", "市容环境", ["占道经营", "垃圾清运", "乱贴小广告"], "district"),
    ("城市管理", "市政设施", ["路灯不亮", "道路破损", "井盖缺失"], "CGJ"),
    ("生态环境", "噪声污染", ["施工噪声", "社会生活噪声"], "HBJ"),
    ("生态环境", "大气污染", ["餐饮油烟", "工地扬尘"], "HBJ"),
    ("市场监管", "消费维权", ["预付卡退费", "商品质量", "价格欺诈"], "SJJ"),
    ("市场监管", "食品安全", ["无证经营", "过期食品"], "SJJ"),
    ("劳动社保", "劳动关系", ["拖欠工资", "劳动合同"], "RSJ"),
    ("劳动社保", "社会保险", ["社保缴纳", "退休待遇"], "RSJ"),
    ("交通运输", "出租客运", ["出租车拒载", "网约车投诉"], "JTJ"),
    ("交通运输", "公交服务", ["公交班次", "站点设置"], "JTJ"),
    ("公用事业", "供水", ["停水", "水质问题"], "GS"),
    ("公用事业", "供电", ["停电", "电费疑问"], "GD"),
    ("公用事业", "燃气", ["燃气泄漏", "燃气开户"], "RQ"),
    ("教育卫生", "教育", ["入学政策", "校外培训"], "JYJ"),
    ("教育卫生", "医疗", ["医疗服务", "医保报销"], "YBJ"),
    ("住房保障", "公积金", ["公积金提取", "公积金贷款"], "GJJ"),
]

ROADS = [
    "幸福路",
    "人民大道",
    "建设路",
    "解放路",
    "滨江路",
    "中山路",
    "花园街",
    "学府路",
    "沿湖大道",
    "长青路",
]
ESTATES = ["阳光小区", "翠湖花园", "锦绣家园", "江畔名邸", "丰收新村", "金色港湾", "和平里小区", "梧桐苑"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "桂兰",
    "建华",
    "志强",
]

CONTENT = {
    "物业服务": "{estate}物业长期不打扫楼道，垃圾堆积，业主多次反映无人处理，请相关部门督促物业整改。",
    "维修资金": "{estate}申请使用维修资金更换外墙，已提交材料一个月未有答复，想咨询审批进度和流程。",
    "电梯故障": "{estate}{n}号楼电梯本月已停运三次，老人上下楼困难，物业称在等配件，请督促尽快修复。",
    "房屋漏水": "{estate}{n}栋顶楼住户屋顶渗水，雨天严重，物业推诿，请求协调维修。",
    "违章搭建": "{road}{n}号一楼住户在公共绿地上搭建彩钢棚，影响通行和采光，请求查处。",
    "占道经营": "{road}与{road2}交叉口每天傍晚有流动摊贩占道经营，造成拥堵，请求管理。",
    "垃圾清运": "{road}{n}号附近垃圾桶满溢两天无人清运，气味很大，请尽快处理。",
    "乱贴小广告": "{estate}楼道及单元门上贴满开锁、办证小广告，影响市容，请求清理。",
    "路灯不亮": "{road}{n}号附近路灯连续多晚不亮，夜间行人不安全，请安排维修。",
    "道路破损": "{road}靠近{estate}路段路面塌陷出现大坑，已有电动车摔倒，请尽快修补。",
    "井盖缺失": "{road}{n}号门口井盖缺失，仅用树枝遮挡，存在严重安全隐患，请紧急处理。",
    "施工噪声": "{road}附近工地每天夜间十一点后仍在施工，噪声扰民，影响休息，请查处。",
    "社会生活噪声": "{estate}楼下广场舞音响声音过大，持续到晚上十点，请协调降低音量。",
    "餐饮油烟": "{road}{n}号一家烧烤店油烟直排居民楼，窗户无法打开，请求检查整改。",
    "工地扬尘": "{road}工地未覆盖裸土，刮风时扬尘严重，请督促落实防尘措施。",
    "预付卡退费": "在{road}一家健身房办理预付卡，现在门店关闭联系不上，要求退还剩余费用。",
    "商品质量": "在{road}商场购买的电热水壶使用一周即漏电，商家拒绝退换，请求处理。",
    "价格欺诈": "{road}一家水果店标价与结算价格不一致，多收费用，请求查处。",
    "无证经营": "{estate}门口有一家小吃店无营业执照，卫生条件差，请核查。",
    "过期食品": "在{road}超市买到过期的牛奶，要求商家赔偿并请监管部门检查。",
    "拖欠工资": "本人在{road}一家装修公司工作，公司拖欠三个月工资共计一万二千元，请求帮助追讨。",
    "劳动合同": "公司要求员工签订空白劳动合同，想咨询这样是否合法以及如何维权。",
    "社保缴纳": "单位未按实际工资缴纳社保，想咨询如何补缴和投诉。",
    "退休待遇": "想咨询办理退休需要准备哪些材料，养老金如何计算。",
    "出租车拒载": "在{road}火车站打车，司机嫌距离近拒载，车牌号已记录，请求处理。",
    "网约车投诉": "网约车司机绕路多收费，平台客服处理不满意，请求监管部门介入。",
    "公交班次": "{road}公交站早高峰班次太少，等车超过半小时，建议增加班次。",
    "站点设置": "{estate}附近没有公交站点，居民出行不便，建议增设站点。",
    "停水": "{estate}今天早上开始停水，没有提前通知，想知道何时恢复供水。",
    "水质问题": "{estate}自来水发黄有异味，已持续两天，请检测水质。",
    "停电": "{road}{n}号一带突然停电，冰箱里的药品需要冷藏，请尽快抢修。",
    "电费疑问": "本月电费比往月高出一倍，用电习惯没有变化，请核查电表。",
    "燃气泄漏": "{estate}{n}号楼道有明显燃气味，请立即派人检查。",
    "燃气开户": "新房想办理燃气开户，咨询需要带什么材料、去哪里办理。",
    "入学政策": "孩子明年上小学，户籍和房产不在一个区，想咨询入学政策。",
    "校外培训": "{road}一家培训机构收取一年学费后停课，请求退费。",
    "医疗服务": "在市某医院就诊排队时间过长，挂号后等了三个小时，建议改进。",
    "医保报销": "异地就医后回来报销，咨询需要哪些材料和报销比例。",
    "公积金提取": "想咨询租房提取公积金的条件和办理流程。",
    "公积金贷款": "咨询首套房公积金贷款额度如何计算，需要哪些材料。",
}
CONSULT = {
    "维修资金",
    "劳动合同",
    "社保缴纳",
    "退休待遇",
    "电费疑问",
    "燃气开户",
    "入学政策",
    "医保报销",
    "公积金提取",
    "公积金贷款",
}
URGENT = {"井盖缺失", "燃气泄漏", "停电"}

DEMO_USERS = [
    ("agent", Role.AGENT, "HL-HW", "话务员 王芳"),
    ("dispatcher", Role.DISPATCHER, "HL-PD", "派单员 李强"),
    ("reviewer", Role.REVIEWER, "HL-PD", "审核员 张静"),
    ("visitor", Role.VISIT_AGENT, "HL-HF", "回访员 陈敏"),
    ("qa", Role.QA_INSPECTOR, "HL-ZJ", "质检员 刘洋"),
    ("supervisor", Role.SUPERVISOR, "HL", "主管 赵磊"),
    ("analyst", Role.ANALYST, "HL", "数据分析员 周杰"),
    ("annotator", Role.ANNOTATOR, "HL", "数据标注员 许敏"),
    ("hr", Role.HR, "HL", "人事 吴娟"),
    ("admin", Role.ADMIN, "HL", "系统管理员 孙涛"),
    ("cgj", Role.DEPT_HANDLER, "CGJ", "城管局承办人 黄勇"),
    ("zjj", Role.DEPT_HANDLER, "ZJJ", "住建局承办人 林超"),
    ("dcq", Role.DEPT_HANDLER, "DCQ", "东城区承办人 郭明"),
    ("dcq-mgr", Role.DEPT_MANAGER, "DCQ", "东城区负责人 何建华"),
    ("dcq-dh", Role.DEPT_HANDLER, "DCQ-1", "东华街道承办人 马秀英"),
]


@dataclass
class DemoSummary:
    departments: int
    categories: int
    users: list[tuple[str, str, str]]
    tickets: int


def _dept(code: str, name: str, kind: str, parent: Department | None = None) -> Department:
    dept, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent}
    )
    return dept


def build_organisation() -> dict[str, Department]:
    depts: dict[str, Department] = {}
    for code, name in CENTRE_TEAMS:
        depts[code] = _dept(code, name, K.CENTRE, depts.get("HL"))
    for code, name in BUREAUS:
        depts[code] = _dept(code, name, K.CITY_BUREAU)
    for code, name in ENTERPRISES:
        depts[code] = _dept(code, name, K.ENTERPRISE)
    for group, kind in ((DISTRICTS, K.COUNTY), (ZONES, K.ZONE)):
        for code, (name, streets) in group.items():
            depts[code] = _dept(code, name, kind)
            for i, street in enumerate(streets, 1):
                kid = K.STREET
                depts[f"{code}-{i}"] = _dept(f"{code}-{i}", street, kid, depts[code])
    return depts


def build_categories() -> dict[str, tuple[Category, str]]:
    leaves: dict[str, tuple[Category, str]] = {}
    codes: dict[str, Category] = {}
    for i1, (l1, l2, l3s, handler) in enumerate(CATEGORY_TREE):
        top = codes.get(l1)
        if top is None:
            top, _ = Category.objects.get_or_create(code=f"{len(codes) + 1:02d}", defaults={"name": l1})
            codes[l1] = top
        mid, _ = Category.objects.get_or_create(
            code=f"{top.code}{i1:02d}", defaults={"name": l2, "parent": top}
        )
        for i3, l3 in enumerate(l3s, 1):
            leaf, _ = Category.objects.get_or_create(
                code=f"{mid.code}{i3:02d}", defaults={"name": l3, "parent": mid}
            )
            leaves[l3] = (leaf, handler)
    return leaves


def build_users(depts: dict[str, Department]) -> list[tuple[str, str, str]]:
    rows = []
    for username, role, dept_code, name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "department": depts[dept_code], "display_name": name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
        rows.append((username, Role(role).label, depts[dept_code].name))
    return rows


class _Story:
    """Drives one ticket through the services along a random but plausible path, under a clock."""

    def __init__(
        self,
        rnd: random.Random,
        clock: Clock,
        users: dict[str, User],
        depts: dict[str, Department],
        now: datetime,
    ):
        self.rnd, self.clock, self.u, self.d, self.now = rnd, clock, users, depts, now

    def step(self, hours_lo: float, hours_hi: float) -> bool:
        """Move the clock; False if that would pass the real present (the story stops there)."""
        target = self.clock.current + timedelta(hours=self.rnd.uniform(hours_lo, hours_hi))
        if target >= self.now:
            return False
        # Recent work is still in progress at every stage, so the desks have something in each state.
        if self.now - target < timedelta(days=6) and self.rnd.random() < 0.1:
            return False
        self.clock.current = target
        return True

    def handler_for(self, dept: Department) -> User:
        if dept.code.startswith("DCQ"):
            return self.u["dcq"]
        if dept.code == "ZJJ":
            return self.u["zjj"]
        return self.u["cgj"] if dept.code == "CGJ" else self._dept_user(dept)

    def _dept_user(self, dept: Department) -> User:
        user, created = User.objects.get_or_create(
            username=f"dept-{dept.code.lower()}",
            defaults={"role": Role.DEPT_HANDLER, "department": dept, "display_name": f"{dept.name}承办人"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def run(self, ticket: Ticket, lead: Department, leaf_name: str) -> None:
        r, u = self.rnd, self.u
        if ticket.type == Ticket.Type.CONSULTATION and r.random() < 0.6:
            svc.ticket_answer(
                ticket=ticket, by=u["agent"], answer=f"已按热线百科解答{leaf_name}相关政策，市民表示清楚。"
            )
            return
        if r.random() < 0.03:
            svc.ticket_invalidate(ticket=ticket, by=u["agent"], reason="来电无声，多次询问无应答")
            return
        if ticket.status == Ticket.Status.DRAFT and r.random() < 0.5:
            svc.ticket_submit(ticket=ticket, by=u["agent"])
            if not self.step(0.1, 3):
                return
        by = u["dispatcher"] if ticket.status == Ticket.Status.PENDING_DISPATCH else u["agent"]
        first = lead
        wrong = r.random() < 0.04
        if wrong:
            first = self.d["SJJ"] if lead.code != "SJJ" else self.d["CGJ"]
        ticket = svc.ticket_dispatch(ticket=ticket, by=by, lead=first)
        if not self.step(0.2, 6):
            return
        handler = self.handler_for(first)
        if wrong:
            ticket = svc.ticket_return_request(
                ticket=ticket, by=handler, reason="不属于本单位职责", legal_basis="三定方案"
            )
            if not self.step(0.5, 8):
                return
            ticket = svc.ticket_return_decide(
                ticket=ticket, by=u["dispatcher"], approve=True, note="同意退单，改派"
            )
            ticket = svc.ticket_dispatch(ticket=ticket, by=u["dispatcher"], lead=lead, note="按职责改派")
            handler = self.handler_for(lead)
            if not self.step(0.2, 6):
                return
        ticket = svc.ticket_acknowledge(ticket=ticket, by=handler)
        if lead.code == "DCQ" and r.random() < 0.7:
            ticket = svc.ticket_subdispatch(
                ticket=ticket, by=handler, department=self.d["DCQ-1"], note="请东华街道核实处理"
            )
            handler = u["dcq-dh"]
        if ticket.budget_unit == "days" and r.random() < 0.12:
            if not self.step(4, 30):
                return
            ticket = svc.ticket_extension_request(
                ticket=ticket, by=handler, days=r.choice([2, 3, 5]), reason="需协调多个部门现场处置"
            )
            if not self.step(1, 20):
                return
            ticket = svc.ticket_extension_decide(
                ticket=ticket, by=u["reviewer"], approve=True, note="同意延期"
            )
        if not self.step(2, 70):
            return
        ticket = svc.ticket_reply(
            ticket=ticket, by=handler, reply=f"经现场核实，{leaf_name}问题已处理完毕，已与市民沟通。"
        )
        if not self.step(0.5, 12):
            return
        if r.random() < 0.08:
            ticket = svc.ticket_review(
                ticket=ticket, by=u["reviewer"], approve=False, note="答复未说明处理结果，请补充"
            )
            if not self.step(2, 24):
                return
            ticket = svc.ticket_reply(
                ticket=ticket, by=handler, reply="已补充：问题已整改到位，附现场照片说明。"
            )
            if not self.step(0.5, 8):
                return
        ticket = svc.ticket_review(ticket=ticket, by=u["reviewer"], approve=True)
        if ticket.status != Ticket.Status.PENDING_VISIT or not self.step(2, 40):
            return
        outcome = r.random()
        if outcome < 0.06:
            svc.ticket_visit(
                ticket=ticket, by=u["visitor"], result="unsatisfied", note="市民表示问题仍未解决"
            )
            return
        result = (
            "satisfied" if outcome < 0.85 else ("basically_satisfied" if outcome < 0.95 else "unreachable")
        )
        ticket = svc.ticket_visit(ticket=ticket, by=u["visitor"], result=result)
        # An unreachable citizen is tried again: the third unreachable visit of a round closes it (an
        # old ticket left after one try would sit on the visit desk as months overdue).
        while ticket.status == Ticket.Status.PENDING_VISIT and result == "unreachable":
            if not self.step(2, 8):
                return
            ticket = svc.ticket_visit(ticket=ticket, by=u["visitor"], result=result)
        if (
            ticket.status == Ticket.Status.CLOSED
            and self.clock.current < self.now - timedelta(days=30)
            and r.random() < 0.7
        ):
            svc.ticket_archive(ticket=ticket, by=u["supervisor"])


def _random_name(r: random.Random) -> str:
    return r.choice(SURNAMES) + r.choice(GIVEN)


def build_tickets(
    *, count: int, days: int, seed: int, depts: dict[str, Department], leaves: dict[str, tuple[Category, str]]
) -> int:
    rnd = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    now = timezone.now()
    tz = timezone.get_current_timezone()
    names = sorted(leaves)
    made = 0
    starts = sorted(
        datetime.combine(
            (now - timedelta(days=rnd.uniform(0, days))).astimezone(tz).date(), time(8), tzinfo=tz
        )
        + timedelta(minutes=rnd.randint(0, 14 * 60))
        for _ in range(count)
    )
    for start in starts:
        if start >= now:
            start = now - timedelta(minutes=rnd.randint(5, 120))
        leaf_name = rnd.choice(names)
        leaf, handler_code = leaves[leaf_name]
        district_code = rnd.choice(list(DISTRICTS))
        lead = depts[district_code] if handler_code == "district" else depts[handler_code]
        if handler_code == "district" and rnd.random() < 0.6:
            lead = depts["DCQ"]
            district_code = "DCQ"
        text = CONTENT[leaf_name].format(
            estate=rnd.choice(ESTATES), road=rnd.choice(ROADS), road2=rnd.choice(ROADS), n=rnd.randint(1, 40)
        )
        ttype = (
            Ticket.Type.CONSULTATION
            if leaf_name in CONSULT
            else rnd.choice(
                [
                    Ticket.Type.COMPLAINT,
                    Ticket.Type.HELP,
                    Ticket.Type.REPORT,
                    Ticket.Type.SUGGESTION,
                    Ticket.Type.COMPLAINT,
                ]
            )
        )
        channel = rnd.choices(
            [Ticket.Channel.PHONE, Ticket.Channel.WEB, Ticket.Channel.WECHAT, Ticket.Channel.PROVINCE],
            [70, 12, 14, 4],
        )[0]
        phone = f"1{rnd.choice('3578')}{rnd.randint(0, 9)}{rnd.randint(10_000_000, 99_999_999)}"
        with clock_at(start) as clock, transaction.atomic():
            data = svc.TicketInput(
                title=f"{leaf_name}：{text[:18]}…" if len(text) > 18 else text,
                content=text,
                type=ttype,
                channel=channel,
                urgency=Ticket.Urgency.URGENT if leaf_name in URGENT else Ticket.Urgency.NORMAL,
                category=leaf,
                address=f"{DISTRICTS[district_code][0]}{rnd.choice(ROADS)}{rnd.randint(1, 300)}号",
                district=depts[district_code],
                citizen_name=_random_name(rnd),
                citizen_phone=phone,
                no_callback=rnd.random() < 0.03,
            )
            submit = channel != Ticket.Channel.PHONE
            ticket, _ = svc.ticket_create(data=data, by=users["agent"], submit=submit)
            story = _Story(rnd, clock, users, depts, now)
            try:
                if story.step(0.02, 0.3):
                    story.run(ticket, lead, leaf_name)
            except ServiceError as exc:  # a demo story that hits a rule simply stops there
                ticket.refresh_from_db()
                if exc.code not in ("invalid_transition", "invalid"):
                    raise
        made += 1
    return made


def build_duplicates(*, seed: int, count: int = 6) -> int:
    """Repeat calls about open tickets: some merged into the first ticket (并单), some waiting."""
    rnd = random.Random(seed + 1)
    agent = User.objects.get(username="agent")
    open_ones = list(
        Ticket.objects.filter(status__in=[Ticket.Status.DISPATCHED, Ticket.Status.ACKNOWLEDGED]).order_by(
            "-created_at"
        )[: count * 2]
    )
    made = 0
    for i, original in enumerate(open_ones[:count]):
        data = svc.TicketInput(
            title=original.title,
            content="再次来电反映：" + original.content,
            type=original.type,
            category=original.category,
            address=original.address,
            district=original.district,
            citizen_name=original.citizen_name,
            citizen_phone=original.citizen_phone,
            urgency=original.urgency,
        )
        dup, _ = svc.ticket_create(data=data, by=agent, submit=i % 3 == 2)
        if i % 3 != 2:
            svc.ticket_merge(ticket=dup, by=agent, parent=original, note="同一市民重复来电，并入原工单")
        made += 1
    rnd.random()
    return made


def _lead_handler(ticket: Ticket) -> User | None:
    lead = (
        ticket.assignments.filter(active=True, role="lead")
        .order_by("-level")
        .select_related("department")
        .first()
    )
    if lead is None:
        return None
    return User.objects.filter(role=Role.DEPT_HANDLER, department=lead.department).first()


def build_pending_requests(count: int = 2) -> None:
    """A few return and extension requests waiting for the dispatch desk's decision."""
    for ticket in Ticket.objects.filter(status=Ticket.Status.DISPATCHED).order_by("-created_at")[:count]:
        handler = _lead_handler(ticket)
        if handler is not None:
            svc.ticket_return_request(
                ticket=ticket,
                by=handler,
                reason="该事项属于物业合同纠纷，不属于本单位职责",
                legal_basis="《物业管理条例》",
            )
    for ticket in Ticket.objects.filter(status=Ticket.Status.ACKNOWLEDGED, budget_unit="days").order_by(
        "-created_at"
    )[:count]:
        handler = _lead_handler(ticket)
        if handler is not None:
            svc.ticket_extension_request(ticket=ticket, by=handler, days=3, reason="需等待第三方检测报告")


def demo_load(*, tickets: int = 300, days: int = 90, seed: int = 12345) -> DemoSummary:
    """Create (or complete) the demo city; tickets are only added when there are none yet."""
    depts = build_organisation()
    leaves = build_categories()
    users = build_users(depts)
    from hotline.workforce.demo import load_demo as load_workforce_demo

    load_workforce_demo()
    from hotline.callcenter.demo import load_demo  # seats, queues, agents, hotlines, a day of calls

    load_demo(seed=seed)
    from hotline.exchange.demo import load_demo as load_exchange_demo  # Open311 key, switchboard

    load_exchange_demo()
    made = 0
    if not Ticket.objects.exists():
        made = build_tickets(count=tickets, days=days, seed=seed, depts=depts, leaves=leaves)
        made += build_duplicates(seed=seed)
        build_pending_requests()
        svc.tickets_scan_deadlines()
    from hotline.knowledge.demo import load_demo as load_knowledge_demo  # articles, citations on the tickets

    load_knowledge_demo(seed=seed)
    from hotline.quality.demo import load_demo as load_quality_demo  # QA plan, rubric, inspections
    from hotline.visits.demo import load_demo as load_visits_demo  # visit tasks for reviewed tickets

    load_visits_demo(seed=seed)
    load_quality_demo(seed=seed)
    return DemoSummary(Department.objects.count(), Category.objects.count(), users, made)
