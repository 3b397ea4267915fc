"""Pivot of _exp36.jsonl: per set and variant, the score minus the peer's
(points) on each holdout, their mean, and the mean fit seconds."""
import json, sys
from collections import defaultdict
from pathlib import Path

rows = [json.loads(l) for l in (Path(__file__).parent / "_exp36.jsonl").open()]
only = set(sys.argv[1:])
cells = defaultdict(list)
for r in rows:
    if only and r["variant"] not in only and r["set"] not in only:
        continue
    cells[(r["set"], r["variant"])].append(r)
sets = list(dict.fromkeys(r["set"] for r in rows))
variants = list(dict.fromkeys(r["variant"] for r in rows))
summary = defaultdict(dict)
for s in sets:
    for v in variants:
        rs = cells.get((s, v))
        if not rs:
            continue
        by = {}
        for r in rs:
            by.setdefault((r["holdout"], r["seed"]), r)
        rs = list(by.values())
        diffs = [100 * r["diff"] for r in sorted(rs, key=lambda r: (r["holdout"], r["seed"]))]
        fit = sum(r["fit_s"] for r in rs) / len(rs)
        ep = sorted({r["epochs"] for r in rs})
        mean = sum(diffs) / len(diffs)
        summary[v][s] = mean
        print(f"{s:<12} {v:<16} " + " ".join(f"{d:+5.1f}" for d in diffs)
              + f" | mean {mean:+5.2f} | fit {fit:5.2f} s | epochs {ep} | n={len(rs)}")
    print()
print("variant mean over sets (points vs peer):")
for v in variants:
    vals = summary[v]
    print(f"{v:<16} " + " ".join(f"{s}:{vals[s]:+.2f}" for s in sets if s in vals)
          + f" | avg {sum(vals.values())/len(vals):+.2f} over {len(vals)}")
