"""Files as hostile input: line and byte caps, truncated and corrupt gzip, FIFOs, sockets and devices named *.jsonl,
unreadable files and directories, gzip bombs; the event window and the OpenAssistant day.

Real files on disk; the run-level tests go through `process_day` (Beam on FnApiRunner, regex scrubbing).
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from flows.day import process_day
from flows.settings import load_settings
from schemas.outputs import InputFile, QuarantinedLine, scrub_source_uri
from transforms.ingest.config import IngestConfig
from transforms.ingest.files import (
    IncompleteInput, LogFileReader, check_inputs_complete, list_source_files,
)
from transforms.ingest.lines import parse_line
from transforms.ingest.log_file import LogFileParse
from transforms.ingest.records import MalformedLine
from transforms.ingest.window import EventWindow

from hostile_lines import DAY, good_lines, message

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
GOOD = b"\n".join(good_lines("c1")) + b"\n"


def _read(path, **caps):
    reader = LogFileReader(str(path), **caps)
    return [tuple(line) for line in reader], reader


# --------------------------------------------------------------------------- line and byte caps


def test_a_line_of_exactly_the_cap_is_read_one_byte_more_is_too_long(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"a" * 1024 + b"\n" + b"b" * 1025 + b"\n" + b'{"n": 3}\n' + b"c" * 5000)
    lines, reader = _read(path, max_line_bytes=1024)
    assert [(number, problem) for number, _, problem in lines] == [
        (1, None), (2, "line too long (> 1024 bytes)"), (3, None), (4, "line too long (> 1024 bytes)")]
    assert lines[2][1] == '{"n": 3}'
    # The quarantine keeps the start of an over-long line, never all of it.
    assert lines[3][1] == "c" * 1024
    assert reader.status == "read" and reader.bytes_read == path.stat().st_size


def test_bytes_past_the_file_cap_stop_the_reading_and_name_the_line(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(b'{"n": %d}\n' % n for n in range(1, 1001))))
    lines, reader = _read(path, max_file_bytes=2048)
    assert reader.status == "over_cap"
    assert reader.error == (f"over_cap at line {len(lines) + 1}: more than 2048 decompressed bytes "
                            "(FLYWHEEL_INGEST__MAX_FILE_BYTES)")
    assert 0 < len(lines) < 1000


def test_blank_lines_bom_and_crlf_keep_their_numbers(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"n": 1}\r\n\n   \n{"n": 4}')
    lines, reader = _read(path)
    assert lines == [(1, '{"n": 1}', None), (2, "", None), (3, "   ", None), (4, '{"n": 4}', None)]


# --------------------------------------------------------------------------- what is not a regular file


def test_fifo_socket_and_device_are_skipped_not_opened(tmp_path):
    day_dir = tmp_path / DAY.isoformat()
    day_dir.mkdir()
    os.mkfifo(day_dir / "pipe.jsonl")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(day_dir / "sock.jsonl"))
        (day_dir / "null.jsonl").symlink_to("/dev/null")
        statuses = {}
        for uri in list_source_files(str(tmp_path), DAY):
            _, reader = _read(uri)
            statuses[Path(uri).name] = (reader.status, reader.error)
    assert statuses == {
        "pipe.jsonl": ("skipped_not_regular", "not a regular file: a FIFO"),
        "sock.jsonl": ("skipped_not_regular", "not a regular file: a socket"),
        "null.jsonl": ("skipped_not_regular", "not a regular file: a device"),
    }


@pytest.mark.timeout(120, method="thread")  # a FIFO that is opened blocks forever: fail loudly instead
def test_a_day_with_a_fifo_publishes_and_records_it(tmp_path):
    day_dir = tmp_path / "logs" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    (day_dir / "events.jsonl").write_bytes(GOOD)
    os.mkfifo(day_dir / "pipe.jsonl")
    manifest = process_day(_settings(tmp_path), DAY)
    assert manifest.status == "succeeded", manifest.error
    inputs = {item.uri: item for item in manifest.inputs}  # manifests name files scrubbed
    pipe, events = (scrub_source_uri(str(day_dir / name)) for name in ("pipe.jsonl", "events.jsonl"))
    assert inputs[pipe] == InputFile(uri=pipe, lines=0, status="skipped_not_regular", error="not a regular file: a FIFO")
    assert inputs[events].status == "read" and inputs[events].lines == 3


# --------------------------------------------------------------------------- broken input fails the run


def _settings(root: Path, **fields):
    return load_settings(source_uri=str(root / "logs"), lake_uri=str(root / "lake"),
                         quarantine_uri=str(root / "quarantine"), scrub_mode="regex", shards=1, **fields)


def _partition_files(root: Path) -> dict[str, bytes]:
    lake = root / "lake"
    return {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*.parquet"))
            if "_staging" not in p.parts and "_trash" not in p.parts}


def test_truncated_or_corrupt_gzip_fails_the_run_and_keeps_the_previous_partition(tmp_path):
    day_dir = tmp_path / "logs" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    (day_dir / "events.jsonl").write_bytes(GOOD)
    settings = _settings(tmp_path)
    first = process_day(settings, DAY)
    assert first.status == "succeeded", first.error
    before = _partition_files(tmp_path)
    assert any(name.startswith("conversations/") for name in before)

    whole = gzip.compress(b"".join(
        json.dumps(message(conversation_id=f"g{n % 10}", message_id=f"m{n}")).encode() + b"\n" for n in range(4000)))
    (day_dir / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (day_dir / "not-gzip.jsonl.gz").write_bytes(GOOD)
    second = process_day(settings, DAY)

    assert second.status == "failed"
    inputs = {item.uri: item for item in second.inputs}  # manifests name files scrubbed
    cut_uri, not_gzip_uri = (scrub_source_uri(str(day_dir / name)) for name in ("cut.jsonl.gz", "not-gzip.jsonl.gz"))
    cut = inputs[cut_uri]
    assert cut.status == "truncated" and cut.lines > 0
    assert cut.error == (f"truncated at line {cut.lines + 1}: "
                         "the compressed stream ends before its end marker (EOFError)")
    assert inputs[not_gzip_uri].status == "unreadable"
    assert inputs[not_gzip_uri].error.startswith("unreadable at line 1: not a valid gzip stream")
    # The run's error names each file and the line where it broke.
    assert second.error.startswith("2 input file(s) not read to the end, nothing published: ")
    assert f"{cut_uri}: truncated at line {cut.lines + 1}" in second.error
    assert f"{not_gzip_uri}: unreadable at line 1" in second.error
    # Counts still reconcile (the lines read before the break were counted), and nothing was published.
    counts = second.counts
    assert counts["lines_read"] == counts["lines_accepted"] + counts["lines_quarantined"] + counts["lines_blank"]
    assert _partition_files(tmp_path) == before


def test_unreadable_inputs_are_named_and_refused(tmp_path):
    problems = [
        InputFile(uri="/logs/a.jsonl", lines=3),
        InputFile(uri="/logs/pipe.jsonl", lines=0, status="skipped_not_regular", error="not a regular file: a FIFO"),
        InputFile(uri="/logs/secret", lines=0, status="unreadable", error="a directory that cannot be listed: x"),
        InputFile(uri="/logs/big.jsonl.gz", lines=9, status="over_cap", error="over_cap at line 10: y"),
    ]
    check_inputs_complete(problems[:2])  # skipped non-regular files do not fail the run
    with pytest.raises(IncompleteInput) as err:
        check_inputs_complete(problems)
    assert str(err.value) == ("2 input file(s) not read to the end, nothing published: "
                              f"{problems[2].uri}: a directory that cannot be listed: x; "
                              f"{problems[3].uri}: over_cap at line 10: y")


def test_dangling_symlink_is_an_unreadable_input(tmp_path):
    day_dir = tmp_path / DAY.isoformat()
    day_dir.mkdir()
    (day_dir / "gone.jsonl").symlink_to(tmp_path / "nowhere")
    (uri,) = list_source_files(str(tmp_path), DAY)
    _, reader = _read(uri)
    assert (reader.status, reader.error) == ("unreadable", "cannot open: No such file or directory "
                                                           "(FileNotFoundError, ENOENT)")


# Permissions do not stop root: the check runs in a child that drops to `nobody` when the suite runs as root.
_AS_OTHER_USER = textwrap.dedent("""
    import json, os, sys
    from datetime import date
    from transforms.ingest.files import LogFileReader, list_source_files
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    out = {}
    for uri in list_source_files(sys.argv[1], date.fromisoformat(sys.argv[2])):
        reader = LogFileReader(uri)
        out[os.path.basename(uri)] = [sum(1 for _ in reader), reader.status, reader.error]
    print(json.dumps(out))
