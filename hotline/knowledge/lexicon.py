"""The search lexicon: government-service terms, synonyms, stopwords and question words.

Written for the project (not drawn from any data set). Terms are added to the segmenter so that
"住房公积金" or "不动产登记" stay one word; each synonym group lets a query in one wording find an
article written in another (社保 / 社会保险). Edit freely: the in-memory index is rebuilt from the
database when a process starts, so a change takes effect on the next restart.
"""

from __future__ import annotations

# One line per group; the first entry is the preferred wording (shown in suggestions).
SYNONYM_GROUPS: tuple[str, ...] = (
    "住房公积金 公积金",
    "社会保险 社保",
    "社会保险费 社保费",
    "社会保障卡 社保卡",
    "基本医疗保险 医疗保险 医保",
    "医疗保障局 医保局",
    "养老保险 养老金保险",
    "养老金 退休金",
    "失业保险金 失业金",
    "工伤保险 工伤险",
    "生育保险 生育险",
    "城乡居民基本医疗保险 居民医保",
    "职工基本医疗保险 职工医保",
    "新型农村合作医疗 新农合",
    "最低生活保障 低保",
    "居民身份证 身份证",
    "居住证 暂住证",
    "户口 户籍",
    "户口簿 户口本",
    "机动车驾驶证 驾驶证 驾照",
    "机动车行驶证 行驶证",
    "营业执照 执照",
    "统一社会信用代码 信用代码",
    "个体工商户 个体户",
    "小微企业 小型微利企业 中小微企业",
    "增值税专用发票 专票",
    "增值税普通发票 普票",
    "个人所得税 个税",
    "企业所得税 企税",
    "不动产登记 房产登记",
    "不动产权证书 房产证 房本",
    "商品房 商品住房",
    "保障性住房 保障房",
    "公共租赁住房 公租房",
    "住房租赁 租房",
    "物业服务企业 物业公司 物业",
    "业主委员会 业委会",
    "城市管理 城管",
    "市场监督管理局 市场监管局 工商局",
    "人力资源和社会保障局 人社局",
    "住房和城乡建设局 住建局",
    "生态环境局 环保局",
    "卫生健康委员会 卫健委 卫生局",
    "公安局 派出所",
    "交通运输局 交通局",
    "税务局 税务机关",
    "新型冠状病毒肺炎 新冠肺炎 新冠",
    "核酸检测 核酸",
    "疫苗接种 打疫苗",
    "复工复产 复工",
    "延期缴纳 缓缴",
    "减免 减征 免征",
    "补贴 补助",
    "拖欠工资 欠薪 讨薪",
    "劳动合同 用工合同",
    "劳动仲裁 劳动争议仲裁",
    "网约车 网络预约出租汽车",
    "出租车 出租汽车 的士",
    "公交车 公共汽车 公交",
    "电动自行车 电动车",
    "共享单车 共享自行车",
    "燃气 煤气 天然气",
    "自来水 供水",
    "供暖 暖气 供热",
    "噪音 噪声",
    "违章建筑 违法建设 违建",
    "占道经营 流动摊贩",
    "12345 市民热线 政务服务便民热线 便民热线",
    "一网通办 网上办",
    "不见面审批 网上审批",
    "政务服务中心 行政服务中心 办事大厅",
    "幼儿园 托儿所",
    "义务教育 九年义务教育",
    "学籍 学生档案",
    "退役军人 复员军人",
    "残疾人证 残疾证",
    "老年人 老人",
    "高龄津贴 高龄补贴",
)

