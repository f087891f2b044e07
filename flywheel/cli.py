"""`flywheel`: the command line. Settings are read here, at the edge, and passed in.

    flywheel demo                      generate sample logs, run the nightly flow on them, summarise, query
    flywheel generate --out DIR        write sample logs (deterministic)
    flywheel run [--date D] [--force]  process one date (default: yesterday, after catching up missed dates)
    flywheel backfill --start D --end D [--force] [--concurrency N]
    flywheel query "SQL"               DuckDB over the lake (views: conversations, turns, sft, runs, ...)
    flywheel runs                      recent runs
    flywheel scrub --in F --out F      scrub the 'text' of each JSONL line (ad-hoc use, audits)
    flywheel export --from D --to D --format F --out DIR
                                       training data for trainers (HF Parquet, OpenAI JSONL, ShareGPT, TRL)
    flywheel serve [--cron C] [--tz Z] serve the nightly flow on its cron schedule (needs a Prefect server)
    flywheel purge-quarantine [--dry-run]
                                       delete raw quarantined lines older than quarantine_retention_days

Exit codes: 0 ok, 1 a run failed (a tripped guard rail included), 2 bad configuration or usage, 3 no input for
the date (a backfill: for no date of its range).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from datetime import date, timedelta
from typing import Sequence

# Offline by default: no telemetry from Prefect (set before Prefect is imported anywhere).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402

from flows.settings import SettingsOverrides, load_settings, setting_flags  # noqa: E402
from flywheel.processes import handle_termination, tie_prefect_server_to_this_process  # noqa: E402
from flywheel.sample_logs.generate import LOG_FORMATS as GENERATOR_LOG_FORMATS  # noqa: E402
from schemas.errors import ConfigError  # noqa: E402

console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_NO_INPUT = 0, 1, 2, 3
DEMO_QUERY = """
SELECT t.dt, t.label, count(*) AS assistant_turns
FROM turns t WHERE t.role = 'assistant'
GROUP BY ALL ORDER BY t.dt, assistant_turns DESC
""".strip()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _add_settings_flags(parser: argparse.ArgumentParser, only: Sequence[str] | None = None) -> None:
    """A flag per settings override (flows.settings.SettingsOverrides: the one list of them), or `only` those."""
    group = parser.add_argument_group("settings (each also FLYWHEEL_<NAME> in the environment)")
    for setting in setting_flags():
        if only is None or setting.name in only:
            group.add_argument(setting.flag, dest=setting.name, type=setting.type, help=setting.help)


def _overrides(args: argparse.Namespace) -> SettingsOverrides:
    # A subcommand that declares only some flags leaves the others unset (None), as does an omitted flag.
    return SettingsOverrides(**{name: getattr(args, name, None) for name in SettingsOverrides.model_fields})


SUMMARY_COUNTS = (
    ("lines read", "lines_read"), ("lines quarantined", "lines_quarantined"), ("events", "events_accepted"),
    ("conversations", "conversations"), ("assistant turns", "assistant_turns"),
    ("labelled positive", "label.positive"), ("labelled negative", "label.negative"),
    ("labelled neutral", "label.neutral"), ("no signal", "label.unknown"), ("SFT rows", "rows.sft"),
    ("preference rows", "rows.preferences"),
)


def _print_manifests(manifests: Sequence) -> None:
    """A run summary: one column per run when there are few, one row per run when there are many."""
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
        table = Table(title="flywheel runs")
        for column in ("date", "status", "lines", "quarantined", "conversations", "SFT rows", "PII", "run id"):
            table.add_column(column, justify="left" if column in ("date", "status", "run id") else "right")
        for m in manifests:
            c = m.counts
            table.add_row(_cell(m.dt), _cell(m.status), *(f"{c.get(k, 0):,}" for k in (
                "lines_read", "lines_quarantined", "conversations", "rows.sft")),
                f"{sum(m.pii_counts.values()):,}", _cell(m.run_id.split("_", 1)[-1]))
    console.print(table)
    for m in manifests:
        if m.error:
            err.print(_terminal_safe(f"{m.dt} {m.status}: {m.error}"), markup=False, highlight=False)
        elif m.forced and m.guard_rails:  # published only because of --force: say what it overrode
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


def _exit_code(manifests: Sequence) -> int:
    if any(m.status == "failed" for m in manifests):
        return EXIT_FAILED
    if any(m.status == "no_input" for m in manifests):
        return EXIT_NO_INPUT
    return EXIT_OK


def _run_one(day: date | None, overrides: SettingsOverrides, force: bool = False) -> int:
    from flows.nightly import nightly_flow
    from flows.tasks import DayFailed
    from datalake.manifests import read_manifests

    settings = load_settings(overrides)
    before = {m.run_id for m in read_manifests(settings.lake_uri)}
    tie_prefect_server_to_this_process()  # a killed CLI must not leave Prefect's temporary server running
    with console.status(f"running the nightly flow for {day or 'yesterday (and missed dates)'} …"):
        try:
            nightly_flow(day, overrides, force)
        except DayFailed:
            pass  # the manifests below say which date failed and why
    # Without --date the flow also catches up missed dates, and a transient failure is retried: show the
    # latest run of each date this call ran (a failed attempt that a retry made good is not a failure).
    latest = {m.dt: m for m in read_manifests(settings.lake_uri) if m.run_id not in before}
    ran = [latest[dt] for dt in sorted(latest)]
    _print_manifests(ran)
    return _exit_code(ran)


def cmd_generate(args: argparse.Namespace) -> int:
    from flywheel.sample_logs import generate_logs

    days = [args.start + timedelta(days=i) for i in range((args.end - args.start).days + 1)]
    logs = generate_logs(args.out, days, args.conversations, seed=args.seed, log_format=args.log_format,
                         malformed_rate=args.malformed_rate, gzip=not args.no_gzip,
                         lines_per_file=args.lines_per_file)
    console.print(f"wrote {logs.lines:,} lines ({logs.malformed_lines:,} malformed on purpose) in "
                  f"{len(logs.files)} file(s) under {args.out} for {days[0]}..{days[-1]}; "
                  f"{len(logs.planted_pii):,} PII values planted")
    if args.list_pii:
        for pii in logs.planted_pii:
            print(f"{pii.entity_type}\t{pii.value}")
    if args.pii_out:
        # Test data only: the values were made up by the generator, and leak checks need them as a file.
        with open(args.pii_out, "w", encoding="utf-8") as handle:
            for pii in logs.planted_pii:
                handle.write(json.dumps({"entity_type": pii.entity_type, "value": pii.value}, ensure_ascii=False)
                             + "\n")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    return _run_one(args.date, _overrides(args), args.force)


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows.backfill import backfill
    from datalake.manifests import read_manifests

    overrides = _overrides(args)
    settings = load_settings(overrides)
    if args.end < args.start:
        err.print(f"--end {args.end} is before --start {args.start}")
        return EXIT_CONFIG
    before = {m.run_id for m in read_manifests(settings.lake_uri)}
    tie_prefect_server_to_this_process()  # a killed CLI must not leave Prefect's temporary server running
    failure: Exception | None = None
    try:
        backfill(args.start, args.end, args.force, args.concurrency or settings.backfill_concurrency, overrides)
    except Exception as exc:  # noqa: BLE001 - the manifests below say which dates failed and why
        failure = exc
    ran = [m for m in read_manifests(settings.lake_uri) if m.run_id not in before]
    if not ran and failure is not None:
        raise failure  # nothing ran at all: the error itself is the answer
    if not ran:
        console.print(f"nothing to do: every date in {args.start}..{args.end} is complete (use --force to rerun)")
        return EXIT_OK
    _print_manifests(sorted(ran, key=lambda m: m.dt))
    # Dates without logs in a range are skipped, not failures (reported above as no_input); exit 3 only when
    # no date in the range had any (a wrong --source, most likely).
    processed = [m for m in ran if m.status != "no_input"]
    return _exit_code(processed or ran)


def cmd_query(args: argparse.Namespace) -> int:
    from sql.catalog import QueryError, format_table
    from sql.readonly import RefusedStatement, run_query

    settings = load_settings(_overrides(args))
    try:
        # Read-only (sql/readonly.py); the raw quarantine stays unreadable even if configured inside the lake.
        columns, rows = run_query(settings.lake_uri, args.sql, deny=[settings.quarantine_uri])
    except RefusedStatement as exc:  # a write, a file outside the lake, ...: a usage error, exit 2
        err.print(_terminal_safe(str(exc)), style="red", markup=False, highlight=False)
        return EXIT_CONFIG
    except QueryError as exc:  # DuckDB's message can quote lake values: escaped like the rows
        err.print(f"error: {_terminal_safe(str(exc))}", style="red", markup=False, highlight=False)
        return EXIT_FAILED
    print(format_table(columns, rows, max_rows=args.max_rows))  # plain: no wrapping at the terminal width
    return EXIT_OK


def _terminal_safe(text: str) -> str:
    """`text` with control characters shown as escapes (sql.catalog.escape_control), line breaks kept."""
    from sql.catalog import escape_control

    return "\n".join(escape_control(line) for line in str(text).split("\n"))


def _cell(text: object) -> Text:
    """A table cell shown as is: control characters escaped, no rich markup (`[bold]` stays text)."""
    return Text(_terminal_safe(str(text)))


def cmd_runs(args: argparse.Namespace) -> int:
    from datalake.manifests import read_manifests

    settings = load_settings(_overrides(args))
    manifests = read_manifests(settings.lake_uri)[-args.limit:]
    if not manifests:
        console.print(f"no runs yet in {settings.lake_uri}")
        return EXIT_OK
    _print_manifests(manifests)
    from datalake.recovery import run_notes

    for note in run_notes(settings.lake_uri, manifests):  # what readers see: the commit records
        console.print(note, markup=False, highlight=False)
    _print_late_window(settings, manifests)
    return EXIT_OK


def _settings_today(settings) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(settings.timezone)).date()


def _print_late_window(settings, manifests: Sequence) -> None:
    """Per date shown: provisional (late events may still change its rows) or final, and where late events went."""
    from datalake.manifests import date_finality

    window, today = settings.late_window_days, _settings_today(settings)
    table = Table(title=f"dates (late window {window} day(s); export takes final dates only)")
    for column in ("date", "rows", "late events moved to", "re-opened"):
        table.add_column(column)
    for dt in sorted({m.dt for m in manifests}):
        state = date_finality(settings.lake_uri, date.fromisoformat(dt), window, today)
        latest = [m for m in manifests if m.dt == dt][-1]
        moved = ", ".join(f"{k.split('.', 1)[1]}: {v}" for k, v in sorted(latest.counts.items())
                          if k.startswith("late_events."))
        reopened = ", ".join(latest.reopened_dates + [f"{d} (failed)" for d in latest.reopen_failed])
        table.add_row(_cell(dt), state or "not committed", moved or "-", reopened or "-")
    console.print(table)


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.nightly import yesterday
    from flywheel.sample_logs import generate_logs
    from sql.catalog import format_table
    from sql.readonly import run_query

    overrides = _overrides(args)
    settings = load_settings(overrides)
    day = yesterday(settings.timezone)
    logs = generate_logs(settings.source_uri, [day], args.conversations, seed=args.seed)
    console.print(f"[bold]1. generated[/bold] {logs.lines:,} log lines for {day} under {settings.source_uri}/ "
                  f"({logs.malformed_lines} malformed on purpose, {len(logs.planted_pii)} PII values planted)")
    console.print(f"[bold]2. nightly flow[/bold] (Prefect, Beam {settings.runner}, scrub: {settings.scrub_mode})")
    code = _run_one(day, overrides)
    console.print(f"[bold]3. DuckDB[/bold] over {settings.lake_uri}/:\n{DEMO_QUERY}")
    columns, rows = run_query(settings.lake_uri, DEMO_QUERY)
    print(format_table(columns, rows))
    console.print(f"try: flywheel query \"SELECT messages FROM sft LIMIT 3\"   ·   flywheel runs")
    return code


def cmd_export(args: argparse.Namespace) -> int:
    from export import ExportError, export_training_data

    settings = load_settings(_overrides(args))
    # Only final dates by default: a provisional date's rows may still change with late events (README "Late data").
    window = None if args.include_provisional else settings.late_window_days
    try:
        result = export_training_data(settings.lake_uri, args.start, args.end, args.format, args.out,
                                      validation_share=args.validation_share, seed=args.split_seed,
                                      near_duplicate_threshold=settings.training.near_duplicate_threshold,
                                      final_only_window=window, today=_settings_today(settings))
    except ExportError as exc:
        err.print(f"export: {exc}", markup=False)
        return EXIT_FAILED
    for key, path in sorted(result.files.items()):
        console.print(f"{key:>16}: {result.counts.get(key, 0):>8,} rows  {path}", markup=False, highlight=False)
    console.print(f"data card: {result.data_card}", markup=False, highlight=False)
    return EXIT_OK


def cmd_scrub(args: argparse.Namespace) -> int:
    from transforms.scrub.jsonl import scrub_jsonl_lines
    from transforms.scrub.scrubber import Scrubber

    settings = load_settings(_overrides(args))
    scrubber = Scrubber.from_config(settings.scrub)
    written = errors = 0
    with open(args.input, encoding="utf-8") as source, open(args.output, "w", encoding="utf-8") as sink:
        for record in scrub_jsonl_lines(source, scrubber):
            errors += "error" in record
            written += 1
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    console.print(f"scrubbed {written - errors:,} line(s) into {args.output}; {errors:,} line(s) rejected (marked 'error')")
    return EXIT_FAILED if errors else EXIT_OK


def _deployed_with_a_work_pool(deployment: str) -> str | None:
    """The work pool of an existing deployment `flow/name`, or None (no such deployment, or a served one)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_deployment_by_name(deployment).work_pool_name
        except ObjectNotFound:
            return None


