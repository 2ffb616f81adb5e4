"""The shared cache, which outlives a Redis outage.

The cache holds only figures that can be recomputed (the reports page's, reports.figures), so
Redis going away must cost time, never a page: Django's RedisCache raises ConnectionError, and
the reports page answered 500. Here an operation that cannot reach Redis is done on a cache of
this process's own memory instead, and logged once per outage: a read is a miss the first time,
the figures are computed and kept in memory for REPORTS_CACHE_SECONDS, and the lock that lets
one computation run at a time becomes this process's. When Redis answers again, it is used
again (and the outage's memory forgotten as it expires).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What Redis being away looks like to redis-py: refused, reset, unreachable, still loading
# its data after a restart (BusyLoadingError is a ConnectionError), too slow to answer.
REDIS_AWAY = (RedisConnectionError, RedisTimeoutError, OSError)
REDIS_DOWN = "Redis cache unreachable (%s): using this process's memory until it answers"
REDIS_BACK = "Redis cache answers again"
# A Redis that does not answer at all (a host gone, not a port closed) costs each cache call
# this long at most, rather than the operating system's minutes.
CONNECT_TIMEOUT_SECONDS = 0.5
SOCKET_TIMEOUT_SECONDS = 2.0


def _or_memory(name: str) -> Callable[..., Any]:
    """RedisCache's operation `name`, done on the process's memory when Redis is away."""
    redis_operation = getattr(RedisCache, name)

    def operation(self: "FallbackRedisCache", *args: Any, **kwargs: Any) -> Any:
        try:
            result = redis_operation(self, *args, **kwargs)
        except REDIS_AWAY as exc:
            if not self.redis_away:
                self.redis_away = True
                logger.warning(REDIS_DOWN, exc)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self.redis_away:
            self.redis_away = False
            logger.warning(REDIS_BACK)
        return result

    operation.__name__ = name
    return operation


class FallbackRedisCache(RedisCache):
    """Django's RedisCache, falling back to this process's memory while Redis is away.

    Every operation RedisCache defines is wrapped; BaseCache builds the others (get_or_set,
    decr, the async ones) from these.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self.fallback = LocMemCache(f"fallback-for-{server}", {**params, "OPTIONS": {}})
        self.redis_away = False

    add = _or_memory("add")
    get = _or_memory("get")
    set = _or_memory("set")
    touch = _or_memory("touch")
    delete = _or_memory("delete")
    get_many = _or_memory("get_many")
    has_key = _or_memory("has_key")
    incr = _or_memory("incr")
    set_many = _or_memory("set_many")
    delete_many = _or_memory("delete_many")
    clear = _or_memory("clear")
