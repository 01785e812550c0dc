"""The build clock: one instant per build (DESIGN §9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


def resolve_clock(now: str | None, environ: Mapping[str, str]) -> datetime:
    """``--now``, else SOURCE_DATE_EPOCH, else the system clock; always aware, UTC when no zone is given."""
    if now:
        moment = datetime.fromisoformat(now)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(UTC).replace(microsecond=0)
