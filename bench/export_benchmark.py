"""Benchmark the full export against PostgreSQL's own COPY (not part of the tests).

Builds N participants with `scaledata.generate_trial` (the one synthetic trial: screenings,
baselines, therapy, assessments, arms, planned visits and visit forms, so every dataset,
computed ones included, has rows), then, in a fresh
child process so that its peak memory is the export's own:
  1. a raw `COPY (SELECT * FROM <table>) TO STDOUT CSV` of the same rows, table by table,
  2. the full export (`exports.services.export_to_directory`: every dataset and the dictionary),
  3. the raw COPY again (the two raw runs bracket the export; their mean is the baseline),
and prints rows per second for each, the export's share of the raw COPY's speed, and the peak
RSS of the exporting process (resource.getrusage).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_edc_exp_bench \\
        .venv/bin/python bench/export_benchmark.py 100000

The database's schema is dropped and migrated afresh: use a throwaway database (named
*bench*). `--keep` measures the data already there (any database, e.g. the load benchmark's;
vacuum it first if it was just loaded: `generate_trial` does).
"""

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")
os.environ.setdefault("EMAIL_URL", "memorymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

from access.models import Site  # noqa: E402
from enrollment.models import Participant  # noqa: E402
from exports import derived  # noqa: E402
from exports.datasets import DATASETS, Dataset  # noqa: E402
from exports.services import export_to_directory  # noqa: E402
from exports.streaming import (  # noqa: E402
    Counter,
    Scope,
    base_queryset,
    model_of,
    snapshot,
    write_dataset,
)
from followup.models import PlannedVisit, Visit  # noqa: E402
from scaledata.trial import generate_trial, touched_tables, vacuum_analyze  # noqa: E402

TODAY = dt.date(2027, 6, 1)


def build(n: int, rng: random.Random) -> None:
    # A fresh schema: the database is a throwaway, and a fresh one survives migrations that
    # were edited in place during development.
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    sites = [
        Site.objects.get_or_create(code=code, defaults={"name": f"Bench {code}"})[0]
        for code in ("BNA", "BNB")
    ]
    start = time.perf_counter()
    # The one synthetic trial (scaledata): every dataset has rows, computed ones included.
    generate_trial(participants=n, sites=sites, today=TODAY, seed=rng.randrange(2**31))
    # As `manage.py generate_trial` does: the stored verdicts and outcomes, then a vacuum.
    derived.recompute()
    vacuum_analyze(touched_tables())
    print(
        f"built {n} participants, {PlannedVisit.objects.count()} planned visits, "
        f"{Visit.objects.count()} visit forms "
        f"in {time.perf_counter() - start:.1f}s"
    )


def raw_copy(out: Path) -> tuple[int, float]:
    """PostgreSQL's own COPY of every exported table's rows (participants twice: they are the
    rows of participants.csv and of analysis.csv)."""
    rows, start = 0, time.perf_counter()
    with connection.cursor() as cursor:
        for dataset in DATASETS:
            model = model_of(dataset)
            if model is None:
                continue
            table = model._meta.db_table
            with (out / f"raw_{dataset.name}.csv").open("wb") as handle:
                cursor.cursor.copy_expert(
                    f"COPY (SELECT * FROM {table}) TO STDOUT WITH (FORMAT csv)",  # noqa: S608
                    handle,
                )
                rows += cursor.cursor.rowcount
    return rows, time.perf_counter() - start


def _timed_copy(select_sql: str, out: Path) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor, (out / "alone_raw.csv").open("wb") as handle:
        cursor.cursor.copy_expert(f"COPY ({select_sql}) TO STDOUT WITH (FORMAT csv)", handle)
    return time.perf_counter() - start


def _joined_sql(dataset: Dataset) -> str:
    """The dataset's rows, joins and order with every column as stored: no formatting."""
    lookups = {f"c{i}": F(c.lookup) for i, c in enumerate(dataset.columns) if c.lookup}
    queryset = (
        base_queryset(dataset, Scope())
        .annotate(**lookups)
        .values_list(*lookups)
        .order_by(*dataset.order_by)
    )
    query, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return str(cursor.cursor.mogrify(query, params).decode())


def per_dataset(out: Path, repeats: int = 9, min_seconds: float = 2.0) -> list[str]:
    """Each dataset alone, trial-wide as `export_data` writes it (`write_dataset`: one COPY
    into the file; a web download runs the same statement, handed over by a thread in 256 KB
    chunks, and narrowed to the user's sites still joins the participants), beside a raw COPY of its
    model's table and a COPY of the same joins with the columns as stored (what the
    formatting adds is the difference): rows per second of each, best of the rounds, and the
    ratios.

    - The three are interleaved round by round, so that a slower minute of the shared machine
      weighs on all three alike.
    - Each round runs in one export snapshot (`exports.streaming.snapshot`: its isolation,
      `work_mem` and no JIT), as a full export runs all its datasets: the three are measured
      under the same settings, and a dataset is not charged the snapshot's few statements,
      which a full export pays once.
    - At least `repeats` rounds, and more until each of the three has run `min_seconds` in
      all: a dataset of a few thousand rows takes milliseconds, where one slow round of the
      machine would decide its best.

    The raw COPY has as many rows as the dataset, but lesions (one row per lesion and
    assessment) have the lesion table's."""
    lines = [
        f"  {'dataset':<15} {'rows':>10} {'rounds':>6} {'export rows/s':>14} "
        f"{'COPY rows/s':>12} {'x':>5} {'joins rows/s':>13} {'x':>5}"
    ]
    for dataset in DATASETS:
        model = model_of(dataset)
        if model is None:
            continue
        table = model._meta.db_table
        counter = Counter()

        def export(dataset: Dataset = dataset, counter: Counter = counter) -> float:
            counter.rows = 0
            start = time.perf_counter()
            with (out / f"alone_{dataset.name}.csv").open("wb") as handle:
                write_dataset(dataset, Scope(), handle, counter)
            return time.perf_counter() - start

        joined = _joined_sql(dataset)
        rounds: list[tuple[float, float, float]] = []
        while (
            len(rounds) < repeats or min(sum(r[i] for r in rounds) for i in range(3)) < min_seconds
        ):
            with snapshot():
                rounds.append(
                    (
                        export(),
                        _timed_copy(f"SELECT * FROM {table}", out),  # noqa: S608 - the model's table
                        _timed_copy(joined, out),
                    )
                )
        if not counter.rows:
            continue
        seconds, table_seconds, joined_seconds = (min(r[i] for r in rounds) for i in range(3))
        table_rows = model.objects.count()
        rate = counter.rows / seconds
        raw, joins = table_rows / table_seconds, counter.rows / joined_seconds
        lines.append(
            f"  {dataset.name:<15} {counter.rows:>10,} {len(rounds):>6} {rate:>14,.0f} "
            f"{raw:>12,.0f} {rate / raw:>5.2f} {joins:>13,.0f} {rate / joins:>5.2f}"
        )
    return lines


def _vm_hwm_kb() -> int:
    """This process image's peak RSS: Linux carries ru_maxrss over exec from the parent,
    VmHWM starts afresh."""
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def measure() -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        raw_rows, raw_first = raw_copy(out)
        start = time.perf_counter()
        _log, counter = export_to_directory(out=out / "export", scope=Scope())
        export_seconds = time.perf_counter() - start
        export_hwm = _vm_hwm_kb()
        _rows, raw_second = raw_copy(out)
        size = sum(f.stat().st_size for f in (out / "export").iterdir())
        breakdown = per_dataset(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm = _vm_hwm_kb()
    raw_seconds = (raw_first + raw_second) / 2
    export_rate, raw_rate = counter.rows / export_seconds, raw_rows / raw_seconds
    print(f"rows exported: {counter.rows} ({size / 1e6:.0f} MB)  {counter.per_dataset}")
    print(f"raw COPY:      {raw_rows} rows in {raw_seconds:.2f}s = {raw_rate:,.0f} rows/s")
    print(
        f"full export:   {counter.rows} rows in {export_seconds:.2f}s = {export_rate:,.0f} rows/s"
    )
    print(f"export / raw COPY: {export_rate / raw_rate:.0%}")
    print("\n".join(breakdown))
    print(
        f"peak RSS of the exporting process: getrusage {peak / 1024:.0f} MB "
        f"(before the export: {rss_before / 1024:.0f} MB); VmHWM after the full export "
        f"{export_hwm / 1024:.0f} MB, after the per-dataset runs {hwm / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("participants", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="reuse the data of the last run")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark compares with PostgreSQL's COPY: set DATABASE_URL to PostgreSQL.")
    if args.measure:
        measure()
        return
    if args.build:
        build(args.participants, random.Random(args.seed))  # noqa: S311 - test data
        return
    print(f"database: {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    if not (args.keep and Participant.objects.exists()):
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("The benchmark drops the database's schema: use a database named *bench*.")
        # Built and measured in child processes of this small one: the measuring process's
        # peak RSS is then the export's, not the data generation's.
        connection.close()
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, str(args.participants), "--build", "--seed", str(args.seed)],
            check=True,
        )
    connection.close()
    subprocess.run([sys.executable, __file__, "--measure"], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
