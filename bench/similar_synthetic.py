"""Benchmark: SimilarIndex on N synthetic petition-like texts (no shared data needed).

Prints JSON lines: build time (vectoriser fit, encoding, HNSW insert), recall@10 of HNSW against exact
brute force over the same vectors on 200 fresh queries (a returned item counts when its similarity
reaches the exact 10th best, so ties do not count as misses), p50/p95 query milliseconds end to end
(segmentation + vectorisation + search) and for the search alone, index size on disk and RSS.

    .venv/bin/python bench/similar_synthetic.py --n 200000 [--dim 256] [--ef 128] [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import emit, rss_mb  # noqa: E402

from xinfang.triage.similar import SimilarIndex, TextVectorizer  # noqa: E402

_SYLLABLES = list("东西南北中华新兴民和平安康宁泰福瑞祥金银丰盛荣昌明光辉阳春秋湖山江河桥园林松柏梅竹兰菊")
_TOPICS = {
    "物业": [
        "物业公司不作为，{estate}{b}栋电梯经常故障",
        "{estate}物业费上涨却服务变差",
        "物业拒绝公开维修基金使用情况",
    ],
    "噪音": [
        "{road}附近工地夜间施工噪音扰民",
        "{estate}楼下烧烤店深夜噪音严重",
        "广场舞音响声音太大影响休息",
    ],
    "拆迁": [
        "{town}{village}拆迁补偿标准过低",
        "征地补偿款至今没有发放到位",
        "{village}房屋被强制拆除没有安置",
    ],
    "欠薪": ["{company}拖欠工资{n}个月", "农民工在{road}项目工地被欠薪", "{company}不签劳动合同也不交社保"],
    "学校": ["{estate}配套学校迟迟没有开学", "{town}中心小学乱收费补课费", "孩子入学学位紧张无法就近入学"],
    "交通": [
        "{road}红绿灯设置不合理经常堵车",
        "{road}公交线路{n}路班次太少",
        "{road}路面破损坑洼不平存在安全隐患",
    ],
    "污染": ["{company}偷排污水污染{river}", "{town}垃圾焚烧厂臭气熏天", "{road}搅拌站粉尘污染严重"],
    "医疗": ["{town}卫生院医生态度恶劣", "医保报销比例太低看病贵", "{town}卫生院收费不规范重复检查"],
    "供水": [
        "{estate}自来水发黄有异味",
        "{estate}{b}栋高层经常停水水压不足",
        "{village}饮用水工程至今未通水",
    ],
    "房产": [
        "{estate}开发商延期交房{n}个月",
        "{estate}房屋质量问题墙体开裂漏水",
        "{estate}迟迟办不了不动产权证",
    ],
}
_FILLER = [
    "多次向有关部门反映未果",
    "希望领导高度重视",
    "请尽快调查处理",
    "严重影响居民正常生活",
    "恳请相关部门给予答复",
    "已经拨打过热线电话",
    "群众意见很大",
    "问题已经持续{n}年",
    "请求依法处理",
    "希望早日解决",
]


def _name(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(k))


class Generator:
    def __init__(self, seed: int = 0):
        rng = random.Random(seed)
        self.rng = rng
        self.estates = [
            _name(rng, 2) + rng.choice(["小区", "花园", "家园", "苑", "大厦", "新村"]) for _ in range(5000)
        ]
        self.roads = [_name(rng, 2) + rng.choice(["路", "大道", "街"]) for _ in range(2000)]
        self.towns = [_name(rng, 2) + rng.choice(["镇", "街道", "乡"]) for _ in range(400)]
        self.villages = [_name(rng, 2) + "村" for _ in range(3000)]
        self.companies = [
            _name(rng, 2) + rng.choice(["公司", "集团", "工厂", "建筑公司"]) for _ in range(2000)
        ]
        self.rivers = [_name(rng, 1) + rng.choice(["江", "河", "湖"]) for _ in range(100)]

    def text(self) -> str:
        rng = self.rng
        slots = {
            "estate": rng.choice(self.estates),
            "road": rng.choice(self.roads),
            "town": rng.choice(self.towns),
            "village": rng.choice(self.villages),
            "company": rng.choice(self.companies),
            "river": rng.choice(self.rivers),
            "b": rng.randint(1, 30),
            "n": rng.randint(2, 12),
        }
        topics = rng.sample(list(_TOPICS), 2 if rng.random() < 0.3 else 1)
        parts = [f"我是{slots['town']}居民"]
        for topic in topics:
            parts += rng.sample(_TOPICS[topic], rng.randint(1, 3))
        parts += rng.sample(_FILLER, rng.randint(1, 3))
        return "，".join(p.format(**slots) for p in parts) + "。"


_worker_vectorizer: TextVectorizer | None = None


def _encode(texts):
    return _worker_vectorizer.transform(texts)


def main() -> None:
    global _worker_vectorizer
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--ef", type=int, default=128)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    generator = Generator(0)
    started = time.perf_counter()
    texts = [generator.text() for _ in range(args.n)]
    queries = [generator.text() for _ in range(args.queries)]
    emit(
        step="generate",
        n=args.n,
        seconds=round(time.perf_counter() - started, 1),
        mean_chars=round(sum(map(len, texts[:10000])) / min(10000, args.n)),
    )

    rss_before = rss_mb()
    started = time.perf_counter()
    _worker_vectorizer = TextVectorizer(args.dim).fit(texts)
    fit_s = time.perf_counter() - started

    started = time.perf_counter()
    chunk = 10_000
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    if args.workers > 1:
        with mp.get_context("fork").Pool(args.workers) as pool:
            encoded = pool.map(_encode, chunks)
    else:
        encoded = [_encode(c) for c in chunks]
    vectors = np.concatenate([v for v, _ in encoded])
    salient = np.concatenate([s for _, s in encoded])
    del encoded
    encode_s = time.perf_counter() - started

    started = time.perf_counter()
    index = SimilarIndex(_worker_vectorizer, m=args.m, ef_construction=args.ef_construction, ef=args.ef)
    ids = np.arange(1, args.n + 1)
    for i in range(0, args.n, 100_000):
        index.add_encoded(ids[i : i + 100_000], vectors[i : i + 100_000], salient[i : i + 100_000])
    insert_s = time.perf_counter() - started
    emit(
        step="build",
        fit_seconds=round(fit_s, 1),
        encode_seconds=round(encode_s, 1),
        insert_seconds=round(insert_s, 1),
        total_seconds=round(fit_s + encode_s + insert_s, 1),
        workers=args.workers,
        dim=index.vectorizer.dim,
    )

    query_vectors, query_salient = index.vectorizer.transform(queries)
    exact = np.zeros((len(queries), 10), dtype=np.int64)
    kth = np.zeros(len(queries), dtype=np.float32)
    for q in range(len(queries)):
        sims = vectors @ query_vectors[q]
        top = np.argpartition(-sims, 10)[:10]
        top = top[np.argsort(-sims[top])]
        exact[q], kth[q] = ids[top], sims[top[-1]]
    for ef in sorted({32, 64, args.ef, 256}):
        index.ef = ef
        hits, latency, search_latency = 0, [], []
        for q, text in enumerate(queries):
            t0 = time.perf_counter()
            matches = index.query(text, k=10)
            latency.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            index.query_vectors(query_vectors[q : q + 1], query_salient[q : q + 1], k=10)
            search_latency.append(time.perf_counter() - t0)
            exact_set = set(exact[q].tolist())
            hits += sum(1 for m in matches if m.id in exact_set or m.score >= kth[q] - 1e-4)
        emit(
            step="query",
            ef=ef,
            queries=len(queries),
            recall_at_10=round(hits / (10 * len(queries)), 4),
            p50_ms=round(1000 * float(np.percentile(latency, 50)), 2),
            p95_ms=round(1000 * float(np.percentile(latency, 95)), 2),
            search_only_p95_ms=round(1000 * float(np.percentile(search_latency, 95)), 2),
            load_average=round(os.getloadavg()[0], 1),
        )
    index.ef = args.ef
    example = index.query(queries[0], k=3)
    emit(
        step="example",
        query=queries[0],
        matches=[[m.id, m.score, m.reason] for m in example],
        first_match_text=texts[example[0].id - 1] if example else None,
    )

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index.save(tmp)
        save_s = time.perf_counter() - started
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}
        started = time.perf_counter()
        SimilarIndex.load(tmp)
        load_s = time.perf_counter() - started
    emit(
        step="memory",
        n=args.n,
        disk_mb={k: round(v / 2**20, 1) for k, v in sizes.items()},
        disk_total_mb=round(sum(sizes.values()) / 2**20, 1),
        rss_delta_mb_incl_bench_copy_of_vectors=round(rss_mb() - rss_before, 1),
        bench_vector_copy_mb=round(vectors.nbytes / 2**20, 1),
        save_seconds=round(save_s, 1),
        load_seconds=round(load_s, 1),
    )


if __name__ == "__main__":
    main()
