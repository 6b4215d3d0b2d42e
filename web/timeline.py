"""The timeline histogram's geometry, for an SVG drawn on the server (no JavaScript).

Each bucket of ``SearchPage.timeline`` becomes a bar in a fixed-height chart that stretches
to the page width; a bar with matches is a link that narrows the dates to its bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from archive.models import Bucket, SearchPage

SLOT = 10
HEIGHT = 100
GAP = 0.15
MIN_BAR = 2.0
#: with fewer buckets than this, bars keep the width they would have with this many
NARROW_BELOW = 12


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    slot_x: float
    label: str
    count: int
    href: str

    @property
    def description(self) -> str:
        noun = "article" if self.count == 1 else "articles"
        return f"{self.label}: {self.count:,} {noun}"


@dataclass(frozen=True)
class TimelineView:
    unit: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    slot: int
    first_label: str
    last_label: str
    peak: int

    @property
    def caption(self) -> str:
        return f"Matching articles per {self.unit}, {self.first_label} to {self.last_label}"


def timeline_view(page: SearchPage, href: Callable[[date, date], str]) -> TimelineView | None:
    """The chart for ``page``'s timeline; ``None`` when there is nothing worth drawing
    (no dated matches, or all of them in one bucket)."""
    buckets = page.timeline
    if len(buckets) < 2 or not any(bucket.count for bucket in buckets):
        return None
    peak = max(bucket.count for bucket in buckets)
    width = SLOT * (1 - GAP) * min(1.0, len(buckets) / NARROW_BELOW)
    bars = []
    for index, bucket in enumerate(buckets):
        if not bucket.count:
            continue
        height = max(MIN_BAR, bucket.count / peak * HEIGHT)
        bars.append(
            Bar(
                x=round(index * SLOT + (SLOT - width) / 2, 2),
                width=round(width, 2),
                y=round(HEIGHT - height, 2),
                height=round(height, 2),
                slot_x=index * SLOT,
                label=label(bucket, page.timeline_unit),
                count=bucket.count,
                href=href(bucket.start, bucket.end),
            )
        )
    return TimelineView(
        unit=page.timeline_unit or "period",
        bars=tuple(bars),
        width=len(buckets) * SLOT,
        height=HEIGHT,
        slot=SLOT,
        first_label=label(buckets[0], page.timeline_unit),
        last_label=label(buckets[-1], page.timeline_unit),
        peak=peak,
    )


def label(bucket: Bucket, unit: str) -> str:
    """A bucket's name for people: "1987", "March 1987", "26 February 1987"."""
    if unit == "year":
        return f"{bucket.start:%Y}"
    if unit == "month":
        return f"{bucket.start:%B %Y}"
    if unit == "day":
        return f"{bucket.start.day} {bucket.start:%B %Y}"
    return bucket.label
