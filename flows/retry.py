"""Which failures are worth retrying: transient ones (storage I/O, network, the judge endpoint down), never bad data.

A retry reruns the whole date (a new run id, the same inputs), so it only pays when the cause can go away by
itself: a storage hiccup, a timeout, a dropped connection, a judge endpoint that was down. A bad input file,
a failed guard rail or a wrong setting fails again the same way, so those fail at once and stay on record.

`process_day` never raises (its manifest says what happened), so it classifies its own exception with
`is_transient` and records the result (`RunManifest.error_type`, `RunManifest.transient`); the Prefect task
(`flows.tasks.process_day_task`) then raises `TransientDayFailure` or plain `DayFailed`, and its
`retry_condition_fn` retries only the former.
"""

from __future__ import annotations

import gzip
import zlib

from schemas.errors import FlywheelError
from transforms.beam.judge import JudgeOutage

# OSError subclasses that describe the input or the setup, not a passing condition: retrying cannot help.
# BadGzipFile is an OSError too, but it means a corrupt (truncated) log file: bad data.
PERMANENT_OS_ERRORS: tuple[type[BaseException], ...] = (
    FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, gzip.BadGzipFile,
)
# Flywheel errors are vetted verdicts about data or configuration, so not transient, except these: the judge
# endpoint being unreachable is an outage of someone else's service.
TRANSIENT_FLYWHEEL_ERRORS: tuple[type[FlywheelError], ...] = (JudgeOutage,)


def is_transient(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it: Beam and fsspec wrap errors) is a transient failure.

    Transient: OSError and its kin (ConnectionError, TimeoutError, socket and SSL errors, fsspec/s3fs I/O),
    minus PERMANENT_OS_ERRORS; and TRANSIENT_FLYWHEEL_ERRORS. Everything else, FlywheelError data problems
    first of all, is not.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, FlywheelError):  # a vetted verdict decides by its own type, whatever caused it
            return isinstance(exc, TRANSIENT_FLYWHEEL_ERRORS)
        if isinstance(exc, (zlib.error, EOFError, UnicodeError) + PERMANENT_OS_ERRORS):
            return False
        if isinstance(exc, OSError):  # ConnectionError and TimeoutError are OSErrors
            return True
        exc = exc.__cause__ or exc.__context__
    return False
