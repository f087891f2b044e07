"""Progress of a CLI run on the terminal (rich.progress): dates done of the dates to do, and each running
date's stage, read from the run manifests the flows write anyway.

Each run writes its manifest under <lake>/_runs/ when it starts ("running", no counts), again with its counts
once its pipeline is done and it is about to publish, and once more when it ends. A thread looks at the
manifests of this call's runs (those not there before it) about once a second, so the CLI needs no hook into
the flows and shows what the lake itself records: a date's stage (waiting for Prefect, pipeline running over
its N files, publishing) and how many dates are done. The number of files read so far is not recorded
anywhere while the pipeline runs, so it is not shown. Names of dates, stages and counts only: never content.

Shown only when stderr is a terminal; otherwise the logs on stderr are the record.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from datalake.fs import filesystem, join
from datalake.manifests import read_manifest
from datalake.tables import RUNS_DIR
from schemas.outputs import RunManifest

POLL_SECONDS = 1.0


class RunProgress:
    """`with RunProgress(console, lake, before, dates, source):` shows the progress while the block runs.

    before: run ids in the lake before the call (their manifests are not this call's).
    dates: the dates the call will run, or None when not known up front (a nightly run's catch-up).
    """

    def __init__(self, console: Console, lake_uri: str, before: set[str], dates: Sequence[date] | None,
                 source_uri: str) -> None:
        self.lake_uri, self.before, self.source_uri = lake_uri, before, source_uri
        self.dates = None if dates is None else {d.isoformat() for d in dates}
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("dates"), TimeElapsedColumn(),
                                 console=console, transient=True)
        self.enabled = console.is_terminal
        self._stop = threading.Event()
        self._files: dict[str, int] = {}
        self._task = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RunProgress:
        if self.enabled:
            total = len(self.dates) if self.dates is not None else None
            self._task = self.progress.add_task("starting the flow (Prefect) …", total=total)
            self.progress.start()
            self._thread = threading.Thread(target=self._follow, name="flywheel-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.progress.stop()

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                runs = self._new_runs()
            except Exception:  # noqa: BLE001 - a display: a manifest replaced mid-read, a listing that failed (the run
                continue   # itself reports that): try again next time, never stop the run
            done, description = self.describe(runs)
            self.progress.update(self._task, completed=done, description=description)

    def _new_runs(self) -> list[RunManifest]:
        fs, root = filesystem(self.lake_uri)
        paths = fs.glob(join(root, RUNS_DIR, "*.json")) if fs.exists(join(root, RUNS_DIR)) else []
        ids = sorted(p.rsplit("/", 1)[-1][: -len(".json")] for p in paths)
        runs = (read_manifest(self.lake_uri, run_id) for run_id in ids if run_id not in self.before)
        return [m for m in runs if m is not None]

    def describe(self, runs: Sequence[RunManifest]) -> tuple[int, str]:
        """(dates done, what the running dates do) from this call's manifests, oldest first."""
        latest = {m.dt: m for m in runs}  # a retried date: its latest attempt
        done = sum(1 for dt, m in latest.items() if m.status != "running" and (self.dates is None or dt in self.dates))
        running = [m for m in latest.values() if m.status == "running"]
        if not running:
            return done, "starting the flow (Prefect) …" if not latest else "finishing …"
        return done, "; ".join(f"{m.dt}: {self._stage(m)}" for m in running)

    def _stage(self, manifest: RunManifest) -> str:
        if manifest.counts:  # written once the pipeline is done, before publishing
            return "publishing"
        return f"pipeline running over {self._file_count(manifest.dt)} file(s)"

    def _file_count(self, dt: str) -> int:
        if dt not in self._files:  # listed once per date: a directory listing, no reading
            from transforms.ingest.files import list_source_files

            self._files[dt] = len(list_source_files(self.source_uri, date.fromisoformat(dt)))
        return self._files[dt]
