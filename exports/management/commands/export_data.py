"""python manage.py export_data --format csv|r|odm|sas|spss|stata --out DIR [--deidentified]
[--site CODE] [--dataset NAME] [--audit] [--language en|zh-hans]"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from access.models import Site
from exports.datasets import BY_NAME, DATASETS
from exports.models import ExportLog
from exports.services import write_output
from exports.streaming import Scope


class Command(BaseCommand):
    help = (
        "Write every dataset of the trial (or the named ones) and the data dictionary as CSV "
        "(default), CSV with R scripts, CDISC ODM 1.3.2, SAS XPORT, SPSS or Stata."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="Directory to write into.")
        parser.add_argument(
            "--format",
            default=ExportLog.Format.CSV,
            choices=[c for c in ExportLog.Format.values if c != ExportLog.Format.CASEBOOKS],
            help="csv (default), r (CSV with read_<dataset>.R), odm, sas, spss or stata.",
        )
        parser.add_argument(
            "--audit",
            action="store_true",
            help="ODM only, identified only: the audit records and signatures.",
        )
        parser.add_argument(
            "--language",
            default="en",
            choices=["en", "zh-hans"],
            help="Language of the labels (SAS XPORT is always English).",
        )
        parser.add_argument(
            "--deidentified",
            action="store_true",
            help="No initials, hospital numbers, birth dates or free text; dates as days "
            "from diagnosis.",
        )
        parser.add_argument(
            "--site", action="append", default=[], metavar="CODE", help="Only this site."
        )
        parser.add_argument(
            "--dataset",
            action="append",
            default=[],
            choices=sorted(BY_NAME),
            metavar="NAME",
            help="Only this dataset (repeatable); default: all.",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="Who runs the export, for the export log."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site_ids = None
        if options["site"]:
            codes = {c.upper() for c in options["site"]}
            sites = dict(Site.objects.filter(code__in=codes).values_list("code", "pk"))
            if unknown := codes - set(sites):
                raise CommandError(f"Unknown site code(s): {', '.join(sorted(unknown))}")
            site_ids = tuple(sites.values())
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"Unknown user {options['user']}") from exc
        if options["audit"] and (options["deidentified"] or options["format"] != "odm"):
            raise CommandError("--audit is for the identified ODM only (--format odm).")
        datasets = [BY_NAME[n] for n in options["dataset"]] or list(DATASETS)
        scope = Scope(deidentified=options["deidentified"], site_ids=site_ids)
        log, counter = write_output(
            output_format=options["format"],
            out=options["out"],
            scope=scope,
            channel=ExportLog.Channel.COMMAND,
            datasets=datasets,
            user=user,
            filters={"sites": sorted(options["site"])} if options["site"] else {},
            audit=options["audit"],
            language=options["language"],
        )
        for name, rows in counter.per_dataset.items():
            self.stdout.write(f"{name}: {rows} rows")
        self.stdout.write(
            self.style.SUCCESS(f"Exported {counter.rows} rows to {options['out']} (log #{log.pk}).")
        )
