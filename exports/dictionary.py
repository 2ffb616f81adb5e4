"""The data dictionary, generated from the dataset declarations and the models' fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from audit.csv_writer import csv_bytes
from enrollment.labels import CRITERION_LABELS
from enrollment.models import MetastaticSite
from followup.models import DISTANT_SITE_CHOICES

from . import datasets as d
from .datasets import model_field
from .streaming import model_of

# The words for people in English and Simplified Chinese side by side (the *_zh columns); the
# names, types and units once.
HEADER = [
    "dataset",
    "variable",
    "form",
    "form_zh",
    "label",
    "label_zh",
    "type",
    "unit",
    "allowed_values",
    "allowed_values_zh",
    "note",
    "note_zh",
]
LANGUAGES = ("en", "zh-hans")

_TYPES = {
    d.TEXT: gettext_lazy("text"),
    d.INTEGER: gettext_lazy("integer"),
    d.DECIMAL: gettext_lazy("decimal"),
    d.DATE: gettext_lazy("date (ISO 8601, YYYY-MM-DD)"),
    d.DATETIME: gettext_lazy("date-time (ISO 8601, UTC)"),
    d.BOOLEAN: gettext_lazy("boolean (true/false)"),
    d.CODES: gettext_lazy("codes (;-separated)"),
    d.SCREENING_NUMBER: gettext_lazy("text (S-nnnnn)"),
}


def _code_lists() -> dict[str, list[tuple[str, Any]]]:
    """The codes of the ;-separated columns, which JSON fields do not declare as choices."""
    criteria = list(CRITERION_LABELS.items())
    return {
        "metastatic_sites": list(MetastaticSite.choices),
        "distant_progression_sites": list(DISTANT_SITE_CHOICES),
        "failed": criteria,
        "missing": criteria,
    }


def choices(column: d.Column, field: Field | None) -> list[tuple[str, str]]:
    """The column's allowed codes and their labels: the dictionary's allowed values, and the
    code lists and value labels of the ODM and the statistics files. A derived column's
    `allowed` ("a; b; c") gives codes that are their own labels; a ;-separated column lists
    the codes any of its values may hold."""
    if column.allowed:
        return [(code, code) for code in force_str(column.allowed).split("; ")]
    found: Any = getattr(field, "choices", None) if column.kind != d.BOOLEAN else None
    if column.kind == d.CODES:
        found = _code_lists().get(column.name)
    return [(str(code), force_str(label)) for code, label in found or ()]


def _allowed(column: d.Column, field: Field | None) -> str:
    if column.allowed:
        return force_str(column.allowed)
    return "; ".join(f"{code}={label}" for code, label in choices(column, field))


def label(column: d.Column, field: Field | None) -> str:
    """The column's label: its own, else its model field's verbose name, else its name."""
    return force_str(column.label or (field.verbose_name if field is not None else column.name))


def entries(*, deidentified: bool) -> Iterator[list[str]]:
    for dataset in d.DATASETS:
        model = model_of(dataset)
        for column in dataset.columns_for(deidentified=deidentified):
            field = model_field(model, column.lookup)
            kind = force_str(_TYPES[column.kind])
            if dataset.shifted(column, deidentified=deidentified):
                kind = _("integer (days from the diagnosis date)")
            note = ""
            if column is dataset.columns[0]:
                note = force_str(dataset.missing_note if model is None else dataset.note)
            yield [
                dataset.name,
                column.name,
                force_str(dataset.form),
                label(column, field),
                kind,
                column.unit,
                _allowed(column, field),
                note,
            ]


def bilingual_entries(*, deidentified: bool) -> Iterator[list[str]]:
    """Each entry with its form, label, allowed values and note in English and in Chinese,
    whatever the language of the user who exports."""
    english, chinese = (_entries_in(language, deidentified) for language in LANGUAGES)
    for en, zh in zip(english, chinese, strict=True):
        dataset, variable, form, label, kind, unit, allowed, note = en
        yield [
            dataset,
            variable,
            form,
            zh[2],
            label,
            zh[3],
            kind,
            unit,
            allowed,
            zh[6],
            note,
            zh[7],
        ]


def _entries_in(language: str, deidentified: bool) -> list[list[str]]:
    with override(language):
        return list(entries(deidentified=deidentified))


def dictionary_chunks(*, deidentified: bool) -> Iterator[bytes]:
    yield csv_bytes([HEADER])
    yield csv_bytes(list(bilingual_entries(deidentified=deidentified)))
