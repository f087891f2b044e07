#!/usr/bin/env bash
# A fixed scenario through the CLI, then a sha256 of every output file that must not change when the code
# is only moved around (a refactor): two generated days backfilled in presidio mode, two exports, one day
# in regex mode with surrogates, one day with an LLM judge (the tests' local OpenAI-compatible stub).
#
#   bench/lake_digest.sh OUT_DIR            -> OUT_DIR/digest.txt
#   git checkout A && bench/lake_digest.sh /tmp/a; git checkout B && bench/lake_digest.sh /tmp/b
#   diff /tmp/a/digest.txt /tmp/b/digest.txt && echo "same lake bytes"
#
# Left out, because they differ on every run by design: run manifests (run ids, times), commit records and
# locks (run ids), quarantine files (named by run id), the judgments table (judged_at) and export data cards
# (they list run ids). Published files carry their run's id in their name (part-00000-of-00001.<run_id>.parquet):
# the digest lists them without it, so digests of two runs compare file by file.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
rm -rf "${OUT:?}"/*
cd "$OUT"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
FW=$REPO/.venv/bin/flywheel
$FW generate --out logs --start 2026-11-01 --end 2026-11-02 --conversations 300 > gen.log 2>&1
$FW backfill --source logs --lake lake --quarantine q --start 2026-11-01 --end 2026-11-02 > run1.log 2>&1
$FW export --lake lake --from 2026-11-01 --to 2026-11-02 --format openai-jsonl --out exp_oa > exp1.log 2>&1
$FW export --lake lake --from 2026-11-01 --to 2026-11-02 --format trl-preference-jsonl --out exp_trl > exp2.log 2>&1
$FW run --source logs --lake lake_rx --quarantine q2 --date 2026-11-02 --scrub-mode regex \
  --scrub-replacement surrogate > run2.log 2>&1
( cd "$REPO" && exec .venv/bin/python -c "
import sys, time; sys.path.insert(0, 'tests'); from openai_stub import OpenAIStub
stub = OpenAIStub([], latency_s=0.0); stub.__enter__(); open('$OUT/stub_url', 'w').write(stub.base_url); time.sleep(300)" ) &
STUB=$!
trap 'kill $STUB 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s stub_url ] && break; sleep 0.2; done
FLYWHEEL_JUDGE__BASE_URL=$(cat stub_url) FLYWHEEL_JUDGE__MODEL=m FLYWHEEL_JUDGE__API_KEY=x \
  $FW run --source logs --lake lake_j --quarantine q3 --date 2026-11-01 > run3.log 2>&1
find lake lake_rx lake_j exp_oa exp_trl -type f -not -path '*/_runs/*' -not -path '*/_commits/*' \
  -not -path '*/_locks/*' -not -name README.md -not -path 'lake_j/judgments/*' | sort | xargs sha256sum \
  | sed -E 's/\.[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{8}T[0-9]{6}Z_[0-9a-f]+\.parquet$/.parquet/' > digest.txt
echo "$(wc -l < digest.txt) files digested: $OUT/digest.txt"
