"""Articles and questions written for the tests (not taken from any data set)."""

from __future__ import annotations

import csv
from pathlib import Path

ARTICLES: list[dict[str, str]] = [
    {
        "article_id": "gjj-tq",
        "title": "住房公积金提取办理指南",
        "keywords": "公积金 提取 租房 购房",
        "body": "职工购买、建造、翻建、大修自住住房，或者租房自住的，可以申请提取住房公积金。"
        "租房提取每年可办理一次，须提供租赁合同和身份证，可在手机公积金客户端线上办理，一般三个工作日到账。",
    },
    {
        "article_id": "sbk-bb",
        "title": "社会保障卡丢失后如何挂失和补办",
        "keywords": "社保卡 挂失 补卡",
        "body": "社会保障卡遗失后，请先拨打服务电话或在人社服务平台办理临时挂失，"
        "再携带居民身份证到任一合作银行网点申请补卡，补卡工本费按规定收取，新卡一般十个工作日内制作完成。",
    },
    {
        "article_id": "yb-yd",
        "title": "异地就医直接结算备案流程",
        "keywords": "医疗保险 异地就医 备案 报销",
        "body": "参加基本医疗保险的人员到外省长期居住或工作，可先在国家医保服务平台办理异地就医备案，"
        "备案后在定点医疗机构住院费用可直接结算，无须先垫付再回参保地报销。",
    },
    {
        "article_id": "jzz",
        "title": "居住证申领条件和材料",
        "keywords": "居住证 申领 落户",
        "body": "离开常住户口所在地，到本市居住半年以上，有合法稳定就业、合法稳定住所或者连续就读条件之一的，"
        "可以向居住地派出所申领居住证。申领时需提交身份证、照片和住所证明材料。",
    },
    {
        "article_id": "zs-rm",
        "title": "夜间施工噪声扰民怎么投诉",
        "keywords": "噪声 施工 夜间 投诉",
        "body": "除抢修、抢险作业外，晚十点至次日六点禁止在居民区进行产生环境噪声污染的建筑施工作业。"
        "确需连续施工的须取得夜间施工证明并公告附近居民。发现违规夜间施工可拨打12345热线反映，由城管部门到场处理。",
    },
    {
        "article_id": "rq-aq",
        "title": "家庭燃气安全使用须知",
        "keywords": "燃气 天然气 泄漏 安全",
        "body": "使用天然气时要保持通风，离家或睡前关闭燃气阀门。闻到燃气泄漏气味时，立即关闭阀门、开窗通风，"
        "不要开关电器或使用明火，到室外拨打燃气公司抢修电话。",
    },
    {
        "article_id": "xw-bm",
        "title": "小学一年级入学登记报名时间",
        "keywords": "义务教育 入学 学位 报名",
        "body": "适龄儿童小学一年级入学登记一般在每年五月进行，家长通过教育局入学服务平台网上报名，"
        "需准备户口簿、房产证明或租赁备案证明，审核结果在六月公布。",
    },
    {
        "article_id": "qx-wq",
        "title": "被拖欠工资如何维权",
        "keywords": "欠薪 劳动仲裁 劳动监察",
        "body": "劳动者被拖欠工资，可以先与用人单位协商，协商不成可以向劳动保障监察机构投诉，"
        "也可以在一年内向劳动人事争议仲裁委员会申请劳动仲裁。农民工欠薪可拨打12345热线求助。",
    },
]

QUESTIONS: list[tuple[str, str]] = [
    ("租房能提取公积金吗，需要什么材料？", "gjj-tq"),
    ("社保卡丢了怎么办？", "sbk-bb"),
    ("去外地看病住院医保能直接结算吗", "yb-yd"),
    ("外地人在本市怎么办居住证", "jzz"),
    ("晚上工地施工太吵了向哪里投诉", "zs-rm"),
    ("家里闻到煤气味道应该怎么处理", "rq-aq"),
    ("孩子上小学一年级什么时候报名", "xw-bm"),
    ("老板一直不发工资怎么办", "qx-wq"),
]


def write_articles_csv(
    path: Path, rows: list[dict[str, str]] | None = None, columns: tuple[str, ...] | None = None
) -> Path:
    rows = ARTICLES if rows is None else rows
    columns = columns or ("article_id", "title", "body")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_questions_csv(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("question", "article_id"))
        writer.writerows(QUESTIONS)
    return path
