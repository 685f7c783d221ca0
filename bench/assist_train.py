"""Dispatch classifier at city scale: train on 100 k synthetic tickets, then time suggestions.

    python bench/assist_train.py                    # 100,000 tickets, 40 departments
    python bench/assist_train.py --tickets 20000 --departments 20

Texts are recombined from project-written sentence templates (greeting, place, 3-7 sentences of the
department's topic with some sentences of other topics mixed in, numbers, a closing request), about
as long as real hotline tickets; accuracy on them says nothing about real data (use
`hotline assist evaluate` for that). Measured: training seconds of `DispatchClassifier.fit` (the
whole thing: segmentation, features, selection, SVM, calibration), the process's peak RSS, the model
file's size, the memory a fresh process needs to load it and make one suggestion, and the p95 of
one-at-a-time suggestions. Targets (issue): train 100 k < 3 min on 2 cores, peak < 2 GB, a loaded
model < 300 MB, suggestion p95 < 20 ms. No database, no network.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from joblib.externals.loky import get_reusable_executor  # noqa: E402

from hotline.assist.classifier import DispatchClassifier  # noqa: E402

GREETINGS = [
    "尊敬的领导：您好！",
    "您好，",
    "市长您好，",
    "你好，我想反映一个问题。",
    "",
    "",
    "各位领导辛苦了，",
]
CLOSINGS = ["请相关部门尽快处理。", "希望得到答复。", "恳请领导重视。", "谢谢！", "", "请核实并回复。"]
PLACE_CHARS = "东西南北中新老长青平安和幸福光明人民建设胜利解放朝阳文化金桥花园湖滨山水红星前进团结"
SUFFIXES = ["路", "街", "小区", "村", "镇", "社区", "大道", "花园", "广场"]

# Per topic: subjects and problems; each department gets one topic with its own mix of them.
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "公交": (
        ["公交车", "公交站台", "城乡公交", "公交线路", "老年卡"],
        ["经常晚点", "班次太少", "司机态度恶劣", "刷卡机坏了", "线路被取消"],
    ),
    "道路": (
        ["路面", "人行道", "桥梁", "井盖", "路灯"],
        ["坑洼不平", "破损严重", "长期没人修", "存在安全隐患", "施工后没有恢复"],
    ),
    "噪声": (
        ["工地", "酒吧", "广场舞音响", "搅拌站", "商铺音响"],
        ["噪音扰民", "深夜施工", "影响休息", "声音太大", "多次投诉无果"],
    ),
    "污水": (
        ["养殖场", "化工厂", "造纸厂", "小区化粪池", "河道"],
        ["污水直排", "河水发黑发臭", "死鱼漂浮", "污染农田", "气味刺鼻"],
    ),
    "大气": (
        ["烟囱", "烧烤店", "砂石厂", "垃圾焚烧点", "喷漆房"],
        ["废气排放", "油烟直排", "粉尘很大", "黑烟滚滚", "空气很差"],
    ),
    "工资": (
        ["公司", "包工头", "工厂", "单位", "老板"],
        ["拖欠工资", "不发加班费", "无故辞退", "不签劳动合同", "克扣奖金"],
    ),
    "社保": (
        ["养老保险", "医保", "社保卡", "失业金", "工伤认定"],
        ["无法办理", "迟迟不到账", "补缴困难", "转移接续被推诿", "标准不清楚"],
    ),
    "教育": (
        ["学校", "幼儿园", "培训机构", "老师", "校车"],
        ["乱收费", "强制补课", "退费困难", "饭菜质量差", "超载严重"],
    ),
    "物业": (
        ["物业公司", "电梯", "小区绿地", "维修基金", "停车位"],
        ["乱收费", "坏了没人修", "被改成停车场", "申请不下来", "收费不合理"],
    ),
    "房产": (
        ["开发商", "商品房", "房产证", "烂尾楼", "公租房"],
        ["延期交房", "办不了证", "质量问题", "停工多年", "排队太久"],
    ),
    "供水": (
        ["自来水", "水管", "二次供水", "水压", "水费"],
        ["经常停水", "水质浑浊", "管道破裂", "水压不足", "收费异常"],
    ),
    "燃气": (
        ["燃气管道", "液化气站", "燃气表", "天然气", "燃气公司"],
        ["存在隐患", "漏气", "计量不准", "开户太慢", "上门收费"],
    ),
    "医疗": (
        ["医院", "诊所", "药店", "医生", "急诊"],
        ["收费过高", "无证行医", "服务态度差", "排队太久", "乱开药"],
    ),
    "市场": (
        ["商家", "超市", "网店", "健身房", "美容院"],
        ["虚假宣传", "卖过期食品", "拒绝退款", "短斤少两", "办卡后跑路"],
    ),
    "城管": (
        ["占道经营", "违章搭建", "小广告", "流动摊贩", "建筑垃圾"],
        ["影响通行", "长期无人管", "堵塞消防通道", "乱堆乱放", "屡禁不止"],
    ),
    "交通": (
        ["出租车", "网约车", "渣土车", "红绿灯", "停车场"],
        ["绕路多收费", "超速行驶", "配时不合理", "乱收停车费", "违规载客"],
    ),
    "户籍": (
        ["户口", "身份证", "居住证", "派出所", "户籍迁移"],
        ["办理太慢", "要求材料太多", "来回跑多次", "政策不清楚", "窗口推诿"],
    ),
    "农业": (
        ["农田", "农机补贴", "化肥", "种子", "灌溉渠"],
        ["补贴没到位", "质量有问题", "被占用", "年久失修", "价格上涨"],
    ),
}


def place(rng: random.Random) -> str:
    return "".join(rng.choice(PLACE_CHARS) for _ in range(2)) + rng.choice(SUFFIXES)


def departments(n: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """`n` departments, each with one main topic and one secondary topic (departments share topics)."""
    topics = list(TOPICS)
    return [(f"D{i:03d}", [topics[i % len(topics)], rng.choice(topics)]) for i in range(n)]


def ticket(dept: tuple[str, list[str]], rng: random.Random) -> str:
    main, second = dept[1]
    parts = [rng.choice(GREETINGS), f"我是{place(rng)}的居民，"]
    for _ in range(rng.randint(3, 7)):
        topic = main if rng.random() < 0.7 else (second if rng.random() < 0.7 else rng.choice(list(TOPICS)))
        subjects, problems = TOPICS[topic]
        where = place(rng)
        parts.append(
            f"{where}附近的{rng.choice(subjects)}{rng.choice(problems)}，"
            f"从{rng.randint(1, 12)}月{rng.randint(1, 28)}日开始已经{rng.randint(2, 30)}天了，"
            f"{rng.choice(['严重影响生活', '大家意见很大', '多次反映没有结果', '给群众带来不便'])}。"
        )
    if rng.random() < 0.3:
        parts.append(f"联系电话{rng.randint(13000000000, 13999999999)}。")
    parts.append(rng.choice(CLOSINGS))
    return "".join(parts)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


LOAD_PROBE = """
import sys

