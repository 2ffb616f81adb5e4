"""Measure the outputs (ODM, SAS/SPSS/Stata, casebooks) on an existing database: size, time and
peak memory of each, each in a fresh child process so that its peak RSS is its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_edc_outputs_100k \\
        .venv/bin/python bench/outputs_benchmark.py --out /tmp/outputs_bench [--casebooks 50]

Nothing is written to the database but the export log. Not part of the tests.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings.dev")
os.environ.setdefault("EMAIL_URL", "memorymail://")


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def child(kind: str, out: Path, casebooks: int) -> None:
    import django

    django.setup()
    from enrollment.models import Participant
    from exports import casebooks as pdf
    from exports.models import ExportLog
    from exports.services import write_output
    from exports.streaming import Scope

    start = time.perf_counter()
    target = out / kind
    rows = 0
    if kind == "casebooks":
        target.mkdir(parents=True, exist_ok=True)
        ids = list(Participant.objects.order_by("pk").values_list("pk", flat=True)[:casebooks])
        with (target / "casebooks.zip").open("wb") as handle:
            import zipfile

            with zipfile.ZipFile(handle, "w") as archive:
                for participant in Participant.objects.filter(pk__in=ids).iterator():
                    archive.writestr(
                        f"{participant.study_id}.pdf", pdf.casebook_pdf(participant, language="en")
                    )
                    rows += 1
    else:
        fmt, _, audit = kind.partition("+")
        _log, counter = write_output(
            output_format=fmt,
            out=target,
            scope=Scope(deidentified=not audit),
            channel=ExportLog.Channel.COMMAND,
            audit=bool(audit),
        )
        rows = counter.rows
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    participants = Participant.objects.count()
    print(
        json.dumps(
            {
                "kind": kind,
                "participants": participants,
                "rows": rows,
                "seconds": round(seconds, 1),
                "bytes": _size(target),
                "peak_rss_mb": peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kinds", default="odm,odm+audit,sas,spss,stata,casebooks")
    parser.add_argument("--casebooks", type=int, default=20)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.out, args.casebooks)
        return
    for kind in args.kinds.split(","):
        subprocess.run(  # noqa: S603 (this script, with its own arguments)
            [
                sys.executable,
                __file__,
                "--out",
                str(args.out),
                "--child",
                kind,
                "--casebooks",
                str(args.casebooks),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
