#!/usr/bin/env python3
"""The expression bench's figures and target ratios, from one criterion run.

    cargo bench -p userio-core --bench expr -- --warm-up-time 1 --measurement-time 2 \
        "expr_hot|expr_projected|expr_naive|expr_more"
    python3 benches/expr-ratios.py [target/criterion]

Reads each benchmark's latest estimate (criterion's typical time: the slope, else the
mean) from `target/criterion/<group>/<tier>/<column>/new/estimates.json` and prints ns per
user per column for each tier beside the floor, then the issue's three targets as ratios
of that same run. Every group times 1,000 users per iteration.
"""

import json
import sys
from pathlib import Path

USERS_PER_ITERATION = 1000
COLUMNS = ["path", "or", "concat", "ternary", "map_join"]
TIERS = ["floor", "path", "native", "js"]


def load(root: Path) -> dict:
    """ns per user for every `group/tier/column` that ran."""
    found = {}
    for estimates in root.glob("expr_*/*/*/new/estimates.json"):
        group, tier, column = estimates.parts[-5:-2]
        data = json.loads(estimates.read_text())
        typical = (data.get("slope") or data["mean"])["point_estimate"]
        found[f"{group}/{tier}/{column}"] = typical / USERS_PER_ITERATION
    return found


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    ns = load(root)
    if not ns:
        print(f"no expression bench results under {root}: run the bench first", file=sys.stderr)
        return 1
    get = ns.get
    width = max(len(c) for c in COLUMNS) + 2
    print("ns per user".ljust(24) + "".join(c.rjust(width + 2) for c in COLUMNS))
    for group in ["expr_hot", "expr_projected"]:
        for tier in TIERS:
            cells = [get(f"{group}/{tier}/{c}") for c in COLUMNS]
            if any(cells):
                row = "".join((f"{v:,.1f}" if v else "-").rjust(width + 2) for v in cells)
                print(f"{group[5:]} {tier}".ljust(24) + row)
    naive = [get(f"expr_naive/boa_naive/{c}") for c in COLUMNS]
    print("naive".ljust(24) + "".join((f"{v:,.0f}" if v else "-").rjust(width + 2) for v in naive))
    print()

    def line(label, pairs):
        print(label.ljust(44) + " / ".join(ratio(a, b) for a, b in pairs))

    hot, proj = "expr_hot", "expr_projected"
    line(
        "path / floor, hot and projected (<= 2)",
        [(get(f"{g}/path/path"), get(f"{g}/floor/path")) for g in (hot, proj)],
    )
    line(
        "native / boa, projected (>= 50)",
        [(get(f"{proj}/js/{c}"), get(f"{proj}/native/{c}")) for c in COLUMNS],
    )
    line(
        "boa / naive, hot (>= 10)",
        [(n, get(f"{hot}/js/{c}")) for n, c in zip(naive, COLUMNS)],
    )
    line(
        "cap: boa / floor, projected",
        [(get(f"{proj}/js/{c}"), get(f"{proj}/floor/{c}")) for c in COLUMNS],
    )
    line(
        "native / floor, projected",
        [(get(f"{proj}/native/{c}"), get(f"{proj}/floor/{c}")) for c in COLUMNS],
    )
    more = sorted({k.split("/")[2] for k in ns if k.startswith("expr_more/")})
    if more:
        print()
        print("more columns, projected: ns per user native / boa, and boa / native")
        for c in more:
            a, b = get(f"expr_more/native/{c}"), get(f"expr_more/js/{c}")
            print(f"  {c}".ljust(24) + f"{a or 0:,.1f} / {b or 0:,.1f}".rjust(20) + ratio(b, a).rjust(10))
    return 0


if __name__ == "__main__":
    sys.exit(main())
