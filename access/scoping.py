"""Site scoping: the one mechanism that limits clinical queries to the user's sites.

A clinical model declares `site_path`, the lookup from it to its `Site` ("site",
"participant__site"), and uses `SiteScopedQuerySet`. Selectors start from
`Model.objects.for_user(user)`; views fetch single objects with `get_for_user_or_404`, so
another site's record is a 404, indistinguishable from one that does not exist.
"""

from collections.abc import Iterable
from typing import Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from .roles import Action

M = TypeVar("M", bound=models.Model)


class SiteScopedQuerySet(models.QuerySet[M]):
    def for_user(self, user: Any, action: Action = Action.VIEW_PARTICIPANTS) -> Self:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.for_sites(user.sites_where(action))

    def for_sites(self, site_ids: Iterable[int]) -> Self:
        """The records of these sites: for work done on the users' behalf (a beat task that
        computes figures for every set of sites in use), never straight from a request."""
        # `site_path` is declared by each scoped model, not by django's Model.
        site_path: str = getattr(self.model, "site_path")  # noqa: B009
        return self.filter(**{f"{site_path}__in": list(site_ids)})


def get_for_user_or_404(
    queryset: SiteScopedQuerySet[M],
    user: Any,
    action: Action = Action.VIEW_PARTICIPANTS,
    **lookup: Any,
) -> M:
    try:
        return queryset.for_user(user, action).get(**lookup)
    # `get` raises the model's own DoesNotExist, a subclass of this one.
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def site_id_of(record: Any) -> int | None:
    """The site of a clinical record, following its `site_path` ("participant__site")."""
    obj = record
    *hops, last = record.site_path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id", None)
