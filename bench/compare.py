"""Compare the trial sizes of one interleaved locust run (bench/locustfile.py): per page, p50
and p95 at each size, and the ratio of the largest size's to the smallest's (the aim: p95 at
100k within 1.5 x its p95 at 10k).

    .venv/bin/python bench/compare.py var/bench/load-<time>_stats.csv

Reads locust's `--csv` statistics (`<prefix>_stats.csv`), whose requests are named
`<page> @<size>` (`casebook @100k`); the logins, warm-ups and the "Aggregated" line are left
out. Exits 1 when a page misses the aim or a request failed.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

AIM = 1.5
LEFT_OUT = ("login", "warm-up: ", "Aggregated")
FLOOR = "floor"


def read(path: Path) -> dict[int, dict[str, dict[str, float]]]:
    """{size: {page: its figures}} from the statistics file."""
    sizes: defaultdict[int, dict[str, dict[str, float]]] = defaultdict(dict)
    with path.open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if not name or name.startswith(LEFT_OUT):
                continue
            page, _, size = name.rpartition(" @")
            sizes[int(size.removesuffix("k")) * 1000][page] = {
                "n": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
            }
    return dict(sizes)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit(__doc__)
    runs = sorted(read(Path(argv[0])).items())
    if len(runs) < 2:
        sys.exit(f"{argv[0]}: fewer than two sizes measured")
    (small, first), (large, last) = runs[0], runs[-1]
    head = f"{'page':<26}" + "".join(
        f"{f'n@{s:,}':>10}{f'p50@{s:,}':>12}{f'p95@{s:,}':>12}" for s, _ in runs
    )
    head += f"{'p50 x':>8}{'p95 x':>8}"
    print(head)
    print("-" * len(head))
    missed = []
    measured = set.intersection(*(set(pages) for _, pages in runs))  # at every size
    for page in sorted(measured, key=lambda p: (p.startswith(FLOOR), p)):
        line = f"{page:<26}"
        for _, stats in runs:
            s = stats[page]
            line += f"{s['n']:>10.0f}{s['p50']:>12.0f}{s['p95']:>12.0f}"
        p50 = last[page]["p50"] / max(first[page]["p50"], 1)
        p95 = last[page]["p95"] / max(first[page]["p95"], 1)
        mark = ""
        if p95 > AIM and not page.startswith(FLOOR):
            missed.append(page)
            mark = "  > aim"
        print(f"{line}{p50:>8.2f}{p95:>8.2f}{mark}")
    failures = {
        f"{p} @{size:,}": s["failures"]
        for size, pages in runs
        for p, s in pages.items()
        if s["failures"]
    }
    print(
        f"times in ms (locust rounds them); ratio = {large:,} participants over {small:,}, "
        f"measured in turn in one run; aim: p95 within {AIM:g}x"
    )
    if failures:
        print(f"failures: {failures}")
    if missed:
        print(f"pages over the aim: {', '.join(missed)}")
    return 1 if missed or failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
