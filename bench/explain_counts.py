"""EXPLAIN ANALYZE of the counts that must not grow with the trial: the worklist's sections
and the review queue's pending proposals, as the pages run them (not part of the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_edc_perf_100k \\
        .venv/bin/python bench/explain_counts.py

Reads the bench users of `generate_trial` (bench_coordinator_ch, bench_investigator_ch). Run
it on a vacuumed database (generate_trial ends with VACUUM (ANALYZE)): an index-only scan
reads the heap for every page the visibility map does not mark all-visible.
"""

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from access.models import User  # noqa: E402
from arms.selectors import review_queue_page  # noqa: E402
from followup import selectors  # noqa: E402


def explain(label: str, sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"== {label}\n{sql}\n{plan}\n")


def captured(run: Any, keyword: str) -> str:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return next(q["sql"] for q in ctx.captured_queries if keyword in q["sql"])


def main() -> None:
    with connection.cursor() as cursor:
        # As a web process plans them (trialsite.settings.production).
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    coordinator = User.objects.get(username="bench_coordinator_ch")
    investigator = User.objects.get(username="bench_investigator_ch")
    explain(
        "worklist: the sections' counts",
        captured(lambda: selectors.worklist(user=coordinator), "COUNT("),
    )
    explain(
        "review queue: the pending proposals' count",
        captured(lambda: review_queue_page(investigator, 1).object_list, "COUNT("),
    )


if __name__ == "__main__":
    main()