# Kept as single words by the segmenter (every synonym above is added too).
GOVERNMENT_TERMS: tuple[str, ...] = (
    "接诉即办",
    "政务服务",
    "便民热线",
    "热线百科",
    "工单",
    "承办单位",
    "网格员",
    "居委会",
    "村委会",
    "街道办事处",
    "营商环境",
    "放管服",
    "最多跑一次",
    "一件事一次办",
    "跨省通办",
    "电子证照",
    "健康码",
    "行程卡",
    "密切接触者",
    "居家隔离",
    "集中隔离",
    "封控区",
    "防控物资",
    "稳岗返还",
    "稳岗补贴",
    "以工代训",
    "就业补贴",
    "创业担保贷款",
    "灵活就业",
    "留抵退税",
    "阶段性减免",
    "缓缴社会保险费",
    "社会保险费",
    "住房公积金",
    "公积金贷款",
    "提取公积金",
    "医保报销",
    "异地就医",
    "门诊慢特病",
    "大病保险",
    "医疗救助",
    "临时救助",
    "特困供养",
    "残疾人两项补贴",
    "不动产登记",
    "网签备案",
    "契税",
    "房产税",
    "城镇土地使用税",
    "印花税",
    "增值税",
    "个人所得税",
    "企业所得税",
    "纳税申报",
    "电子税务局",
    "发票",
    "营业执照",
    "食品经营许可证",
    "消费维权",
    "消费者权益",
    "价格举报",
    "垃圾分类",
    "油烟扰民",
    "噪声扰民",
    "违法建设",
    "老旧小区改造",
    "加装电梯",
    "物业费",
    "停车位",
    "占道经营",
    "渣土车",
    "积水点",
    "路灯",
    "井盖",
    "供热",
    "燃气安全",
    "学位申请",
    "义务教育",
    "校外培训",
    "课后服务",
    "入学登记",
    "积分入户",
    "落户",
    "居住证",
    "出入境",
    "港澳通行证",
    "驾驶证",
    "车辆年检",
    "违章处理",
    "交通违法",
    "公交线路",
    "网约车",
    "退役军人",
    "优抚对象",
    "婚姻登记",
    "出生医学证明",
    "生育登记",
    "预防接种",
    "家庭医生",
    "法律援助",
    "劳动仲裁",
    "欠薪",
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Dropped on both sides: they carry no topic.
STOPWORDS: frozenset[str] = _words(
    """的 地 得 了 着 过 和 与 及 以及 或 或者 是 在 有 对 对于 为 将 被 把 就 都 也 而 等 之 其 这 那 这个 那个
    这些 那些 该 此 由 于 从 向 以 并 还 又 再 我 你 您 他 她 它 我们 你们 他们 咱们 吗 呢 吧 啊 呀 么 嘛 哦
    个 一个 一下 已 已经 会 要 想 让 给 跟 同 但 但是 如果 因为 所以 然后 就是 还是 很 太 更 最"""
)

# Dropped from queries only: how a citizen asks, not what about.
QUESTION_WORDS: frozenset[str] = _words(
    """请问 咨询 问 问下 问一下 想问 想知道 了解 知道 什么 什么样 什么时候 啥 哪 哪些 哪个 哪里 哪儿 哪天 哪几
    哪方面 如何 怎么 怎么样 怎样 怎么办 咋 咋办 是否 是不是 能否 能不能 可否 可不可以 可以 能 能够 多少 几 多久
    多长时间 何 何时 何种 何地 为何 为什么 有何 有没有 有哪些 是什么 指的是 具体 情况 相关 有关 方面 问题
    主要 一些 需要 应该 应 应当 须 必须 提出 采取 做 做出 做好 出台 要求 规定 呢 吗 谢谢 你好 您好"""
)


def synonym_map() -> dict[str, tuple[str, ...]]:
    """Each term of a group mapped to the other terms of its group(s)."""
    out: dict[str, set[str]] = {}
    for line in SYNONYM_GROUPS:
        group = line.split()
        for term in group:
            out.setdefault(term, set()).update(t for t in group if t != term)
    return {term: tuple(sorted(others)) for term, others in out.items()}


def user_words() -> list[str]:
    """Every term the segmenter must keep whole."""
    words = set(GOVERNMENT_TERMS)
    for line in SYNONYM_GROUPS:
        words.update(line.split())
    return sorted(w for w in words if len(w) > 1)
