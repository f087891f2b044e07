"""The log-driven data flywheel: LLM product logs in, scrubbed and labeled training data out."""

__version__ = "0.1.0"
