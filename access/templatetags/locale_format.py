"""Dates and times as every page shows them, in both languages.

Dates are ISO (2026-12-01: FORMAT_MODULE_PATH, trialsite/formats). A time is shown in one zone
for the whole page, the trial's (TIME_ZONE, active for every request), with the zone named
unambiguously: "2026-12-02 09:44 Beijing time / UTC+8", never "CST" (China, Cuba and the US
central zone all call themselves that). `local_time` is the one filter every page uses for it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from access.languages import html_lang as _html_lang

register = template.Library()

# Zones with a name people use; any other is named by its IANA key.
ZONE_NAMES: dict[str, Promise] = {
    "Asia/Shanghai": _("Beijing time"),
    "Asia/Chongqing": _("Beijing time"),
    "PRC": _("Beijing time"),
    "UTC": _("UTC"),
}


def utc_offset(value: dt.datetime) -> str:
    """ "UTC+8", "UTC+5:30", "UTC-3", "UTC" (no offset)."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_local_time(value: dt.datetime, zone: str | None = None, *, seconds: bool = False) -> str:
    """`value` in `zone` (default: the active zone, the trial's), with its zone named."""
    tz = ZoneInfo(zone) if zone else timezone.get_current_timezone()
    local = timezone.localtime(value, tz) if timezone.is_aware(value) else value
    key = str(getattr(tz, "key", tz))
    name = ZONE_NAMES.get(key)
    stamp = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    offset = utc_offset(local)
    if key == "UTC":
        return f"{stamp} UTC"
    return f"{stamp} {name} / {offset}" if name else f"{stamp} {key} / {offset}"


@register.filter
def local_time(value: dt.datetime | None, zone: str | None = None) -> str:
    """{{ when|local_time }} or {{ when|local_time:site_time_zone }}."""
    if not value:
        return ""
    return format_local_time(value, zone or None)


@register.filter
def local_time_seconds(value: dt.datetime | None, zone: str | None = None) -> str:
    if not value:
        return ""
    return format_local_time(value, zone or None, seconds=True)


@register.filter
def local_date(value: dt.datetime | dt.date | None) -> str:
    """The calendar day of an instant in the active zone (a date is itself), ISO."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


@register.filter
def html_lang(code: str | None) -> str:
    return _html_lang(code)
