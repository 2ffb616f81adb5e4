"""`{% load edc_display %}`: values shown as `audit.display` says."""

from typing import Any

from django import template

from audit import display

register = template.Library()


@register.filter
def plain_number(value: Any, places: int | None = None) -> Any:
    return display.plain_number(value, places)
