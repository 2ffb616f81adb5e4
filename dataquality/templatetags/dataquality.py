from typing import Any

from django import template

from audit.models import CrfRecord
from dataquality.selectors import quality_url

register = template.Library()


@register.inclusion_tag("dataquality/includes/crf_status.html")
def crf_status(record: Any) -> dict[str, Any]:
    """A form's lifecycle badge, linking to its data-quality page (nothing for a new form)."""
    if not isinstance(record, CrfRecord) or record.pk is None:
        return {"record": None}
    return {"record": record, "url": quality_url(record)}


@register.inclusion_tag("dataquality/includes/status_badge.html")
def crf_badge(status: str, label: str) -> dict[str, Any]:
    return {"status": status, "label": label}