""")


def test_unreadable_subdirectory_and_file_are_recorded_not_skipped():
    # Under /tmp, world-traversable: the unprivileged child must reach the day directory itself.
    root = Path(tempfile.mkdtemp(prefix="flywheel-unreadable-", dir="/tmp"))
    try:
        day_dir = root / DAY.isoformat()
        (day_dir / "secret").mkdir(parents=True)
        for folder in (root, day_dir):
            folder.chmod(0o755)
        (day_dir / "a.jsonl").write_bytes(GOOD)
        (day_dir / "secret" / "b.jsonl").write_bytes(GOOD)
        (day_dir / "private.jsonl").write_bytes(GOOD)
        (day_dir / "a.jsonl").chmod(0o644)
        (day_dir / "private.jsonl").chmod(0o000)
        (day_dir / "secret").chmod(0o000)
        done = subprocess.run([sys.executable, "-c", _AS_OTHER_USER, str(root), DAY.isoformat()], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
        assert seen == {
            "a.jsonl": [3, "read", None],
            "private.jsonl": [0, "unreadable", "cannot open: Permission denied (PermissionError, EACCES)"],
            "secret": [0, "unreadable", "a directory that cannot be listed: Permission denied (PermissionError, EACCES)"],
        }
    finally:
        (root / DAY.isoformat() / "secret").chmod(0o700)
        subprocess.run(["rm", "-rf", str(root)], check=False)


# --------------------------------------------------------------------------- gzip bomb, bounded memory

# Peak memory of the child itself: Linux's VmHWM starts afresh at exec, while getrusage's ru_maxrss of a
# child starts at its parent's (the test process, Beam loaded), which would hide the reading's own peak.
_READ_BOMB = textwrap.dedent("""
    import json, resource, sys
    from transforms.ingest.config import IngestConfig
    from transforms.ingest.log_file import LogFileParse
    from transforms.ingest.window import EventWindow
    from datetime import date

    def peak_kib():
        try:
            with open("/proc/self/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    before = peak_kib()
    day = date.fromisoformat(sys.argv[2])
    parse = LogFileParse(sys.argv[1], "auto", EventWindow.for_day(day), IngestConfig())
    items = [(type(i).__name__, getattr(i, "reason", None), len(getattr(i, "raw_line", ""))) for i in parse]
    after = peak_kib()
    print(json.dumps({"items": items, "status": parse.status, "grew_kib": after - before, "peak_kib": after,
                      "counts": [parse.lines_read, parse.lines_accepted, parse.lines_quarantined]}))
""")


def _bomb(path: Path, mib: int) -> None:
    """One JSON line of `mib` MiB (a string of one repeated letter): compresses about 1000:1."""
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(b'{"type": "message", "content": "')
        chunk = b"a" * (1 << 20)
        for _ in range(mib):
            out.write(chunk)
        out.write(b'"}\n')
        out.write(b"\n".join(good_lines("after-bomb")) + b"\n")


def _read_bomb_in_child(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _READ_BOMB, str(path), DAY.isoformat()], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_bomb(result: dict) -> None:
    assert result["status"] == "read"
    quarantined = [item for item in result["items"] if item[0] == "QuarantinedLine"]
    assert quarantined == [["QuarantinedLine", f"line too long (> {IngestConfig().max_line_bytes} bytes)", 1024]]
    assert result["counts"] == [4, 3, 1]  # the lines after the bomb are read
    # Bounded: the 8 MiB line cap plus the reader's buffers, whatever the bomb inflates to.
    assert result["grew_kib"] < 40 * 1024, result  # measured: 16 MiB for 64 and for 512 MiB bombs


def test_gzip_bomb_costs_bounded_memory_and_a_1_kib_quarantine_record(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    _bomb(path, 64)
    assert path.stat().st_size < 200 * 1024
    _check_bomb(_read_bomb_in_child(path))


@pytest.mark.slow
def test_half_megabyte_gzip_bomb_of_512_mib_costs_bounded_memory(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    _bomb(path, 512)
    _check_bomb(_read_bomb_in_child(path))


# --------------------------------------------------------------------------- the window, OpenAssistant, sample logs


def test_window_edges_are_half_open_and_follow_the_settings():
    window = EventWindow.for_day(DAY, IngestConfig(event_window_days_before=2, event_window_days_after=0))
    assert window.start == datetime(2026, 11, 25, tzinfo=timezone.utc)
    assert window.end == datetime(2026, 11, 28, tzinfo=timezone.utc)
    parse_line(json.dumps(message(timestamp="2026-11-25T00:00:00Z")), window=window)
    parse_line(json.dumps(message(timestamp="2026-11-27T23:59:59.999999Z")), window=window)
    for outside in ("2026-11-24T23:59:59.999999Z", "2026-11-28T00:00:00Z", "2026-11-27T23:30:00-01:00"):
        with pytest.raises(MalformedLine) as err:
            parse_line(json.dumps(message(timestamp=outside)), window=window)
        assert err.value.reason.startswith("timestamp outside the window [2026-11-25T00:00Z, 2026-11-28T00:00Z)")
    # An offset that brings the instant back inside is inside.
    parse_line(json.dumps(message(timestamp="2026-11-28T01:00:00+03:00")), window=window)


def test_epoch_numbers_read_by_one_unambiguous_rule():
    window = EventWindow.for_day(DAY)
    noon = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
    seconds = int(noon.timestamp())
    for stamp in (seconds, seconds * 1000, float(seconds), str(seconds)):
        _, (event,) = parse_line(json.dumps(message(timestamp=stamp)), window=window)
        assert event.timestamp == noon


def test_oasst_trees_filed_under_a_date_run_on_that_date(tmp_path):
    sample = SHARED_DATA / "oasst_en_100_tree.jsonl"
    if not sample.exists():
        pytest.skip(f"shared data not found: {sample}")
    day = date(2026, 11, 27)
    path = tmp_path / "oasst.jsonl"
    path.write_bytes(sample.read_bytes())
    window = EventWindow.for_day(day)
    parse = LogFileParse(str(path), "oasst", window, IngestConfig())
    items = list(parse)
    assert parse.lines_quarantined == 0 and parse.lines_accepted == 100
    stamps = [event.timestamp for item in items for event in item.events]
    assert min(stamps).date() == day and max(stamps) < window.end


def test_generated_sample_logs_stay_inside_the_window(tmp_path):
    from flywheel.sample_logs.generate import generate_logs

    generated = generate_logs(tmp_path, [DAY], 80, seed=11, log_format="mixed", malformed_rate=0.0)
    window = EventWindow.for_day(DAY)
    quarantined = []
    for uri in generated.files:
        parse = LogFileParse(str(uri), "auto", window, IngestConfig())
        quarantined += [item for item in parse if isinstance(item, QuarantinedLine)]
        assert parse.status == "read"
    assert quarantined == []


def test_quarantine_reasons_have_a_small_safe_kind_for_counting():
    from transforms.ingest.records import reason_kind

    assert reason_kind("invalid JSON: Expecting value (col 1)") == "invalid_json"
    assert reason_kind("line too long (> 8388608 bytes)") == "line_too_long"
    assert reason_kind("timestamp outside the window [2024-04-24T00:00Z, 2024-05-02T00:00Z)") == \
        "timestamp_outside_the_window"
    assert reason_kind("invalid event: content: Input should be a valid string") == "invalid_event"
    assert reason_kind("") == "other"
