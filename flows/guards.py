"""Guard rails: never replace a date's good data with worse. Plain functions over counts, no I/O.

`flows.day.process_day` calls `check_guard_rails` after the pipeline has staged everything and before it
publishes. A tripped rail fails the run (the published partition stays as it was, the manifest says which rail
and why); `--force` publishes anyway and the manifest records that it was forced and which rails it overrode.

    quarantine_share     quarantined / (accepted + quarantined) lines is above `max_quarantine_share`: a wrong
                         --format, a broken exporter, a changed log schema
    nothing_accepted     no line was accepted (all quarantined, all blank, or empty files)
    partition_shrink.T   the staged partition of table T has fewer rows than the committed one by more than
                         `max_partition_shrink` of them (T in SHRINK_TABLES); a date never published, or
                         published empty, has nothing to protect and never blocks

Messages hold counts and setting names only (they go to manifests, Prefect and the terminal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from schemas.errors import FlywheelError

# The tables whose shrinking the rail watches: the conversations (everything downstream comes from them) and
# the training rows. Not judgments (turning the judge off legitimately empties them), not preferences (few
# rows, they swing with labels) and not the index (it mirrors sft).
SHRINK_TABLES = ("conversations", "sft")


@dataclass(frozen=True)
class Tripped:
    """One guard rail a run tripped: its name and why (counts only)."""

    rail: str
    message: str


class GuardRailTripped(FlywheelError):
    """The run would replace the date's data with worse; nothing was published (`--force` overrides)."""


def quarantine_share_rail(counts: Mapping[str, int], max_share: float) -> Tripped | None:
    accepted, quarantined = counts.get("lines_accepted", 0), counts.get("lines_quarantined", 0)
    if accepted + quarantined == 0:
        return None  # nothing parsed at all: nothing_accepted says so
    share = quarantined / (accepted + quarantined)
    if share > max_share:
        return Tripped("quarantine_share", f"{quarantined:,} of {accepted + quarantined:,} lines quarantined "
                                           f"({share:.0%} > max_quarantine_share {max_share:.0%})")
    return None


def nothing_accepted_rail(counts: Mapping[str, int]) -> Tripped | None:
    if counts.get("lines_accepted", 0) == 0:
        return Tripped("nothing_accepted", f"no line accepted ({counts.get('lines_read', 0):,} read, "
                                           f"{counts.get('lines_quarantined', 0):,} quarantined)")
    return None


def partition_shrink_rails(previous: Mapping[str, int], staged: Mapping[str, int], max_shrink: float,
                           tables: tuple[str, ...] = SHRINK_TABLES) -> list[Tripped]:
    """`previous`: rows per table of the committed partitions (a table missing = never published);
    `staged`: rows per table this run would publish."""
    tripped = []
    for table in tables:
        before, after = previous.get(table, 0), staged.get(table, 0)
        if before <= 0:
            continue  # nothing published, or an empty partition: nothing to protect
        shrink = (before - after) / before
        if shrink > max_shrink:
            tripped.append(Tripped(f"partition_shrink.{table}",
                                   f"{table} rows {before:,} -> {after:,} (-{shrink:.0%} > max_partition_shrink "
                                   f"{max_shrink:.0%})"))
    return tripped


def check_guard_rails(counts: Mapping[str, int], previous: Mapping[str, int], staged: Mapping[str, int],
                      max_quarantine_share: float, max_partition_shrink: float) -> list[Tripped]:
    """Every rail the run trips, in a fixed order (empty: the run may publish)."""
    tripped = [t for t in (quarantine_share_rail(counts, max_quarantine_share), nothing_accepted_rail(counts)) if t]
    return tripped + partition_shrink_rails(previous, staged, max_partition_shrink)


def enforce_guard_rails(tripped: list[Tripped], force: bool) -> None:
    """Raise GuardRailTripped naming every tripped rail, unless `force` (the caller records what was overridden)."""
    if tripped and not force:
        raise GuardRailTripped("guard rail: " + "; ".join(f"{t.rail}: {t.message}" for t in tripped)
                               + " — the published partition is unchanged (--force publishes anyway)")
