"""A small cache-backed rate limiter for the public portal (per client address, sliding window).

Why not django-ratelimit: its last release (4.1.0, July 2023) declares no Django 5.x support, and its
system check refuses both of the caches this project can use without a cache server (LocMemCache: not
shared; DatabaseCache: no atomic increment). The idea is the same and small enough to own: a counter
per window in Django's cache, ``add`` then ``incr``, with the previous window weighted in so that a
burst across a window boundary does not get twice the allowance.

The counters live in ``settings.XINFANG["PORTAL_RATELIMIT_CACHE"]`` (default: the ``default`` cache).
Django's default cache is LocMemCache, which is per process: with N worker processes a client gets up
to N times the allowance. That is acceptable for the demo; production configures a shared cache
(Redis or Memcached) and names it here.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest


@dataclass(frozen=True)
class Rate:
    scope: str
    limit: int
    seconds: int


# Online submissions that went through, per address.
SUBMIT = Rate("submit", 5, 3600)
# Any submission attempt, valid or not (bounds the work an address can cause).
SUBMIT_ATTEMPT = Rate("submit-attempt", 30, 3600)
# Attempts to open a petition with its number and query code.
TRACK = Rate("track", 20, 600)


def _cache() -> BaseCache:
    name = getattr(settings, "XINFANG", {}).get("PORTAL_RATELIMIT_CACHE", "default")
    return caches[name]


def client_address(request: HttpRequest) -> str:
    """The peer address. Behind a reverse proxy, the proxy must set REMOTE_ADDR to the client's."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(rate: Rate, request: HttpRequest, window: int) -> str:
    who = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
    return f"xinfang:rl:{rate.scope}:{who}:{window}"


def _window(rate: Rate, now: float) -> tuple[int, float]:
    """The current window number and how far into it we are (0..1)."""
    position = now / rate.seconds
    window = math.floor(position)
    return window, position - window


def usage(rate: Rate, request: HttpRequest) -> float:
    """Hits in the last ``rate.seconds``, estimated from the current and the previous window."""
    window, elapsed = _window(rate, time.time())
    cache = _cache()
    current = cache.get(_key(rate, request, window), 0)
    previous = cache.get(_key(rate, request, window - 1), 0)
    return current + previous * (1 - elapsed)


def exceeded(rate: Rate, request: HttpRequest) -> bool:
    return usage(rate, request) >= rate.limit


def hit(rate: Rate, request: HttpRequest) -> None:
    window, _elapsed = _window(rate, time.time())
    key = _key(rate, request, window)
    cache = _cache()
    # Two windows' lifetime: the next window still reads this one as its "previous".
    cache.add(key, 0, timeout=2 * rate.seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=2 * rate.seconds)


def retry_after(rate: Rate) -> int:
    """Seconds until the current window ends (a fair hint for the Retry-After header)."""
    _window_number, elapsed = _window(rate, time.time())
    return max(1, math.ceil((1 - elapsed) * rate.seconds))
