"""The build clock: one instant per build (DESIGN §9)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

#: Dates a site may hold: a build adds days and changes zones, which overflow near year 1 and year 9999.
EARLIEST_YEAR, LATEST_YEAR = 1000, 8999


def out_of_range(moment: datetime) -> bool:
    return not EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def resolve_clock(now: str | None, environ: Mapping[str, str]) -> datetime:
    """``--now``, else SOURCE_DATE_EPOCH, else the system clock; always aware, UTC when no zone is given.

    ValueError for a value that is no time, or one outside EARLIEST_YEAR..LATEST_YEAR.
    """
    if now:
        moment = datetime.fromisoformat(now)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    elif epoch := environ.get("SOURCE_DATE_EPOCH", "").strip():
        try:
            moment = datetime.fromtimestamp(int(epoch), tz=UTC)
        except (OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH {epoch} is out of range") from None
    else:
        return datetime.now(UTC).replace(microsecond=0)
    if out_of_range(moment):
        raise ValueError(f"{moment.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return moment

#: Template words that make output depend on the build clock directly (not only through schedule boundaries).
LOOK_AHEAD = timedelta(hours=24)  # how far a build's report looks at what the next builds publish or withdraw
CLOCK_WORDS = re.compile(r"\b(now|is_upcoming|status_of)\b")
