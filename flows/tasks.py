"""The Prefect task both flows share: one date through `process_day`, plus its run-summary artifact."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.settings import SettingsOverrides, load_settings
from schemas.errors import FlywheelError
from flows.day import process_day
from schemas.outputs import RunManifest


class DayFailed(FlywheelError):
    """A date did not succeed; the message is the manifest's (vetted, PII-free) error."""


def manifest_markdown(manifest: RunManifest) -> str:
    """The run summary as Markdown: counts and statuses only, never content."""
    lines = [
        f"### flywheel run `{manifest.run_id}`",
        "",
        f"date **{manifest.dt}** · status **{manifest.status}** · {manifest.judge_mode} · config `{manifest.config_hash}`",
        "",
    ]
    if manifest.error:
        lines += [f"error: {manifest.error}", ""]
    lines += ["| count | value |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in manifest.counts.items()]
    if manifest.pii_counts:
        lines += ["", "| PII entity scrubbed | count |", "|---|---:|"]
        lines += [f"| {name} | {value:,} |" for name, value in manifest.pii_counts.items()]
    return "\n".join(lines)


@task(name="process-day", task_run_name="process-{day}")
def process_day_task(day: date, overrides: SettingsOverrides, flow_name: str) -> RunManifest:
    """Settings are rebuilt from the environment inside the task, so no secret travels as a parameter."""
    logger = get_run_logger()
    settings = load_settings(overrides)
    manifest = process_day(settings, day, flow=flow_name)
    create_markdown_artifact(
        key=f"flywheel-run-{manifest.dt}",
        markdown=manifest_markdown(manifest),
        description=f"flywheel run summary for {manifest.dt}",
    )
    counts = manifest.counts
    logger.info(
        "%s %s: %s lines read, %s quarantined, %s conversations, %s SFT examples",
        manifest.dt, manifest.status, counts.get("lines_read", 0), counts.get("lines_quarantined", 0),
        counts.get("conversations", 0), counts.get("rows.sft", 0),
    )
    if manifest.status == "failed":
        raise DayFailed(f"{manifest.dt}: {manifest.error}")
    return manifest
