import json

from flywheel.cli import EXIT_FAILED, EXIT_OK, main
from transforms.scrub.jsonl import scrub_jsonl_lines


def test_each_line_gets_scrubbed_text_and_input_offsets(regex_scrubber):
    text = "write to ann.lee@example.com or 手机13812345678"
    (record,) = scrub_jsonl_lines([json.dumps({"text": text, "id": 7})], regex_scrubber)
    assert record["id"] == 7
    assert "ann.lee@example.com" not in record["scrubbed"] and "13812345678" not in record["scrubbed"]
    found = {text[s["start"]:s["end"]]: s["entity_type"] for s in record["spans"]}
    assert found["ann.lee@example.com"] == "EMAIL_ADDRESS"
    assert "13812345678" in "".join(found)


def test_bad_lines_are_reported_not_dropped(regex_scrubber):
    out = list(scrub_jsonl_lines(['{"text": "ok"}', "", "nope", '{"text": 5}', "[1]"], regex_scrubber))
    assert [r.get("line_number") for r in out] == [None, 3, 4, 5]
    assert all("error" in r for r in out[1:])


def test_scrub_command_writes_the_output_file(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps({"text": "ip 10.1.2.3"}) + "\n")
    assert main(["scrub", "--in", str(source), "--out", str(target), "--scrub-mode", "regex"]) == EXIT_OK
    assert "10.1.2.3" not in json.loads(target.read_text())["scrubbed"]
    source.write_text("garbage\n")
    assert main(["scrub", "--in", str(source), "--out", str(target), "--scrub-mode", "regex"]) == EXIT_FAILED
