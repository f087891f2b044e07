"""Errors whose messages are safe to show: they say what is wrong and what to do, and never quote log
content. Anything else may carry raw text in its message (a library echoing its input), so logs,
manifests and the CLI show only its type."""

from __future__ import annotations


class FlywheelError(Exception):
    """Base of the flywheel's own errors: the message is vetted (names settings, paths, dates, counts)."""


class ConfigError(FlywheelError):
    """A setting is wrong; the message names it and says what is expected."""


def safe_error(exc: BaseException) -> str:
    """An error for logs, manifests and the terminal."""
    if isinstance(exc, FlywheelError):
        return str(exc)
    return f"{type(exc).__name__} (message withheld: it may quote raw log text)"
