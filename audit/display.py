"""How stored values read on a page: a decimal without the zeros its column pads it with, and
a field's label with the capitals the trial writes it with."""

from decimal import Decimal
from typing import Any

from django.db.models import Field
from django.utils.text import capfirst


def plain_number(value: Any, places: int | None = None) -> Any:
    """3.200 -> 3.2, 250.000 -> 250: a lab column keeps three places, the reader needs none
    of the trailing zeros. A float is rounded to `places` first (a ratio to the ULN); anything
    but a number is returned as it is."""
    if isinstance(value, float) and not isinstance(value, bool):
        value = Decimal(repr(value))
    if not isinstance(value, Decimal) or not value.is_finite():
        return value
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def field_label(field: Field[Any, Any]) -> str:
    """A field's verbose name as a label: the first letter capitalised, the rest as written
    (ER, HER2 IHC, AJCC), and a TNM prefix kept lower case (cT, ypN: 'CT' would be a scan)."""
    name = str(field.verbose_name)
    first_word = name.split(" ", 1)[0]
    if first_word[:1].islower() and any(c.isupper() for c in first_word[1:]):
        return name
    return capfirst(name) or ""