def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

sys.path.insert(0, {root!r})
from hotline.assist.classifier import DispatchClassifier, words
words("预热分词词典")
before = rss_mb()
model = DispatchClassifier.load({path!r})
model.predict_top("公交车经常晚点，请处理")
print(before, rss_mb())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="SVM worker processes (n_jobs)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    depts = departments(args.departments, rng)
    print(f"generating {args.tickets} tickets for {len(depts)} departments...", file=sys.stderr, flush=True)
    labels = [rng.choice(depts) for _ in range(args.tickets + args.queries)]
    texts = [ticket(d, rng) for d in labels]
    codes = [d[0] for d in labels]
    mean_chars = statistics.fmean(len(t) for t in texts)
    rss_before = rss_mb()

    print("training...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    model = DispatchClassifier(n_jobs=args.jobs).fit(texts[: args.tickets], codes[: args.tickets], seed=0)
    train_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The SVMs train in worker processes; their peak counts once they have exited.
    get_reusable_executor().shutdown(wait=True)
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    latencies = []
    for text in texts[args.tickets :]:
        t0 = time.perf_counter()
        model.predict_top(text, k=3)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    accuracy = model.evaluate(texts[args.tickets :], codes[args.tickets :]).accuracy

    with tempfile.TemporaryDirectory() as tmp:
        path = model.save(Path(tmp) / "model.joblib")
        file_mb = path.stat().st_size / 1e6
        probe = LOAD_PROBE.format(root=str(Path(__file__).resolve().parent.parent), path=str(path))
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        base_mb, loaded_mb = (float(v) for v in out.stdout.split())

    print(
        f"tickets                 {args.tickets} ({len(depts)} departments, mean {mean_chars:.0f} characters)"
    )
    print(f"train                   {train_s:.1f} s   (target < 180 s on 2 cores)")
    total_mb = peak_mb + (args.jobs if args.jobs > 1 else 0) * worker_mb
    print(f"peak RSS                {peak_mb:.0f} MB  (texts alone {rss_before:.0f} MB)")
    print(
        f"peak RSS of a worker    {worker_mb:.0f} MB  ({args.jobs} jobs; workers exist only with --jobs > 1, and the memory-mapped matrix counts in each)"
    )
    print(f"peak, all processes     <= {total_mb:.0f} MB  (target < 2048 MB)")
    print(f"model file              {file_mb:.1f} MB")
    print(
        f"loaded model            {loaded_mb - base_mb:.0f} MB over {base_mb:.0f} MB (Python + libraries + jieba dictionary); target < 300 MB"
    )
    print(
        f"suggestion p95          {p95:.2f} ms  (median {statistics.median(latencies):.2f} ms; target < 20 ms)"
    )
    print(f"synthetic accuracy      {accuracy:.3f} (templates: not a quality figure)")
    print(
        f"SUMMARY assist_train tickets={args.tickets} train_s={train_s:.1f} peak_mb={peak_mb:.0f} "
        f"worker_peak_mb={worker_mb:.0f} total_peak_mb={total_mb:.0f} "
        f"model_mb={loaded_mb - base_mb:.0f} process_mb={loaded_mb:.0f} p95_ms={p95:.2f}"
    )


if __name__ == "__main__":
    main()
