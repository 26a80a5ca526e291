"""Durations as people write them in profiles: `90s`, `30m`, `12h`, `7d`, `1h30m`.

A profile says how long to wait (`jitter`, `refetch_after`) in these units rather than in
seconds because `604800` for a week is unreadable and easy to get wrong by a factor of 60.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["human_duration", "parse_duration"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"(?:\d+[smhdw])+")


def parse_duration(value: str | int | float) -> timedelta:
    """`value` as a non-negative `timedelta`: a number (seconds), or units in decreasing
    order without repeats (`1d12h`, `1h30m`, `90s`; `w`, `d`, `h`, `m`, `s`).

    Raises ValueError saying what is accepted; callers add where the value came from.
    """
    if isinstance(value, bool):  # TOML true is an int to Python; never a duration
        raise ValueError(f"expected a duration such as 30m, 12h or 7d, got {value!r}")
    if isinstance(value, int | float):
        if value < 0 or value != value:
            raise ValueError(f"a duration cannot be negative, got {value!r}")
        return timedelta(seconds=value)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30m, 12h or 7d, got {value!r}")
    text = value.strip().lower()
    if text.isdigit():
        return timedelta(seconds=int(text))
    if not _WHOLE.fullmatch(text):
        raise ValueError(
            f"{value!r} is not a duration: write a number of seconds or units such as "
            "90s, 30m, 12h, 7d, 1h30m"
        )
    seconds = 0
    last = None
    for number, unit in _PART.findall(text):
        if last is not None and _UNITS[unit] >= _UNITS[last]:
            raise ValueError(f"{value!r}: units must go from largest to smallest, once each")
        seconds += int(number) * _UNITS[unit]
        last = unit
    return timedelta(seconds=seconds)

def human_duration(seconds: float | None) -> str:
    """`5m03s`, `2h10m`, `3d04h`: a duration at a glance (`-` for none)."""
    if seconds is None:
        return "-"
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"
