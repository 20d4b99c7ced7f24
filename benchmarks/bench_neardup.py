"""Near-duplicate stage cost: signatures and clustering per 10,000 documents, index size.

    .venv/bin/python benchmarks/bench_neardup.py [--docs 10000] [--window 50000]

Documents are the example corpus's article bodies, each with random word edits so that every
text is distinct (and about one in five is a near copy of another). `--window` members stand for
earlier nights in the index (random texts: they cost lookups, rarely matches).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from pathlib import Path

from pipeline.config import DedupConfig
from pipeline.neardup import Member, cluster, signature

HERE = Path(__file__).resolve().parent


def _bodies() -> list[str]:
    spec = importlib.util.spec_from_file_location(
        "content", HERE.parent / "examples" / "_make" / "content.py"
    )
    assert spec and spec.loader
    content = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(content)
    out = []
    for group in ("HTML", "TEXT", "WIRE", "WIRE2", "WIRE3", "CRAWL"):
        for art in getattr(content, group).values():
            if isinstance(art.get("body"), list):
                out.append("\n\n".join(art["body"]))
    return out


def _doc(bodies: list[str], rng: random.Random, n: int) -> str:
    words = bodies[n % len(bodies)].split()
    share = 0.02 if rng.random() < 0.2 else 0.5  # a near copy, or a different text
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = f"w{rng.randrange(10**6)}"
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--window", type=int, default=50_000)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "neardup.json")
    args = ap.parse_args()
    cfg = DedupConfig()
    rng = random.Random(1)
    bodies = _bodies()
    texts = [_doc(bodies, rng, i) for i in range(args.docs)]
    t = time.perf_counter()
    sigs = [signature(x, cfg) for x in texts]
    sig_s = time.perf_counter() - t
    prior = []
    for i in range(args.window):
        words = " ".join(f"p{rng.randrange(10**7)}" for _ in range(60))
        aid = f"{i:032x}"
        prior.append(Member(aid, aid, False, "old", None, 60, signature(words, cfg), None, -1))
    tonight = [
        Member(f"{i + 10**9:032x}", f"{i + 10**9:032x}", False, "s", None, 300, s, ("s", str(i)), i)
        for i, s in enumerate(sigs)
    ]
    t = time.perf_counter()
    out = cluster(prior, tonight, cfg)
    cluster_s = time.perf_counter() - t
    near = sum(1 for v in out.values() if v[1])
    per_member = cfg.permutations * 4 + 32 * 2 + 8 + 8
    result = {
        "docs": args.docs,
        "window_members": args.window,
        "signature_s_per_10k": round(sig_s * 10_000 / args.docs, 2),
        "cluster_s_per_10k": round(cluster_s * 10_000 / args.docs, 2),
        "near_duplicates": near,
        "index_bytes_per_member": per_member,
        "index_mb_for_window": round(per_member * args.window / 1e6, 1),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
