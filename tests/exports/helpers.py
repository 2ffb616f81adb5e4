import csv
import io
import zipfile
from pathlib import Path

from django.core.management import call_command


def run_export(out: Path, *args: str) -> dict[str, list[dict[str, str]]]:
    """Run `export_data --out out *args` and read every file back as a list of dict rows."""
    call_command("export_data", "--out", str(out), *args, stdout=io.StringIO())
    return {p.stem: read_csv(p.read_bytes()) for p in sorted(out.glob("*.csv"))}


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode())))


def headers_in(out: Path) -> dict[str, list[str]]:
    return {p.stem: header(p.read_bytes()) for p in sorted(out.glob("*.csv"))}


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# Cells the CSV writer and the COPY's SQL must treat alike.
FORMULA_CASES = [
    "=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", "-", "+", "'quoted", "it's",
    "Docetaxel", "1+2", " =1", "N+", "-1.5", "+3", "-30", "-0.5e3", "-.5", "+1E-2", "",
]  # fmt: skip
