"""Runs on the terminal: `flywheel runs` (the latest runs first, one row per run, as a table or JSON) and the
summary that `run`, `backfill` and `demo` print of the runs they made.

In: run manifests (`datalake.manifests.read_manifests`). Out: for `runs`, the runs picked by status and flow,
newest start first (not the highest date: a backfill of last month started today is the latest run), with
their duration; for the summary, a date's counts side by side when a call ran few dates. Counts only, like the
manifests: never content; text from manifests goes through `terminal_safe`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Sequence, get_args

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from schemas.outputs import RunManifest
from sql.catalog import escape_control

RUN_STATUSES: tuple[str, ...] = get_args(RunManifest.model_fields["status"].annotation)
# What --json carries of each manifest, besides its duration (versions, inputs and provenance: `flywheel
# runs` is a list; the manifest file under <lake>/_runs/ has everything).
JSON_FIELDS = {"run_id", "flow", "dt", "status", "started_at", "finished_at", "counts", "pii_counts", "error",
               "error_type", "forced", "guard_rails", "judge_mode", "config_hash", "reopened_dates", "reopen_failed"}


def latest_runs(manifests: Sequence[RunManifest], limit: int, status: str | None = None,
                flow: str | None = None) -> list[RunManifest]:
    """The `limit` most recently started runs with that status and flow (None: any), newest first."""
    picked = [m for m in manifests if (status is None or m.status == status) and (flow is None or m.flow == flow)]
    return sorted(picked, key=lambda m: (_utc(m.started_at), m.run_id), reverse=True)[:max(limit, 0)]


def duration_seconds(manifest: RunManifest) -> float | None:
    """Seconds from start to end; None while running (or killed before it could say it ended)."""
    if manifest.finished_at is None:
        return None
    return round((_utc(manifest.finished_at) - _utc(manifest.started_at)).total_seconds(), 1)


def runs_json(manifests: Sequence[RunManifest]) -> str:
    rows = [{**m.model_dump(mode="json", include=JSON_FIELDS), "duration_s": duration_seconds(m)} for m in manifests]
    return json.dumps(rows, ensure_ascii=False, indent=1)


def runs_table(manifests: Sequence[RunManifest]) -> Table:
    """One row per run, in the order given (latest_runs: newest first). `run` is the run id's random part (the
    whole id, the name of its manifest under <lake>/_runs/, is in `--json` and in the notes below the table)."""
    table = Table(title="flywheel runs (latest first)", box=box.SIMPLE_HEAD)
    for column in ("started (UTC)", "flow", "date", "status", "duration", "lines", "quarantined",
                   "conversations", "SFT rows", "PII", "run"):
        table.add_column(column, justify="left" if column in ("started (UTC)", "flow", "date", "status",
                                                              "run") else "right")
    for m in manifests:
        c = m.counts
        table.add_row(f"{_utc(m.started_at):%Y-%m-%d %H:%M}", _cell(m.flow), _cell(m.dt), _cell(m.status),
                      _duration_text(duration_seconds(m)),
                      *(f"{c.get(k, 0):,}" for k in ("lines_read", "lines_quarantined", "conversations", "rows.sft")),
                      f"{sum(m.pii_counts.values()):,}", _cell(m.run_id.rsplit("_", 1)[-1]))
    return table


def print_run_errors(err: Console, manifests: Sequence[RunManifest]) -> None:
    """Why each failed or input-less run stopped (the manifest's vetted error)."""
    for m in manifests:
        if m.error:
            err.print(terminal_safe(f"{m.dt} {m.status}: {m.error}"), markup=False, highlight=False)


def _duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{rest:02d}s" if hours else f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f}s"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # manifests are written in UTC


def terminal_safe(text: object) -> str:
    """`text` with control characters shown as escapes (sql.catalog.escape_control), line breaks kept."""
    return "\n".join(escape_control(line) for line in str(text).split("\n"))


def _cell(text: object) -> Text:
    """A table cell shown as is: control characters escaped, no rich markup (`[bold]` stays text)."""
    return Text(terminal_safe(text))


SUMMARY_COUNTS = (
    ("lines read", "lines_read"), ("lines quarantined", "lines_quarantined"), ("events", "events_accepted"),
    ("conversations", "conversations"), ("assistant turns", "assistant_turns"),
    ("labelled positive", "label.positive"), ("labelled negative", "label.negative"),
    ("labelled neutral", "label.neutral"), ("no signal", "label.unknown"), ("SFT rows", "rows.sft"),
    ("preference rows", "rows.preferences"),
)


def print_run_summary(console: Console, err: Console, manifests: Sequence[RunManifest]) -> None:
    """What a `run`/`backfill`/`demo` call did: one column per date when there are few (the counts read down),
    one row per date when there are many; then errors, overridden guard rails and judge outages."""
    if len(manifests) <= 3:
        table = Table(title="flywheel run summary")
        table.add_column("")
        for m in manifests:
            table.add_column(_cell(m.dt), justify="right")
        table.add_row("status", *(_cell(m.status) for m in manifests))
        for label, key in SUMMARY_COUNTS:
            table.add_row(label, *(f"{m.counts.get(key, 0):,}" for m in manifests))
        table.add_row("PII values scrubbed", *(f"{sum(m.pii_counts.values()):,}" for m in manifests))
        table.add_row("run id", *(_cell(m.run_id.split("_", 1)[-1]) for m in manifests))
    else:
        table = Table(title="flywheel run summary")
        for column in ("date", "status", "lines", "quarantined", "conversations", "SFT rows", "PII", "run id"):
            table.add_column(column, justify="left" if column in ("date", "status", "run id") else "right")
        for m in manifests:
            c = m.counts
            table.add_row(_cell(m.dt), _cell(m.status), *(f"{c.get(k, 0):,}" for k in (
                "lines_read", "lines_quarantined", "conversations", "rows.sft")),
                f"{sum(m.pii_counts.values()):,}", _cell(m.run_id.split("_", 1)[-1]))
    console.print(table)
    print_run_errors(err, manifests)
    for m in manifests:
        if not m.error and m.forced and m.guard_rails:  # published only because of --force: say what it overrode
            err.print(f"{m.dt} forced past guard rail(s): " + "; ".join(f"{rail}: {why}" for rail, why in
                                                                      m.guard_rails.items()),
                      markup=False, highlight=False)
    if manifests and all(m.judge_mode == "rules-only" for m in manifests):
        console.print("judge: none configured (FLYWHEEL_JUDGE__BASE_URL) — labels come from rules only")
    for m in manifests:  # a judge outage must not pass for a normal night
        if m.counts.get("judge.circuit_open"):
            failed = m.counts.get("judge.circuit_failed", 0)
            console.print(f"{m.dt} judge: unreachable, circuit breaker opened; {failed:,} turn(s) marked "
                          "judge_failed, their rules labels kept", markup=False, highlight=False, soft_wrap=True)
