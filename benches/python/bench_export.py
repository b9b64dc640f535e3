"""Export 100,000 users: userio vs plain Python (json + csv.DictWriter), in one run.

    python benches/python/bench_export.py [--count N] [--data FILE] [--repeat K]

Needs `userio` importable (a release build: `pip install ./bindings/python`). Generates
`benches/data/users-profile-<N>.json` with gen-users if it is missing. Both sides do the
same job: the query `_exists_:user_metadata AND logins_count:[5 TO *]`, the extension's
default columns plus `user.app_metadata?.plan || 'free'`, CSV with a header row, written to
a file; the two files must be byte-identical (checked). Prints the time of each and the
ratios. Each row is the best of `--repeat` runs (3 by default, as `timeit` reports), the
rows interleaved so that a slow spell of a shared machine does not land on one side only.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

import userio

ROOT = Path(__file__).resolve().parents[2]
QUERY = "_exists_:user_metadata AND logins_count:[5 TO *]"
# `?.` so that a user without app_metadata gets 'free', as `_path(...) or "free"` gives it
# (`user.app_metadata.plan` would be a TypeError cell there, as in JavaScript).
PLAN = ("Plan", "user.app_metadata?.plan || 'free'")


def _path(user: Dict[str, Any], *keys: Any) -> Any:
    v: Any = user
    for k in keys:
        if isinstance(k, int):
            v = v[k] if isinstance(v, list) and len(v) > k else None
        else:
            v = v.get(k) if isinstance(v, dict) else None
        if v is None:
            return None
    return v


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return str(v)


DEFAULTS = [
    ("Id", ("user_id",)),
    ("Given Name", ("given_name",)),
    ("Family Name", ("family_name",)),
    ("Nickname", ("nickname",)),
    ("Name", ("name",)),
    ("Email", ("email",)),
    ("Email Verified", ("email_verified",)),
    ("Picture", ("picture",)),
    ("Connection", ("identities", 0, "connection")),
    ("Created At", ("created_at",)),
    ("Updated At", ("updated_at",)),
]


def _matches(u: Dict[str, Any]) -> bool:
    """The query, by hand: user_metadata present and not empty, logins_count >= 5."""
    meta = u.get("user_metadata")
    n = u.get("logins_count")
    return meta not in (None, {}, []) and isinstance(n, (int, float)) and not isinstance(n, bool) and n >= 5


def plain_python(users: Iterable[Dict[str, Any]], out: Path) -> int:
    names = [n for n, _ in DEFAULTS] + [PLAN[0]]
    rows = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names, lineterminator="\n")
        w.writeheader()
        for u in users:
            if not _matches(u):
                continue
            row = {n: _cell(_path(u, *p)) for n, p in DEFAULTS}
            row[PLAN[0]] = _cell(_path(u, "app_metadata", "plan") or "free")
            w.writerow(row)
            rows += 1
    return rows


def with_userio(source: Any, out: Path) -> int:
    columns = userio.default_columns() + [userio.Column(*PLAN)]
    return userio.export(source, query=QUERY, columns=columns, output=out).written


def timed(fn: Callable[[], int]) -> "tuple[float, int]":
    t = time.perf_counter()
    rows = fn()
    return time.perf_counter() - t, rows


def best(runs: "Dict[str, Callable[[], int]]", repeat: int) -> "Dict[str, tuple[float, int]]":
    """The fastest of `repeat` rounds for each entry; every round runs every entry once."""
    results: Dict[str, "tuple[float, int]"] = {}
    for _ in range(repeat):
        for name, fn in runs.items():
            secs, rows = timed(fn)
            if name not in results or secs < results[name][0]:
                results[name] = (secs, rows)
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = args.data or ROOT / "benches" / "data" / f"users-profile-{args.count}.json"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["cargo", "run", "--release", "-q", "-p", "userio-testkit", "--bin", "gen-users", "--",
             "--count", str(args.count), "--shape", "profile", "--format", "json", "-o", str(data)],
            cwd=ROOT, check=True,
        )
    size_mb = data.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        out_py, out_userio = Path(tmp) / "python.csv", Path(tmp) / "userio.csv"
        users: List[Dict[str, Any]] = json.loads(data.read_bytes())

        def py_file() -> int:
            with open(data, "rb") as f:
                return plain_python(json.load(f), out_py)

        runs: Dict[str, Callable[[], int]] = {
            "file: plain Python (json.load + DictWriter)": py_file,
            "file: userio.export(path)": lambda: with_userio(data, out_userio),
            "list: plain Python (DictWriter)": lambda: plain_python(users, out),
            "list: userio.export(list of dicts)": lambda: with_userio(users, out),
            # Every user converted from Python objects to JSON values once, plus the match:
            # the floor of any export from a list.
            "list: userio.Query.filter (conversion floor)": lambda: len(
                userio.Query(QUERY).filter(users)
            ),
        }
        results = best(runs, args.repeat)
        same = out_py.read_bytes() == out_userio.read_bytes()
    print(f"{len(users):,} users, {size_mb:.1f} MB ({data.name}), Python {sys.version.split()[0]}, "
          f"userio {userio.__version__}, best of {args.repeat}")
    for name, (secs, rows) in results.items():
        print(f"  {name:<45} {secs:8.3f} s  {rows:>7,} rows  {len(users) / secs:>12,.0f} users/s")
    print(f"  file outputs byte-identical: {'yes' if same else 'NO (the comparison is not fair)'}")
    keys = list(results)
    for label, py, rs in (("file", keys[0], keys[1]), ("list", keys[2], keys[3])):
        ratio = results[py][0] / results[rs][0]
        print(f"  speed-up from a {label}: {ratio:.1f}x")
        if results[py][1] != results[rs][1]:
            print(f"  WARNING ({label}): row counts differ ({results[py][1]} vs {results[rs][1]}): "
                  "the core is incomplete here, the ratio is preliminary")


if __name__ == "__main__":
    main()
