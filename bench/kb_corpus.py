"""Generated 热线百科 articles and questions for the knowledge-base benchmarks (project-written templates).

Articles look like a city's hotline knowledge base: a service guide or policy notice for one district
and topic, 150 to 2,000 characters (mean about 650), with made-up street and community names so the
vocabulary keeps growing with the corpus as a real one does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

DISTRICTS = [
    "东城区",
    "西城区",
    "南湖区",
    "北山区",
    "高新区",
    "经开区",
    "滨江区",
    "临港新区",
    "青云县",
    "白石县",
    "望江市",
    "长乐镇",
]
TOPICS = [
    ("住房公积金", ["提取", "贷款", "缴存", "转移接续", "异地使用", "销户"]),
    ("社会保险", ["参保登记", "缴费基数", "待遇领取", "关系转移", "补缴", "停保"]),
    ("医疗保险", ["门诊报销", "住院结算", "异地就医备案", "慢特病认定", "生育津贴", "药品目录"]),
    ("居住证", ["申领", "签注", "积分", "挂失补领", "随迁子女入学", "材料清单"]),
    ("不动产登记", ["首次登记", "转移登记", "抵押登记", "更正登记", "证书补发", "查询"]),
    ("营业执照", ["设立登记", "变更登记", "注销登记", "年报公示", "经营范围", "电子执照"]),
    ("燃气", ["开户", "缴费", "安全检查", "报修", "改装", "停气通知"]),
    ("供水", ["报装", "水费", "水质", "停水", "水表更换", "管道维修"]),
    ("供暖", ["开栓", "收费标准", "温度不达标", "报停", "管网维修", "补贴"]),
    ("义务教育", ["入学登记", "学位申请", "转学", "学籍", "课后服务", "招生范围"]),
    ("劳动保障", ["欠薪投诉", "劳动合同", "劳动仲裁", "工伤认定", "最低工资", "休假"]),
    ("交通出行", ["公交线路", "网约车", "驾驶证", "车辆年检", "交通违法处理", "停车收费"]),
    ("市容环境", ["噪声扰民", "垃圾分类", "占道经营", "违法建设", "油烟污染", "绿化养护"]),
    ("养老服务", ["高龄津贴", "居家养老", "养老机构", "助餐服务", "适老化改造", "长期护理"]),
    ("社会救助", ["最低生活保障", "临时救助", "特困供养", "医疗救助", "残疾人补贴", "困难群众"]),
    ("税费服务", ["个人所得税", "增值税发票", "契税", "房产税", "纳税申报", "减免政策"]),
    ("户籍管理", ["落户", "迁出", "身份证办理", "户口簿", "出生登记", "更正信息"]),
    ("市场监管", ["消费投诉", "食品安全", "价格举报", "计量器具", "广告监管", "产品质量"]),
]
ACTIONS = ["办理流程", "所需材料", "办理时限", "收费标准", "常见问题", "政策解读", "注意事项", "咨询电话"]
SENTENCES = [
    "申请人可通过{d}政务服务网或手机客户端在线提交申请，也可到{d}政务服务中心{n}号窗口现场办理。",
    "办理{t}{a}需提供本人居民身份证原件、{m}以及相关证明材料复印件一份。",
    "材料齐全、符合法定形式的，{dept}在{k}个工作日内办结；材料不全的，一次性告知需要补正的全部内容。",
    "{t}{a}不收取任何费用，如遇收费情况请拨打12345热线反映。",
    "{s}社区居民可就近到{s}便民服务站咨询{t}相关事项，服务时间为工作日上午九点至下午五点。",
    "根据{y}年修订的《{d}{t}管理办法》，自{y}年{mo}月{da}日起，{a}的条件有所调整。",
    "对于{p}，可适当放宽{a}的条件，具体以{dept}审核结果为准。",
    "如对办理结果有异议，可在收到决定之日起六十日内向{d}人民政府申请行政复议。",
    "办理进度可通过短信、{d}政务服务网“我的办件”栏目或拨打{dept}服务电话{tel}查询。",
    "{t}{a}实行“一件事一次办”，{dept}与{dept2}之间的信息共享后，群众不再重复提交材料。",
    "特殊情况可申请延期办理，延期不超过{k}个工作日，并告知申请人延期理由。",
    "{s}街道已设立{t}帮办代办专窗，为老年人、残疾人等群体提供上门服务。",
    "今年以来，{d}共受理{t}{a}申请{num}件，平均办理时间缩短至{k}个工作日。",
    "在{s}一带，{t}问题主要集中在{a}方面，相关单位已建立台账逐项整改。",
    "市民反映的{a}问题，由{dept}牵头，{dept2}配合，限期{k}日内答复。",
]
MATERIALS = [
    "户口簿",
    "不动产权证书",
    "租赁合同",
    "劳动合同",
    "营业执照副本",
    "医学证明",
    "结婚证",
    "银行卡",
    "近期免冠照片",
    "委托书",
]
PEOPLE = [
    "低收入家庭",
    "高校毕业生",
    "退役军人",
    "新就业无房职工",
    "灵活就业人员",
    "多子女家庭",
    "残疾人家庭",
    "外来务工人员",
]
DEPTS = [
    "市住房公积金管理中心",
    "市人力资源和社会保障局",
    "市医疗保障局",
    "市公安局",
    "市自然资源和规划局",
    "市市场监督管理局",
    "市城市管理局",
    "市教育局",
    "市民政局",
    "市税务局",
    "市交通运输局",
    "市生态环境局",
    "市住房和城乡建设局",
    "区政务服务中心",
]
NAME_CHARS = "安宁和平兴华福康泰丰盛祥瑞嘉乐明德仁义春秋阳光翠竹梅兰松柏金银玉石青山绿水东西南北新老龙凤鹤鹿云霞星月桥湾塘湖溪岭坡园苑庭里"
PLACE_SUFFIX = ["社区", "街道", "小区", "村", "花园", "家园", "新村", "里"]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_CHARS) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(PLACE_SUFFIX)


def article(rng: random.Random, i: int) -> dict[str, str]:
    d = rng.choice(DISTRICTS)
    topic, acts = rng.choice(TOPICS)
    a = rng.choice(acts)
    act = rng.choice(ACTIONS)
    title = f"{d}{topic}{a}{act}"
    target = max(150, min(2000, int(rng.lognormvariate(6.3, 0.55))))
    parts: list[str] = []
    size = 0
    while size < target:
        s = rng.choice(SENTENCES).format(
            d=d, t=topic, a=a, n=rng.randint(1, 60), m=rng.choice(MATERIALS), dept=rng.choice(DEPTS),
            dept2=rng.choice(DEPTS), k=rng.choice((3, 5, 7, 10, 15, 20)), s=_place(rng), y=rng.randint(2018, 2026),
            mo=rng.randint(1, 12), da=rng.randint(1, 28), p=rng.choice(PEOPLE),
            tel=f"{rng.randint(2000000, 8999999)}", num=rng.randint(100, 90000),
        )  # fmt: skip
        parts.append(s)
        size += len(s)
    return {
        "article_id": f"gen-{i:06d}",
        "title": title,
        "body": "".join(parts),
        "keywords": f"{topic} {a} {d}",
    }


def articles(n: int, seed: int = 12345) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    for i in range(n):
        yield article(rng, i)


QUESTION_FORMS = [
    "{d}{t}{a}需要什么材料？",
    "请问在{d}怎么办理{t}{a}",
    "{t}{a}要多久能办好",
    "{d}的{t}{a}在哪里办",
    "{a}{t}收费吗",
    "我想咨询一下{t}{a}的政策",
    "{p}申请{t}{a}有什么优惠",
    "{t}{a}办理进度怎么查",
]


def questions(n: int, seed: int = 54321) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(n):
        topic, acts = rng.choice(TOPICS)
        yield rng.choice(QUESTION_FORMS).format(
            d=rng.choice(DISTRICTS), t=topic, a=rng.choice(acts), p=rng.choice(PEOPLE)
        )
