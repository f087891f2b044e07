"""The CLI's processes: SIGTERM handled like Ctrl-C, Prefect's temporary server tied to the CLI's life, and a
configured Prefect server checked before a flow starts (`check_prefect_api`).

With no PREFECT_API_URL, Prefect 3 starts a temporary API server as a child process (`uvicorn` through
`prefect.server.api.server.SubprocessASGIServer`, first use of a client) and stops it from an `atexit` hook.
A CLI killed by SIGTERM's default action or by SIGKILL runs no `atexit` hook, so the server (~200 MB) stayed
behind, one more per kill. Two things close that:

- `handle_termination`: SIGTERM raises SystemExit(143) in the main thread, so `finally` blocks run (the day's
  manifest records the interruption, the date's lock is released) and Prefect's `atexit` hook stops the server;
- `tie_prefect_server_to_this_process`: the CLI starts that same server itself, from the main thread, before the
  flow, with PR_SET_PDEATHSIG set in the child: the kernel sends it SIGTERM when the CLI dies, however it dies
  (SIGKILL and OOM included). Linux only; elsewhere only the SIGTERM handling applies, and a SIGKILLed CLI can
  still leave the server behind (or point PREFECT_API_URL at a real server, which nothing ever has to stop).

Beam's worker processes (`--workers` > 1, multi_processing mode) are not covered here.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import types
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from schemas.errors import ConfigError

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
log = logging.getLogger("flywheel")


def handle_termination() -> None:
    """Turn SIGTERM into SystemExit(143) in the main thread (cleanup and atexit hooks then run)."""

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)


class PrefectUnreachable(ConfigError):
    """PREFECT_API_URL names a server that does not answer: a configuration problem, said before any work."""


def check_prefect_api() -> None:
    """Raise PrefectUnreachable when PREFECT_API_URL is set and its server does not answer /health.

    Without it Prefect fails deep inside the flow engine with a RuntimeError, which the CLI cannot tell from
    one that quotes log text. With no PREFECT_API_URL there is nothing to check: the temporary server is ours.
    """
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return
    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise PrefectUnreachable(
            f"the Prefect API at {_without_credentials(url)} does not answer ({type(problem).__name__}): start "
            "it (`prefect server start`), fix PREFECT_API_URL, or unset it to run on a temporary local server")


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host))


def tie_prefect_server_to_this_process() -> bool:
    """Start Prefect's temporary server now, as a child that dies with this process. True when started here.

    Does nothing when a Prefect API is configured (PREFECT_API_URL), off Linux, or when the server already runs.
    This leans on Prefect internals (prefect>=3.1,<4): if they moved, it says so and leaves the start to
    Prefect (the run works as before; only a SIGKILLed CLI may then leave the server behind).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return _start_tied_prefect_server()
    except (ImportError, AttributeError, TypeError) as exc:
        log.warning("could not tie Prefect's temporary server to the CLI (%s); Prefect starts it itself",
                    type(exc).__name__)
        return False


def _start_tied_prefect_server() -> bool:
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return False
    import prefect.server.api.server as server_module

    server = server_module.SubprocessASGIServer()  # Prefect's own singleton: every later client reuses it
    if server.running:
        return False
    # Resolved before fork: between fork and exec only async-signal-safe work belongs in the child.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the CLI died before the death signal was armed
            os._exit(1)

    class PopenDyingWithParent(subprocess.Popen):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("preexec_fn", die_with_parent)
            super().__init__(*args, **kwargs)

    # Prefect builds the command itself (SubprocessASGIServer._run_uvicorn_command calls subprocess.Popen):
    # for that one start, its module sees a subprocess whose Popen arms the death signal. The death signal
    # follows the thread that forked: this is the main thread, which lives as long as the CLI.
    shim = types.SimpleNamespace(**{name: getattr(subprocess, name) for name in dir(subprocess) if not name.startswith("__")})
    shim.Popen = PopenDyingWithParent
    server_module.subprocess = shim
    try:
        server.start()
    finally:
        server_module.subprocess = subprocess
    return True