def cmd_serve(args: argparse.Namespace) -> int:
    from prefect.schedules import Cron

    from flows.nightly import nightly_flow

    overrides = _overrides(args)
    settings = load_settings(overrides)
    # The cron's timezone defaults to the one the flow takes dates in, so "02:00" and "yesterday" agree.
    cron_tz = args.timezone_name or settings.timezone
    deployment = f"{nightly_flow.name}/{args.name}"
    # `serve` replaces a deployment of the same name whole: never one that `prefect deploy` made (it has a
    # work pool, pull steps and a concurrency limit that serve would wipe). Served ones have no work pool.
    pool = _deployed_with_a_work_pool(deployment)
    if pool:
        err.print(f"refusing to serve: deployment {deployment!r} exists on work pool {pool!r} (made by "
                  "`prefect deploy`); serving would replace it. Use its worker, or --name for another deployment.",
                  markup=False, highlight=False)
        return EXIT_CONFIG
    console.print(f"serving {deployment} on cron '{args.cron}' ({cron_tz}); dates in {settings.timezone}; "
                  "needs a Prefect server (PREFECT_API_URL): schedules never fire on the temporary one",
                  markup=False, highlight=False)
    if cron_tz != settings.timezone:
        err.print(f"note: the cron runs in {cron_tz} but each run processes the day before its scheduled date "
                  f"in {settings.timezone} (FLYWHEEL_TIMEZONE / --timezone)", markup=False, highlight=False)
    nightly_flow.serve(name=args.name, schedules=[Cron(args.cron, timezone=cron_tz)],
                       parameters={"overrides": overrides.given()}, global_limit=1)
    return EXIT_OK


