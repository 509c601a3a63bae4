"""Facts about the load being validated that suites need beyond the data itself."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class LoadFacts:
    today: date
    # Row counts of each model in the currently published warehouse (empty on the first load).
    previous_rows: dict[str, int] = field(default_factory=dict)
    # How far a model's row count may fall below the published one before the load is refused.
    max_row_drop: float = 0.2

    def min_rows(self, model: str) -> int:
        """At least one row, and no sudden drop against the published warehouse."""
        previous = self.previous_rows.get(model, 0)
        return max(1, math.ceil(previous * (1 - self.max_row_drop)))

    def min_rows_may_start_empty(self, model: str) -> int:
        """For a model that may rightly be empty until something has been published in it: no rows
        needed before, no sudden drop after."""
        return self.min_rows(model) if self.previous_rows.get(model) else 0
