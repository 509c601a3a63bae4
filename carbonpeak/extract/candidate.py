"""The internal record both rule sets (body sentences, tables) produce before dedup and output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Candidate:
    start: int  # quote span in the normalised text
    end: int
    value: float
    unit: str
    direction: str
    comparator: str
    target_year: int | None
    baseline_year: int | None
    indicator: str
    region: str | None
    sector: str | None = None
    hedge: str | None = None
    note: str | None = None
    from_table: bool = False