def cmd_purge_quarantine(args: argparse.Namespace) -> int:
    from datalake.retention import purge_quarantine

    settings = load_settings(_overrides(args))
    purge = purge_quarantine(settings.quarantine_uri, settings.lake_uri, settings.quarantine_retention_days,
                             dry_run=args.dry_run)
    verb = "would purge" if args.dry_run else "purged"
    console.print(f"quarantine retention {settings.quarantine_retention_days} days: {verb} {purge.summary()}",
                  markup=False, highlight=False)
    for day in purge.purged:
        console.print(f"  {day}", markup=False, highlight=False)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from export import EXPORT_FORMATS

    parser = argparse.ArgumentParser(prog="flywheel", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="sample logs -> nightly flow -> summary -> DuckDB query")
    p.add_argument("--conversations", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    _add_settings_flags(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("generate", help="write deterministic sample logs")
    p.add_argument("--out", default="sample_logs")
    p.add_argument("--start", type=_date, default=date.today() - timedelta(days=1))
    p.add_argument("--end", type=_date)
    p.add_argument("--conversations", type=int, default=200, help="conversations per day")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--log-format", default="events", choices=GENERATOR_LOG_FORMATS)
    p.add_argument("--malformed-rate", type=float, default=0.01)
    p.add_argument("--no-gzip", action="store_true", help="write .jsonl instead of .jsonl.gz")
    p.add_argument("--lines-per-file", type=int, default=50_000, help="start a new file after this many lines")
    p.add_argument("--list-pii", action="store_true", help="print the planted PII values (test data only)")
    p.add_argument("--pii-out", help="write the planted PII values as JSON lines to this file (test data only)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="process one date through the nightly flow")
    p.add_argument("--date", type=_date, help="YYYY-MM-DD, that date only (default: yesterday in --timezone, "
                   "after the earlier dates, up to catch_up_days back, that have logs but no complete run)")
    p.add_argument("--force", action="store_true",
                   help="publish even when a guard rail trips (quarantine share, nothing accepted, shrink)")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("backfill", help="process a range of dates")
    p.add_argument("--start", type=_date, required=True)
    p.add_argument("--end", type=_date, required=True)
    p.add_argument("--force", action="store_true",
                   help="rerun dates that are already complete, and publish past tripped guard rails")
    p.add_argument("--concurrency", type=int, help="dates at once [backfill_concurrency]")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("query", help="run DuckDB SQL over the lake")
    p.add_argument("sql")
    p.add_argument("--max-rows", type=int, default=50)
    _add_settings_flags(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("runs", help="recent run summaries")
    p.add_argument("--limit", type=int, default=20)
    _add_settings_flags(p)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("export", help="export training data for a date range (SFT or preferences)")
    p.add_argument("--from", dest="start", type=_date, required=True)
    p.add_argument("--to", dest="end", type=_date, required=True)
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                   help="trl-sft-jsonl, hf-parquet, openai-jsonl, sharegpt-json (LLaMA-Factory): SFT rows; "
                        "trl-preference-jsonl, openai-preference-jsonl, sharegpt-preference-json: preference rows")
    p.add_argument("--out", required=True, help="output directory (replaced whole when the export is done)")
    p.add_argument("--validation-share", type=float, default=0.05, help="share of conversations held out")
    p.add_argument("--split-seed", default="flywheel",
                   help="seed of the split by conversation and near-duplicate prompt cluster "
                        "(clusters at FLYWHEEL_TRAINING__NEAR_DUPLICATE_THRESHOLD)")
    p.add_argument("--include-provisional", action="store_true",
                   help="also export dates still inside their late window (their rows may still change)")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("scrub", help="scrub the 'text' of each JSONL line (ad-hoc use and audits)")
    p.add_argument("--in", dest="input", required=True, help="JSONL with a 'text' field (optional 'language')")
    p.add_argument("--out", dest="output", required=True, help="JSONL: each line plus 'scrubbed' and 'spans'")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_scrub)

    p = sub.add_parser("serve", help="serve the nightly flow on a cron schedule (needs a Prefect server)")
    p.add_argument("--cron", default="0 2 * * *")
    p.add_argument("--tz", dest="timezone_name", help="the cron's timezone (default: the timezone setting)")
    p.add_argument("--name", default="nightly-served",
                   help="deployment name (never one made by `prefect deploy`: refused if it has a work pool)")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("purge-quarantine",
                       help="delete raw quarantined lines older than quarantine_retention_days (the flows do it too)")
    p.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    _add_settings_flags(p, only=("lake_uri", "quarantine_uri", "quarantine_retention_days"))
    p.set_defaults(func=cmd_purge_quarantine)
    return parser


def _configure_logging() -> None:
    # Our own progress at INFO; libraries (Beam, Presidio, httpx) only when something is wrong.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("flywheel").setLevel(logging.INFO)
    for noisy in ("presidio-analyzer", "presidio-anonymizer", "httpx", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "end", "unset") is None:
        args.end = args.start
    _configure_logging()
    if threading.current_thread() is threading.main_thread():
        handle_termination()  # SIGTERM cleans up like Ctrl-C (flywheel/processes.py)
    try:
        return args.func(args)
    except ConfigError as exc:
        err.print(str(exc), style="red", markup=False, highlight=False)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a clear message, not a traceback
        err.print(f"error: {_user_message(exc)}", style="red", markup=False, highlight=False)
        return EXIT_FAILED


def _user_message(exc: Exception) -> str:
    """What to tell the user. SQL errors quote the analyst's query or the (scrubbed) lake; anything
    else goes through safe_error, which withholds messages that might quote raw logs."""
    import duckdb

    from schemas.errors import safe_error

    if isinstance(exc, duckdb.Error):
        return str(exc)
    return safe_error(exc)


if __name__ == "__main__":
    sys.exit(main())
