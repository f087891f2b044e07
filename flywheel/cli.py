"""`flywheel`: the command line. Settings are read here, at the edge, and passed in.

    flywheel demo                      generate sample logs, run the nightly flow on them, summarise, query
    flywheel generate --out DIR        write sample logs (deterministic)
    flywheel run [--date D] [--force]  process one date (default: yesterday, after catching up missed dates)
    flywheel runner-options [--runner R] [--beam-args-file F] [--beam-arg=--flag=value ...]
                                       the Beam options a run would use, checked by Beam; nothing submitted
    flywheel backfill --start D --end D [--force] [--concurrency N]
    flywheel query "SQL" | --file F [--output table|csv|json|parquet] [--out FILE]
                                       read-only DuckDB SQL over the lake (views: conversations, turns, sft, ...)
    flywheel runs [--status S] [--flow F] [--json]
                                       the latest runs first: flow, date, status, duration, counts
    flywheel report --from D --to D --out DIR
                                       one self-contained HTML report (charts, bad cases) over the dates
    flywheel sql [--out FILE]          the lake's views as plain DuckDB SQL (absolute paths) for duckdb/notebooks
    flywheel scrub --in F --out F      scrub the 'text' of each JSONL line (ad-hoc use, audits)
    flywheel export --from D --to D --format F --out DIR
                                       training data for trainers (HF Parquet, OpenAI JSONL, ShareGPT, TRL)
    flywheel serve [--cron C] [--tz Z] serve the nightly flow on its cron schedule (needs a Prefect server)
    flywheel purge-quarantine [--dry-run]
                                       delete raw quarantined lines older than quarantine_retention_days
    flywheel review sample --from D --to D --n N --kind K --reviewer NAME --out FILE [--strategy S]
                                       a review queue (JSONL) of lake rows for one reviewer
    flywheel review serve [--host H] [--port P] [--queue FILE] [--token T]
                                       the review web app (local by default; a token off loopback)
    flywheel review import FILE [--queue FILE]
                                       verdicts made elsewhere, one JSON line each (all lines or none)
    flywheel review agreement          agreement between reviewers, rules and the judge

Exit codes: 0 ok; 1 a run failed (a tripped guard rail included) or a query failed; 2 bad configuration or usage
(a bad setting or FLYWHEEL_* value, a flag, an end date before the start, a refused query, an unreachable
PREFECT_API_URL); 3 no input for the date (a backfill: for no date of its range). Messages of the flywheel's own
errors and of configuration and usage errors are shown in full; another library's error shows only its type,
since its message may quote raw log text (schemas.errors.safe_error). An unknown FLYWHEEL_* variable is a
warning naming the closest setting (flows.settings), not an error. On a terminal, long runs show their progress
on stderr (flywheel/progress.py).
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
from flywheel.processes import check_prefect_api, handle_termination, tie_prefect_server_to_this_process  # noqa: E402
from flywheel.progress import RunProgress  # noqa: E402
from flywheel.run_listing import print_run_summary, terminal_safe  # noqa: E402
from flywheel.sample_logs.generate import LOG_FORMATS as GENERATOR_LOG_FORMATS  # noqa: E402
from review import TOKEN_ENV as REVIEW_TOKEN_ENV  # noqa: E402
from schemas.errors import ConfigError, FlywheelError  # noqa: E402

console = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_NO_INPUT = 0, 1, 2, 3
DEMO_QUERY = """
SELECT t.dt, t.label, count(*) AS assistant_turns
FROM turns t WHERE t.role = 'assistant'
GROUP BY ALL ORDER BY t.dt, assistant_turns DESC
""".strip()


class UsageError(FlywheelError):
    """The command line asks for something impossible (dates out of order, SQL given twice): exit 2."""


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
            group.add_argument(setting.flag, dest=setting.name, type=setting.type, help=setting.help,
                               action="append" if setting.repeatable else "store")


def _overrides(args: argparse.Namespace) -> SettingsOverrides:
    # A subcommand that declares only some flags leaves the others unset (None), as does an omitted flag.
    return SettingsOverrides(**{name: getattr(args, name, None) for name in SettingsOverrides.model_fields})


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
    check_prefect_api()
    tie_prefect_server_to_this_process()  # a killed CLI must not leave Prefect's temporary server running
    # Without --date, how many dates the catch-up runs is the flow's decision: the progress counts without a total.
    with RunProgress(err, settings.lake_uri, before, [day] if day else None, settings.source_uri):
        try:
            nightly_flow(day, overrides, force)
        except DayFailed:
            pass  # the manifests below say which date failed and why
    # Without --date the flow also catches up missed dates, and a transient failure is retried: show the
    # latest run of each date this call ran (a failed attempt that a retry made good is not a failure).
    latest = {m.dt: m for m in read_manifests(settings.lake_uri) if m.run_id not in before}
    ran = [latest[dt] for dt in sorted(latest)]
    print_run_summary(console, err, ran)
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


def cmd_runner_options(args: argparse.Namespace) -> int:
    from transforms.beam.options import printable_flags

    # Loading the settings checks the runner and its flags with Beam (flows.settings); a rejection is exit 2.
    config = load_settings(_overrides(args)).runner_config
    for line in printable_flags(config):
        print(line)
    err.print(f"{config.runner}: these options pass Beam's checks (a later flag wins; secret values masked); "
              "nothing was submitted", markup=False, highlight=False)
    return EXIT_OK


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows.backfill import backfill, date_range
    from datalake.manifests import day_is_complete, read_manifests

    overrides = _overrides(args)
    settings = load_settings(overrides)
    before = {m.run_id for m in read_manifests(settings.lake_uri)}
    check_prefect_api()
    tie_prefect_server_to_this_process()  # a killed CLI must not leave Prefect's temporary server running
    failure: Exception | None = None
    # The dates the flow will run (it skips complete ones unless forced, by the same test): "n of m dates".
    todo = [d for d in date_range(args.start, args.end) if args.force or not day_is_complete(settings.lake_uri, d)]
    try:
        with RunProgress(err, settings.lake_uri, before, todo, settings.source_uri):
            backfill(args.start, args.end, args.force, args.concurrency or settings.backfill_concurrency, overrides)
    except Exception as exc:  # noqa: BLE001 - the manifests below say which dates failed and why
        failure = exc
    ran = [m for m in read_manifests(settings.lake_uri) if m.run_id not in before]
    if not ran and failure is not None:
        raise failure  # nothing ran at all: the error itself is the answer
    if not ran:
        console.print(f"nothing to do: every date in {args.start}..{args.end} is complete (use --force to rerun)")
        return EXIT_OK
    print_run_summary(console, err, sorted(ran, key=lambda m: m.dt))
    # Dates without logs in a range are skipped, not failures (reported above as no_input); exit 3 only when
    # no date in the range had any (a wrong --source, most likely).
    processed = [m for m in ran if m.status != "no_input"]
    return _exit_code(processed or ran)


def cmd_query(args: argparse.Namespace) -> int:
    from flywheel.query_output import render_text, write_parquet
    from sql.catalog import QueryError
    from sql.readonly import RefusedStatement, check_output_outside_lake, run_query, run_query_arrow

    settings = load_settings(_overrides(args))
    sql = _query_text(args)
    try:
        if args.out:
            check_output_outside_lake(settings.lake_uri, args.out)
        # Read-only (sql/readonly.py); the raw quarantine stays unreadable even if configured inside the lake.
        if args.output == "parquet":
            write_parquet(run_query_arrow(settings.lake_uri, sql, deny=[settings.quarantine_uri]), args.out)
            console.print(f"wrote {args.out}", markup=False, highlight=False)
            return EXIT_OK
        columns, rows = run_query(settings.lake_uri, sql, deny=[settings.quarantine_uri])
    except RefusedStatement as exc:  # a write, a file outside the lake, ...: a usage error, exit 2
        err.print(terminal_safe(str(exc)), style="red", markup=False, highlight=False)
        return EXIT_CONFIG
    except QueryError as exc:  # DuckDB's message can quote lake values: escaped like the rows
        err.print(f"error: {terminal_safe(str(exc))}", style="red", markup=False, highlight=False)
        return EXIT_FAILED
    text = render_text(args.output, columns, rows, max_rows=args.max_rows,
                       for_terminal=not args.out and sys.stdout.isatty())
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    else:  # plain: no wrapping at the terminal width
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _query_text(args: argparse.Namespace) -> str:
    """The SQL: the argument, or --file (`-` reads stdin); exactly one of them."""
    if (args.sql is None) == (args.file is None):
        raise UsageError("give the SQL as an argument or with --file FILE: one of the two")
    if args.file is None:
        return args.sql
    if args.file == "-":
        return sys.stdin.read()
    try:
        with open(args.file, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"--file {args.file}: {exc.strerror}") from None


def cmd_runs(args: argparse.Namespace) -> int:
    from datalake.manifests import read_manifests
    from datalake.recovery import run_notes
    from flywheel.run_listing import latest_runs, print_run_errors, runs_json, runs_table

    settings = load_settings(_overrides(args))
    manifests = latest_runs(read_manifests(settings.lake_uri), args.limit, args.status, args.flow)
    if args.json:
        print(runs_json(manifests))
        return EXIT_OK
    if not manifests:
        which = " ".join(f"{k} {v}" for k, v in (("status", args.status), ("flow", args.flow)) if v)
        console.print(f"no {which + ' ' if which else ''}runs yet in {settings.lake_uri}", markup=False,
                      highlight=False)
        return EXIT_OK
    # One row per run, whatever the width: piped, the table keeps its natural width instead of rich's 80 columns.
    (console if console.is_terminal else Console(width=200)).print(runs_table(manifests))
    print_run_errors(err, manifests)
    oldest_first = manifests[::-1]
    for note in run_notes(settings.lake_uri, oldest_first):  # what readers see: the commit records
        console.print(note, markup=False, highlight=False)
    _print_late_window(settings, oldest_first)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from report import write_report

    settings = load_settings(_overrides(args))
    path = write_report(settings.lake_uri, args.start, args.end, args.out)
    print(path)
    return EXIT_OK


def cmd_sql(args: argparse.Namespace) -> int:
    from sql.catalog import portable_sql

    settings = load_settings(_overrides(args))
    text = portable_sql(settings.lake_uri)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
        console.print(f"wrote {args.out}: run it with `duckdb -init {args.out}` or `.read {args.out}`",
                      markup=False, highlight=False)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
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
        table.add_row(Text(terminal_safe(dt)), state or "not committed", moved or "-", reopened or "-")
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


def cmd_review_sample(args: argparse.Namespace) -> int:
    from review.queue import sample_queue, write_queue

    settings = load_settings(_overrides(args))
    items = sample_queue(settings.lake_uri, args.kind, args.start, args.end, args.n, args.strategy, args.reviewer,
                         seed=args.seed)
    write_queue(items, args.out)
    console.print(f"wrote {len(items)} {args.kind} items ({args.strategy}) to {args.out}", markup=False,
                  highlight=False)
    return EXIT_OK


def cmd_review_serve(args: argparse.Namespace) -> int:
    from review.web import serve

    settings = load_settings(_overrides(args))
    token = args.token or os.environ.get(REVIEW_TOKEN_ENV) or None
    serve(settings.lake_uri, args.queue, host=args.host, port=args.port, token=token, scrub=settings.scrub)
    return EXIT_OK


def cmd_review_import(args: argparse.Namespace) -> int:
    from review.verdicts import import_verdicts

    settings = load_settings(_overrides(args))
    if not os.path.isfile(args.file):
        raise UsageError(f"{args.file}: no such file")
    # Fixed answers are scrubbed with the lake's own scrub settings, so they read like the rest of the lake.
    result = import_verdicts(settings.lake_uri, args.file, args.queue, scrub=settings.scrub)
    for error in result.errors:
        err.print(f"{args.file}:{error.line}: {error.message}", markup=False, highlight=False, soft_wrap=True)
    if result.errors:
        err.print(f"nothing imported: {len(result.errors)} bad line(s); fix them and import the file again",
                  style="red", markup=False, highlight=False, soft_wrap=True)
        return EXIT_FAILED
    console.print(f"imported {result.written} verdicts ({result.already_imported} already imported) "
                  f"{result.path}".rstrip(), markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK


def cmd_review_agreement(args: argparse.Namespace) -> int:
    from review.agreement import agreement_report

    settings = load_settings(_overrides(args))
    console.print(agreement_report(settings.lake_uri), markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK


def _add_review_parser(sub: argparse._SubParsersAction) -> None:
    from typing import get_args

    from schemas.review import ReviewKind, SampleStrategy

    review = sub.add_parser("review", help="human review: sample a queue, review it on the web, import verdicts")
    commands = review.add_subparsers(dest="review_command", required=True)

    p = commands.add_parser("sample", help="write a review queue (one JSON line per item) for one reviewer")
    p.add_argument("--from", dest="start", type=_date, required=True)
    p.add_argument("--to", dest="end", type=_date)
    p.add_argument("--n", type=int, required=True, help="items in the queue (at most)")
    p.add_argument("--kind", required=True, choices=get_args(ReviewKind))
    p.add_argument("--strategy", default="stratified", choices=get_args(SampleStrategy),
                   help="stratified (category, language, label, derivation, rule), disagreement (rules vs judge, "
                        "low confidence first) or random (unbiased estimates)")
    p.add_argument("--reviewer", required=True, help="who reviews: items already sampled for them are skipped "
                                                     "(stored only as a keyed hash)")
    p.add_argument("--seed", type=int, default=0, help="same seed, same items for every reviewer")
    p.add_argument("--out", required=True, help="the queue file (JSONL)")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_review_sample)

    p = commands.add_parser("serve", help="the review web app")
    p.add_argument("--host", default="127.0.0.1", help="bind address; beyond loopback a token is required")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--queue", help="the queue file to review")
    p.add_argument("--token", help=f"access token (or {REVIEW_TOKEN_ENV}); required off loopback")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_review_serve)

    p = commands.add_parser("import", help="import verdicts: JSON lines {item_id, reviewer, verdict: "
                                           "accept|reject|fix, fixed_answer?, reason?}")
    p.add_argument("file", help="the verdicts file (JSONL)")
    p.add_argument("--queue", help="the queue file the verdicts are about (default: find the items in the lake)")
    _add_settings_flags(p, only=("lake_uri", "scrub_mode", "scrub_replacement"))
    p.set_defaults(func=cmd_review_import)

    p = commands.add_parser("agreement", help="agreement between reviewers (kappa), and with rules and judge")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_review_agreement)


def build_parser() -> argparse.ArgumentParser:
    from export import EXPORT_FORMATS
    from flywheel.query_output import OUTPUT_FORMATS
    from flywheel.run_listing import RUN_STATUSES

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

    p = sub.add_parser("runner-options", help="the Beam options a run would use, checked by Beam; nothing submitted",
                       description="Print the Beam flags a run would use (the flywheel's, then the beam args: a "
                                   "later flag wins) once Beam has accepted them, one per line. Exit 2 naming the "
                                   "setting when the runner, the args file or the options are wrong.")
    _add_settings_flags(p, only=("runner", "workers", "beam_args_file", "beam_args"))
    p.set_defaults(func=cmd_runner_options)

    p = sub.add_parser("backfill", help="process a range of dates")
    p.add_argument("--start", type=_date, required=True)
    p.add_argument("--end", type=_date, required=True)
    p.add_argument("--force", action="store_true",
                   help="rerun dates that are already complete, and publish past tripped guard rails")
    p.add_argument("--concurrency", type=int, help="dates at once [backfill_concurrency]")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("query", help="run read-only DuckDB SQL over the lake",
                       description="Read-only DuckDB SQL over the lake's views (conversations, turns, sft, "
                                   "preferences, judgments, runs, ...): reads of the lake only, never writes.")
    p.add_argument("sql", nargs="?", help="the SQL (or --file)")
    p.add_argument("--file", help="read the SQL from this file (- for stdin)")
    p.add_argument("--output", "--format", dest="output", default="table", choices=OUTPUT_FORMATS,
                   help="table (default), csv, json (an array of objects) or parquet (needs --out)")
    p.add_argument("--out", help="write the result to this file (outside the lake) instead of stdout")
    p.add_argument("--max-rows", type=int, default=50, help="rows shown by --output table")
    # The quarantine too: a quarantine configured inside the lake must stay unreadable (sql/readonly.py).
    _add_settings_flags(p, only=("lake_uri", "quarantine_uri"))
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("runs", help="the latest runs first, one row per run")
    p.add_argument("--limit", type=int, default=20, help="the latest this-many runs (after the filters)")
    p.add_argument("--status", choices=RUN_STATUSES, help="only runs with this status")
    p.add_argument("--flow", help="only runs of this flow (nightly, backfill, manual, ...)")
    p.add_argument("--json", action="store_true", help="a JSON array of the runs (counts, duration) on stdout")
    _add_settings_flags(p)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("report", help="one self-contained HTML report over a date range (charts, bad cases)")
    p.add_argument("--from", dest="start", type=_date, required=True)
    p.add_argument("--to", dest="end", type=_date, required=True)
    p.add_argument("--out", required=True, help="output directory; the HTML file's path is printed")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sql", help="the lake's views as plain DuckDB SQL (for the duckdb CLI, notebooks)")
    p.add_argument("--out", help="write the SQL to this file instead of stdout")
    _add_settings_flags(p, only=("lake_uri",))
    p.set_defaults(func=cmd_sql)

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

    _add_review_parser(sub)
    return parser


def _configure_logging() -> None:
    # Our own progress at INFO; libraries (Beam, Presidio, httpx) only when something is wrong.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("flywheel").setLevel(logging.INFO)
    for noisy in ("presidio-analyzer", "presidio-anonymizer", "httpx", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a bad flag: argparse's message and exit 2
    if getattr(args, "end", "unset") is None:
        args.end = args.start
    _configure_logging()
    if threading.current_thread() is threading.main_thread():
        handle_termination()  # SIGTERM cleans up like Ctrl-C (flywheel/processes.py)
    try:
        _check_date_range(args)
        return args.func(args)
    except (ConfigError, UsageError) as exc:
        err.print(str(exc), style="red", markup=False, highlight=False)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `flywheel runs --json | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a clear message, not a traceback
        err.print(f"error: {_user_message(exc)}", style="red", markup=False, highlight=False)
        return EXIT_FAILED


def _check_date_range(args: argparse.Namespace) -> None:
    # Every command with a range (generate, backfill, export, report) names its flags differently.
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if start is not None and end is not None and end < start:
        names = {"export": ("--from", "--to"), "report": ("--from", "--to"),
                 "review": ("--from", "--to")}.get(args.command, ("--start", "--end"))
        raise UsageError(f"{names[1]} {end} is before {names[0]} {start}")


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
